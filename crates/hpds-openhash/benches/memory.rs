//! Bytes per entry after building each table by plain inserts, and the peak during growth,
//! measured by the counting allocator next to `heap_bytes()` (asserted equal for ours).
//!
//! `cargo bench -p hpds-openhash --bench memory` (set `HPDS_BENCH_FULL=1` for 10 million).

use std::hint::black_box;

use hpds_core::HeapSize;
use hpds_openhash::{CompactDict, OpenMap, OpenSet};
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

type Rs = ahash::RandomState;

fn row(name: &str, n: usize, retained: isize, peak: isize, own: Option<usize>) {
    let own_txt = own.map_or("-".to_string(), |b| format!("{:.2}", b as f64 / n as f64));
    println!(
        "{name:<22} {n:>10} {:>12.2} {:>12.2} {own_txt:>14}",
        retained as f64 / n as f64,
        peak as f64 / n as f64
    );
    if let Some(b) = own {
        assert_eq!(
            b as isize, retained,
            "{name}: heap_bytes() disagrees with the allocator"
        );
    }
}

fn main() {
    // ahash allocates its process-wide random source on first use: do that outside the
    // measurements.
    black_box(Rs::new());
    let mut sizes = vec![1_000usize, 100_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        sizes.push(10_000_000);
    }
    println!(
        "{:<22} {:>10} {:>12} {:>12} {:>14}",
        "u64 -> u64", "n", "bytes/entry", "peak/entry", "heap_bytes()/n"
    );
    for &n in &sizes {
        let keys: Vec<u64> = distinct_u64s(7).take(n).collect();
        let (m, d) = measure(|| {
            let mut m: OpenMap<u64, u64> = OpenMap::new();
            for &k in &keys {
                m.insert(k, k);
            }
            m
        });
        row("OpenMap", n, d.retained, d.peak, Some(m.heap_bytes()));
        drop(black_box(m));
        let (m, d) = measure(|| {
            let mut m = hashbrown::HashMap::with_hasher(Rs::new());
            for &k in &keys {
                m.insert(k, k);
            }
            m
        });
        row("hashbrown::HashMap", n, d.retained, d.peak, None);
        drop(black_box(m));
        let (m, d) = measure(|| {
            let mut m = std::collections::HashMap::with_hasher(Rs::new());
            for &k in &keys {
                m.insert(k, k);
            }
            m
        });
        row("std::HashMap", n, d.retained, d.peak, None);
        drop(black_box(m));
        let (m, d) = measure(|| {
            let mut m: CompactDict<u64, u64> = CompactDict::new();
            for &k in &keys {
                m.insert(k, k);
            }
            m
        });
        row("CompactDict", n, d.retained, d.peak, Some(m.heap_bytes()));
        drop(black_box(m));
        let (m, d) = measure(|| {
            let mut m = indexmap::IndexMap::with_hasher(Rs::new());
            for &k in &keys {
                m.insert(k, k);
            }
            m
        });
        row("indexmap::IndexMap", n, d.retained, d.peak, None);
        drop(black_box(m));
    }

    println!("\nString keys (\"key-<i>\", owned bytes counted)");
    let n = 100_000;
    let words: Vec<String> = (0..n).map(|i| format!("key-{i}")).collect();
    let (s, d) = measure(|| {
        let mut s: OpenSet<String> = OpenSet::new();
        for w in &words {
            s.insert_ref(w.as_str());
        }
        s
    });
    row(
        "OpenSet<String>",
        n,
        d.retained,
        d.peak,
        Some(s.heap_bytes()),
    );
    drop(black_box(s));
    let (s, d) = measure(|| {
        let mut s: CompactDict<String, ()> = CompactDict::new();
        for w in &words {
            s.insert_ref(w.as_str(), ());
        }
        s
    });
    row(
        "CompactDict<String,()>",
        n,
        d.retained,
        d.peak,
        Some(s.heap_bytes()),
    );
    drop(black_box(s));
    let (s, d) = measure(|| {
        let mut s = hashbrown::HashSet::with_hasher(Rs::new());
        for w in &words {
            s.insert(w.clone());
        }
        s
    });
    row("hashbrown::HashSet", n, d.retained, d.peak, None);
    drop(black_box(s));
    let (s, d) = measure(|| {
        let mut s = indexmap::IndexSet::with_hasher(Rs::new());
        for w in &words {
            s.insert(w.clone());
        }
        s
    });
    row("indexmap::IndexSet", n, d.retained, d.peak, None);
    drop(black_box(s));
}
