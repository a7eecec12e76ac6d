//! A mutable, path-compressed (radix) trie over byte strings.

use alloc::vec::Vec;
use core::fmt;

use hpds_core::{Error, HeapSize, Result};

/// No node (end of a child or sibling list).
const NONE: u32 = u32::MAX;
/// Longest label one node holds; longer runs are split over a chain of nodes.
const MAX_LABEL: usize = u16::MAX as usize;
/// Below this many label bytes, garbage is never worth a rebuild.
const COMPACT_MIN_POOL: usize = 4096;

/// One node: 16 bytes, children as a sorted singly linked sibling list.
///
/// A node's label is `pool[off..off + len]`; the key of a node is the concatenation of the labels
/// from the root down to it. `first` caches `pool[off]` so a sibling scan touches only the nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    off: u32,
    child: u32,
    sibling: u32,
    len: u16,
    first: u8,
    terminal: bool,
}

impl Node {
    const ROOT: Node = Node {
        off: 0,
        child: NONE,
        sibling: NONE,
        len: 0,
        first: 0,
        terminal: false,
    };
}

/// A set of byte strings stored as a path-compressed trie, with insertion and removal.
///
/// Keys are any `AsRef<[u8]>` (`&str`, `String`, `&[u8]`, `Vec<u8>`); iteration yields them in
/// byte-wise lexicographic order, which for UTF-8 is the order of `str`'s `Ord`.
///
/// # Layout and cost
/// Nodes live in one `Vec` and are 16 bytes each: a label (offset and length into one shared
/// byte pool), a first-child index, a next-sibling index and a terminal flag. Children are a
/// sibling list sorted by first byte (left-child right-sibling), so a node costs the same
/// whatever its fan-out; a lookup scans at most the siblings whose first byte is smaller than the
/// key's (at most 255, in practice a few at each level below the first two). Every insertion
/// adds at most two nodes and the bytes of its new suffix, so the trie never needs more than
/// `32 · n` bytes of nodes plus the distinct suffix bytes; on English-like words it takes about
/// 25 bytes per key (see `docs/trie.md`), against 44 to 54 for a `HashSet<String>`.
///
/// `contains`, `insert` and `remove` take `O(k · σ)` for a key of `k` bytes and a fan-out of
/// `σ` siblings scanned per level; iteration takes `O(1)` amortised per byte produced.
/// Removal leaves the removed labels in the pool; when more than half of it is garbage the trie
/// rebuilds itself (`O(n · k)`, amortised over the removals that caused it).
///
/// # Limits
/// Label bytes and nodes are indexed with `u32`: at most 4 GiB of distinct suffix bytes and
/// 2³² − 1 nodes. [`try_insert`](Self::try_insert) returns an error beyond them;
/// [`insert`](Self::insert) panics, as `Vec` does on capacity overflow.
///
/// # Example
/// ```
/// use hpds_trie::Trie;
/// let mut t: Trie = ["walk", "walked", "walking", "talk"].into_iter().collect();
/// assert!(t.contains("walked"));
/// assert!(!t.contains("wal"));
/// assert_eq!(t.prefix_iter("walk").count(), 3);
/// assert_eq!(t.longest_prefix("walkers"), Some(&b"walk"[..]));
/// assert!(t.remove("walk"));
/// let keys: Vec<Vec<u8>> = t.iter().collect();
/// assert_eq!(keys, [&b"talk"[..], b"walked", b"walking"]);
/// ```
#[derive(Clone)]
pub struct Trie {
    nodes: Vec<Node>,
    pool: Vec<u8>,
    /// Head of the list of freed nodes, linked through `sibling`.
    free: u32,
    free_count: usize,
    /// Pool bytes no live node refers to.
    garbage: usize,
    len: usize,
}

impl Default for Trie {
    fn default() -> Self {
        Self::new()
    }
}

