//! Peer comparison: to be written.
fn main() {}
