//! A set builder that writes fst's format (version 3) with a fully minimal automaton.
//!
//! fst's own builder finds equal suffixes through a fixed cache of 10,000 × 2 nodes, so on
//! large inputs it writes many equal subtrees again (at 5 million synthetic words its automaton
//! has 1.85 times the minimal number of nodes). This builder runs the same incremental
//! algorithm (Daciuk et al.: keys in sorted order, a stack of unfinished nodes along the last
//! key, each node frozen once no later key can extend it) and encodes nodes exactly as fst does
//! (`src/raw/node.rs` of fst 0.4), but registers *every* frozen node: a hash table from the
//! node's hash to its address, each hit confirmed by decoding the node already written, so two
//! nodes are merged only if they are equal. The result is the unique minimal automaton, read by
//! fst like any other file (and validated like any other by [`crate::validate`]).
//!
//! The register costs 16 bytes per distinct node (20 to 35 with the hash table's free slots)
//! while building, freed at the end.

use alloc::vec::Vec;
use hpds_core::hash::IdentityBuildHasher;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use hpds_core::{Error, Result};

use crate::validate::{COMMON, FST_VERSION, RawNode};

/// The address fst reserves for "the final node without transitions", never written.
const EMPTY: usize = 0;
/// Nodes with more transitions get a 256-byte input index (fst's `TRANS_INDEX_THRESHOLD`).
const INDEX_THRESHOLD: usize = 32;

/// `COMMON_INDEX[b]`: the 1-based index of byte `b` in fst's common-input table, 0 if absent.
const COMMON_INDEX: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < COMMON.len() {
        t[COMMON[i] as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

/// CRC-32C (Castagnoli) table, reflected polynomial `0x82F63B78`.
const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// fst's checksum: CRC-32C of `bytes`, masked as Snappy masks it.
pub(crate) fn masked_crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc = CRC_TABLE[((crc as u8) ^ b) as usize] ^ (crc >> 8);
    }
    let c = !crc;
    c.rotate_right(15).wrapping_add(0xA282_EAD8)
}

/// Bytes needed for `n` (1 to 8; 1 for zero), as fst's `pack_size`.
fn pack_size(n: u64) -> usize {
    (((64 - n.leading_zeros()) as usize).div_ceil(8)).max(1)
}

fn pack(out: &mut Vec<u8>, n: u64, size: usize) {
    out.extend_from_slice(&n.to_le_bytes()[..size]);
}

/// What fst stores for a transition from the node starting at `start` to `target`.
fn delta(start: usize, target: usize) -> u64 {
    if target == EMPTY {
        0
    } else {
        (start - target) as u64
    }
}

/// A node on the path of the last key, still open to new transitions.
#[derive(Default)]
struct Unfinished {
    is_final: bool,
    /// Frozen transitions: input byte and target address, in increasing input order.
    trans: Vec<(u8, usize)>,
    /// The transition along the last key, whose target is not frozen yet.
    last: Option<u8>,
}

/// Builds a minimal set automaton in fst's format from keys in increasing order.
pub(crate) struct MinimalSetBuilder {
    out: Vec<u8>,
    stack: Vec<Unfinished>,
    register: HashMap<u64, usize, IdentityBuildHasher>,
    last_addr: Option<usize>,
    last_key: Option<Vec<u8>>,
    len: u64,
}

impl Default for MinimalSetBuilder {
    fn default() -> Self {
        let mut out = Vec::new();
        out.extend_from_slice(&FST_VERSION.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // fst type 0, as fst's set builder writes
        Self {
            out,
            stack: alloc::vec![Unfinished::default()],
            register: HashMap::default(),
            last_addr: None,
            last_key: None,
            len: 0,
        }
    }
}

impl MinimalSetBuilder {
    /// Adds `key`, which must not be smaller than the key before it (an equal key is skipped).
    pub(crate) fn insert(&mut self, key: &[u8]) -> Result<()> {
        match &mut self.last_key {
            Some(last) if key < last.as_slice() => {
                return Err(Error::invalid_parameter(
                    "keys",
                    "a key smaller than the one before",
                    "keys in increasing byte order (a repeated key is skipped; use \
                     FromIterator to sort)",
                ));
            }
            Some(last) if key == last.as_slice() => return Ok(()),
            Some(last) => {
                last.clear();
                last.extend_from_slice(key);
            }
            None => self.last_key = Some(key.to_vec()),
        }
        self.len += 1;
        if key.is_empty() {
            // Only the first key can be empty.
            self.stack[0].is_final = true;
            return Ok(());
        }
        let prefix = key
            .iter()
            .zip(&self.stack)
            .take_while(|(b, n)| n.last == Some(**b))
            .count();
        self.freeze_from(prefix);
        let top = self.stack.len() - 1;
        self.stack[top].last = Some(key[prefix]);
        for &b in &key[prefix + 1..] {
            self.stack.push(Unfinished {
                last: Some(b),
                ..Unfinished::default()
            });
        }
        self.stack.push(Unfinished {
            is_final: true,
            ..Unfinished::default()
        });
        Ok(())
    }

