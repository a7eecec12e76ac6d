//! A node's children: the 256 possible next bytes, as runs of bytes that lead to the same child.

use alloc::vec::Vec;

use super::NONE;

/// Children by next byte, stored as runs: `lo[i]` is the first byte of run `i`, which lasts up
/// to the byte before `lo[i + 1]` (or to 255) and leads to `kid[i]` (a node, a bucket, or
/// [`NONE`]). Neighbouring runs lead to different children. A node with a few children takes
/// a few bytes instead of a 256-entry table; finding a child counts the runs that start at or
/// before the byte by binary search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Runs {
    lo: Vec<u8>,
    kid: Vec<u32>,
}

impl Runs {
    /// Every byte leads to `r`.
    pub fn all(r: u32) -> Self {
        Runs {
            lo: alloc::vec![0],
            kid: alloc::vec![r],
        }
    }

    /// Index of the run holding byte `b`.
    #[inline]
    fn index(&self, b: u8) -> usize {
        self.lo.partition_point(|&l| l <= b) - 1
    }

    /// The child byte `b` leads to.
    #[inline]
    pub fn get(&self, b: u8) -> u32 {
        self.kid[self.index(b)]
    }

    /// The bytes `[lo, hi]` of the run holding `b`.
    pub fn run_of(&self, b: u8) -> (u8, u8) {
        let i = self.index(b);
        let hi = self.lo.get(i + 1).map_or(255, |&n| n - 1);
        (self.lo[i], hi)
    }

    /// The children of the runs just before and after the one holding `b`.
    pub fn neighbours(&self, b: u8) -> (u32, u32) {
        let i = self.index(b);
        let left = if i > 0 { self.kid[i - 1] } else { NONE };
        (left, self.kid.get(i + 1).copied().unwrap_or(NONE))
    }

    /// Makes bytes `[lo, hi]` lead to `r`.
    pub fn fill(&mut self, lo: u8, hi: u8, r: u32) {
        let mut table = [NONE; 256];
        for (i, &l) in self.lo.iter().enumerate() {
            let end = self.lo.get(i + 1).map_or(256, |&n| usize::from(n));
            table[usize::from(l)..end].fill(self.kid[i]);
        }
        table[usize::from(lo)..=usize::from(hi)].fill(r);
        let n = 1 + table.windows(2).filter(|w| w[0] != w[1]).count();
        let mut los = Vec::with_capacity(n);
        let mut kids = Vec::with_capacity(n);
        for (b, &k) in table.iter().enumerate() {
            if b == 0 || table[b - 1] != k {
                los.push(b as u8);
                kids.push(k);
            }
        }
        self.lo = los;
        self.kid = kids;
    }

    /// Whether every byte leads nowhere.
    pub fn is_empty(&self) -> bool {
        self.kid.iter().all(|&k| k == NONE)
    }

    /// Number of runs.
    pub fn len(&self) -> usize {
        self.lo.len()
    }

    /// Run `i`: its first byte and its child.
    #[inline]
    pub fn run(&self, i: usize) -> (u8, u32) {
        (self.lo[i], self.kid[i])
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.lo.capacity() + self.kid.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_merges_and_splits_runs() {
        let mut r = Runs::all(NONE);
        assert!(r.is_empty());
        r.fill(b'a', b'z', 7);
        assert_eq!(
            (r.get(b'a'), r.get(b'z'), r.get(b'A'), r.get(255)),
            (7, 7, NONE, NONE)
        );
        assert_eq!(r.run_of(b'm'), (b'a', b'z'));
        r.fill(b'm', b'm', 3);
        assert_eq!(r.len(), 5);
        assert_eq!(r.neighbours(b'm'), (7, 7));
        r.fill(b'm', b'm', 7);
        assert_eq!(r.len(), 3);
        r.fill(0, 255, 1);
        assert_eq!(r, Runs::all(1));
        assert_eq!(r.run_of(0), (0, 255));
    }
}
