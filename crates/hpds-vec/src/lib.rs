//! Over-allocating vectors with pluggable growth policies (CPython's list, doubling, factor, exact, size-class) and reallocation statistics.
#![deny(missing_docs)]
