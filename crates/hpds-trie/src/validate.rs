//! Full structural validation of fst bytes, so that corrupt input gives an `Err`, never a panic.
//!
//! `fst::raw::Fst::new` checks only the header and trailer, and fst's node decoding indexes the
//! byte slice directly: a corrupt node makes a later query panic (an index out of bounds, an
//! address underflow, an output sum overflowing `u64`). This module decodes every node of the
//! file once with checked arithmetic and accepts the bytes only if every query fst can run will
//! stay in bounds:
//!
//! - the version is 3 (what fst 0.4 writes) and the root address agrees with the file length;
//! - the nodes tile the region between the 16-byte header and the trailer exactly, decoded
//!   backwards from the root as fst writes them (each node's first byte follows the previous
//!   node's last);
//! - each node's pack sizes are in range (transition addresses 1..=8 bytes, outputs 0..=8) and
//!   every byte it reads lies inside the node;
//! - every transition targets a node start strictly below the node (or the empty final node at
//!   address 0), so the automaton is acyclic and every walk ends;
//! - inputs are strictly increasing, and the 256-entry index of large nodes agrees with them;
//! - for sets every output is zero; for maps no path's output sum overflows `u64`;
//! - the number of accepting paths (computed, not trusted) equals the stored key count.
//!
//! It is written against fst 0.4's node format (`src/raw/node.rs`), which the golden-bytes test
//! pins. Validation takes `O(file size)` time and allocates 16 bytes per node (24 for maps), a
//! few times the file size at most, and frees it before returning.

use alloc::vec::Vec;

use hpds_core::{Error, Result};

/// fst's format version this module understands (fst 0.4 writes 3).
pub(crate) const FST_VERSION: u64 = 3;
pub(crate) const HEADER: usize = 16;
/// Bytes after the root node: key count, root address, checksum.
const TRAILER: usize = 20;
/// Nodes with more transitions carry a 256-byte input index.
const INDEX_THRESHOLD: usize = 32;
/// fst's `COMMON_INPUTS_INV` table, the part reachable from a 6-bit index (fst 0.4,
/// `src/raw/common_inputs.rs`): index `i` (1-based) stands for this byte.
pub(crate) const COMMON: &[u8; 63] =
    b"te/oasripcnw.hlm-du012g=:bf3y5&_4v9678k%?xCDASFIBEjPTzRNM+LOqHG";

/// Whether the outputs are all zero (a set) or arbitrary `u64` sums (a map).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Set,
    Map,
}

fn bad(reason: &'static str) -> Error {
    Error::invalid_encoding(reason)
}

fn read_u64(b: &[u8], at: usize) -> Result<u64> {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| bad("fst: truncated trailer"))
}

/// A decoded node; every offset it reads was checked to lie in `end..=addr`.
pub(crate) struct RawNode<'a> {
    data: &'a [u8],
    end: usize,
    pub(crate) is_final: bool,
    final_out: u64,
    pub(crate) ntrans: usize,
    kind: NodeKind,
}

enum NodeKind {
    /// One transition to the node just below, zero output.
    OneNext { input: u8 },
    /// One transition with an explicit address and output.
    One { input: u8, target: usize, out: u64 },
    /// Any number of transitions; `base` is the position of the pack-size byte.
    Any {
        base: usize,
        tsize: usize,
        osize: usize,
        index: usize,
    },
}

fn unpack(data: &[u8], at: usize, n: usize) -> u64 {
    // Callers checked `at + n <= addr + 1 <= data.len()` and `n <= 8`.
    data[at..at + n]
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (u64::from(b) << (8 * i)))
}

fn target_of(delta: u64, end: usize) -> Result<usize> {
    if delta == 0 {
        return Ok(0);
    }
    usize::try_from(delta)
        .ok()
        .and_then(|d| end.checked_sub(d))
        .ok_or_else(|| bad("fst: transition address before the start of the file"))
}

fn sub(a: usize, b: usize) -> Result<usize> {
    a.checked_sub(b)
        .ok_or_else(|| bad("fst: node extends before the start of the file"))
}

