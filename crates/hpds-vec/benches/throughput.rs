//! Push and pop throughput of `GrowVec` under each policy, with `Vec` in the same run as the
//! baseline. The side-by-side comparison with `SmallVec` and 64-byte elements is
//! `benches/benches/vec.rs` in the workspace's `hpds-benches`.
//!
//! `cargo bench -p hpds-vec --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`
//! (`HPDS_BENCH_FULL=1` adds 10,000,000 elements).

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_vec::{CPythonList, Doubling, Exact, Factor, GrowVec, Growth, SizeClass};

/// The operations measured, so `Vec` and every policy run the same code.
trait Pushable: Default {
    fn push_one(&mut self, x: u64);
    fn pop_one(&mut self) -> Option<u64>;
}

/// `Pushable` through each vector's own `push` and `pop`.
macro_rules! pushable {
    ($([$($g:tt)*] $v:ty),*) => {$(
        impl<$($g)*> Pushable for $v {
            #[inline]
            fn push_one(&mut self, x: u64) {
                self.push(x);
            }
            #[inline]
            fn pop_one(&mut self) -> Option<u64> {
                self.pop()
            }
        }
    )*};
}

pushable!([] Vec<u64>, [G: Growth + Default] GrowVec<u64, G>);

fn run<V: Pushable>(c: &mut Criterion, name: &str, n: u64) {
    c.benchmark_group("push")
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(name, n), |b| {
            b.iter_with_large_drop(|| {
                let mut v = V::default();
                for i in 0..n {
                    v.push_one(black_box(i));
                }
                v
            });
        });
    c.benchmark_group("pop")
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(name, n), |b| {
            b.iter_batched(
                || {
                    let mut v = V::default();
                    for i in 0..n {
                        v.push_one(i);
                    }
                    v
                },
                |mut v| {
                    while let Some(x) = v.pop_one() {
                        black_box(x);
                    }
                    v
                },
                if n <= 10_000 {
                    BatchSize::SmallInput
                } else {
                    BatchSize::PerIteration
                },
            );
        });
}

fn benches(c: &mut Criterion) {
    let mut sizes = vec![16, 1_000, 100_000, 1_000_000];
    if std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1") {
        sizes.push(10_000_000);
    }
    for n in sizes {
        run::<Vec<u64>>(c, "vec", n);
        run::<GrowVec<u64, Doubling>>(c, "doubling", n);
        run::<GrowVec<u64, Factor>>(c, "factor1.5", n);
        run::<GrowVec<u64, SizeClass>>(c, "sizeclass", n);
        run::<GrowVec<u64, CPythonList>>(c, "cpython", n);
        if n <= 100_000 {
            run::<GrowVec<u64, Exact>>(c, "exact", n);
        }
    }
}

criterion_group!(throughput, benches);
criterion_main!(throughput);
