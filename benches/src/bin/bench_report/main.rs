//! Regenerates `docs/benchmarks.md` from one run of interleaved, same-process races of every
//! hpds family against its peers (`hpds_testkit::race`).
//!
//! ```text
//! scripts/bench.sh                                   # the whole page (about two minutes on 2 cores)
//! cargo run --release -p hpds-benches --bin bench_report -- --only bloom,loglog --out /tmp/b.md
//! HPDS_BENCH_FULL=1 scripts/bench.sh                 # adds the long out-of-cache sizes
//! HPDS_RACE_ROUNDS=5 scripts/bench.sh                # fewer rounds: quicker, wider spreads
//! ```
//!
//! Each family's races are in their own module; every row of the page is one contestant's
//! time over its peer's in the same round (median over rounds, interquartile range).
//!
//! To add a structure, add it as a contestant to its family's race (`race.add(name, ops, ||
//! ..)` for work on shared state, `race.add_fresh(name, ops, setup, run)` when each pass
//! needs fresh state) and a `page.row(op, n, &out, ours, peer)` for it; a new family is a
//! module with a `run(&mut Page, full)` and an entry in `FAMILIES`. Keep the whole page within
//! about five minutes of racing on two cores: sizes beyond that go behind `full`
//! (`HPDS_BENCH_FULL=1`).

mod bloom;
mod loglog;
mod openhash;
mod page;
mod sketches;
mod trie;
mod vec;

use std::time::Instant;

use hpds_testkit::race::{DEFAULT_ROUNDS, Race};
use page::Page;

/// The command the page names as its generator.
const COMMAND: &str = "scripts/bench.sh";

/// A race with the rounds `HPDS_RACE_ROUNDS` asks for, or `rounds`.
pub fn race<'a>(rounds: usize) -> Race<'a> {
    let rounds = std::env::var("HPDS_RACE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(rounds);
    Race::new().rounds(rounds)
}

/// The default number of rounds, for families that do not choose.
pub const ROUNDS: usize = DEFAULT_ROUNDS;

type Family = (&'static str, fn(&mut Page, bool));

const FAMILIES: &[Family] = &[
    ("openhash", openhash::run),
    ("vec", vec::run),
    ("trie", trie::run),
    ("morris", sketches::morris),
    ("kmv", sketches::kmv),
    ("bloom", bloom::run),
    ("loglog", loglog::run),
];

fn main() {
    let mut out = String::from("docs/benchmarks.md");
    let mut only: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().expect("--out PATH"),
            "--only" => {
                only = Some(
                    args.next()
                        .expect("--only a,b")
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                );
            }
            other => {
                eprintln!(
                    "unknown argument {other}; usage: bench_report [--out PATH] [--only family,...]"
                );
                std::process::exit(2);
            }
        }
    }
    let full = hpds_benches::full_run();
    let mut page = Page::new(COMMAND, full);
    let start = Instant::now();
    for (name, run) in FAMILIES {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == name)) {
            continue;
        }
        let t = Instant::now();
        eprintln!("{name} ...");
        run(&mut page, full);
        eprintln!("{name}: {:.0} s", t.elapsed().as_secs_f64());
    }
    eprintln!("all: {:.0} s", start.elapsed().as_secs_f64());
    std::fs::write(&out, page.finish()).unwrap_or_else(|e| panic!("writing {out}: {e}"));
    eprintln!("wrote {out}");
}
