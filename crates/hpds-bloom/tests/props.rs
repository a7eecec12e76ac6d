//! Properties: no false negatives for every variant, union and intersection laws, counting
//! filter against a multiset model, decoders on arbitrary bytes.

use std::collections::HashMap;
use std::time::Duration;

use hpds_bloom::{
    AtomicBloomFilter, BlockedBloomFilter, BloomFilter, CountingBloomFilter, ManualClock,
    ScalableBloomFilter, ScalingTimingBloomFilter, TimingBloomFilter,
};
use hpds_core::ByteCodec;
use proptest::prelude::*;

fn keys() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(any::<u64>(), 0..400)
}

/// The batched operations (`insert_many`, `contains_many`, `count_contained`) against the
/// one-at-a-time ones as the model: same filter, same answers, same "was it new" count, with
/// repeats inside and across the 32-item groups and filters small enough that false positives
/// happen.
macro_rules! batched_model {
    ($new:expr, $items:expr, $queries:expr) => {{
        let (items, queries) = (&$items, &$queries);
        let mut one = $new;
        let new_one = items.iter().filter(|i| !one.insert(*i)).count();
        let mut many = $new;
        prop_assert_eq!(many.insert_many(items), new_one);
        prop_assert!(many == one);
        let expected: Vec<bool> = queries.iter().map(|q| one.contains(q)).collect();
        let mut found = vec![true; 3]; // stale contents must be cleared
        many.contains_many(queries, &mut found);
        prop_assert_eq!(&found, &expected);
        prop_assert_eq!(
            many.count_contained(queries),
            expected.iter().filter(|&&b| b).count()
        );
    }};
}