impl Trie {
    /// An empty trie. Allocates nothing until the first insertion.
    pub fn new() -> Self {
        Self {
            nodes: Vec::new(),
            pool: Vec::new(),
            free: NONE,
            free_count: 0,
            garbage: 0,
            len: 0,
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the trie holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Removes every key and frees the memory.
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Number of nodes in use (for memory figures and tests).
    pub fn node_count(&self) -> usize {
        self.nodes.len() - self.free_count
    }

    fn label(&self, n: Node) -> &[u8] {
        &self.pool[n.off as usize..n.off as usize + n.len as usize]
    }

    /// The child of `parent` whose label starts with `b`, and its predecessor in the list.
    fn find_child(&self, parent: u32, b: u8) -> (u32, u32) {
        let mut prev = NONE;
        let mut c = self.nodes[parent as usize].child;
        while c != NONE {
            let n = self.nodes[c as usize];
            if n.first >= b {
                return if n.first == b {
                    (c, prev)
                } else {
                    (NONE, prev)
                };
            }
            prev = c;
            c = n.sibling;
        }
        (NONE, prev)
    }

    /// Whether `key` is in the trie.
    pub fn contains<K: AsRef<[u8]>>(&self, key: K) -> bool {
        let mut rest = key.as_ref();
        if self.nodes.is_empty() {
            return false;
        }
        let mut node = 0u32;
        loop {
            let Some(&b) = rest.first() else {
                return self.nodes[node as usize].terminal;
            };
            let (c, _) = self.find_child(node, b);
            if c == NONE {
                return false;
            }
            let label = self.label(self.nodes[c as usize]);
            match rest.strip_prefix(label) {
                Some(r) => rest = r,
                None => return false,
            }
            node = c;
        }
    }

    /// Adds `key`; returns `true` if it was not present.
    ///
    /// # Panics
    /// If the trie would outgrow its `u32` indices (see [`try_insert`](Self::try_insert)).
    pub fn insert<K: AsRef<[u8]>>(&mut self, key: K) -> bool {
        match self.try_insert(key) {
            Ok(new) => new,
            Err(e) => panic!("{e}"),
        }
    }

    /// Adds `key`; returns `Ok(true)` if it was not present.
    ///
    /// # Errors
    /// [`Error::capacity_overflow`] if the label pool would pass 4 GiB or the nodes 2³² − 1;
    /// the trie is unchanged as a set (it may have split a node on the way, which is harmless).
    pub fn try_insert<K: AsRef<[u8]>>(&mut self, key: K) -> Result<bool> {
        let mut rest = key.as_ref();
        if self.nodes.is_empty() {
            self.nodes.push(Node::ROOT);
        }
        let mut node = 0u32;
        loop {
            let Some(&b) = rest.first() else {
                let n = &mut self.nodes[node as usize];
                if n.terminal {
                    return Ok(false);
                }
                n.terminal = true;
                self.len += 1;
                return Ok(true);
            };
            let (c, prev) = self.find_child(node, b);
            if c == NONE {
                let head = self.new_chain(rest)?;
                let next = if prev == NONE {
                    self.nodes[node as usize].child
                } else {
                    self.nodes[prev as usize].sibling
                };
                self.nodes[head as usize].sibling = next;
                if prev == NONE {
                    self.nodes[node as usize].child = head;
                } else {
                    self.nodes[prev as usize].sibling = head;
                }
                self.len += 1;
                return Ok(true);
            }
            let n = self.nodes[c as usize];
            let label = self.label(n);
            let p = common_prefix(label, rest);
            if p < label.len() {
                // Split: `c` keeps the shared part in place (so its predecessor's link stays
                // valid); a new node takes the rest of the label, the children and the flag.
                let tail = Node {
                    off: n.off + p as u32,
                    child: n.child,
                    sibling: NONE,
                    len: n.len - p as u16,
                    first: label[p],
                    terminal: n.terminal,
                };
                let tail = self.alloc(tail)?;
                let cm = &mut self.nodes[c as usize];
                cm.len = p as u16;
                cm.child = tail;
                cm.terminal = false;
            }
            rest = &rest[p..];
            node = c;
        }
    }

    /// Allocates a node, reusing freed ones first.
    fn alloc(&mut self, n: Node) -> Result<u32> {
        if self.free != NONE {
            let i = self.free;
            self.free = self.nodes[i as usize].sibling;
            self.free_count -= 1;
            self.nodes[i as usize] = n;
            return Ok(i);
        }
        let i = self.nodes.len();
        if i >= NONE as usize {
            return Err(Error::capacity_overflow("trie nodes"));
        }
        self.nodes.push(n);
        Ok(i as u32)
    }

    fn release(&mut self, i: u32) {
        let n = &mut self.nodes[i as usize];
        self.garbage += n.len as usize;
        *n = Node {
            sibling: self.free,
            ..Node::ROOT
        };
        self.free = i;
        self.free_count += 1;
    }

    /// Appends `bytes` to the pool and returns its offset.
    fn push_label(&mut self, bytes: &[u8]) -> Result<u32> {
        let off = self.pool.len();
        if off + bytes.len() > u32::MAX as usize {
            return Err(Error::capacity_overflow("trie label pool"));
        }
        self.pool.extend_from_slice(bytes);
        Ok(off as u32)
    }

    /// A chain of nodes spelling `rest` (non-empty), the last one terminal; returns its head.
    fn new_chain(&mut self, rest: &[u8]) -> Result<u32> {
        let needed = rest.len().div_ceil(MAX_LABEL);
        if self.nodes.len() + needed >= NONE as usize {
            return Err(Error::capacity_overflow("trie nodes"));
        }
        let off = self.push_label(rest)?;
        let mut head = NONE;
        // Build from the end so each node can point at the one after it.
        let mut end = rest.len();
        while end > 0 {
            let start = (end - 1) / MAX_LABEL * MAX_LABEL;
            let n = Node {
                off: off + start as u32,
                child: head,
                sibling: NONE,
                len: (end - start) as u16,
                first: rest[start],
                terminal: head == NONE,
            };
            head = self.alloc(n)?;
            end = start;
        }
        Ok(head)
    }

    /// Removes `key`; returns `true` if it was present.
    ///
    /// Nodes left without a key below them are freed, and a node left with a single child is
    /// merged with it, so the trie stays path-compressed.
    pub fn remove<K: AsRef<[u8]>>(&mut self, key: K) -> bool {
        if self.nodes.is_empty() {
            return false;
        }
        let mut rest = key.as_ref();
        // (node, its predecessor in its parent's child list)
        let mut path: Vec<(u32, u32)> = Vec::with_capacity(16);
        path.push((0, NONE));
        let mut node = 0u32;
        while let Some(&b) = rest.first() {
            let (c, prev) = self.find_child(node, b);
            if c == NONE {
                return false;
            }
            match rest.strip_prefix(self.label(self.nodes[c as usize])) {
                Some(r) => rest = r,
                None => return false,
            }
            path.push((c, prev));
            node = c;
        }
        if !self.nodes[node as usize].terminal {
            return false;
        }
        self.nodes[node as usize].terminal = false;
        self.len -= 1;

        // Free the dead branch bottom-up.
        let mut i = path.len() - 1;
        while i > 0 {
            let (cur, prev) = path[i];
            let n = self.nodes[cur as usize];
            if n.terminal || n.child != NONE {
                break;
            }
            let parent = path[i - 1].0;
            if prev == NONE {
                self.nodes[parent as usize].child = n.sibling;
            } else {
                self.nodes[prev as usize].sibling = n.sibling;
            }
            self.release(cur);
            i -= 1;
        }
        // Restore path compression where a non-terminal node is left with one child.
        let cur = path[i].0;
        if cur != 0 {
            self.merge_single_child(cur);
        }
        if self.len == 0 {
            self.clear();
        } else if (self.pool.len() >= COMPACT_MIN_POOL && self.garbage * 2 > self.pool.len())
            || (self.nodes.len() >= COMPACT_MIN_POOL && self.free_count * 2 > self.nodes.len())
        {
            self.compact();
        }
        true
    }

    fn merge_single_child(&mut self, cur: u32) {
        let n = self.nodes[cur as usize];
        if n.terminal || n.child == NONE {
            return;
        }
        let ch = self.nodes[n.child as usize];
        if ch.sibling != NONE || n.len as usize + ch.len as usize > MAX_LABEL {
            return;
        }
        let off = if n.off + u32::from(n.len) == ch.off {
            n.off
        } else {
            // Not adjacent in the pool: copy the joined label (the old bytes become garbage).
            let mut joined = Vec::with_capacity(n.len as usize + ch.len as usize);
            joined.extend_from_slice(self.label(n));
            joined.extend_from_slice(self.label(ch));
            let Ok(off) = self.push_label(&joined) else {
                return; // out of pool space: stay uncompressed, still correct
            };
            self.garbage += n.len as usize + ch.len as usize;
            off
        };
        let child = n.child;
        let m = &mut self.nodes[cur as usize];
        m.off = off;
        m.len += ch.len;
        m.child = ch.child;
        m.terminal = ch.terminal;
        // `release` counts the child's label as garbage again: when adjacent it is still in use,
        // otherwise it was already counted with the joined copy.
        self.release(child);
        self.garbage -= ch.len as usize;
    }

    /// Rewrites the trie in breadth-first order: the children of each node become adjacent in
    /// memory (a lookup's sibling scan then reads consecutive nodes instead of chasing pointers
    /// across the heap), and freed nodes and garbage label bytes are dropped. `O(nodes + label
    /// bytes)`; the vectors are allocated at their exact size.
    ///
    /// Call it once a trie is built and mostly read; removals call it by themselves when more
    /// than half the memory is garbage.
    pub fn compact(&mut self) {
        if self.len == 0 {
            self.clear();
            return;
        }
        let live = self.node_count();
        let mut nodes: Vec<Node> = Vec::with_capacity(live);
        let mut pool: Vec<u8> = Vec::with_capacity(self.pool.len() - self.garbage);
        // `old[i]` is the old index of new node `i`; `nodes` doubles as the BFS queue.
        let mut old: Vec<u32> = Vec::with_capacity(live);
        nodes.push(Node {
            child: NONE,
            ..self.nodes[0]
        });
        old.push(0);
        let mut i = 0;
        while i < nodes.len() {
            let first = nodes.len();
            let mut c = self.nodes[old[i] as usize].child;
            while c != NONE {
                let n = self.nodes[c as usize];
                let off = pool.len() as u32;
                pool.extend_from_slice(self.label(n));
                nodes.push(Node {
                    off,
                    child: NONE,
                    sibling: nodes.len() as u32 + 1,
                    ..n
                });
                old.push(c);
                c = n.sibling;
            }
            if nodes.len() > first {
                nodes[i].child = first as u32;
                if let Some(last) = nodes.last_mut() {
                    last.sibling = NONE;
                }
            }
            i += 1;
        }
        self.nodes = nodes;
        self.pool = pool;
        self.free = NONE;
        self.free_count = 0;
        self.garbage = 0;
    }

    /// Frees spare capacity in the node and label vectors.
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.pool.shrink_to_fit();
    }

    /// The keys in lexicographic byte order.
    pub fn iter(&self) -> Iter<'_> {
        let mut it = Iter {
            trie: self,
            stack: Vec::new(),
            buf: Vec::new(),
            pending_root: false,
        };
        if let Some(root) = self.nodes.first() {
            it.pending_root = root.terminal;
            if root.child != NONE {
                it.stack.push((root.child, 0, true));
            }
        }
        it
    }

