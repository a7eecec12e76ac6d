//! Sorted walks over a [`Trie`]: the lending [`Cursor`] and the owning [`Iter`].

use alloc::vec::Vec;
use core::fmt;

use super::{BUCKET, NONE, Trie};

#[derive(Clone, Copy, Debug)]
enum Frame {
    /// A node whose key (label included) is `buf[..base]`; `next` is the next run to visit.
    Node {
        id: u32,
        next: u16,
        base: usize,
        terminal: bool,
    },
    /// A bucket whose keys follow `buf[..base]`; `pos` is where the next key is (in the
    /// bucket's run and tail).
    Bucket {
        id: u32,
        pos: (usize, usize),
        base: usize,
    },
}

/// A walk over a [`Trie`]'s keys in lexicographic order that lends each key; see
/// [`Trie::cursor`] and [`Trie::prefix_cursor`].
///
/// Each key is rebuilt in one buffer from the one before (front coding), so the walk
/// allocates nothing per key.
#[derive(Clone)]
pub struct Cursor<'a> {
    trie: &'a Trie,
    stack: Vec<Frame>,
    buf: Vec<u8>,
    /// Keys must start with this (only the first frame can hold keys that do not).
    prefix: Vec<u8>,
}

impl<'a> Cursor<'a> {
    pub(super) fn empty(trie: &'a Trie) -> Self {
        Cursor {
            trie,
            stack: Vec::new(),
            buf: Vec::new(),
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
            let id = start & !BUCKET;
            let rest = prefix.get(path.len()..).unwrap_or_default();
            let pos = trie.buckets[id as usize].lower_bound(rest);
            c.stack.push(Frame::Bucket {
                id,
                pos,
                base: path.len(),
            });
        } else {
            let n = &trie.nodes[start as usize];
            c.buf.extend_from_slice(n.label());
            c.stack.push(Frame::Node {
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
    pub fn next_key(&mut self) -> Option<&[u8]> {
        let trie = self.trie;
        loop {
            let top = self.stack.last_mut()?;
            match top {
                Frame::Node {
                    id,
                    next,
                    base,
                    terminal,
                } => {
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
                        self.stack.push(Frame::Bucket {
                            id: child & !BUCKET,
                            pos: (0, 0),
                            base,
                        });
                    } else {
                        let n = &trie.nodes[child as usize];
                        self.buf.push(s);
                        self.buf.extend_from_slice(n.label());
                        self.stack.push(Frame::Node {
                            id: child,
                            next: 0,
                            base: self.buf.len(),
                            terminal: n.terminal(),
                        });
                    }
                }
                Frame::Bucket { id, pos, base } => {
                    let Some(k) = trie.buckets[*id as usize].next(pos) else {
                        self.stack.pop();
                        continue;
                    };
                    self.buf.truncate(*base);
                    self.buf.extend_from_slice(k);
                    if !self.prefix.is_empty() && !self.buf.starts_with(&self.prefix) {
                        if self.buf < self.prefix {
                            continue;
                        }
                        self.stack.pop();
                        continue;
                    }
                    return Some(&self.buf);
                }
            }
        }
    }
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
