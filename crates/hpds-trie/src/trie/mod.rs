//! A mutable, memory-compact trie over byte strings: a burst trie whose leaves are hash
//! tables that keep their keys in order.

mod bucket;
mod codec;
mod cursor;
mod node;
#[cfg(feature = "serde")]
mod serde_impl;

use alloc::vec::Vec;
use core::fmt;

use hpds_core::{Error, HeapSize, Result};

use bucket::{Bucket, common_prefix};
pub use cursor::{Cursor, Iter};
use node::Node;

/// No child.
const NONE: u32 = u32::MAX;
/// Set on a child reference that names a bucket; clear for a node.
const BUCKET: u32 = 1 << 31;
/// Most keys a bucket holds before it bursts (the unit tests burst smaller buckets, to
/// exercise bursts on few keys).
const MAX_ENTRIES: usize = if cfg!(test) { 64 } else { 1024 };
/// Most bytes of keys a bucket holds before it bursts (at most the 16-bit offsets' reach).
const MAX_BYTES: usize = if cfg!(test) { 4096 } else { 60_000 };

/// Whether a bucket must burst.
fn over_full(b: &Bucket) -> bool {
    b.len() > MAX_ENTRIES || b.data.len() > MAX_BYTES
}

/// Where a child reference is stored: the root, or a node's slot.
#[derive(Clone, Copy, Debug)]
enum Link {
    Root,
    Slot(u32, u8),
}

/// A set of byte strings with insertion, removal, sorted and prefix iteration and
/// longest-prefix match, in a fraction of the memory of a `HashSet<String>`.
///
/// Keys are any `AsRef<[u8]>` (`&str`, `String`, `&[u8]`, `Vec<u8>`); iteration yields them in
/// byte-wise lexicographic order, which for UTF-8 is the order of `str`'s `Ord`.
///
/// # Layout and cost
/// A burst trie (Heinz, Zobel and Williams) whose leaves are array hash tables, as in the
/// HAT-trie (Askitis and Sinha), that also keep their keys in order. The keys live in
/// *buckets* of at most 1,024 keys (60 KB): one byte vector of keys (a length byte and the
/// bytes each, in the order they arrived) and two indexes into it with 16-bit offsets: an
/// open-addressed table of (one-byte hash *tag*, offset) slots in groups of eight, and the
/// keys' order: a sorted run of (first two bytes, offset) entries, a tail of at most 128
/// newer keys in key order, each entry its key's place in the run above its offset, and an
/// inbox of fewer than 64 of the newest in arrival order. A lookup hashes the rest of the
/// key, compares its tag with a group's eight tags at once and reads only the keys whose tag
/// matches (about one); an insertion does the same, appends the key and appends its
/// entry to the inbox. Above the buckets, inner nodes route by one byte, with a path-compressed
/// label for bytes all their keys share; a node's children are runs of bytes leading to the
/// same child, so one bucket can serve a range of first bytes. A node is one allocation
/// (label, runs and children together, plus a byte-to-run table when it has more than eight
/// runs), so a step down reads one or two cache lines. A bucket that passes 1,024 keys (or
/// 60 KB) *bursts*: it splits in two at a change of first byte, or, when all its keys start
/// with one byte, becomes a node whose keys are that byte (and any prefix they all share)
/// shorter.
///
/// Memory is each key's bytes below its bucket plus about 9 bytes (length, order entry, hash
/// slots at 45-90 % load) and a few tens of bytes per node: 19.3 bytes per key on
/// `/usr/share/dict/words`, 20.4 on the words of `hpds compare`'s corpus and 34.6 on file
/// paths, 0.41-0.46 of a `HashSet<String>`'s (see `docs/trie.md`). Byte vectors grow by a
/// quarter, so the slack stays bounded without a shrink step.
///
/// `contains` and `remove` follow one child per level (four or five on words, about nine
/// on file paths) and probe one bucket's table: hits take 0.7 to 1.1 times a
/// `HashSet<String>`'s time on words, 1.2 to 2 times on file paths. `insert` also pays a
/// share of the placing of the inbox in the run (its keys sorted, then placed by a binary
/// merge, once per 64 insertions), of the tail's merges into the run (once per 128, without
/// comparing keys) and of the bursts that rebuild buckets: insertions take 1.3 to 1.6 times
/// a `HashSet<String>`'s. A sorted or prefix walk places each bucket's inbox (at most 63
/// keys) once on entering the bucket, then hands out keys from one buffer, copying each
/// key's bytes below the nodes once: 1.05 to 1.55 times a `BTreeSet<String>`'s time when
/// the tree's strings stay in cache, less when they do not.
///
/// # Limits
/// Nodes and buckets are indexed with 31 bits: at most 2³¹ − 1 of each (over 2 TiB of nodes).
/// A bucket holds at most 60 KB of keys; a longer key is kept in node labels.
/// [`try_insert`](Self::try_insert) returns an error beyond the limits; [`insert`](Self::insert)
/// panics, as `Vec` does on capacity overflow.
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
    root: u32,
    nodes: Vec<Node>,
    buckets: Vec<Bucket>,
    free_nodes: Vec<u32>,
    free_buckets: Vec<u32>,
    len: usize,
}