    /// The keys that start with `prefix`, in lexicographic order.
    pub fn prefix_iter<K: AsRef<[u8]>>(&self, prefix: K) -> Iter<'_> {
        let prefix = prefix.as_ref();
        match self.prefix_start(prefix) {
            PrefixStart::All => self.iter(),
            PrefixStart::None => Iter {
                trie: self,
                stack: Vec::new(),
                buf: Vec::new(),
                pending_root: false,
            },
            PrefixStart::At { node, base } => Iter {
                trie: self,
                stack: alloc::vec![(node, base, false)],
                buf: prefix[..base].to_vec(),
                pending_root: false,
            },
        }
    }

    /// Number of keys that start with `prefix`, without building them.
    pub fn count_prefix<K: AsRef<[u8]>>(&self, prefix: K) -> usize {
        let (start, follow) = match self.prefix_start(prefix.as_ref()) {
            PrefixStart::All => return self.len,
            PrefixStart::None => return 0,
            PrefixStart::At { node, .. } => (node, false),
        };
        let mut count = 0;
        let mut stack = alloc::vec![(start, follow)];
        while let Some((i, follow)) = stack.pop() {
            let n = self.nodes[i as usize];
            count += usize::from(n.terminal);
            if follow && n.sibling != NONE {
                stack.push((n.sibling, true));
            }
            if n.child != NONE {
                stack.push((n.child, true));
            }
        }
        count
    }

    fn prefix_start(&self, prefix: &[u8]) -> PrefixStart {
        if prefix.is_empty() {
            return PrefixStart::All;
        }
        if self.nodes.is_empty() {
            return PrefixStart::None;
        }
        let mut node = 0u32;
        let mut consumed = 0;
        loop {
            let rest = &prefix[consumed..];
            let (c, _) = self.find_child(node, rest[0]);
            if c == NONE {
                return PrefixStart::None;
            }
            let label = self.label(self.nodes[c as usize]);
            if rest.len() <= label.len() {
                return if label.starts_with(rest) {
                    PrefixStart::At {
                        node: c,
                        base: consumed,
                    }
                } else {
                    PrefixStart::None
                };
            }
            if !rest.starts_with(label) {
                return PrefixStart::None;
            }
            consumed += label.len();
            node = c;
        }
    }

    /// The longest key that is a prefix of `query` (a slice of `query`), if any.
    ///
    /// `O(k · σ)` for a query of `k` bytes; this is the "longest-prefix match" of tokenizers
    /// and routing tables.
    pub fn longest_prefix<'q, Q: AsRef<[u8]> + ?Sized>(&self, query: &'q Q) -> Option<&'q [u8]> {
        let query = query.as_ref();
        let root = self.nodes.first()?;
        let mut best = root.terminal.then_some(0);
        let mut node = 0u32;
        let mut consumed = 0;
        while let Some(&b) = query.get(consumed) {
            let (c, _) = self.find_child(node, b);
            if c == NONE {
                break;
            }
            let n = self.nodes[c as usize];
            if !query[consumed..].starts_with(self.label(n)) {
                break;
            }
            consumed += n.len as usize;
            if n.terminal {
                best = Some(consumed);
            }
            node = c;
        }
        best.map(|l| &query[..l])
    }
}

