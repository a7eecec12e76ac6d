//! Uses every hpds family as a downstream crate would: build, query, serialize, merge.
//! CI runs it with default features and with `--features serde`.

use std::error::Error;

use hpds::bloom::{BloomFilter, ScalableBloomFilter};
use hpds::kmv::Kmv;
use hpds::loglog::{HyperLogLog, HyperLogLogPlusPlus};
use hpds::morris::MorrisCounter;
use hpds::openhash::{CompactDict, OpenMap, OpenSet};
use hpds::trie::{Trie, WordSet};
use hpds::vec::{CPythonList, GrowVec};
use hpds::{ByteCodec, DistinctCounter, HeapSize};

const TEXT: &str = "it was the best of times it was the worst of times it was the age of \
                    wisdom it was the age of foolishness it was the epoch of belief";

fn main() -> Result<(), Box<dyn Error>> {
    let words: Vec<&str> = TEXT.split_whitespace().collect();
    let distinct = {
        let mut w = words.clone();
        w.sort_unstable();
        w.dedup();
        w.len()
    };

    // Hash tables: word counts, insertion order.
    let mut counts: OpenMap<String, u32> = OpenMap::new();
    for w in &words {
        *counts.entry((*w).to_owned()).or_insert(0) += 1;
    }
    assert_eq!(counts.get("was"), Some(&5));
    let set: OpenSet<&str> = words.iter().copied().collect();
    assert_eq!(set.len(), distinct);
    let ordered: CompactDict<&str, usize> = words.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    assert_eq!(ordered.get_index(0).map(|(k, _)| *k), Some("it"));

    // A vector that grows like a Python list.
    let mut v: GrowVec<u64, CPythonList> = GrowVec::new();
    v.extend(0..1000);
    assert_eq!(v.len(), 1000);
    assert!(v.capacity() < 1000 + 1000 / 8 + 16, "CPython over-allocates about 1/8");

    // Tries and the DAWG.
    let trie: Trie = words.iter().collect();
    assert_eq!(trie.len(), distinct);
    let dawg: WordSet = words.iter().collect();
    assert!(dawg.contains("wisdom") && !dawg.contains("folly"));
    let dawg = WordSet::from_bytes(&dawg.to_bytes())?;
    assert_eq!(dawg.len(), distinct);

    // Counting.
    let mut morris = MorrisCounter::with_seed(1.1, 7)?;
    morris.increment_by(1_000_000);
    let mut other = MorrisCounter::with_seed(1.1, 8)?;
    other.increment_by(1_000_000);
    morris.merge(&other)?;
    assert!((morris.estimate() / 2e6 - 1.0).abs() < 0.5);

    // Distinct counting: two shards, serialized, merged.
    let mut a = HyperLogLogPlusPlus::new(14)?;
    let mut b = HyperLogLogPlusPlus::new(14)?;
    let mut ka = Kmv::new(1024)?;
    let mut kb = Kmv::new(1024)?;
    for i in 0..40_000u64 {
        a.insert(&i);
        ka.insert(&i);
        b.insert(&(i + 20_000));
        kb.insert(&(i + 20_000));
    }
    // One item, one hash: the same bytes count once whatever their Rust type.
    let mut same = HyperLogLogPlusPlus::with_seed(12, 42)?;
    same.insert("abc");
    same.insert(&b"abc"[..]);
    same.insert(&String::from("abc"));
    same.insert(&b"abc".to_vec());
    assert_eq!(same.estimate().round(), 1.0);
    let mut seeded = Kmv::with_seed(256, 42)?;
    seeded.insert("abc");
    assert!(seeded.merge(&Kmv::new(256)?).is_err(), "seeds differ");
    let mut merged = HyperLogLogPlusPlus::from_bytes(&b.to_bytes())?;
    merged.merge(&a)?;
    assert!((merged.estimate() / 60_000.0 - 1.0).abs() < 0.05);
    let mut kmerged = Kmv::from_bytes(&kb.to_bytes())?;
    kmerged.merge(&ka)?;
    assert!((kmerged.estimate() / 60_000.0 - 1.0).abs() < 0.15);
    let mut hll: HyperLogLog = words.iter().collect();
    hll.merge(&HyperLogLog::from_bytes(&hll.to_bytes())?)?;
    assert!((hll.estimate() - distinct as f64).abs() <= 2.0);
    assert!(HyperLogLogPlusPlus::from_bytes(b"garbage").is_err());

    // Membership.
    let mut bloom = BloomFilter::new(10_000, 0.01)?;
    bloom.extend(words.iter());
    assert!(words.iter().all(|w| bloom.contains(w)));
    let bloom = BloomFilter::from_bytes(&bloom.to_bytes())?;
    assert!(bloom.contains(&"epoch"));
    assert!(bloom.contains(&b"epoch"[..]), "the same bytes as a byte slice");
    let mut seeded_bloom = BloomFilter::with_seed(1_000, 0.01, 7)?;
    seeded_bloom.insert(&String::from("epoch"));
    assert!(seeded_bloom.contains("epoch"));
    let mut scalable = ScalableBloomFilter::new(16, 0.01)?;
    for i in 0..10_000u64 {
        scalable.insert(&i);
    }
    assert!((0..10_000u64).all(|i| scalable.contains(&i)));
    println!(
        "sketch bytes: hll++ {}, kmv {}, bloom {}",
        merged.heap_bytes(),
        kmerged.heap_bytes(),
        bloom.heap_bytes()
    );

    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&merged)?;
        let back: HyperLogLogPlusPlus = serde_json::from_str(&json)?;
        assert_eq!(back.estimate(), merged.estimate());
        let json = serde_json::to_string(&kmerged)?;
        let back: Kmv = serde_json::from_str(&json)?;
        assert_eq!(back.estimate(), kmerged.estimate());
        let json = serde_json::to_string(&bloom)?;
        let back: BloomFilter = serde_json::from_str(&json)?;
        assert!(back.contains(&"epoch"));
        let json = serde_json::to_string(&v)?;
        let back: GrowVec<u64, CPythonList> = serde_json::from_str(&json)?;
        assert_eq!(back.len(), 1000);
        let json = serde_json::to_string(&counts)?;
        let back: OpenMap<String, u32> = serde_json::from_str(&json)?;
        assert_eq!(back.get("was"), Some(&5));
        println!("serde round trips ok");
    }
    println!("downstream ok: every family built, queried, serialized and merged");
    Ok(())
}