proptest! {
    #[test]
    fn classic_has_no_false_negatives(items in keys(), words in prop::collection::vec("[a-z]{0,12}", 0..50)) {
        let mut f = BloomFilter::new(100, 0.01).unwrap();
        for i in &items { f.insert(i); }
        for w in &words { f.insert(w.as_str()); }
        prop_assert!(items.iter().all(|i| f.contains(i)));
        prop_assert!(words.iter().all(|w| f.contains(w.as_str())));
        // Pre-hashed path too.
        let mut g = BloomFilter::new(100, 0.01).unwrap();
        for &i in &items { g.insert_hash(i); }
        prop_assert!(items.iter().all(|&i| g.contains_hash(i)));
    }

    #[test]
    fn insert_reports_presence(items in keys()) {
        let mut f = BloomFilter::new(1000, 0.01).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in &items {
            let was = f.insert(i);
            // No false negatives: a repeat is always reported present.
            if !seen.insert(*i) { prop_assert!(was); }
        }
    }

    #[test]
    fn blocked_has_no_false_negatives(items in keys(), rounds in 1u32..=8) {
        let mut f = BlockedBloomFilter::with_blocks(3, 8 * rounds).unwrap();
        for i in &items { f.insert(i); }
        prop_assert!(items.iter().all(|i| f.contains(i)));
    }

    #[test]
    fn blocked_batched_equals_one_at_a_time(
        items in prop::collection::vec(0u64..300, 0..200),
        queries in prop::collection::vec(0u64..600, 0..200),
        blocks in 1u64..6,
        rounds in 1u32..=3,
    ) {
        batched_model!(BlockedBloomFilter::with_blocks(blocks, 8 * rounds).unwrap(), items, queries);
    }

    #[test]
    fn classic_batched_equals_one_at_a_time(
        items in prop::collection::vec(0u64..300, 0..200),
        queries in prop::collection::vec(0u64..600, 0..200),
        bits in 1u64..2000,
        k in 1u32..20,
    ) {
        batched_model!(BloomFilter::with_bits(bits, k).unwrap(), items, queries);
    }

    /// Growth (and, with a small memory limit, the lossy insert past it) happens inside the
    /// batch, between an item's prefetch and its insert.
    #[test]
    fn scalable_batched_equals_one_at_a_time(
        items in prop::collection::vec(0u64..300, 0..200),
        queries in prop::collection::vec(0u64..600, 0..200),
        initial in 1u64..8,
        growth in prop::sample::select(vec![2u32, 4]),
        limit in prop::option::of(64usize..600),
    ) {
        let build = || {
            let mut c = ScalableBloomFilter::builder(initial, 0.05).growth(growth);
            if let Some(l) = limit {
                c = c.memory_limit(l);
            }
            c.build().unwrap()
        };
        batched_model!(build(), items, queries);
    }

    #[test]
    fn scalable_has_no_false_negatives(items in keys()) {
        let mut f = ScalableBloomFilter::builder(4, 0.01).growth(2).build().unwrap();
        for i in &items { f.insert(i); }
        prop_assert!(items.iter().all(|i| f.contains(i)));
    }

    #[test]
    fn atomic_has_no_false_negatives(items in keys()) {
        let f = AtomicBloomFilter::new(100, 0.01).unwrap();
        for i in &items { f.insert(i); }
        prop_assert!(items.iter().all(|i| f.contains(i)));
    }

    /// Model: a multiset of inserted items; remove only what is in it.
    #[test]
    fn counting_matches_a_multiset_model(ops in prop::collection::vec((any::<bool>(), 0u64..60), 0..400)) {
        let mut f = CountingBloomFilter::new(30, 0.01).unwrap();
        let mut model: HashMap<u64, u32> = HashMap::new();
        for (insert, item) in ops {
            if insert {
                f.insert(&item);
                *model.entry(item).or_default() += 1;
            } else if let Some(c) = model.get_mut(&item) {
                prop_assert!(f.remove(&item));
                *c -= 1;
                if *c == 0 { model.remove(&item); }
            }
            for item in model.keys() {
                prop_assert!(f.contains(item));
            }
        }
    }

    #[test]
    fn timing_has_no_false_negatives_in_the_window(steps in prop::collection::vec((0u64..3000, any::<u32>()), 1..200)) {
        let clock = ManualClock::new();
        let mut f = TimingBloomFilter::with_clock(200, 0.01, Duration::from_secs(8), clock.clone()).unwrap();
        let mut last: HashMap<u32, Duration> = HashMap::new();
        for (advance_ms, item) in steps {
            clock.advance(Duration::from_millis(advance_ms));
            let item = item % 50;
            f.insert(&item);
            last.insert(item, clock.now_for_tests());
            let now = clock.now_for_tests();
            for (i, t) in &last {
                if now.saturating_sub(*t) < Duration::from_secs(8) {
                    prop_assert!(f.contains(i), "item {} inserted {:?} ago", i, now.saturating_sub(*t));
                }
            }
        }
    }

    #[test]
    fn scaling_timing_has_no_false_negatives_in_the_window(steps in prop::collection::vec((0u64..400, any::<u32>()), 1..300)) {
        let clock = ManualClock::new();
        let mut f = ScalingTimingBloomFilter::with_clock(8, 0.01, Duration::from_secs(4), clock.clone()).unwrap();
        let mut last: HashMap<u32, Duration> = HashMap::new();
        for (advance_ms, item) in steps {
            clock.advance(Duration::from_millis(advance_ms));
            f.insert(&item);
            let now = clock.now_for_tests();
            last.insert(item, now);
            for (i, t) in &last {
                if now.saturating_sub(*t) < Duration::from_secs(4) {
                    prop_assert!(f.contains(i));
                }
            }
        }
    }

    /// Union is the filter of the concatenated streams (bit for bit), and commutative.
    #[test]
    fn union_equals_building_from_both(a in keys(), b in keys()) {
        let build = |items: &[u64]| {
            let mut f = BloomFilter::new(300, 0.01).unwrap();
            for i in items { f.insert(i); }
            f
        };
        let (fa, fb) = (build(&a), build(&b));
        let mut ab = fa.clone();
        ab.union(&fb).unwrap();
        let mut ba = fb.clone();
        ba.union(&fa).unwrap();
        let both: Vec<u64> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(&ab, &build(&both));
        prop_assert_eq!(&ab, &ba);
        // The empty filter is the identity; union is idempotent.
        let mut same = fa.clone();
        same.union(&build(&[])).unwrap();
        prop_assert_eq!(&same, &fa);
        same.union(&fa).unwrap();
        prop_assert_eq!(&same, &fa);
    }

    /// Intersection keeps every item of both and is a subset of each.
    #[test]
    fn intersection_keeps_common_items(a in keys(), b in keys(), common in keys()) {
        let mut fa = BlockedBloomFilter::new(300, 0.01).unwrap();
        let mut fb = BlockedBloomFilter::new(300, 0.01).unwrap();
        fa.extend(a.iter().chain(&common));
        fb.extend(b.iter().chain(&common));
        let mut i = fa.clone();
        i.intersect(&fb).unwrap();
        prop_assert!(common.iter().all(|c| i.contains(c)));
        prop_assert!(i.count_ones() <= fa.count_ones().min(fb.count_ones()));
        let mut u = fa.clone();
        u.union(&fb).unwrap();
        prop_assert!(a.iter().chain(&b).all(|x| u.contains(x)));

        let mut ca = BloomFilter::new(300, 0.01).unwrap();
        let mut cb = BloomFilter::new(300, 0.01).unwrap();
        ca.extend(a.iter().chain(&common));
        cb.extend(b.iter().chain(&common));
        ca.intersect(&cb).unwrap();
        prop_assert!(common.iter().all(|c| ca.contains(c)));
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = BloomFilter::from_bytes(&bytes);
        let _ = BlockedBloomFilter::from_bytes(&bytes);
        let _ = ScalableBloomFilter::from_bytes(&bytes);
        let _ = CountingBloomFilter::from_bytes(&bytes);
    }

    /// Valid frames around arbitrary payloads reach the field checks.
    #[test]
    fn decoders_reject_bad_payloads(payload in prop::collection::vec(any::<u8>(), 0..300)) {
        for (tag, version) in [
            (BloomFilter::TAG, BloomFilter::VERSION),
            (BlockedBloomFilter::TAG, BlockedBloomFilter::VERSION),
            (ScalableBloomFilter::TAG, ScalableBloomFilter::VERSION),
            (CountingBloomFilter::TAG, CountingBloomFilter::VERSION),
        ] {
            let mut enc = hpds_core::codec::Encoder::new(tag, version);
            enc.put_raw(&payload);
            let bytes = enc.finish();
            let _ = BloomFilter::from_bytes(&bytes);
            let _ = BlockedBloomFilter::from_bytes(&bytes);
            let _ = ScalableBloomFilter::from_bytes(&bytes);
            let _ = CountingBloomFilter::from_bytes(&bytes);
        }
    }

    #[test]
    fn codecs_round_trip(items in keys()) {
        let mut a = BloomFilter::with_seed(100, 0.01, 9).unwrap();
        let mut b = BlockedBloomFilter::new(100, 0.01).unwrap();
        let mut c = ScalableBloomFilter::new(10, 0.01).unwrap();
        let mut d = CountingBloomFilter::new(100, 0.01).unwrap();
        for i in &items { a.insert(i); b.insert(i); c.insert(i); d.insert(i); }
        prop_assert_eq!(BloomFilter::from_bytes(&a.to_bytes()).unwrap(), a);
        prop_assert_eq!(BlockedBloomFilter::from_bytes(&b.to_bytes()).unwrap(), b);
        prop_assert_eq!(ScalableBloomFilter::from_bytes(&c.to_bytes()).unwrap(), c);
        prop_assert_eq!(CountingBloomFilter::from_bytes(&d.to_bytes()).unwrap(), d);
    }
}

/// `ManualClock::now` through the trait, without importing it in every closure.
trait NowForTests {
    fn now_for_tests(&self) -> Duration;
}

impl NowForTests for ManualClock {
    fn now_for_tests(&self) -> Duration {
        hpds_bloom::Clock::now(self)
    }
}