enum PrefixStart {
    All,
    None,
    At { node: u32, base: usize },
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Iterator over a [`Trie`]'s keys in lexicographic order; see [`Trie::iter`].
///
/// Each key is built in a reused buffer and yielded as a fresh `Vec<u8>`.
#[derive(Clone)]
pub struct Iter<'a> {
    trie: &'a Trie,
    /// (node, key length before its label, whether to visit its later siblings)
    stack: Vec<(u32, usize, bool)>,
    buf: Vec<u8>,
    pending_root: bool,
}

impl Iterator for Iter<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        if self.pending_root {
            self.pending_root = false;
            return Some(Vec::new());
        }
        while let Some((i, base, follow)) = self.stack.pop() {
            let n = self.trie.nodes[i as usize];
            self.buf.truncate(base);
            self.buf.extend_from_slice(self.trie.label(n));
            // Siblings after the whole subtree: push them first.
            if follow && n.sibling != NONE {
                self.stack.push((n.sibling, base, true));
            }
            if n.child != NONE {
                self.stack.push((n.child, self.buf.len(), true));
            }
            if n.terminal {
                return Some(self.buf.clone());
            }
        }
        None
    }
}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("pending", &self.stack.len())
            .finish_non_exhaustive()
    }
}

impl<'a> IntoIterator for &'a Trie {
    type Item = Vec<u8>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: AsRef<[u8]>> Extend<K> for Trie {
    fn extend<I: IntoIterator<Item = K>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

impl<K: AsRef<[u8]>> FromIterator<K> for Trie {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut t = Trie::new();
        t.extend(iter);
        t
    }
}

impl PartialEq for Trie {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Trie {}

impl fmt::Debug for Trie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(crate::DebugKey))
            .finish()
    }
}

