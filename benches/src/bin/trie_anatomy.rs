//! Where a `WordSet`'s bytes go: nodes by fst state kind, transitions, and how many nodes a
//! fully minimal automaton would need (fst's builder deduplicates suffixes through a bounded
//! cache, so its automaton is only nearly minimal).
//!
//! `cargo run --release -p hpds-benches --bin trie_anatomy -- 100000` (synthetic words) or
//! `cargo run --release -p hpds-benches --bin trie_anatomy -- /tmp/english.txt`
//!
//! A second argument writes the words there, one per line (for `benches/scripts/marisa_compare.py
//! --file`, to measure marisa-trie on the same synthetic words).

use std::collections::HashMap;

use hpds_testkit::words::Vocabulary;
use hpds_trie::WordSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "100000".into());
    let text;
    let vocab;
    let words: Vec<&str> = if let Ok(n) = arg.parse::<usize>() {
        vocab = Vocabulary::generate(42, n);
        vocab.words().iter().map(String::as_str).collect()
    } else {
        text = std::fs::read_to_string(&arg)?;
        text.lines().filter(|l| !l.is_empty()).collect()
    };
    if let Some(out) = std::env::args().nth(2) {
        let mut text = words.join("\n");
        text.push('\n');
        std::fs::write(&out, text)?;
        println!("wrote {} words to {out}", words.len());
    }
    let set: WordSet = words.iter().collect();
    let n = set.len();
    let total_key_bytes: usize = words.iter().map(|w| w.len()).sum();
    let f = fst::raw::Fst::new(set.as_bytes())?;

    // Every reachable node, children before parents (post-order), and its canonical class.
    let mut order = Vec::new();
    let mut seen = HashMap::new();
    let mut stack = vec![(f.root().addr(), false)];
    while let Some((addr, done)) = stack.pop() {
        if done {
            order.push(addr);
            continue;
        }
        if seen.contains_key(&addr) {
            continue;
        }
        seen.insert(addr, usize::MAX);
        stack.push((addr, true));
        for t in f.node(addr).transitions() {
            if !seen.contains_key(&t.addr) {
                stack.push((t.addr, false));
            }
        }
    }
    let mut classes: HashMap<(bool, Vec<(u8, usize)>), usize> = HashMap::new();
    let mut by_state: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut trans = 0usize;
    let mut min_trans = 0usize;
    for &addr in &order {
        let node = f.node(addr);
        let sig: Vec<(u8, usize)> = node.transitions().map(|t| (t.inp, seen[&t.addr])).collect();
        trans += sig.len();
        let next = classes.len();
        let len = sig.len();
        let class = *classes.entry((node.is_final(), sig)).or_insert_with(|| {
            min_trans += len;
            next
        });
        seen.insert(addr, class);
        by_state.entry(node.state()).or_default().0 += 1;
    }
    // Node sizes: nodes tile the file, each ending at its address.
    let mut addrs: Vec<usize> = order.clone();
    addrs.sort_unstable();
    let mut prev_end = 23usize; // 24-byte header; the first node's byte may be shared
    for &a in &addrs {
        let st = f.node(a).state();
        if a > prev_end || a == 0 {
            by_state.get_mut(st).expect("seen").1 += a.saturating_sub(prev_end);
        }
        prev_end = a.max(prev_end);
    }
    println!(
        "{n} keys, {total_key_bytes} key bytes ({:.2}/key), fst {} bytes ({:.2} B/key)",
        total_key_bytes as f64 / n as f64,
        f.as_bytes().len(),
        f.as_bytes().len() as f64 / n as f64
    );
    println!(
        "nodes {} ({:.2}/key), transitions {} ({:.2}/key), {:.2} bytes/transition",
        order.len(),
        order.len() as f64 / n as f64,
        trans,
        trans as f64 / n as f64,
        f.as_bytes().len() as f64 / trans as f64
    );
    println!(
        "minimal automaton: {} nodes ({:.1}% of fst's), {} transitions ({:.1}%)",
        classes.len(),
        100.0 * classes.len() as f64 / order.len() as f64,
        min_trans,
        100.0 * min_trans as f64 / trans as f64
    );
    let mut st: Vec<_> = by_state.into_iter().collect();
    st.sort_unstable();
    for (name, (count, bytes)) in st {
        println!(
            "  {name:<4} {count:>10} nodes {bytes:>11} bytes ({:.2} per node)",
            bytes as f64 / count.max(1) as f64
        );
    }
    Ok(())
}