impl<'a> RawNode<'a> {
    /// Decodes the node whose last byte is `addr` (> 0).
    pub(crate) fn decode(data: &'a [u8], addr: usize) -> Result<Self> {
        let v = *data
            .get(addr)
            .ok_or_else(|| bad("fst: node address past the end"))?;
        let common = v & 0b0011_1111;
        let input_at = |input_len: usize| -> Result<u8> {
            if common == 0 {
                Ok(data[sub(addr, 1)?])
            } else {
                let _ = input_len;
                Ok(COMMON[usize::from(common) - 1])
            }
        };
        let input_len = usize::from(common == 0);
        let node = match v >> 6 {
            0b11 => {
                let input = input_at(input_len)?;
                let end = sub(addr, input_len)?;
                RawNode {
                    data,
                    end,
                    is_final: false,
                    final_out: 0,
                    ntrans: 1,
                    kind: NodeKind::OneNext { input },
                }
            }
            0b10 => {
                let input = input_at(input_len)?;
                let sizes_at = sub(addr, input_len + 1)?;
                let sizes = data[sizes_at];
                let (tsize, osize) = ((sizes >> 4) as usize, (sizes & 0x0f) as usize);
                if !(1..=8).contains(&tsize) || osize > 8 {
                    return Err(bad("fst: pack size out of range"));
                }
                let taddr_at = sub(sizes_at, tsize)?;
                let end = sub(taddr_at, osize)?;
                let out = if osize == 0 {
                    0
                } else {
                    unpack(data, end, osize)
                };
                let target = target_of(unpack(data, taddr_at, tsize), end)?;
                RawNode {
                    data,
                    end,
                    is_final: false,
                    final_out: 0,
                    ntrans: 1,
                    kind: NodeKind::One { input, target, out },
                }
            }
            _ => {
                let is_final = v & 0b0100_0000 != 0;
                let (ntrans, ntrans_len) = if common == 0 {
                    let n = data[sub(addr, 1)?] as usize;
                    (if n == 1 { 256 } else { n }, 1)
                } else {
                    (usize::from(common), 0)
                };
                let base = sub(addr, ntrans_len + 1)?;
                let sizes = data[base];
                let (tsize, osize) = ((sizes >> 4) as usize, (sizes & 0x0f) as usize);
                if tsize > 8 || osize > 8 || (ntrans > 0 && tsize == 0) {
                    return Err(bad("fst: pack size out of range"));
                }
                let index = if ntrans > INDEX_THRESHOLD { 256 } else { 0 };
                let total_trans = ntrans + ntrans * tsize + index;
                let final_osize = if is_final { osize } else { 0 };
                let end = sub(base, total_trans + ntrans * osize + final_osize)?;
                let final_out = if is_final && osize > 0 {
                    unpack(data, end, osize)
                } else {
                    0
                };
                RawNode {
                    data,
                    end,
                    is_final,
                    final_out,
                    ntrans,
                    kind: NodeKind::Any {
                        base,
                        tsize,
                        osize,
                        index,
                    },
                }
            }
        };
        if node.end < HEADER {
            return Err(bad("fst: node overlaps the header"));
        }
        Ok(node)
    }

    /// Input byte, output and target address of transition `i < ntrans`.
    pub(crate) fn transition(&self, i: usize) -> Result<(u8, u64, usize)> {
        match self.kind {
            NodeKind::OneNext { input } => Ok((input, 0, sub(self.end, 1)?)),
            NodeKind::One { input, target, out } => Ok((input, out, target)),
            NodeKind::Any {
                base,
                tsize,
                osize,
                index,
            } => {
                // Offsets below were bounded by `end` at decode time.
                let n = self.ntrans;
                let input = self.data[base - index - i - 1];
                let taddr_at = base - index - n - i * tsize - tsize;
                let target = target_of(unpack(self.data, taddr_at, tsize), self.end)?;
                let out = if osize == 0 {
                    0
                } else {
                    let total_trans = n + n * tsize + index;
                    unpack(self.data, base - total_trans - i * osize - osize, osize)
                };
                Ok((input, out, target))
            }
        }
    }

    /// Checks the 256-entry index of a large node against its inputs.
    fn check_index(&self, inputs: &[u8]) -> Result<()> {
        if let NodeKind::Any { base, index, .. } = self.kind
            && index > 0
        {
            let table = &self.data[base - 256..base];
            let mut position = [usize::MAX; 256];
            for (i, &b) in inputs.iter().enumerate() {
                position[b as usize] = i;
            }
            for (b, &idx) in table.iter().enumerate() {
                let idx = idx as usize;
                let ok = if idx < self.ntrans {
                    position[b] == idx
                } else {
                    position[b] == usize::MAX
                };
                if !ok {
                    return Err(bad("fst: transition index disagrees with the inputs"));
                }
            }
        }
        Ok(())
    }
}

