//! K-Minimum-Values distinct counting: mergeable, idempotent, with intersection and Jaccard estimates.
#![deny(missing_docs)]