    /// Freezes the nodes of the last key below depth `depth`, deepest first.
    fn freeze_from(&mut self, depth: usize) {
        let mut addr = None;
        while depth + 1 < self.stack.len() {
            let mut node = self.stack.pop().expect("deeper than depth");
            if let (Some(inp), Some(a)) = (node.last.take(), addr) {
                node.trans.push((inp, a));
            }
            addr = Some(self.compile(&node));
        }
        let top = self.stack.len() - 1;
        // Nested rather than a let chain: the crates' minimum Rust is 1.85.
        if let Some(a) = addr {
            if let Some(inp) = self.stack[top].last.take() {
                self.stack[top].trans.push((inp, a));
            }
        }
    }

    /// The finished fst bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.freeze_from(0);
        let root = self.stack.pop().expect("the root");
        let root_addr = self.compile(&root);
        let len = self.len;
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out
            .extend_from_slice(&(root_addr as u64).to_le_bytes());
        let sum = masked_crc32c(&self.out);
        self.out.extend_from_slice(&sum.to_le_bytes());
        self.out
    }

    fn hash(node: &Unfinished) -> u64 {
        // FxHash's step over one word per transition (input byte and target address), then
        // splitmix64's finalizer: the hash table uses the bits directly.
        let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(0x517C_C1B7_2722_0A95);
        let mut h = step(0, u64::from(node.is_final));
        for &(inp, addr) in &node.trans {
            h = step(h, u64::from(inp) | (addr as u64) << 8);
        }
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^ (h >> 31)
    }

    /// Whether the node written at `addr` of `out` is `node`.
    fn written_equals(out: &[u8], addr: usize, node: &Unfinished) -> bool {
        let Ok(raw) = RawNode::decode(out, addr) else {
            return false;
        };
        raw.is_final == node.is_final
            && raw.ntrans == node.trans.len()
            && node
                .trans
                .iter()
                .enumerate()
                .all(|(i, &(inp, target))| raw.transition(i).ok() == Some((inp, 0, target)))
    }

    /// Writes `node` unless an equal node was written before; returns its address.
    fn compile(&mut self, node: &Unfinished) -> usize {
        if node.is_final && node.trans.is_empty() {
            return EMPTY;
        }
        // One probe of the register per node: found and equal, or the slot to fill.
        let slot = match self.register.entry(Self::hash(node)) {
            Entry::Occupied(e) if Self::written_equals(&self.out, *e.get(), node) => {
                return *e.get();
            }
            // A true 64-bit collision: the newer node takes the slot.
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(0),
        };
        Self::write(&mut self.out, self.last_addr, node);
        let addr = self.out.len() - 1;
        *slot = addr;
        self.last_addr = Some(addr);
        addr
    }

