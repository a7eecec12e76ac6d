//! The LogLog family: LogLog, SuperLogLog, HyperLogLog and HyperLogLog++ distinct counters in kilobytes.
#![deny(missing_docs)]
