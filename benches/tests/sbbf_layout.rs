//! hpds's one-round `BlockedBloomFilter` fed pre-computed hashes has the layout of Parquet's
//! split-block filter: against sbbf-rs-safe (an implementation of Parquet's), with the same
//! number of blocks and the same hashes, every query gets the same answer, false positives
//! included.

use hpds_bloom::BlockedBloomFilter;
use hpds_core::hash::hash_u64;

#[test]
fn same_answers_as_sbbf_rs_safe() {
    let n = 20_000usize;
    // sbbf-rs-safe: `bits_per_key * n / 8` bytes rounded up to 32-byte blocks.
    let mut theirs = sbbf_rs_safe::Filter::new(8, n);
    let blocks = (8 * n / 8).div_ceil(32) as u64;
    let mut ours = BlockedBloomFilter::with_blocks(blocks, 8).unwrap();
    for i in 0..n as u64 {
        let h = hash_u64(i, 1);
        assert_eq!(ours.insert_hash(h), theirs.insert_hash(h), "insert {i}");
    }
    let mut positives = 0;
    for i in 0..200_000u64 {
        let h = hash_u64(i, 1);
        let answer = ours.contains_hash(h);
        assert_eq!(answer, theirs.contains_hash(h), "query {i}");
        positives += usize::from(answer);
    }
    // All 20k members and a few percent false positives: a real comparison.
    assert!(positives > n + 1_000, "{positives}");
}
