//! Memory-mapped loading (feature `mmap`): the crate's only `unsafe` code.
//!
//! [`WordSet::open_mmap`](crate::WordSet::open_mmap) and
//! [`WordMap::open_mmap`](crate::WordMap::open_mmap) map a file with `memmap2` and query it in
//! place: nothing is copied, pages load on demand and several processes share them.
//!
//! # The contract: the file must not change while it is mapped
//! Mapping a file is `unsafe` in `memmap2` because the operating system lets other processes
//! (or this one) write to or truncate the file while it is mapped, and Rust's `&[u8]` promises
//! that the bytes behind it never change. The set validates the bytes once, when it is opened;
//! if the file changes afterwards, queries read bytes that were never validated (wrong answers
//! or a panic from fst), and a truncated file makes the next access to a dropped page raise
//! `SIGBUS`. Treat a mapped file as read-only for the lifetime of the set: write a new file
//! and rename it over the old one (the mapping keeps the old inode alive) rather than editing it
//! in place.
//!
//! This module is small on purpose: one function, one `unsafe` block.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::path::Path;

/// Maps `path` read-only.
pub(crate) fn map_file(path: &Path) -> io::Result<memmap2::Mmap> {
    let file = File::open(path)?;
    // SAFETY: `Mmap::map` is unsafe because the mapped bytes could change under us if the file
    // is modified or truncated while mapped. The callers' documented contract (this module's
    // docs, repeated on `open_mmap`) is that the file is not modified while the set or map
    // lives; the mapping is read-only, so this process never writes through it.
    unsafe { memmap2::Mmap::map(&file) }
}
