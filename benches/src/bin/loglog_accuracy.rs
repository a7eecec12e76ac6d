//! Measures every estimator of the family over seeded trials, streaming distinct hashes into
//! one sketch per trial and evaluating all estimators on the same registers.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_accuracy -- [p] [trials] [max_n]
//! ```
//! Prints, per cardinality, the relative bias and RMSE of each estimator divided by
//! `1.04/√m`, plus the HyperLogLog++ estimate (sparse, then dense).

use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

const ESTIMATORS: [(&str, Estimator); 6] = [
    ("LogLog", Estimator::LogLog),
    ("SuperLogLog", Estimator::SuperLogLog),
    ("Classic", Estimator::Classic),
    ("BiasCorr", Estimator::BiasCorrected),
    ("Ertl", Estimator::Ertl),
    ("HIP", Estimator::Hip),
];

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("number"))
        .collect();
    let p = args.first().copied().unwrap_or(10) as u8;
    let trials = args.get(1).copied().unwrap_or(200) as usize;
    let max_n = args.get(2).copied().unwrap_or(1_000_000);
    let plan = Accuracy::new(trials, log_scale(1, max_n, 8), 2026);
    let rows = all_estimators(&plan, p);
    let se = 1.04 / f64::from(1u32 << p).sqrt();
    print!("{:>9}", "n");
    for (name, _) in ESTIMATORS {
        print!(" {name:>11}");
    }
    println!(" {:>11}   (bias/SE | rmse/(1.04/sqrt m))", "HLL++");
    for (i, &n) in plan.cardinalities.iter().enumerate() {
        print!("{n:>9}");
        for r in &rows {
            print!(" {:>5.2}|{:>5.2}", r[i].bias / se, r[i].rmse / se);
        }
        println!();
    }
}

/// One run: every estimator on the same streams, plus HyperLogLog++ as the last column.
pub fn all_estimators(plan: &Accuracy, p: u8) -> Vec<Vec<ErrorStats>> {
    type Pair = (HyperLogLog, HyperLogLogPlusPlus);
    type Reader = dyn Fn(&Pair) -> f64 + Sync;
    let readers: Vec<Box<Reader>> = ESTIMATORS
        .iter()
        .map(|&(_, e)| Box::new(move |(s, _): &Pair| s.estimate_with(e)) as _)
        .chain([Box::new(|(_, pp): &Pair| pp.estimate()) as _])
        .collect();
    let readers: Vec<&Reader> = readers.iter().map(|f| &**f).collect();
    plan.run_streaming_many(
        |_| {
            (
                HyperLogLog::new(p).expect("valid precision"),
                HyperLogLogPlusPlus::new(p).expect("valid precision"),
            )
        },
        |(s, pp), h| {
            s.insert_hash(h);
            pp.insert_hash(h);
        },
        &readers,
    )
}
