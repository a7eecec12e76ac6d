//! Draws `docs/img/trie-bytes-per-key.svg` with `hpds_testkit::plot`: heap bytes per key of
//! every `StringSet` against the number of synthetic words, with marisa-trie's figures on the
//! same words (measured by `benches/scripts/marisa_compare.py --file`, passed on the command line) and
//! the target, 20 times less than `HashSet<String>`.
//!
//! `cargo run --release -p hpds-benches --bin trie_chart -- docs/img/trie-bytes-per-key.svg \
//!     10000,100000,1000000,5000000 10000:6.46,100000:4.84,1000000:4.67,5000000:4.34`

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use hpds_testkit::plot::{Chart, Scale, Series, line_chart};
use hpds_testkit::words::Vocabulary;
use hpds_trie::{SortedStrings, StringSet, Trie, WordSet};

fn per_key<S: StringSet>(words: &[&str]) -> f64 {
    let s = S::build(words.iter().copied());
    s.memory_bytes() as f64 / s.len() as f64
}

/// Parses `n:value,n:value`.
fn points(arg: &str) -> Result<Vec<(f64, f64)>, Box<dyn std::error::Error>> {
    arg.split(',')
        .map(|p| {
            let (n, v) = p.split_once(':').ok_or("expected n:value")?;
            Ok((n.parse()?, v.parse()?))
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .unwrap_or_else(|| "docs/img/trie-bytes-per-key.svg".into());
    let sizes: Vec<usize> = args
        .next()
        .unwrap_or_else(|| "10000,100000,1000000".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let marisa = args.next().map(|a| points(&a)).transpose()?;

    let names = [
        "WordSet (DAWG, fst)",
        "Trie (hpds)",
        "sorted Vec<String>",
        "BTreeSet<String> (estimate)",
        "HashSet<String>",
    ];
    let mut rows: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
    for &n in &sizes {
        let vocab = Vocabulary::generate(42, n);
        let words: Vec<&str> = vocab.words().iter().map(String::as_str).collect();
        let x = n as f64;
        let values = [
            per_key::<WordSet>(&words),
            per_key::<Trie>(&words),
            per_key::<SortedStrings>(&words),
            per_key::<BTreeSet<String>>(&words),
            per_key::<HashSet<String>>(&words),
        ];
        println!("{n:>9} keys: {values:.2?}");
        for (row, v) in rows.iter_mut().zip(values) {
            row.push((x, v));
        }
    }
    let target: Vec<(f64, f64)> = rows[4].iter().map(|&(x, v)| (x, v / 20.0)).collect();
    let mut series: Vec<Series> = names
        .iter()
        .zip(rows)
        .map(|(name, pts)| Series::new(*name, pts))
        .collect();
    if let Some(m) = marisa {
        series.push(Series::new("marisa-trie (Python, 3 tries)", m).with_color(5));
    }
    series.push(Series::theory("target: HashSet / 20", target).with_color(4));
    line_chart(
        Path::new(&out),
        &Chart {
            title: "Heap bytes per key, synthetic words (strings included; lower is better)",
            x_label: "distinct keys",
            y_label: "bytes per key",
            x_scale: Scale::Log,
            y_scale: Scale::Log,
        },
        &series,
    )?;
    println!("wrote {out}");
    Ok(())
}
