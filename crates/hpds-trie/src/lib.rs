//! Tries and DAWGs for large string sets: a compact mutable trie and fst-backed WordSet / WordMap.
#![deny(missing_docs)]
