//! Every decoder allocates at most a small multiple of its input, measured by hpds-testkit's
//! counting allocator: valid encodings, single-byte corruptions of them, truncations and
//! seeded noise, for every sketch, filter and DAWG with a byte encoding.
#![cfg(all(
    feature = "trie",
    feature = "morris",
    feature = "kmv",
    feature = "bloom",
    feature = "loglog"
))]

use hpds::ByteCodec;
use hpds::bloom::{BlockedBloomFilter, BloomFilter, CountingBloomFilter, ScalableBloomFilter};
use hpds::kmv::Kmv;
use hpds::loglog::{HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use hpds::morris::{MorrisArray, MorrisCounter};
use hpds::trie::{WordMap, WordSet};
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// A decoder's peak may be a copy of its input, its structure (a few bytes of bookkeeping per
/// input byte) and a small constant.
fn bound(input: usize) -> isize {
    (24 * input + 8192) as isize
}

/// Valid bytes, their single-byte corruptions (three flips at up to 64 positions), truncations
/// at the same positions, and seeded noise with and without the valid first 8 bytes.
fn variants(valid: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![valid.to_vec()];
    let step = (valid.len() / 64).max(1);
    for i in (0..valid.len()).step_by(step) {
        for flip in [1u8, 0x80, 0xff] {
            let mut v = valid.to_vec();
            v[i] ^= flip;
            out.push(v);
        }
        out.push(valid[..i].to_vec());
    }
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ valid.len() as u64;
    let noise: Vec<u8> = (0..valid.len())
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut framed = valid[..valid.len().min(8)].to_vec();
    framed.extend_from_slice(&noise);
    out.push(noise);
    out.push(framed);
    out
}

fn check<T>(name: &str, valid: &[u8], decode: impl Fn(&[u8]) -> Option<T>) {
    for input in variants(valid) {
        let (_, d) = measure(|| decode(&input));
        assert!(
            d.peak <= bound(input.len()),
            "{name}: {} input bytes peaked at {} B (bound {} B)",
            input.len(),
            d.peak,
            bound(input.len())
        );
    }
}

fn codec<T: ByteCodec>(name: &str, value: &T) {
    check(name, &value.to_bytes(), |b| T::from_bytes(b).ok());
}

#[test]
fn decoders_allocate_a_small_multiple_of_their_input() {
    let mut pp = HyperLogLogPlusPlus::new(14).unwrap();
    let mut hll = HyperLogLog::new(10).unwrap();
    let mut ll = LogLog::new(10).unwrap();
    let mut sll = SuperLogLog::new(10).unwrap();
    let mut kmv = Kmv::new(256).unwrap();
    let mut bloom = BloomFilter::new(1000, 0.01).unwrap();
    let mut blocked = BlockedBloomFilter::new(1000, 0.01).unwrap();
    let mut counting = CountingBloomFilter::new(1000, 0.01).unwrap();
    let mut scalable = ScalableBloomFilter::new(100, 0.01).unwrap();
    for i in 0..2000u64 {
        pp.insert(&i);
        hll.insert(&i);
        ll.insert(&i);
        sll.insert(&i);
        kmv.insert(&i);
        bloom.insert(&i);
        blocked.insert(&i);
        counting.insert(&i);
        scalable.insert(&i);
    }
    let mut sparse = HyperLogLogPlusPlus::new(14).unwrap();
    sparse.insert("one item");
    let mut counter = MorrisCounter::with_seed(1.1, 1).unwrap();
    counter.increment_by(1000);
    let mut array = MorrisArray::with_seed(100, 2.0, 4, 1).unwrap();
    array.increment_by(7, 50);

    codec("HyperLogLog++ (dense)", &pp);
    codec("HyperLogLog++ (sparse)", &sparse);
    codec("HyperLogLog", &hll);
    codec("LogLog", &ll);
    codec("SuperLogLog", &sll);
    codec("Kmv", &kmv);
    codec("MorrisCounter", &counter);
    codec("MorrisArray", &array);
    codec("BloomFilter", &bloom);
    codec("BlockedBloomFilter", &blocked);
    codec("CountingBloomFilter", &counting);
    codec("ScalableBloomFilter", &scalable);

    let set: WordSet = (0..500).map(|i| format!("word{i}")).collect();
    let map = WordMap::from_sorted_iter((0..500u64).map(|i| (format!("{i:05}"), i))).unwrap();
    check("WordSet", set.as_bytes(), |b| WordSet::from_bytes(b).ok());
    check("WordMap", map.as_bytes(), |b| WordMap::from_bytes(b).ok());
}
