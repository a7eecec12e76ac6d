use super::*;
use alloc::string::String;
use alloc::vec;

fn keys(t: &Trie) -> Vec<Vec<u8>> {
    t.iter().collect()
}

/// Checks the structure: every bucket within its limits or unable to burst, runs of one bucket
/// contiguous, keys in each bucket starting with a byte of their run, the count right.
fn check(t: &Trie) {
    let mut total = 0;
    let mut c = t.cursor();
    let mut last: Option<Vec<u8>> = None;
    while let Some(k) = c.next_key() {
        if let Some(l) = &last {
            assert!(l.as_slice() < k, "out of order");
        }
        last = Some(k.to_vec());
        total += 1;
    }
    assert_eq!(total, t.len());
    for (i, n) in t.nodes.iter().enumerate() {
        if t.free_nodes.contains(&(i as u32)) {
            continue;
        }
        let mut seen = Vec::new();
        for j in 0..n.runs() {
            let (lo, r) = n.run(j);
            if j > 0 {
                assert_ne!(n.run(j - 1).1, r, "runs not merged");
            }
            if r == NONE {
                continue;
            }
            let (_, hi) = n.run_of(lo);
            if r & BUCKET == 0 {
                assert_eq!(lo, hi, "a node takes one byte");
                continue;
            }
            assert!(!seen.contains(&r), "bucket in two runs");
            seen.push(r);
            let b = t.bucket(r);
            assert!(b.len() > 0);
            b.assert_valid();
            for k in b.keys() {
                assert!(!k.is_empty(), "empty key below a node");
                assert!((lo..=hi).contains(&k[0]));
                assert!(b.contains(k));
            }
        }
    }
}

#[test]
fn empty_key_and_empty_trie() {
    let mut t = Trie::new();
    assert!(!t.contains(""));
    assert_eq!(t.iter().count(), 0);
    assert_eq!(t.longest_prefix(b"abc"), None);
    assert!(!t.remove(""));
    assert!(t.insert(""));
    assert!(!t.insert(""));
    assert!(t.contains(""));
    assert_eq!(t.longest_prefix(b"abc"), Some(&b""[..]));
    assert_eq!(keys(&t), [Vec::<u8>::new()]);
    assert!(t.remove(""));
    assert!(t.is_empty());
    assert_eq!(t.heap_bytes(), 0);
}

#[test]
fn bursts_split_runs_and_make_nodes() {
    let words: Vec<String> = (0..5000)
        .map(|i| format!("k{:x}", i * 7919 % 5000))
        .collect();
    let mut t = Trie::new();
    for (i, w) in words.iter().enumerate() {
        assert!(t.insert(w));
        if i % 500 == 0 {
            check(&t);
        }
    }
    check(&t);
    assert!(t.nodes.len() > 1, "never burst into a node");
    assert!(t.buckets.len() > 40, "never split");
    assert!(words.iter().all(|w| t.contains(w)));
    assert!(!t.contains("k") && !t.contains("kfffff"));
    let mut sorted = words.clone();
    sorted.sort();
    assert_eq!(
        keys(&t),
        sorted
            .iter()
            .map(|w| w.as_bytes().to_vec())
            .collect::<Vec<_>>()
    );
    for w in &words[..4000] {
        assert!(t.remove(w));
    }
    check(&t);
    assert_eq!(t.len(), 1000);
    for w in &words[4000..] {
        assert!(t.remove(w));
    }
    assert_eq!(t.heap_bytes(), 0);
}

#[test]
fn labels_split_and_prefixes_end_at_nodes() {
    // 200 keys under one long shared prefix: the bucket bursts into a node labelled with it.
    let base = "/usr/share/doc/package/";
    let mut t: Trie = (0..200).map(|i| format!("{base}{i:03}")).collect();
    check(&t);
    assert!(t.nodes.iter().any(|n| n.label().len() >= base.len() - 1));
    // Keys that stop inside the label, diverge in it, or extend it.
    for k in ["/usr", "/usr/share/dog", "/usr/share/doc/package/", "/"] {
        assert!(!t.contains(k));
        assert!(t.insert(k));
        assert!(t.contains(k));
        check(&t);
    }
    assert_eq!(t.count_prefix("/usr/share/doc/"), 201);
    assert_eq!(t.count_prefix("/usr/share/do"), 202);
    assert_eq!(
        t.longest_prefix("/usr/share/doc/package/1234"),
        Some(&b"/usr/share/doc/package/123"[..])
    );
    assert_eq!(
        t.longest_prefix("/usr/share/doc/package/9"),
        Some(&b"/usr/share/doc/package/"[..])
    );
    assert_eq!(t.longest_prefix("/usr/bin"), Some(&b"/usr"[..]));
    assert!(t.remove("/usr/share/doc/package/"));
    assert_eq!(
        t.longest_prefix("/usr/share/doc/package/9"),
        Some(&b"/usr"[..])
    );
    check(&t);
}

#[test]
fn long_keys_become_nodes() {
    let long = vec![b'x'; 3 * MAX_BYTES + 7];
    let mut t = Trie::new();
    t.insert(&long);
    t.insert(&long[..=MAX_BYTES]);
    t.insert("x");
    assert!(t.contains(&long) && t.contains(&long[..=MAX_BYTES]));
    assert!(!t.contains(&long[..MAX_BYTES]));
    assert_eq!(keys(&t), [&b"x"[..], &long[..=MAX_BYTES], &long[..]]);
    check(&t);
    assert!(t.remove(&long[..=MAX_BYTES]));
    assert_eq!(keys(&t), [&b"x"[..], &long[..]]);
}

#[test]
fn slack_stays_small_without_shrinking() {
    let words: Vec<String> = (0..20_000).map(|i| format!("w{}", i * 7)).collect();
    let t: Trie = words.iter().collect();
    let mut s = t.clone();
    s.shrink_to_fit();
    // Growth by an eighth: the slack is at most about 12.5 % of what is used, plus the
    // minimum step of small buckets.
    assert!(
        t.heap_bytes() * 100 <= s.heap_bytes() * 120,
        "{} vs {}",
        t.heap_bytes(),
        s.heap_bytes()
    );
    let mut c = t.clone();
    c.compact();
    assert_eq!(c, t);
}
