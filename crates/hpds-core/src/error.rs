//! The one error type every hpds crate returns.

use alloc::string::String;
use core::fmt;

/// A convenient alias for results carrying [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What went wrong, with the data a caller needs to fix the call.
///
/// Returned by constructors given bad parameters, merges of incompatible structures, decoders
/// given corrupt bytes, and growth past a capacity or memory limit. Its `Display` text says what
/// was allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

/// The kinds of [`Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter was outside the range the structure supports.
    InvalidParameter {
        /// The parameter's name, as in the constructor's signature.
        name: &'static str,
        /// The value given, formatted.
        got: String,
        /// What is allowed, e.g. `"4..=18"` or `"a number in (0, 1)"`.
        allowed: &'static str,
    },
    /// Two structures cannot be merged or combined.
    Incompatible {
        /// Which property differs, e.g. `"precision"`.
        what: &'static str,
        /// This structure's value.
        ours: String,
        /// The other structure's value.
        theirs: String,
    },
    /// A size computation overflowed or exceeded what can be allocated.
    CapacityOverflow {
        /// What was being sized.
        what: &'static str,
    },
    /// A configured memory cap would be exceeded.
    MemoryLimit {
        /// The cap, in bytes.
        limit: usize,
        /// Bytes the operation would need in total.
        needed: usize,
    },
    /// Bytes given to a decoder are not a valid encoding.
    Decode(DecodeError),
}

/// Why decoding failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before the value being read.
    Truncated {
        /// Bytes the read needed.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// The input does not start with hpds's magic bytes.
    BadMagic {
        /// The first bytes found.
        got: [u8; 4],
    },
    /// The input encodes another structure.
    WrongKind {
        /// The tag of the structure being decoded.
        expected: [u8; 4],
        /// The tag found.
        got: [u8; 4],
    },
    /// The format version is not one this build reads.
    UnsupportedVersion {
        /// The newest version this build reads.
        expected: u16,
        /// The version found.
        got: u16,
    },
    /// The format version is older than the oldest this build reads: it was written with a
    /// different item hash, so its contents cannot be combined with new structures.
    RetiredVersion {
        /// The oldest version this build reads.
        oldest: u16,
        /// The version found.
        got: u16,
    },
    /// The checksum does not match the content.
    ChecksumMismatch {
        /// The checksum stored in the input.
        stored: u64,
        /// The checksum of the content as read.
        computed: u64,
    },
    /// Bytes were left after the value.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A field has a value the structure cannot have.
    Invalid {
        /// The field and what was wrong with it.
        reason: &'static str,
    },
}

impl Error {
    /// The kind of error, for matching.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// A parameter outside its allowed range.
    ///
    /// # Example
    /// ```
    /// let e = hpds_core::Error::invalid_parameter("precision", 3, "4..=18");
    /// assert_eq!(e.to_string(), "invalid precision: got 3, allowed 4..=18");
    /// ```
    pub fn invalid_parameter(
        name: &'static str,
        got: impl fmt::Display,
        allowed: &'static str,
    ) -> Self {
        Self {
            kind: ErrorKind::InvalidParameter {
                name,
                got: alloc::format!("{got}"),
                allowed,
            },
        }
    }

    /// Two structures that differ in `what` cannot be combined.
    pub fn incompatible(
        what: &'static str,
        ours: impl fmt::Display,
        theirs: impl fmt::Display,
    ) -> Self {
        Self {
            kind: ErrorKind::Incompatible {
                what,
                ours: alloc::format!("{ours}"),
                theirs: alloc::format!("{theirs}"),
            },
        }
    }

    /// A size computation for `what` overflowed.
    pub fn capacity_overflow(what: &'static str) -> Self {
        Self {
            kind: ErrorKind::CapacityOverflow { what },
        }
    }

    /// A memory cap of `limit` bytes would be exceeded (`needed` in total).
    pub fn memory_limit(limit: usize, needed: usize) -> Self {
        Self {
            kind: ErrorKind::MemoryLimit { limit, needed },
        }
    }

    /// A field of an encoding has an impossible value.
    pub fn invalid_encoding(reason: &'static str) -> Self {
        DecodeError::Invalid { reason }.into()
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self {
            kind: ErrorKind::Decode(e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::InvalidParameter { name, got, allowed } => {
                write!(f, "invalid {name}: got {got}, allowed {allowed}")
            }
            ErrorKind::Incompatible { what, ours, theirs } => write!(
                f,
                "cannot combine structures with different {what}: {ours} and {theirs}"
            ),
            ErrorKind::CapacityOverflow { what } => {
                write!(
                    f,
                    "capacity overflow: {what} is larger than can be allocated"
                )
            }
            ErrorKind::MemoryLimit { limit, needed } => write!(
                f,
                "memory limit reached: {needed} bytes needed, the limit is {limit} bytes"
            ),
            ErrorKind::Decode(e) => write!(f, "cannot decode: {e}"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { needed, available } => write!(
                f,
                "input truncated: {needed} more bytes needed, {available} available"
            ),
            Self::BadMagic { got } => write!(
                f,
                "not an hpds encoding: expected magic bytes \"HPDS\", got {got:02x?}"
            ),
            Self::WrongKind { expected, got } => write!(
                f,
                "encodes a different structure: expected kind {}, got {}",
                Tag(*expected),
                Tag(*got)
            ),
            Self::UnsupportedVersion { expected, got } => write!(
                f,
                "unsupported format version {got}: this build reads versions up to {expected}"
            ),
            Self::RetiredVersion { oldest, got } => write!(
                f,
                "retired format version {got}: it hashed items differently from this build, whose \
                 oldest readable version is {oldest}; rebuild the structure from its data"
            ),
            Self::ChecksumMismatch { stored, computed } => write!(
                f,
                "checksum mismatch: stored {stored:#018x}, content hashes to {computed:#018x}"
            ),
            Self::TrailingBytes { count } => {
                write!(f, "{count} unexpected bytes after the encoded value")
            }
            Self::Invalid { reason } => write!(f, "invalid field: {reason}"),
        }
    }
}

/// Displays a 4-byte tag as text where it is printable.
struct Tag([u8; 4]);

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            for &b in &self.0 {
                write!(f, "{}", b as char)?;
            }
            Ok(())
        } else {
            write!(f, "{:02x?}", self.0)
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_say_what_is_allowed() {
        let e = Error::invalid_parameter("false_positive_rate", 1.5, "a number in (0, 1)");
        assert_eq!(
            e.to_string(),
            "invalid false_positive_rate: got 1.5, allowed a number in (0, 1)"
        );
        let e = Error::incompatible("precision", 12, 14);
        assert_eq!(
            e.to_string(),
            "cannot combine structures with different precision: 12 and 14"
        );
        let e: Error = DecodeError::WrongKind {
            expected: *b"HLL ",
            got: *b"BLOM",
        }
        .into();
        assert_eq!(
            e.to_string(),
            "cannot decode: encodes a different structure: expected kind HLL , got BLOM"
        );
        let e: Error = DecodeError::UnsupportedVersion {
            expected: 1,
            got: 9,
        }
        .into();
        assert!(e.to_string().contains("reads versions up to 1"));
        assert!(
            Error::memory_limit(10, 20)
                .to_string()
                .contains("limit is 10 bytes")
        );
        assert!(
            Error::capacity_overflow("table")
                .to_string()
                .contains("table")
        );
        let e: Error = DecodeError::Truncated {
            needed: 8,
            available: 3,
        }
        .into();
        assert!(e.to_string().contains("8 more bytes needed, 3 available"));
    }
}
