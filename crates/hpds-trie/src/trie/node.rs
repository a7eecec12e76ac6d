//! Inner nodes: a path-compressed label, whether the path to the node is a key, and the
//! children by next byte, stored as runs of bytes that lead to the same child, all in one
//! allocation so that a visit reads one or two cache lines.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{BUCKET, NONE};

/// Flag bit: the key spelled by the path to the node (label included) is in the set.
const TERMINAL: u8 = 1;

/// Most runs found by a linear scan; wider nodes carry a byte-to-run table.
const SCAN_RUNS: usize = 8;

/// An inner node, laid out as `[flags][runs - 1][label length (varint)][label][lo; runs]
/// [kid; runs]`: run `i` starts at byte `lo[i]` (`lo[0] = 0`), lasts up to the byte before
/// `lo[i + 1]` (or to 255) and leads to `kid[i]` (a node, a bucket, or [`NONE`]; four
/// little-endian bytes). Neighbouring runs lead to different children, so a node with a few
/// children takes a few bytes instead of a 256-entry table. A node of more than
/// [`SCAN_RUNS`] runs ends with a 256-byte table giving the run of each byte, so that a step
/// through it is one load whatever its width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Node(Box<[u8]>);

/// Where the parts of a node's bytes start.
#[derive(Clone, Copy)]
struct Layout {
    runs: usize,
    label: usize,
    lo: usize,
    kid: usize,
}

impl Node {
    /// A node labelled `label` whose every byte leads to `r`.
    pub fn new(label: &[u8], terminal: bool, r: u32) -> Self {
        Self::build(terminal, label, &[0], &[r])
    }

    fn build(terminal: bool, label: &[u8], lo: &[u8], kid: &[u32]) -> Self {
        let mut v = Vec::with_capacity(2 + 10 + label.len() + lo.len() * 5);
        v.push(if terminal { TERMINAL } else { 0 });
        v.push((lo.len() - 1) as u8);
        let mut n = label.len();
        while n >= 0x80 {
            v.push((n as u8) | 0x80);
            n >>= 7;
        }
        v.push(n as u8);
        v.extend_from_slice(label);
        v.extend_from_slice(lo);
        for k in kid {
            v.extend_from_slice(&k.to_le_bytes());
        }
        if lo.len() > SCAN_RUNS {
            let mut run = 0u8;
            for b in 0..=255u8 {
                while usize::from(run) + 1 < lo.len() && lo[usize::from(run) + 1] <= b {
                    run += 1;
                }
                v.push(run);
            }
        }
        Node(v.into_boxed_slice())
    }

    #[inline]
    fn layout(&self) -> Layout {
        let b = &self.0;
        let runs = usize::from(b[1]) + 1;
        let mut len = usize::from(b[2]);
        let mut p = 3;
        if len >= 0x80 {
            len &= 0x7f;
            let mut shift = 7;
            loop {
                let x = b[p];
                p += 1;
                len |= usize::from(x & 0x7f) << shift;
                if x < 0x80 {
                    break;
                }
                shift += 7;
            }
        }
        let lo = p + len;
        Layout {
            runs,
            label: p,
            lo,
            kid: lo + runs,
        }
    }

    /// The path-compressed label.
    #[inline]
    pub fn label(&self) -> &[u8] {
        let l = self.layout();
        &self.0[l.label..l.lo]
    }

    /// Whether the path to the node, label included, is a key.
    #[inline]
    pub fn terminal(&self) -> bool {
        self.0[0] & TERMINAL != 0
    }

    pub fn set_terminal(&mut self, t: bool) {
        self.0[0] = if t { TERMINAL } else { 0 };
    }

    /// The runs' first bytes and children.
    fn parts(&self) -> (Vec<u8>, Vec<u32>) {
        let l = self.layout();
        let lo = self.0[l.lo..l.kid].to_vec();
        let kid = (0..l.runs).map(|i| self.kid_at(l, i)).collect();
        (lo, kid)
    }

    /// Replaces the label.
    pub fn set_label(&mut self, label: &[u8]) {
        let (lo, kid) = self.parts();
        *self = Self::build(self.terminal(), label, &lo, &kid);
    }

    #[inline]
    fn kid_at(&self, l: Layout, i: usize) -> u32 {
        let p = l.kid + 4 * i;
        u32::from_le_bytes(self.0[p..p + 4].try_into().expect("4 bytes"))
    }

    /// Index of the run holding byte `b`.
    #[inline]
    fn index(&self, l: Layout, b: u8) -> usize {
        // Runs start in increasing order from 0: the last one starting at or before `b`.
        let lo = &self.0[l.lo..l.kid];
        if lo.len() > SCAN_RUNS {
            return usize::from(self.0[l.kid + 4 * l.runs + usize::from(b)]);
        }
        let mut i = 0;
        while i + 1 < lo.len() && lo[i + 1] <= b {
            i += 1;
        }
        i
    }