/// Validates fst bytes (checksum not included: see [`crc32c`]) and returns the key count.
pub(crate) fn validate(data: &[u8], kind: Kind) -> Result<u64> {
    if data.len() < HEADER + TRAILER {
        return Err(bad("fst: shorter than header and trailer"));
    }
    if read_u64(data, 0)? != FST_VERSION {
        return Err(bad("fst: format version is not 3"));
    }
    let end = data.len() - 4;
    let root = read_u64(data, end - 8)?;
    let stored_len = read_u64(data, end - 16)?;
    if root == 0 {
        // The set holding only the empty key: no node is written.
        if data.len() != HEADER + TRAILER {
            return Err(bad("fst: root address disagrees with the file length"));
        }
        return if stored_len == 1 {
            Ok(1)
        } else {
            Err(bad("fst: key count disagrees with the automaton"))
        };
    }
    let root = usize::try_from(root).map_err(|_| bad("fst: root address too large"))?;
    if root.checked_add(TRAILER + 1) != Some(data.len()) {
        return Err(bad("fst: root address disagrees with the file length"));
    }

    // Node addresses, from the root down to the header.
    let mut addrs = Vec::new();
    let mut addr = root;
    loop {
        let node = RawNode::decode(data, addr)?;
        addrs.push(addr);
        if node.end == HEADER {
            break;
        }
        addr = node.end - 1;
    }
    addrs.reverse();

    // Children first: count accepting paths and the largest output sum below each node.
    let mut count: Vec<u64> = Vec::with_capacity(addrs.len());
    let mut max_out: Vec<u64> = Vec::with_capacity(if kind == Kind::Map { addrs.len() } else { 0 });
    let mut inputs = Vec::with_capacity(256);
    for &addr in &addrs {
        let node = RawNode::decode(data, addr)?;
        if kind == Kind::Set && node.final_out != 0 {
            return Err(bad("fst: a set has a non-zero output (is it a map?)"));
        }
        let mut c = u64::from(node.is_final);
        let mut m = node.final_out;
        inputs.clear();
        for i in 0..node.ntrans {
            let (input, out, target) = node.transition(i)?;
            if inputs.last().is_some_and(|&last| last >= input) {
                return Err(bad("fst: transition inputs out of order"));
            }
            inputs.push(input);
            let (tc, tm) = if target == 0 {
                (1, 0)
            } else {
                let j = addrs
                    .binary_search(&target)
                    .map_err(|_| bad("fst: transition does not point at a node"))?;
                if target >= node.end {
                    return Err(bad("fst: transition points forward"));
                }
                (count[j], if kind == Kind::Map { max_out[j] } else { 0 })
            };
            c = c
                .checked_add(tc)
                .ok_or_else(|| bad("fst: key count overflows"))?;
            match kind {
                Kind::Set if out != 0 => {
                    return Err(bad("fst: a set has a non-zero output (is it a map?)"));
                }
                Kind::Set => {}
                Kind::Map => {
                    let sum = out
                        .checked_add(tm)
                        .ok_or_else(|| bad("fst: output sum overflows u64"))?;
                    m = m.max(sum);
                }
            }
        }
        node.check_index(&inputs)?;
        count.push(c);
        if kind == Kind::Map {
            max_out.push(m);
        }
    }
    let total = count.last().copied().unwrap_or(0);
    if total != stored_len {
        return Err(bad("fst: key count disagrees with the automaton"));
    }
    Ok(total)
}

