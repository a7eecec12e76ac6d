//! Sorted walks over a [`Trie`]: the lending [`Cursor`] and the owning [`Iter`].

use alloc::vec::Vec;
use core::fmt;

use super::bucket::{self, Bucket, TailView};
use super::{BUCKET, NONE, Trie};

/// A node whose key (label included) is `buf[..base]`; `next` is the next run to visit.
#[derive(Clone, Copy, Debug)]
struct Frame {
    id: u32,
    next: u16,
    base: usize,
    terminal: bool,
}

/// The bucket being read: its keys follow `buf[..base]`.
#[derive(Clone, Copy, Debug)]
struct Leaf<'a> {
    /// The bucket's run and key bytes.
    run: &'a [u32],
    data: &'a [u8],
    /// The next run entry.
    r: usize,
    /// The next entry of the cursor's view of the tail, and the run entry it goes before
    /// (`usize::MAX` past the tail's end).
    t: usize,
    t_at: usize,
    base: usize,
    /// Whether keys must be checked against the prefix (only in the bucket a prefix walk
    /// starts in).
    check: bool,
}

impl<'a> Leaf<'a> {
    /// The bucket `b`, whose tail `view` shows, from position `pos` (in the run and the
    /// view).
    fn new(b: &'a Bucket, view: &TailView, pos: (usize, usize), base: usize) -> Self {
        Leaf {
            run: b.run(),
            data: &b.data,
            r: pos.0,
            t: pos.1,
            t_at: view.placed.get(pos.1).map_or(usize::MAX, |p| p.0 as usize),
            base,
            check: false,
        }
    }

    /// The next entry in key order, and moves past it.
    #[inline]
    fn next(&mut self, view: &TailView) -> Option<u32> {
        if self.r == self.t_at {
            let e = view.placed[self.t].1;
            self.t += 1;
            self.t_at = view.placed.get(self.t).map_or(usize::MAX, |p| p.0 as usize);
            return Some(e);
        }
        let e = *self.run.get(self.r)?;
        self.r += 1;
        Some(e)
    }
}

/// A walk over a [`Trie`]'s keys in lexicographic order that lends each key; see
/// [`Trie::cursor`] and [`Trie::prefix_cursor`].
///
/// Each key is rebuilt in one buffer behind the bytes of the nodes above it, so the walk
/// allocates nothing per key.
#[derive(Clone)]
pub struct Cursor<'a> {
    trie: &'a Trie,
    /// The nodes above the bucket being read.
    stack: Vec<Frame>,
    /// A bucket is a leaf: the walk reads at most one at a time.
    leaf: Option<Leaf<'a>>,
    /// The key: the nodes' bytes, then the bucket's key; its length may run past the key's.
    buf: Vec<u8>,
    /// The tail of the bucket being read.
    view: TailView,
    /// Keys must start with this (only the first bucket can hold keys that do not).
    prefix: Vec<u8>,
}

impl<'a> Cursor<'a> {
    pub(super) fn empty(trie: &'a Trie) -> Self {
        Cursor {
            trie,
            stack: Vec::new(),
            leaf: None,
            buf: Vec::new(),
            view: TailView::default(),
            prefix: Vec::new(),
        }
    }

    /// A walk from `start`, whose keys follow `path` (the bytes above it). Keys that do not
    /// start with `prefix` are skipped.
    pub(super) fn new(trie: &'a Trie, path: &[u8], start: u32, prefix: &[u8]) -> Self {
        let mut c = Cursor::empty(trie);
        c.buf.extend_from_slice(path);
        c.prefix.extend_from_slice(prefix);
        if start == NONE {
        } else if start & BUCKET != 0 {
            // Keys before the prefix's place are skipped by one binary search.
            let bucket = &trie.buckets[(start & !BUCKET) as usize];
            let rest = prefix.get(path.len()..).unwrap_or_default();
            bucket.view_tail(&mut c.view);
            let pos = bucket.lower_bound(rest, &c.view);
            let mut leaf = Leaf::new(bucket, &c.view, pos, path.len());
            leaf.check = !prefix.is_empty();
            c.leaf = Some(leaf);
        } else {
            let n = &trie.nodes[start as usize];
            c.buf.extend_from_slice(n.label());
            c.stack.push(Frame {
                id: start,
                next: 0,
                base: c.buf.len(),
                terminal: n.terminal(),
            });
        }
        c
    }