impl HeapSize for Trie {
    fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * core::mem::size_of::<Node>() + self.pool.capacity()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Trie {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Trie {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let keys = Vec::<Vec<u8>>::deserialize(d)?;
        Ok(keys.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_is_16_bytes() {
        assert_eq!(core::mem::size_of::<Node>(), 16);
    }

    #[test]
    fn empty_key_and_empty_trie() {
        let mut t = Trie::new();
        assert!(!t.contains(""));
        assert_eq!(t.iter().count(), 0);
        assert_eq!(t.longest_prefix(b"abc"), None);
        assert!(!t.remove(""));
        assert!(t.insert(""));
        assert!(!t.insert(""));
        assert!(t.contains(""));
        assert_eq!(t.longest_prefix(b"abc"), Some(&b""[..]));
        assert_eq!(t.iter().collect::<Vec<_>>(), [Vec::<u8>::new()]);
        assert!(t.remove(""));
        assert!(t.is_empty());
        assert_eq!(t.heap_bytes(), 0);
    }

    #[test]
    fn split_and_merge_keep_compression() {
        let mut t = Trie::new();
        t.insert("romane");
        t.insert("romanus");
        t.insert("romulus");
        // root, "rom", "an", "e", "us", "ulus"
        assert_eq!(t.node_count(), 6);
        assert!(t.remove("romanus"));
        // "an" merges with "e": root, "rom", "ane", "ulus"
        assert_eq!(t.node_count(), 4);
        assert!(t.contains("romane") && t.contains("romulus") && !t.contains("roman"));
    }

    #[test]
    fn long_keys_are_chained() {
        let long = vec![b'x'; 3 * MAX_LABEL + 7];
        let mut t = Trie::new();
        t.insert(&long);
        t.insert(&long[..=MAX_LABEL]);
        assert!(t.contains(&long) && t.contains(&long[..=MAX_LABEL]));
        assert!(!t.contains(&long[..MAX_LABEL]));
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [&long[..=MAX_LABEL], &long[..]]
        );
        assert!(t.remove(&long[..=MAX_LABEL]));
        assert_eq!(t.iter().collect::<Vec<_>>(), std::slice::from_ref(&long));
    }

    #[test]
    fn removals_trigger_compaction() {
        let keys: Vec<String> = (0..5000).map(|i| format!("key{i:05}")).collect();
        let mut t: Trie = keys.iter().collect();
        for k in &keys[..4900] {
            assert!(t.remove(k));
        }
        assert_eq!(t.len(), 100);
        // Compaction keeps garbage under half of the pool and freed nodes under half of the
        // nodes, once either is large enough to matter.
        assert!(t.garbage * 2 <= t.pool.len() || t.pool.len() < COMPACT_MIN_POOL);
        assert!(t.free_count * 2 <= t.nodes.len() || t.nodes.len() < COMPACT_MIN_POOL);
        assert!(
            t.nodes.len() < 5000,
            "compaction never ran: {} nodes",
            t.nodes.len()
        );
        assert!(keys[4900..].iter().all(|k| t.contains(k)));
    }
}