    /// Appends `node` in fst's encoding (outputs are all zero in a set).
    fn write(out: &mut Vec<u8>, last_addr: Option<usize>, node: &Unfinished) {
        let start = out.len();
        if node.trans.len() == 1 && !node.is_final {
            let (inp, target) = node.trans[0];
            let common = COMMON_INDEX[inp as usize];
            if Some(target) == last_addr {
                // OneTransNext: the target is the node just written.
                if common == 0 {
                    out.push(inp);
                }
                out.push(0b11_000000 | common);
            } else {
                // OneTrans: packed address, pack sizes (output size 0), input, state.
                let d = delta(start, target);
                let tsize = pack_size(d);
                pack(out, d, tsize);
                out.push((tsize as u8) << 4);
                if common == 0 {
                    out.push(inp);
                }
                out.push(0b10_000000 | common);
            }
            return;
        }
        // AnyTrans: addresses and inputs in reverse order, the index of large nodes, pack
        // sizes, the transition count unless the state byte holds it, the state byte.
        let n = node.trans.len();
        let tsize = node
            .trans
            .iter()
            .map(|&(_, t)| pack_size(delta(start, t)))
            .max()
            .unwrap_or(0);
        for &(_, t) in node.trans.iter().rev() {
            pack(out, delta(start, t), tsize);
        }
        for &(inp, _) in node.trans.iter().rev() {
            out.push(inp);
        }
        if n > INDEX_THRESHOLD {
            let mut index = [255u8; 256];
            for (i, &(inp, _)) in node.trans.iter().enumerate() {
                index[inp as usize] = i as u8;
            }
            out.extend_from_slice(&index);
        }
        out.push((tsize as u8) << 4);
        let mut state = if node.is_final { 0b01_000000 } else { 0 };
        if (1..=0b11_1111).contains(&n) {
            state |= n as u8;
        } else {
            // 256 does not fit a byte; fst writes 1, which the state byte would have held.
            out.push(if n == 256 { 1 } else { n as u8 });
        }
        out.push(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fst_bytes(keys: &[Vec<u8>]) -> Vec<u8> {
        fst::Set::from_iter(keys).unwrap().into_fst().into_inner()
    }

    fn ours(keys: &[Vec<u8>]) -> Vec<u8> {
        let mut b = MinimalSetBuilder::default();
        for k in keys {
            b.insert(k).unwrap();
        }
        b.finish()
    }

    /// Number of reachable nodes, and of classes of equivalent nodes among them.
    fn nodes_and_classes(bytes: &[u8]) -> (usize, usize) {
        let f = fst::raw::Fst::new(bytes).unwrap();
        let mut order = Vec::new();
        let mut class: HashMap<usize, usize> = HashMap::new();
        let mut stack = alloc::vec![(f.root().addr(), false)];
        while let Some((addr, done)) = stack.pop() {
            if done {
                order.push(addr);
            } else if class.insert(addr, usize::MAX).is_none() {
                stack.push((addr, true));
                stack.extend(f.node(addr).transitions().map(|t| (t.addr, false)));
            }
        }
        let mut classes: HashMap<(bool, Vec<(u8, usize)>), usize> = HashMap::new();
        for addr in &order {
            let node = f.node(*addr);
            let sig = node
                .transitions()
                .map(|t| (t.inp, class[&t.addr]))
                .collect();
            let next = classes.len();
            let c = *classes.entry((node.is_final(), sig)).or_insert(next);
            class.insert(*addr, c);
        }
        (order.len(), classes.len())
    }

    #[test]
    fn same_bytes_as_fst_on_small_sets() {
        for keys in [
            alloc::vec![],
            alloc::vec![b"".to_vec()],
            alloc::vec![b"".to_vec(), b"a".to_vec()],
            alloc::vec![b"cat".to_vec(), b"cats".to_vec(), b"dog".to_vec()],
            (0..=255u8).map(|b| alloc::vec![b, b]).collect(),
            (0..70u8).map(|b| alloc::vec![b'x', b]).collect(),
            (0..64u8).map(|b| alloc::vec![b'y', b * 2]).collect(),
        ] {
            assert_eq!(ours(&keys), fst_bytes(&keys), "{keys:?}");
        }
    }

    #[test]
    fn checksum_matches_fst() {
        let bytes = fst_bytes(&[b"abc".to_vec(), b"abd".to_vec()]);
        let n = bytes.len();
        let stored = u32::from_le_bytes(bytes[n - 4..].try_into().unwrap());
        assert_eq!(masked_crc32c(&bytes[..n - 4]), stored);
    }

    #[test]
    fn smaller_than_fst_when_its_cache_forgets() {
        // 100k synthetic words: more nodes than fst's 20,000-node cache keeps.
        let vocab = hpds_testkit::words::Vocabulary::generate(42, 100_000);
        let mut keys: Vec<Vec<u8>> = vocab
            .words()
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        keys.sort();
        let (a, b) = (ours(&keys), fst_bytes(&keys));
        assert!(a.len() < b.len(), "{} vs {}", a.len(), b.len());
        assert_eq!(
            crate::validate::validate(&a, crate::validate::Kind::Set).unwrap(),
            keys.len() as u64
        );
        let (nodes, classes) = nodes_and_classes(&a);
        assert_eq!(nodes, classes, "our automaton is minimal");
        let (nodes, classes) = nodes_and_classes(&b);
        assert!(classes < nodes, "fst's is not ({classes} of {nodes})");
        let f = fst::Set::new(a).unwrap();
        assert!(
            f.stream()
                .into_strs()
                .unwrap()
                .iter()
                .map(String::as_bytes)
                .eq(keys.iter().map(Vec::as_slice))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 }))]

        /// Any key set: valid fst bytes, the same keys as fst's builder, minimal, never larger.
        #[test]
        fn minimal_and_equivalent_to_fst(keys in prop::collection::vec(
            prop::collection::vec(prop_oneof![Just(b'a'), Just(b'e'), Just(b's'), any::<u8>()], 0..10), 0..120)
        ) {
            let mut keys = keys;
            keys.sort();
            let (a, b) = (ours(&keys), fst_bytes(&keys));
            keys.dedup();
            prop_assert_eq!(crate::validate::validate(&a, crate::validate::Kind::Set).unwrap(), keys.len() as u64);
            prop_assert!(a.len() <= b.len());
            let (nodes, classes) = nodes_and_classes(&a);
            prop_assert_eq!(nodes, classes);
            let f = fst::Set::new(a).unwrap();
            let mut s = fst::IntoStreamer::into_stream(&f);
            let mut got = Vec::new();
            while let Some(k) = fst::Streamer::next(&mut s) {
                got.push(k.to_vec());
            }
            prop_assert_eq!(got, keys);
        }
    }
}