    /// The next key, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next_key(&mut self) -> Option<&[u8]> {
        // The common case, kept small enough to inline: the next key of the bucket being read.
        if let Some(leaf) = &mut self.leaf
            && !leaf.check
            && let Some(e) = leaf.next(&self.view)
        {
            let end = put(&mut self.buf, leaf.base, leaf.data, e);
            return Some(&self.buf[..end]);
        }
        self.next_slow()
    }

    /// [`next_key`](Self::next_key) past the end of a bucket, and in the bucket a prefix walk
    /// starts in.
    #[inline(never)]
    fn next_slow(&mut self) -> Option<&[u8]> {
        let trie = self.trie;
        loop {
            if let Some(leaf) = &mut self.leaf {
                if let Some(e) = leaf.next(&self.view) {
                    let end = put(&mut self.buf, leaf.base, leaf.data, e);
                    if leaf.check {
                        let key = &self.buf[..end];
                        if !key.starts_with(&self.prefix) {
                            if key >= &self.prefix[..] {
                                self.leaf = None;
                            }
                            continue;
                        }
                    }
                    return Some(&self.buf[..end]);
                }
                self.leaf = None;
            }
            let Frame {
                id,
                next,
                base,
                terminal,
            } = self.stack.last_mut()?;
            let base = *base;
            if *terminal {
                *terminal = false;
                self.buf.truncate(base);
                return Some(&self.buf);
            }
            let kids = &trie.nodes[*id as usize];
            let mut i = usize::from(*next);
            while i < kids.runs() && kids.run(i).1 == NONE {
                i += 1;
            }
            if i == kids.runs() {
                self.stack.pop();
                continue;
            }
            *next = i as u16 + 1;
            let (s, child) = kids.run(i);
            self.buf.truncate(base);
            if child & BUCKET != 0 {
                let bucket = &trie.buckets[(child & !BUCKET) as usize];
                bucket.view_tail(&mut self.view);
                self.leaf = Some(Leaf::new(bucket, &self.view, (0, 0), base));
            } else {
                let n = &trie.nodes[child as usize];
                self.buf.push(s);
                self.buf.extend_from_slice(n.label());
                self.stack.push(Frame {
                    id: child,
                    next: 0,
                    base: self.buf.len(),
                    terminal: n.terminal(),
                });
            }
        }
    }
}

/// Copy granule of [`put`].
const CHUNK: usize = 32;

/// Writes the key of entry `e` of a bucket whose bytes are `data` at `buf[base..]` and
/// returns where it ends. The buffer keeps slack past the key, so a key of up to 32 bytes
/// is copied as one fixed-size chunk (which may carry bytes of the next keys past its end)
/// instead of through a call to `memcpy`.
#[inline]
fn put(buf: &mut Vec<u8>, base: usize, data: &[u8], e: u32) -> usize {
    let off = (e & 0xffff) as usize;
    let b = data[off];
    if b < 0x80 {
        let n = usize::from(b);
        if let (Some(src), Some(dst)) = (
            data.get(off + 1..off + 1 + CHUNK),
            buf.get_mut(base..base + CHUNK),
        ) && n <= CHUNK
        {
            dst.copy_from_slice(src);
            return base + n;
        }
    }
    let (n, start) = bucket::get_len(data, off);
    let end = base + n;
    if buf.len() < end + CHUNK {
        buf.resize(end + CHUNK, 0);
    }
    buf[base..end].copy_from_slice(&data[start..start + n]);
    end
}

impl fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cursor")
            .field("depth", &self.stack.len())
            .finish_non_exhaustive()
    }
}

/// Iterator over a [`Trie`]'s keys in lexicographic order, each a fresh `Vec<u8>`; see
/// [`Trie::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a>(pub(super) Cursor<'a>);

impl Iterator for Iter<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.0.next_key().map(<[u8]>::to_vec)
    }
}
