//! Throughput of the stable hash: one-shot `u64`, words through `Hash`, and the codec.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_core::codec::{Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, hash_bytes, hash_one, hash_u64};

fn hashing(c: &mut Criterion) {
    let mut g = c.benchmark_group("hash");
    for n in [1_000u64, 1_000_000] {
        let keys: Vec<u64> = (0..n)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let words: Vec<String> = keys.iter().map(|k| format!("w{:x}", k >> 40)).collect();
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::new("hash_u64", n), &keys, |b, keys| {
            b.iter(|| {
                keys.iter()
                    .fold(0u64, |a, &k| a ^ hash_u64(k, DEFAULT_SEED))
            });
        });
        g.bench_with_input(BenchmarkId::new("hash_one_u64", n), &keys, |b, keys| {
            b.iter(|| keys.iter().fold(0u64, |a, k| a ^ hash_one(k, DEFAULT_SEED)));
        });
        g.bench_with_input(
            BenchmarkId::new("hash_bytes_word", n),
            &words,
            |b, words| {
                b.iter(|| {
                    words
                        .iter()
                        .fold(0u64, |a, w| a ^ hash_bytes(w.as_bytes(), DEFAULT_SEED))
                });
            },
        );
        g.bench_with_input(BenchmarkId::new("hash_one_str", n), &words, |b, words| {
            b.iter(|| {
                words
                    .iter()
                    .fold(0u64, |a, w| a ^ hash_one(w.as_str(), DEFAULT_SEED))
            });
        });
    }
    g.finish();
}

fn codec(c: &mut Criterion) {
    let mut g = c.benchmark_group("codec");
    let n = 1usize << 16;
    let values: Vec<u64> = (0..n as u64).collect();
    let mut enc = Encoder::new(*b"BNCH", 1);
    enc.put_u64_slice(&values);
    let bytes = enc.finish();
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("decode_u64_vec", n), |b| {
        b.iter(|| {
            let (mut d, _) = Decoder::open(black_box(&bytes), *b"BNCH", 1).unwrap();
            d.u64_vec().unwrap()
        });
    });
    g.finish();
}

criterion_group!(benches, hashing, codec);
criterion_main!(benches);
