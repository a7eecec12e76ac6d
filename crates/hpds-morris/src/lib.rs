//! Morris approximate counters: count to billions in a byte, singly or packed in arrays.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod array;
mod counter;
mod math;
mod rng;

pub use array::MorrisArray;
pub use counter::MorrisCounter;
pub use rng::FastRng;
