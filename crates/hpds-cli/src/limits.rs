//! Memory limits: every size flag is checked against the memory it implies before anything is
//! allocated, so a valid-looking flag gives an error that names it instead of an abort.
//!
//! The limit is `--max-memory` (e.g. `512M`, `8G`, `2GiB`, `1e9`); by default half of this
//! machine's physical memory (`MemTotal` in `/proc/meminfo`), and at most half of the process's
//! address-space limit (`ulimit -v`) when one is set; 4 GiB where neither can be read.

use std::fmt;

use crate::output::human_bytes;

/// The memory a run may use, and where the figure came from.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Bytes.
    pub bytes: u64,
    /// Whether the user set it with `--max-memory`.
    pub explicit: bool,
}

impl Budget {
    /// `--max-memory` if given, else the default share of physical memory.
    pub fn new(max_memory: Option<u64>) -> Self {
        match max_memory {
            Some(bytes) => Self {
                bytes,
                explicit: true,
            },
            None => Self {
                bytes: default_limit(),
                explicit: false,
            },
        }
    }

    /// Refuses `needed` bytes (or a size computation that overflowed: `None`) above the limit,
    /// naming the flag and its value.
    pub fn check(
        &self,
        flag: &str,
        value: impl fmt::Display,
        what: &str,
        needed: Option<u128>,
    ) -> Result<(), String> {
        match needed {
            Some(n) if n <= u128::from(self.bytes) => Ok(()),
            _ => {
                let needed = needed.map_or_else(
                    || "more than can be counted".to_string(),
                    |n| format!("about {}", human_bytes_u128(n)),
                );
                let source = if self.explicit {
                    "--max-memory"
                } else {
                    "the default --max-memory: half of physical memory, or of `ulimit -v` if lower"
                };
                Err(format!(
                    "{flag} {value} needs {needed} of memory ({what}); the limit is {} ({source}). \
                     Lower {flag}, or raise the limit with --max-memory SIZE (e.g. --max-memory 32G)",
                    human_bytes(self.bytes as i64)
                ))
            }
        }
    }
}

fn human_bytes_u128(n: u128) -> String {
    if n <= i64::MAX as u128 {
        human_bytes(n as i64)
    } else {
        format!("{n:.3e} B", n = n as f64)
    }
}

/// Half of physical memory, capped at half of the address-space limit; 4 GiB if unknown.
pub fn default_limit() -> u64 {
    let physical = read_kib("/proc/meminfo", "MemTotal:").map(|kib| kib * 1024);
    let address_space = address_space_limit();
    match (physical, address_space) {
        (Some(p), Some(a)) => p.min(a) / 2,
        (Some(x), None) | (None, Some(x)) => x / 2,
        (None, None) => 4 << 30,
    }
}

fn read_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// The soft address-space limit (`ulimit -v`) from `/proc/self/limits`, if one is set.
fn address_space_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Parses a size: bytes, or a number with a unit K, M, G, T (powers of 1024; `KiB`, `MB`, ...
/// are read the same), or scientific notation (`1e9`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {s:?} (e.g. 512M, 8G, 1e9)"))?;
    let scale = match unit
        .trim()
        .to_ascii_lowercase()
        .trim_end_matches("ib")
        .trim_end_matches('b')
    {
        "" => 1u64,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("unknown unit in {s:?}: use K, M, G or T")),
    };
    let bytes = value * scale as f64;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("size out of range: {s:?}"));
    }
    Ok(bytes as u64)
}

/// `a × b` in `u128`, never overflowing for `u64`-sized operands.
pub fn mul(a: impl Into<u128>, b: impl Into<u128>) -> Option<u128> {
    a.into().checked_mul(b.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("1e9"), Ok(1_000_000_000));
        assert_eq!(parse_size("8 mb"), Ok(8 << 20));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("1e30").is_err());
        assert!(parse_size("5X").is_err());
    }

    #[test]
    fn the_error_names_the_flag_the_need_and_the_override() {
        let b = Budget::new(Some(1 << 30));
        assert!(b.check("--n", 1, "x", Some(1 << 20)).is_ok());
        let e = b
            .check("--capacity", 5, "filters", Some(1 << 40))
            .unwrap_err();
        assert!(e.contains("--capacity 5"), "{e}");
        assert!(e.contains("1.0 TiB"), "{e}");
        assert!(e.contains("--max-memory"), "{e}");
        assert!(b.check("--n", 1, "x", None).is_err());
        assert!(default_limit() >= 1 << 20);
    }
}