/// CRC-32C (Castagnoli), the checksum fst 0.4 appends; bitwise, for tests and fuzzing only.
#[cfg(test)]
pub(crate) fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    // fst masks its CRC like Snappy does.
    let c = !crc;
    (c.rotate_right(15)).wrapping_add(0xa282_ead8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set_bytes(keys: &[Vec<u8>]) -> Vec<u8> {
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        fst::Set::from_iter(keys).unwrap().into_fst().into_inner()
    }

    fn map_bytes(entries: &std::collections::BTreeMap<Vec<u8>, u64>) -> Vec<u8> {
        fst::Map::from_iter(entries.iter().map(|(k, v)| (k, *v)))
            .unwrap()
            .into_fst()
            .into_inner()
    }

    /// Runs every kind of query fst offers; must not panic on validated bytes.
    fn exercise(bytes: Vec<u8>, kind: Kind) {
        use fst::{IntoStreamer, Streamer};
        let Ok(f) = fst::raw::Fst::new(bytes) else {
            return;
        };
        for key in [&b""[..], b"a", b"ab", b"\xff", b"t", b"te"] {
            let _ = f.get(key);
        }
        let mut s = f.stream();
        let mut n = 0u64;
        while s.next().is_some() {
            n += 1;
        }
        assert_eq!(n, f.len() as u64);
        let mut r = f.range().ge("a").lt("t").into_stream();
        while r.next().is_some() {}
        let lev = fst::automaton::Levenshtein::new("tea", 1).unwrap();
        let set = fst::Set::from(f);
        let mut r = set.search(lev).into_stream();
        while r.next().is_some() {}
        let _ = kind;
    }

    #[test]
    fn common_table_matches_fst() {
        // A one-key set whose key is a common byte compiles to a `OneTransNext` root.
        for (i, &b) in COMMON.iter().enumerate() {
            let bytes = set_bytes(&[vec![b]]);
            assert_eq!(validate(&bytes, Kind::Set).unwrap(), 1, "byte {b} at {i}");
            let root = read_u64(&bytes, bytes.len() - 12).unwrap() as usize;
            assert_eq!(bytes[root] & 0x3f, i as u8 + 1);
        }
    }

    #[test]
    fn crc_matches_fst() {
        let bytes = set_bytes(&[b"abc".to_vec(), b"abd".to_vec()]);
        let n = bytes.len();
        let stored = u32::from_le_bytes(bytes[n - 4..].try_into().unwrap());
        assert_eq!(crc32c(&bytes[..n - 4]), stored);
    }

    #[test]
    fn large_nodes_with_index_validate() {
        let keys: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b, b]).collect();
        assert_eq!(validate(&set_bytes(&keys), Kind::Set).unwrap(), 256);
        let keys: Vec<Vec<u8>> = (0..40u8).map(|b| vec![b'x', b * 3]).collect();
        assert_eq!(validate(&set_bytes(&keys), Kind::Set).unwrap(), 40);
        let empty: [Vec<u8>; 0] = [];
        assert_eq!(validate(&set_bytes(&empty), Kind::Set).unwrap(), 0);
        assert_eq!(validate(&set_bytes(&[vec![]]), Kind::Set).unwrap(), 1);
    }

    #[test]
    fn map_overflow_is_rejected() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(b"a".to_vec(), u64::MAX);
        m.insert(b"b".to_vec(), 0);
        let bytes = map_bytes(&m);
        assert_eq!(validate(&bytes, Kind::Map).unwrap(), 2);
        assert!(validate(&bytes, Kind::Set).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 }))]

        /// Everything fst's builder writes is accepted, with the right count.
        #[test]
        fn builder_output_validates(keys in prop::collection::vec(
            prop::collection::vec(prop_oneof![Just(b'a'), Just(b't'), any::<u8>()], 0..12), 0..80)
        ) {
            let bytes = set_bytes(&keys);
            let mut distinct = keys.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(validate(&bytes, Kind::Set).unwrap(), distinct.len() as u64);
            let map: std::collections::BTreeMap<Vec<u8>, u64> =
                keys.iter().enumerate().map(|(i, k)| (k.clone(), (i as u64) << (i % 60))).collect();
            prop_assert_eq!(validate(&map_bytes(&map), Kind::Map).unwrap(), map.len() as u64);
        }

        /// Mutated fsts (checksum bypassed) either fail validation or run every query safely.
        #[test]
        fn mutated_bytes_never_panic(
            keys in prop::collection::vec(prop::collection::vec(
                prop_oneof![Just(b'a'), Just(b'e'), Just(b't'), any::<u8>()], 0..8), 0..60),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            as_map in any::<bool>(),
        ) {
            let (mut bytes, kind) = if as_map {
                let map = keys.iter().enumerate().map(|(i, k)| (k.clone(), i as u64 * 1000)).collect();
                (map_bytes(&map), Kind::Map)
            } else {
                (set_bytes(&keys), Kind::Set)
            };
            for (at, v) in edits {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            if validate(&bytes, kind).is_ok() {
                exercise(bytes, kind);
            }
        }
    }
}