impl Default for Trie {
    fn default() -> Self {
        Self::new()
    }
}

/// Reserves room for one more element, growing by an eighth (not double) so the slack of a
/// large trie stays near 6 % on average.
fn grow<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len() / 8 + 4);
    }
}

impl Trie {
    /// An empty trie. Allocates nothing until the first insertion.
    pub fn new() -> Self {
        Self {
            root: NONE,
            nodes: Vec::new(),
            buckets: Vec::new(),
            free_nodes: Vec::new(),
            free_buckets: Vec::new(),
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

    /// Number of inner nodes and buckets in use (for memory figures and tests).
    pub fn node_count(&self) -> usize {
        self.nodes.len() - self.free_nodes.len() + self.buckets.len() - self.free_buckets.len()
    }

    fn bucket(&self, r: u32) -> &Bucket {
        &self.buckets[(r & !BUCKET) as usize]
    }

    fn bucket_mut(&mut self, r: u32) -> &mut Bucket {
        &mut self.buckets[(r & !BUCKET) as usize]
    }

    fn get_link(&self, link: Link) -> u32 {
        match link {
            Link::Root => self.root,
            Link::Slot(n, b) => self.nodes[n as usize].get(b),
        }
    }

    fn set_link(&mut self, link: Link, r: u32) {
        match link {
            Link::Root => self.root = r,
            Link::Slot(n, b) => self.nodes[n as usize].fill(b, b, r),
        }
    }

    /// Whether `key` is in the trie.
    pub fn contains<K: AsRef<[u8]>>(&self, key: K) -> bool {
        let key = key.as_ref();
        let mut cur = self.root;
        let mut d = 0;
        loop {
            if cur & BUCKET != 0 {
                // `NONE` has the bucket bit set too.
                return cur != NONE && self.bucket(cur).contains(&key[d..]);
            }
            match self.nodes[cur as usize].step(key, d) {
                Ok((c, nd)) => (cur, d) = (c, nd),
                Err(t) => return t,
            }
        }
    }

    /// Adds `key`; returns `true` if it was not present.
    ///
    /// # Panics
    /// If the trie would outgrow its 31-bit indices (see [`try_insert`](Self::try_insert)).
    pub fn insert<K: AsRef<[u8]>>(&mut self, key: K) -> bool {
        match self.try_insert(key) {
            Ok(new) => new,
            Err(e) => panic!("{e}"),
        }
    }

    /// Adds `key`; returns `Ok(true)` if it was not present.
    ///
    /// # Errors
    /// [`Error::capacity_overflow`] if the trie would need more than 2³¹ − 1 nodes or buckets;
    /// the trie is unchanged as a set.
    pub fn try_insert<K: AsRef<[u8]>>(&mut self, key: K) -> Result<bool> {
        let key = key.as_ref();
        // Down as `contains` goes while labels match and children exist; the loop below
        // takes over from the last node reached, or the bucket.
        let (mut link, mut d, mut cur) = (Link::Root, 0, self.root);
        while cur & BUCKET == 0 {
            let Ok((c, nd)) = self.nodes[cur as usize].step(key, d) else {
                break;
            };
            if c == NONE {
                break;
            }
            // A node consumes the byte that leads to it; a bucket does not.
            let b = key[if c & BUCKET == 0 { nd - 1 } else { nd }];
            (link, d, cur) = (Link::Slot(cur, b), nd, c);
        }
        let mut known = Some(cur);
        loop {
            let cur = known.take().unwrap_or_else(|| self.get_link(link));
            if cur == NONE {
                // Only the root of an empty trie: any other empty slot is handled below.
                let mut first = Bucket::default();
                first.insert(&key[d..]);
                let b = self.new_bucket(first)?;
                self.root = b;
                self.len += 1;
                if over_full(self.bucket(b)) {
                    self.burst(Link::Root);
                }
                return Ok(true);
            }
            if cur & BUCKET != 0 {
                let bucket = self.bucket_mut(cur);
                if bucket.data.len() > bucket::MAX_OFFSET {
                    // Only if a burst ran out of indices.
                    return Err(Error::capacity_overflow("trie bucket bytes"));
                }
                if !bucket.insert(&key[d..]) {
                    return Ok(false);
                }
                let full = over_full(bucket);
                self.len += 1;
                if full {
                    self.burst(link);
                }
                return Ok(true);
            }
            let n = &self.nodes[cur as usize];
            let shared = common_prefix(n.label(), &key[d..]);
            if shared < n.label().len() {
                self.split_label(link, cur, shared)?;
                continue;
            }
            d += shared;
            let Some(&b) = key.get(d) else {
                let n = &mut self.nodes[cur as usize];
                if n.terminal() {
                    return Ok(false);
                }
                n.set_terminal(true);
                self.len += 1;
                return Ok(true);
            };
            let child = n.get(b);
            if child == NONE {
                self.attach(cur, b)?;
            } else if child & BUCKET == 0 {
                d += 1;
            }
            link = Link::Slot(cur, b);
        }
    }

    fn new_bucket(&mut self, b: Bucket) -> Result<u32> {
        if let Some(i) = self.free_buckets.pop() {
            self.buckets[i as usize] = b;
            return Ok(i | BUCKET);
        }
        let i = self.buckets.len();
        if i >= BUCKET as usize - 1 {
            return Err(Error::capacity_overflow("trie buckets"));
        }
        grow(&mut self.buckets);
        self.buckets.push(b);
        Ok(i as u32 | BUCKET)
    }

    fn new_node(&mut self, n: Node) -> Result<u32> {
        if let Some(i) = self.free_nodes.pop() {
            self.nodes[i as usize] = n;
            return Ok(i);
        }
        let i = self.nodes.len();
        if i >= BUCKET as usize - 1 {
            return Err(Error::capacity_overflow("trie nodes"));
        }
        grow(&mut self.nodes);
        self.nodes.push(n);
        Ok(i as u32)
    }

    fn free_bucket(&mut self, r: u32) {
        let i = r & !BUCKET;
        self.buckets[i as usize] = Bucket::default();
        grow(&mut self.free_buckets);
        self.free_buckets.push(i);
    }

    fn free_node(&mut self, i: u32) {
        self.nodes[i as usize] = Node::new(&[], false, NONE);
        grow(&mut self.free_nodes);
        self.free_nodes.push(i);
    }

    /// Gives the empty byte `b` of `node` a bucket: the neighbouring bucket on either side of
    /// the run of empty bytes around `b` if there is one, else a new, empty bucket for the run.
    fn attach(&mut self, node: u32, b: u8) -> Result<()> {
        let kids = &self.nodes[node as usize];
        let (lo, hi) = kids.run_of(b);
        let (left, right) = kids.neighbours(b);
        let r = if left != NONE && left & BUCKET != 0 {
            left
        } else if right != NONE && right & BUCKET != 0 {
            right
        } else {
            self.new_bucket(Bucket::default())?
        };
        self.nodes[node as usize].fill(lo, hi, r);
        Ok(())
    }

    /// Splits the label of node `cur` (reached through `link`) after `at` bytes: a new node
    /// takes the first `at` bytes, and `cur` hangs from it by the next one.
    fn split_label(&mut self, link: Link, cur: u32, at: usize) -> Result<()> {
        let label = self.nodes[cur as usize].label().to_vec();
        let mut top = Node::new(&label[..at], false, NONE);
        top.fill(label[at], label[at], cur);
        let top = self.new_node(top)?;
        self.nodes[cur as usize].set_label(&label[at + 1..]);
        self.set_link(link, top);
        Ok(())
    }

    /// Bursts the over-full bucket at `link`: splits it by byte range when its keys start with
    /// different bytes, otherwise turns it into a node. Repeats on the parts still over-full.
    /// Best effort: if the trie is out of indices the bucket stays as it is (still correct,
    /// only slower to scan).
    fn burst(&mut self, link: Link) {
        let r = self.get_link(link);
        self.bucket_mut(r).settle();
        let split = match link {
            Link::Slot(..) => self.bucket(r).split_point(),
            Link::Root => None,
        };
        if let (Link::Slot(node, b), Some(index)) = (link, split) {
            // Keys start with several bytes: split the run of bytes in two.
            let Ok(rr) = self.new_bucket(Bucket::default()) else {
                return;
            };
            let right = self.bucket_mut(r).split_off(index);
            let first = self.bucket(r).first_byte().unwrap_or(b);
            let s = right.first_byte().unwrap_or(b);
            *self.bucket_mut(rr) = right;
            let (_, hi) = self.nodes[node as usize].run_of(b);
            self.nodes[node as usize].fill(s, hi, rr);
            if over_full(self.bucket(r)) {
                self.burst(Link::Slot(node, first));
            }
            if over_full(self.bucket(rr)) {
                self.burst(Link::Slot(node, s));
            }
            return;
        }
        // One first byte (or the root): a node consumes that byte, then the prefix all share.
        let bucket = self.bucket(r);
        let skip = usize::from(matches!(link, Link::Slot(..)));
        let first = bucket.first_byte().unwrap_or(0);
        let cut = bucket.shared_prefix();
        // A rest with too many keys would burst again at once: split it as it is stripped.
        let (n, size) = bucket.stripped_size(cut);
        let split = (n > MAX_ENTRIES || size > MAX_BYTES)
            .then(|| bucket.strip_split(cut))
            .flatten();
        let (terminal, rest, right) = if let Some((terminal, left, right)) = split {
            (terminal, left, Some(right))
        } else {
            let (terminal, rest) = bucket.strip(cut);
            (terminal, rest, None)
        };
        let label = bucket.key(0)[skip..cut].to_vec();
        let Ok(id) = self.new_node(Node::new(&label, terminal, NONE)) else {
            return;
        };
        if let Link::Slot(parent, b) = link {
            let kids = &mut self.nodes[parent as usize];
            let (lo, hi) = kids.run_of(b);
            kids.fill(lo, hi, NONE);
            kids.fill(first, first, id);
        } else {
            self.root = id;
        }
        let (rest, right) = match right.map(|right| (right.first_byte(), self.new_bucket(right))) {
            Some((s, Ok(rr))) => (rest, Some((s.unwrap_or(0), rr))),
            // Out of indices: the rest stays whole, as a burst of it would leave it.
            Some((_, Err(_))) => (self.bucket(r).strip(cut).1, None),
            None => (rest, None),
        };
        if let Some((s, rr)) = right {
            // As a burst of the rest at `Link::Slot(id, 0)` would split it.
            *self.bucket_mut(r) = rest;
            self.nodes[id as usize].fill(0, 255, r);
            let first = self.bucket(r).first_byte().unwrap_or(0);
            self.nodes[id as usize].fill(s, 255, rr);
            if over_full(self.bucket(r)) {
                self.burst(Link::Slot(id, first));
            }
            if over_full(self.bucket(rr)) {
                self.burst(Link::Slot(id, s));
            }
        } else if rest.len() > 0 {
            *self.bucket_mut(r) = rest;
            self.nodes[id as usize].fill(0, 255, r);
            if over_full(self.bucket(r)) {
                self.burst(Link::Slot(id, 0));
            }
        } else {
            self.free_bucket(r);
        }
    }

    /// Removes `key`; returns `true` if it was present.
    ///
    /// A bucket left empty is freed, and so is a node left with no key below it; a bucket
    /// left under half full gives back its spare capacity.
    pub fn remove<K: AsRef<[u8]>>(&mut self, key: K) -> bool {
        let key = key.as_ref();
        let mut path: Vec<Link> = Vec::new();
        let mut link = Link::Root;
        let mut d = 0;
        loop {
            let cur = self.get_link(link);
            if cur == NONE {
                return false;
            }
            if cur & BUCKET != 0 {
                let bucket = self.bucket_mut(cur);
                if !bucket.remove(&key[d..]) {
                    return false;
                }
                if bucket.len() == 0 {
                    self.free_bucket(cur);
                    match link {
                        Link::Root => self.root = NONE,
                        Link::Slot(node, b) => {
                            let kids = &mut self.nodes[node as usize];
                            let (lo, hi) = kids.run_of(b);
                            kids.fill(lo, hi, NONE);
                        }
                    }
                    self.prune(&path);
                }
                break;
            }
            let n = &self.nodes[cur as usize];
            if !key[d..].starts_with(n.label()) {
                return false;
            }
            d += n.label().len();
            path.push(link);
            let Some(&b) = key.get(d) else {
                let n = &mut self.nodes[cur as usize];
                if !n.terminal() {
                    return false;
                }
                n.set_terminal(false);
                self.prune(&path);
                break;
            };
            let child = n.get(b);
            d += usize::from(child != NONE && child & BUCKET == 0);
            link = Link::Slot(cur, b);
        }
        self.len -= 1;
        if self.len == 0 {
            self.clear();
        }
        true
    }

    /// Frees the nodes at the end of `path` (links to nodes, root first) that hold no key.
    fn prune(&mut self, path: &[Link]) {
        for &link in path.iter().rev() {
            let id = self.get_link(link);
            let n = &self.nodes[id as usize];
            if n.terminal() || !n.no_kids() {
                return;
            }
            self.free_node(id);
            self.set_link(link, NONE);
        }
    }

    /// Rebuilds the trie with every vector at its exact size and freed slots dropped.
    /// `O(n)`; never needed for the memory figures in the docs, which are as built.
    pub fn compact(&mut self) {
        let mut fresh = Trie::new();
        let mut c = self.cursor();
        let mut keys: Vec<u8> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(self.len);
        while let Some(k) = c.next_key() {
            let s = keys.len();
            keys.extend_from_slice(k);
            spans.push((s, keys.len()));
        }
        drop(c);
        for &(s, e) in &spans {
            fresh.insert(&keys[s..e]);
        }
        fresh.shrink_to_fit();
        *self = fresh;
    }

    /// Frees spare capacity in every vector.
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.buckets.shrink_to_fit();
        self.free_nodes.shrink_to_fit();
        self.free_buckets.shrink_to_fit();
        for b in &mut self.buckets {
            b.shrink_to_fit();
        }
    }

    /// The keys in lexicographic byte order, each as a fresh `Vec<u8>`; see
    /// [`cursor`](Self::cursor) for a walk that allocates nothing per key.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.cursor())
    }

