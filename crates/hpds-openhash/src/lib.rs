//! Open-addressed hash maps and sets.
#![deny(missing_docs)]

mod compact;
mod heap;
pub mod lab;
mod map;
mod raw;
mod set;

pub use compact::CompactDict;
pub use heap::OwnedHeap;
pub use map::{DefaultHashBuilder, OpenMap};
pub use set::OpenSet;
