//! The probing laboratory against Knuth's formulas, and a poor hash against each strategy.

use hpds_openhash::lab::{IdentityBuildHasher, ProbeTable, Probing};
use hpds_testkit::streams::{distinct_u64s, high_bit_keys};

/// Knuth's `Q_r(M, N) = Σ_k C(r+k, k) · N(N-1)…(N-k+1) / M^k` (TAOCP 6.4, eq. 6.4-(20)..).
fn knuth_q(r: u32, m: f64, n: f64) -> f64 {
    let mut sum: f64 = 0.0;
    let mut term = 1.0; // k = 0: C(r, 0) = 1
    let mut k = 0.0;
    while term > 1e-15 * sum.max(1.0) {
        sum += term;
        // term_{k+1} / term_k = (r + k + 1) / (k + 1) · (N - k) / M
        term *= (f64::from(r) + k + 1.0) / (k + 1.0) * (n - k) / m;
        k += 1.0;
        if n - k < 0.0 {
            break;
        }
    }
    sum
}

/// Exact expected probes `(hit, miss)` with `n` keys in `m` slots, for random hash values:
/// linear probing `(1 + Q_0(M, N-1))/2`, `(1 + Q_1(M, N))/2` (Knuth, exact); uniform hashing
/// `(M+1)/N · (H_{M+1} - H_{M+1-N})`, `(M+1)/(M+1-N)`; triangular: the asymptotic
/// secondary-clustering formulas at `a = N/M`.
fn expected(p: Probing, m: usize, n: usize) -> (f64, f64) {
    let (mf, nf) = (m as f64, n as f64);
    match p {
        Probing::Linear => (
            0.5 * (1.0 + knuth_q(0, mf, nf - 1.0)),
            0.5 * (1.0 + knuth_q(1, mf, nf)),
        ),
        Probing::DoubleHashing | Probing::CPython => {
            let h = |x: usize| (1..=x).map(|i| 1.0 / i as f64).sum::<f64>();
            (
                (mf + 1.0) / nf * (h(m + 1) - h(m + 1 - n)),
                (mf + 1.0) / (mf + 1.0 - nf),
            )
        }
        _ => p.expected_probes(nf / mf),
    }
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}

/// A relative allowance for the gap between a real probe sequence and the idealised model its
/// formula describes: 0 where the formula is exact (linear probing, Knuth's exact `Q`
/// functions); double hashing and CPython's perturbation approach uniform hashing only
/// asymptotically (Lueker–Molodowitch), and triangular probing the secondary-clustering model.
/// The allowances are the largest gaps seen at 20 × 4096-slot trials, rounded up.
fn model_gap(p: Probing) -> f64 {
    match p {
        Probing::Linear => 0.0,
        Probing::DoubleHashing => 0.01,
        Probing::CPython => 0.04,
        _ => 0.06,
    }
}

fn check(p: Probing, a: f64, what: &str, samples: &[f64], expected: f64) {
    // Trials are independent tables, so their means are i.i.d.: the grand mean's standard
    // error is sd / sqrt(T). 4 standard errors: a false alarm has probability < 1e-4 per check
    // under normality (the trial means average thousands of probes), while a wrong probe
    // sequence moves the mean by far more (see the poor-hash test for the sizes involved).
    let (mean, sd) = mean_sd(samples);
    let se = sd / (samples.len() as f64).sqrt();
    let tol = 4.0 * se + model_gap(p) * expected;
    println!("{p:>14} a={a:.2} {what}: measured {mean:.4} (se {se:.4}), theory {expected:.4}");
    assert!(
        (mean - expected).abs() <= tol,
        "{p} at load {a}: mean {what} probes {mean:.4}, theory {expected:.4}, tolerance {tol:.4}"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "statistics of the safe teaching table: nothing for Miri to check"
)]
fn mean_probe_lengths_match_knuth() {
    let (m, trials) = (1usize << 12, 20);
    for p in Probing::ALL {
        for a in [0.25, 0.5, 0.75, 0.9] {
            let n = (a * m as f64).round() as usize;
            let mut hits = vec![];
            let mut misses = vec![];
            for t in 0..trials {
                // Keys are distinct well-mixed u64s, hashed by identity: a good hash.
                let mut tab = ProbeTable::try_with_hasher(p, 0.95, m, IdentityBuildHasher).unwrap();
                for k in distinct_u64s(1000 + t).take(n) {
                    tab.insert(k, ());
                }
                assert_eq!(
                    (tab.buckets(), tab.len()),
                    (m, n),
                    "the table must not grow"
                );
                let s = tab.probe_stats();
                assert_eq!(s.hits.count(), n as u64);
                hits.push(s.hits.mean());
                misses.push(s.misses.mean());
            }
            let (eh, em) = expected(p, m, n);
            check(p, a, "hit", &hits, eh);
            check(p, a, "miss", &misses, em);
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "statistics of the safe teaching table: nothing for Miri to check"
)]
fn poor_hash_defeats_linear_and_triangular_only() {
    // Keys i << 16 hashed by identity: every key's home slot is 0 in a table of at most 2^16
    // slots. Linear and triangular probing then give every key the same sequence, so the k-th
    // key inserted needs exactly k probes: the mean hit is (n + 1) / 2, a quadratic build.
    // Double hashing (stride from a remix of the whole hash) and CPython (high bits shifted in
    // 5 at a time by `perturb`) still spread the keys.
    let n: u64 = 1500;
    let m = 2 * n as usize; // load ~0.5 after rounding m up to a power of two
    for p in Probing::ALL {
        let mut tab = ProbeTable::try_with_hasher(p, 0.95, m, IdentityBuildHasher).unwrap();
        for k in high_bit_keys(n, 16) {
            tab.insert(k, ());
        }
        let absent: Vec<u64> = high_bit_keys(2 * n, 16).skip(n as usize).collect();
        let s = tab.probe_stats_for(absent.iter());
        let a = tab.load_factor();
        let (uh, um) = Probing::DoubleHashing.expected_probes(a);
        println!(
            "{p:>14} load {a:.2}: hit mean {:.2} max {}, miss mean {:.2} max {} (uniform hashing: {uh:.2}, {um:.2})",
            s.hits.mean(),
            s.hits.max(),
            s.misses.mean(),
            s.misses.max()
        );
        match p {
            Probing::Linear | Probing::Triangular => {
                assert_eq!(s.hits.mean(), (n + 1) as f64 / 2.0);
                assert_eq!(s.hits.max(), n as usize);
                // A miss walks the whole run first.
                assert!(s.misses.mean() > n as f64);
            }
            _ => {
                // CPython: bits 16.. of the hash enter `perturb` from the fourth probe on, so
                // every key spends at most ~4 probes in the shared prefix; then the sequence is
                // effectively random. Bound: prefix + 3 × uniform hashing.
                assert!(s.hits.mean() < 4.0 + 3.0 * uh, "{p}: {}", s.hits.mean());
                assert!(s.misses.mean() < 4.0 + 3.0 * um, "{p}: {}", s.misses.mean());
            }
        }
    }
}