    /// One step of a lookup of `key` whose first `d` bytes led here: `Ok` with the child and
    /// the depth below it (a node consumes the byte that leads to it), or `Err` with whether
    /// the key ends at this node (`false` if it leaves the label).
    #[inline(always)]
    pub fn step(&self, key: &[u8], d: usize) -> Result<(u32, usize), bool> {
        let b = &self.0[..];
        // A label shorter than 128 bytes (its length one byte) is the common case.
        let (runs, label, lo) = match *b {
            [_, r, n, ..] if n < 0x80 => (usize::from(r) + 1, 3, 3 + usize::from(n)),
            _ => {
                let l = self.layout();
                (l.runs, l.label, l.lo)
            }
        };
        let mut d = d;
        if lo > label {
            let Some(rest) = key.get(d..d + (lo - label)) else {
                return Err(false);
            };
            if !super::bucket::same(rest, &b[label..lo]) {
                return Err(false);
            }
            d += lo - label;
        }
        let Some(&c) = key.get(d) else {
            return Err(self.terminal());
        };
        let kid = lo + runs;
        let i = if runs > SCAN_RUNS {
            usize::from(b[kid + 4 * runs + usize::from(c)])
        } else {
            // Runs start in increasing order from 0: the last one starting at or before `c`.
            b[lo + 1..kid].iter().take_while(|&&s| s <= c).count()
        };
        let at = kid + 4 * i;
        let child = u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        Ok((child, d + usize::from(child & BUCKET == 0)))
    }

    /// The child byte `b` leads to.
    #[inline]
    pub fn get(&self, b: u8) -> u32 {
        let l = self.layout();
        self.kid_at(l, self.index(l, b))
    }

    /// The bytes `[lo, hi]` of the run holding `b`.
    pub fn run_of(&self, b: u8) -> (u8, u8) {
        let l = self.layout();
        let i = self.index(l, b);
        let lo = &self.0[l.lo..l.kid];
        let hi = lo.get(i + 1).map_or(255, |&n| n - 1);
        (lo[i], hi)
    }

    /// The children of the runs just before and after the one holding `b`.
    pub fn neighbours(&self, b: u8) -> (u32, u32) {
        let l = self.layout();
        let i = self.index(l, b);
        let left = if i > 0 { self.kid_at(l, i - 1) } else { NONE };
        let right = if i + 1 < l.runs {
            self.kid_at(l, i + 1)
        } else {
            NONE
        };
        (left, right)
    }

    /// Makes bytes `[lo, hi]` lead to `r`.
    pub fn fill(&mut self, lo: u8, hi: u8, r: u32) {
        let (los, kids) = self.parts();
        let mut table = [NONE; 256];
        for (i, &l) in los.iter().enumerate() {
            let end = los.get(i + 1).map_or(256, |&n| usize::from(n));
            table[usize::from(l)..end].fill(kids[i]);
        }
        table[usize::from(lo)..=usize::from(hi)].fill(r);
        let mut los = Vec::new();
        let mut kids = Vec::new();
        for (b, &k) in table.iter().enumerate() {
            if b == 0 || table[b - 1] != k {
                los.push(b as u8);
                kids.push(k);
            }
        }
        *self = Self::build(self.terminal(), self.label(), &los, &kids);
    }

    /// Whether every byte leads nowhere.
    pub fn no_kids(&self) -> bool {
        let l = self.layout();
        (0..l.runs).all(|i| self.kid_at(l, i) == NONE)
    }

    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.layout().runs
    }

    /// Run `i`: its first byte and its child.
    #[inline]
    pub fn run(&self, i: usize) -> (u8, u32) {
        let l = self.layout();
        (self.0[l.lo + i], self.kid_at(l, i))
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_merges_and_splits_runs() {
        let mut r = Node::new(b"lab", false, NONE);
        assert!(r.no_kids());
        r.fill(b'a', b'z', 7);
        assert_eq!(
            (r.get(b'a'), r.get(b'z'), r.get(b'A'), r.get(255)),
            (7, 7, NONE, NONE)
        );
        assert_eq!(r.run_of(b'm'), (b'a', b'z'));
        r.fill(b'm', b'm', 3);
        assert_eq!(r.runs(), 5);
        assert_eq!(r.neighbours(b'm'), (7, 7));
        r.fill(b'm', b'm', 7);
        assert_eq!(r.runs(), 3);
        r.set_terminal(true);
        r.fill(0, 255, 1);
        assert_eq!(r, Node::new(b"lab", true, 1));
        assert_eq!(r.run_of(0), (0, 255));
        let long = alloc::vec![b'x'; 300];
        r.set_label(&long);
        assert_eq!((r.label(), r.terminal(), r.get(9)), (&long[..], true, 1));
        r.fill(0, 255, NONE);
        let mut full = Node::new(b"", false, NONE);
        for b in 0..=255u8 {
            full.fill(b, b, u32::from(b));
        }
        assert_eq!(full.runs(), 256);
        assert!((0..=255u8).all(|b| full.get(b) == u32::from(b)));
    }
}
