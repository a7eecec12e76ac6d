//! Morris approximate counters: count to billions in a byte, singly or packed in arrays.
#![deny(missing_docs)]
