//! Open-addressed hash maps and sets: a fast general-purpose table, a probing laboratory (linear, triangular, double hashing, CPython's perturbation) and CPython's compact ordered dict.
#![deny(missing_docs)]
