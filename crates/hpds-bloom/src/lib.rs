//! Bloom filters that keep their promised error rate: classic, blocked, scalable, counting, timing (expiring) and atomic.
#![deny(missing_docs)]