    /// The keys that start with `prefix`, in lexicographic order.
    pub fn prefix_iter<K: AsRef<[u8]>>(&self, prefix: K) -> Iter<'_> {
        Iter(self.prefix_cursor(prefix))
    }

    /// A walk over the keys in lexicographic order that lends each key as a `&[u8]`
    /// (one buffer, reused).
    ///
    /// # Example
    /// ```
    /// use hpds_trie::Trie;
    /// let t: Trie = ["b", "a", "ab"].into_iter().collect();
    /// let mut c = t.cursor();
    /// let mut bytes = 0;
    /// while let Some(k) = c.next_key() {
    ///     bytes += k.len();
    /// }
    /// assert_eq!(bytes, 4);
    /// ```
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor::new(self, &[], self.root, &[])
    }

    /// As [`cursor`](Self::cursor), over the keys that start with `prefix`.
    pub fn prefix_cursor<K: AsRef<[u8]>>(&self, prefix: K) -> Cursor<'_> {
        let prefix = prefix.as_ref();
        let mut cur = self.root;
        let mut d = 0;
        loop {
            if cur == NONE {
                return Cursor::empty(self);
            }
            if cur & BUCKET != 0 {
                return Cursor::new(self, &prefix[..d], cur, prefix);
            }
            let n = &self.nodes[cur as usize];
            let rest = &prefix[d..];
            if rest.len() <= n.label().len() {
                if !n.label().starts_with(rest) {
                    return Cursor::empty(self);
                }
                return Cursor::new(self, &prefix[..d], cur, &[]);
            }
            if !rest.starts_with(n.label()) {
                return Cursor::empty(self);
            }
            d += n.label().len();
            cur = n.get(prefix[d]);
            d += usize::from(cur != NONE && cur & BUCKET == 0);
        }
    }

    /// Number of keys that start with `prefix`.
    pub fn count_prefix<K: AsRef<[u8]>>(&self, prefix: K) -> usize {
        if prefix.as_ref().is_empty() {
            return self.len;
        }
        let mut c = self.prefix_cursor(prefix);
        let mut n = 0;
        while c.next_key().is_some() {
            n += 1;
        }
        n
    }

    /// The longest key that is a prefix of `query` (a slice of `query`), if any.
    ///
    /// One descent and at most one bucket scan: the "longest-prefix match" of tokenizers and
    /// routing tables.
    pub fn longest_prefix<'q, Q: AsRef<[u8]> + ?Sized>(&self, query: &'q Q) -> Option<&'q [u8]> {
        let query = query.as_ref();
        let mut best = None;
        let mut cur = self.root;
        let mut d = 0;
        loop {
            if cur == NONE {
                break;
            }
            if cur & BUCKET != 0 {
                if let Some(l) = self.bucket(cur).longest_prefix(&query[d..]) {
                    best = Some(d + l);
                }
                break;
            }
            let n = &self.nodes[cur as usize];
            if !query[d..].starts_with(n.label()) {
                break;
            }
            d += n.label().len();
            if n.terminal() {
                best = Some(d);
            }
            let Some(&b) = query.get(d) else { break };
            cur = n.get(b);
            d += usize::from(cur != NONE && cur & BUCKET == 0);
        }
        best.map(|l| &query[..l])
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
        if self.len != other.len {
            return false;
        }
        let (mut a, mut b) = (self.cursor(), other.cursor());
        loop {
            match (a.next_key(), b.next_key()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
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
        self.nodes.capacity() * core::mem::size_of::<Node>()
            + self.nodes.iter().map(Node::heap_bytes).sum::<usize>()
            + self.buckets.capacity() * core::mem::size_of::<Bucket>()
            + self.buckets.iter().map(Bucket::heap_bytes).sum::<usize>()
            + (self.free_nodes.capacity() + self.free_buckets.capacity()) * 4
    }
}

#[cfg(test)]
mod tests;
