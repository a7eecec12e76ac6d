//! Your own sketch on hpds-core's foundations: a Count-Min sketch with the stable hash, heap
//! accounting and the versioned byte codec.
//!
//! A Count-Min sketch estimates how often each item occurred in a stream, never below the
//! truth, in a fixed `depth × width` grid of counters. What hpds-core gives it:
//! - [`Item`], the stable seeded hash of an item's canonical bytes, so sketches built in
//!   different processes (or versions) agree and can be merged, and `"abc"`, `String` and
//!   `b"abc"` are one item;
//! - [`HeapSize`], so callers can account for its memory like any hpds structure;
//! - [`ByteCodec`]: implement `encode_payload` and `decode_payload` and get `to_bytes` /
//!   `from_bytes` with a framed, versioned and checksummed encoding. The decoder checks every
//!   field, so corrupt or truncated bytes are an error, never a panic or a huge allocation.
//!
//! `cargo run -p hpds-core --example custom_sketch`

use hpds_core::codec::{Decoder, Encoder};
use hpds_core::{ByteCodec, Error, HeapSize, Item, Result};

/// Counts per item, overestimated by at most `2 N / width` with probability `1 - 2^-depth`
/// after `N` events.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CountMin {
    width: usize,
    depth: usize,
    counters: Vec<u64>,
}

impl CountMin {
    const MAX_DEPTH: usize = 16;
    const MAX_WIDTH: usize = 1 << 24;

    /// A sketch of `depth` rows of `width` counters.
    fn new(width: usize, depth: usize) -> Result<Self> {
        if !(1..=Self::MAX_WIDTH).contains(&width) {
            return Err(Error::invalid_parameter("width", width, "1..=2^24"));
        }
        if !(1..=Self::MAX_DEPTH).contains(&depth) {
            return Err(Error::invalid_parameter("depth", depth, "1..=16"));
        }
        Ok(Self {
            width,
            depth,
            counters: vec![0; width * depth],
        })
    }

    /// The counter of `item` in each row: one stable hash per row (the row number is the seed).
    fn cells<T: Item + ?Sized>(&self, item: &T) -> Vec<usize> {
        let width = self.width as u64;
        (0..self.depth)
            .map(|row| {
                let h = item.stable_hash(row as u64);
                // Multiply-shift maps the hash to 0..width without a division.
                row * self.width + ((u128::from(h) * u128::from(width)) >> 64) as usize
            })
            .collect()
    }

    fn add<T: Item + ?Sized>(&mut self, item: &T, count: u64) {
        for cell in self.cells(item) {
            self.counters[cell] = self.counters[cell].saturating_add(count);
        }
    }

    /// The smallest of the item's counters: at least its true count.
    fn estimate<T: Item + ?Sized>(&self, item: &T) -> u64 {
        self.cells(item)
            .into_iter()
            .map(|c| self.counters[c])
            .min()
            .unwrap_or(0)
    }

    /// Adds another sketch's counts (the sketch of both streams).
    fn merge(&mut self, other: &Self) -> Result<()> {
        if (self.width, self.depth) != (other.width, other.depth) {
            return Err(Error::incompatible(
                "shape",
                format!("{}x{}", self.depth, self.width),
                format!("{}x{}", other.depth, other.width),
            ));
        }
        for (a, b) in self.counters.iter_mut().zip(&other.counters) {
            *a = a.saturating_add(*b);
        }
        Ok(())
    }
}

impl HeapSize for CountMin {
    fn heap_bytes(&self) -> usize {
        self.counters.capacity() * size_of::<u64>()
    }
}

impl ByteCodec for CountMin {
    // A tag of your own; hpds' structures use registered ones.
    const TAG: [u8; 4] = *b"CMIN";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        // Parameters first, then data.
        enc.put_varint(self.width as u64);
        enc.put_u8(self.depth as u8);
        // Mostly small counts: varints are compact.
        for &c in &self.counters {
            enc.put_varint(c);
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let width = usize::try_from(dec.varint()?).map_err(|_| Error::invalid_encoding("width"))?;
        let depth = usize::from(dec.u8()?);
        // `new` validates the parameters, so the allocation below is bounded...
        let mut sketch = Self::new(width, depth)?;
        // ...and each counter takes at least one byte: a short input fails before allocating
        // more than it could fill.
        if dec.remaining() < sketch.counters.len() {
            return Err(Error::invalid_encoding("fewer counters than width × depth"));
        }
        for c in &mut sketch.counters {
            *c = dec.varint()?;
        }
        Ok(sketch)
    }
}

fn main() -> Result<()> {
    // Two shards of a request log.
    let mut a = CountMin::new(2_048, 4)?;
    let mut b = CountMin::new(2_048, 4)?;
    for i in 0..50_000u64 {
        let path = format!("/item/{}", i % 5_000);
        if i % 2 == 0 {
            a.add(&path, 1);
        } else {
            b.add(&path, 1);
        }
    }
    a.add("/index.html", 7_000);
    // Any type with the same bytes is the same item.
    b.add(b"/index.html", 3_000);

    // Ship b as bytes, check them, merge.
    let bytes = b.to_bytes();
    let b2 = CountMin::from_bytes(&bytes)?;
    assert_eq!(b2, b);
    a.merge(&b2)?;

    let hot = a.estimate("/index.html");
    let cold = a.estimate("/item/42");
    println!("/index.html: ~{hot} (exact 10000); /item/42: ~{cold} (exact 10)");
    println!(
        "{} heap bytes; {} bytes encoded",
        a.heap_bytes(),
        a.to_bytes().len()
    );
    assert!(hot >= 10_000 && cold >= 10);
    assert!(cold <= 10 + 2 * 60_000 / 2_048); // the bound, which holds with high probability

    // Damaged bytes are errors, not panics.
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    println!(
        "one bit flipped: {}",
        CountMin::from_bytes(&flipped).unwrap_err()
    );
    println!(
        "truncated: {}",
        CountMin::from_bytes(&bytes[..bytes.len() - 5]).unwrap_err()
    );
    // So are mismatched sketches.
    println!(
        "merging 4x1024 into 4x2048: {}",
        a.merge(&CountMin::new(1_024, 4)?).unwrap_err()
    );
    Ok(())
}
