//! Bloom filter unions of decoded filters never panic, fail or succeed the same way in either
//! order, give the same filter in either order, keep every member of both sides, and
//! re-encode to bytes that decode; intersections are commutative too.
#![no_main]

use arbitrary::Arbitrary;
use hpds_bloom::BloomFilter;
use hpds_core::ByteCodec;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Side {
    bits: u16,
    hashes_per_item: u8,
    bytes: Vec<u8>,
    items: Vec<u64>,
}

/// The decoded filter when the bytes are an encoding, else a small fresh one; then the items.
fn filter(side: &Side) -> Option<BloomFilter> {
    let mut f = BloomFilter::from_bytes(&side.bytes)
        .or_else(|_| {
            BloomFilter::with_bits(
                u64::from(side.bits % 4096),
                u32::from(side.hashes_per_item % 16),
            )
        })
        .ok()?;
    for &h in &side.items {
        f.insert_hash(h);
    }
    Some(f)
}

fuzz_target!(|input: (Side, Side)| {
    let (Some(a), Some(b)) = (filter(&input.0), filter(&input.1)) else {
        return;
    };
    let (mut ab, mut ba) = (a.clone(), b.clone());
    let (r1, r2) = (ab.union(&b), ba.union(&a));
    assert_eq!(r1.is_ok(), r2.is_ok(), "union succeeds in one order only");
    if r1.is_ok() {
        assert_eq!(ab, ba, "union is commutative");
        for &h in input.0.items.iter().chain(&input.1.items) {
            assert!(ab.contains_hash(h), "union lost a member");
        }
        assert_eq!(
            BloomFilter::from_bytes(&ab.to_bytes()).expect("union re-decodes"),
            ab
        );
        let (mut i1, mut i2) = (a.clone(), b.clone());
        i1.intersect(&b).expect("same shape");
        i2.intersect(&a).expect("same shape");
        assert_eq!(i1, i2, "intersection is commutative");
    }
});
