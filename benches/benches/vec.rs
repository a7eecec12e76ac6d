//! Growable vectors side by side: `GrowVec` under each growth policy against `std::vec::Vec`
//! and `smallvec::SmallVec` (16 inline), for `u64` and a 64-byte struct.
//!
//! Groups: `vec/push_<type>` (n single pushes onto an empty vector), `vec/extend_<type>`
//! (n elements appended by `extend` in chunks of 64), `vec/pop_<type>` (n pops from a full
//! vector, setup not timed). Sizes 16 to 1,000,000; `HPDS_BENCH_FULL=1` adds 10,000,000
//! (the 64-byte struct then needs over 1 GiB).
//!
//! `cargo bench -p hpds-benches --bench vec -- --warm-up-time 1 --measurement-time 2 --sample-size 10`

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_vec::{CPythonList, Doubling, Exact, Factor, GrowVec, Growth, SizeClass};
use smallvec::SmallVec;

/// What every vector must do here.
trait Vector<T>: Default {
    const NAME: &'static str;
    fn push(&mut self, x: T);
    fn pop(&mut self) -> Option<T>;
    fn extend_from<I: Iterator<Item = T>>(&mut self, it: I);
}

impl<T> Vector<T> for Vec<T> {
    const NAME: &'static str = "vec";
    #[inline]
    fn push(&mut self, x: T) {
        Vec::push(self, x);
    }
    #[inline]
    fn pop(&mut self) -> Option<T> {
        Vec::pop(self)
    }
    #[inline]
    fn extend_from<I: Iterator<Item = T>>(&mut self, it: I) {
        self.extend(it);
    }
}

impl<T> Vector<T> for SmallVec<[T; 16]> {
    const NAME: &'static str = "smallvec";
    #[inline]
    fn push(&mut self, x: T) {
        SmallVec::push(self, x);
    }
    #[inline]
    fn pop(&mut self) -> Option<T> {
        SmallVec::pop(self)
    }
    #[inline]
    fn extend_from<I: Iterator<Item = T>>(&mut self, it: I) {
        self.extend(it);
    }
}

/// Names our policies for the report.
trait Named {
    const NAME: &'static str;
}
impl Named for Doubling {
    const NAME: &'static str = "growvec-doubling";
}
impl Named for Factor {
    const NAME: &'static str = "growvec-factor1.5";
}
impl Named for SizeClass {
    const NAME: &'static str = "growvec-sizeclass";
}
impl Named for CPythonList {
    const NAME: &'static str = "growvec-cpython";
}
impl Named for Exact {
    const NAME: &'static str = "growvec-exact";
}

impl<T, G: Growth + Default + Named> Vector<T> for GrowVec<T, G> {
    const NAME: &'static str = G::NAME;
    #[inline]
    fn push(&mut self, x: T) {
        GrowVec::push(self, x);
    }
    #[inline]
    fn pop(&mut self) -> Option<T> {
        GrowVec::pop(self)
    }
    #[inline]
    fn extend_from<I: Iterator<Item = T>>(&mut self, it: I) {
        self.extend(it);
    }
}

/// A 64-byte element.
#[derive(Clone, Copy, Default)]
#[allow(dead_code)] // read only through `black_box`
struct Big([u64; 8]);

trait Elem: Copy {
    const NAME: &'static str;
    fn make(i: u64) -> Self;
}
impl Elem for u64 {
    const NAME: &'static str = "u64";
    #[inline]
    fn make(i: u64) -> Self {
        i
    }
}
impl Elem for Big {
    const NAME: &'static str = "64b";
    #[inline]
    fn make(i: u64) -> Self {
        Big([i; 8])
    }
}

fn batch(n: u64) -> BatchSize {
    if n <= 10_000 {
        BatchSize::SmallInput
    } else {
        BatchSize::PerIteration
    }
}

fn push<T: Elem, V: Vector<T>>(c: &mut Criterion, n: u64) {
    c.benchmark_group(format!("vec/push_{}", T::NAME))
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(V::NAME, n), |b| {
            b.iter_with_large_drop(|| {
                let mut v = V::default();
                for i in 0..n {
                    v.push(T::make(black_box(i)));
                }
                v
            });
        });
}

fn extend<T: Elem, V: Vector<T>>(c: &mut Criterion, n: u64) {
    let src: Vec<T> = (0..n).map(T::make).collect();
    c.benchmark_group(format!("vec/extend_{}", T::NAME))
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(V::NAME, n), |b| {
            b.iter_with_large_drop(|| {
                let mut v = V::default();
                for chunk in black_box(&src).chunks(64) {
                    v.extend_from(chunk.iter().copied());
                }
                v
            });
        });
}

fn pop<T: Elem, V: Vector<T>>(c: &mut Criterion, n: u64) {
    c.benchmark_group(format!("vec/pop_{}", T::NAME))
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(V::NAME, n), |b| {
            b.iter_batched(
                || {
                    let mut v = V::default();
                    for i in 0..n {
                        v.push(T::make(i));
                    }
                    v
                },
                |mut v| {
                    while let Some(x) = v.pop() {
                        black_box(x);
                    }
                    v
                },
                batch(n),
            );
        });
}

fn all<T: Elem>(c: &mut Criterion, n: u64) {
    macro_rules! each {
        ($f:ident) => {
            $f::<T, Vec<T>>(c, n);
            $f::<T, SmallVec<[T; 16]>>(c, n);
            $f::<T, GrowVec<T, Doubling>>(c, n);
            $f::<T, GrowVec<T, Factor>>(c, n);
            $f::<T, GrowVec<T, SizeClass>>(c, n);
            $f::<T, GrowVec<T, CPythonList>>(c, n);
            // Exact reallocates on every push: quadratic unless realloc grows in place.
            if n <= 100_000 {
                $f::<T, GrowVec<T, Exact>>(c, n);
            }
        };
    }
    each!(push);
    each!(extend);
    each!(pop);
}

fn benches(c: &mut Criterion) {
    let mut sizes = vec![16, 1_000, 100_000, 1_000_000];
    if std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1") {
        sizes.push(10_000_000);
    }
    for n in sizes {
        all::<u64>(c, n);
        all::<Big>(c, n);
    }
}

criterion_group!(vec, benches);
criterion_main!(vec);
