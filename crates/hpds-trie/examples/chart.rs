//! Draws `docs/img/trie-bytes-per-key.svg`: bytes per key of every `StringSet` on 100 thousand
//! synthetic words and, if a word list is given, on it (with marisa-trie's figure, measured by
//! `scripts/marisa_compare.py`, passed on the command line).
//!
//! `cargo run --release -p hpds-trie --example chart -- docs/img/trie-bytes-per-key.svg /tmp/english.txt 3.20`

use std::collections::{BTreeSet, HashSet};

use hpds_testkit::words::Vocabulary;
use hpds_trie::{SortedStrings, StringSet, Trie, WordSet};
use plotters::prelude::*;

fn per_key<S: StringSet>(words: &[&str]) -> (&'static str, f64) {
    let s = S::build(words.iter().copied());
    (S::name(), s.memory_bytes() as f64 / s.len() as f64)
}

fn rows(words: &[&str]) -> Vec<(String, f64)> {
    [
        per_key::<WordSet>(words),
        per_key::<Trie>(words),
        per_key::<SortedStrings>(words),
        per_key::<BTreeSet<String>>(words),
        per_key::<HashSet<String>>(words),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .unwrap_or_else(|| "docs/img/trie-bytes-per-key.svg".into());
    let list = args.next();
    let marisa: Option<f64> = args.next().map(|s| s.parse()).transpose()?;

    let vocab = Vocabulary::generate(42, 100_000);
    let synthetic: Vec<&str> = vocab.words().iter().map(String::as_str).collect();
    let mut groups = vec![(
        "100k synthetic words (hpds-testkit)".to_string(),
        rows(&synthetic),
    )];
    if let Some(path) = list {
        let text = std::fs::read_to_string(path)?;
        let words: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        let mut r = rows(&words);
        if let Some(m) = marisa {
            r.insert(0, ("marisa-trie (Python, 3 tries)".to_string(), m));
        }
        groups.push((
            format!(
                "{}k English words (english-words: web2 + GCIDE)",
                words.len() / 1000
            ),
            r,
        ));
    }

    let bars: usize = groups.iter().map(|g| g.1.len() + 1).sum();
    let height = 60 + 26 * bars as u32;
    let root = SVGBackend::new(&out, (760, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let max = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|r| r.1))
        .fold(0.0, f64::max)
        * 1.25;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Heap bytes per key (strings included; lower is better)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(10)
        .build_cartesian_2d(0f64..max, 0f64..bars as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_desc("bytes per key")
        .draw()?;
    let mut y = bars as f64;
    for (title, rows) in &groups {
        y -= 1.0;
        chart.draw_series(std::iter::once(Text::new(
            title.clone(),
            (0.0, y + 0.35),
            ("sans-serif", 14).into_font().style(FontStyle::Bold),
        )))?;
        for (name, v) in rows {
            y -= 1.0;
            let color = if name.starts_with("dawg") || name.starts_with("trie") {
                RGBColor(31, 119, 180)
            } else if name.starts_with("marisa") {
                RGBColor(44, 160, 44)
            } else {
                RGBColor(160, 160, 160)
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.15), (*v, y + 0.85)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{name}: {v:.2}"),
                (*v + max * 0.01, y + 0.65),
                ("sans-serif", 13),
            )))?;
        }
    }
    root.present()?;
    println!("wrote {out}");
    for (title, rows) in &groups {
        println!("{title}");
        for (name, v) in rows {
            println!("  {name:<32} {v:>7.2}");
        }
    }
    Ok(())
}
