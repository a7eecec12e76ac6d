//! Memory bounded by the request, measured by hpds-testkit's counting allocator: decoders
//! allocate a small multiple of their input, and `fuzzy` refuses a query whose automaton would
//! be too large before it allocates anything.

use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_trie::{WordMap, WordSet};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// The counters are process-wide: one measurement at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// What a decoder may hold at its peak: a copy of the input, its bookkeeping (16 bytes per
/// node, at most one node per input byte), and a small constant.
fn decode_bound(input: usize) -> isize {
    (24 * input + 4096) as isize
}

fn inputs() -> Vec<Vec<u8>> {
    let set: WordSet = ["cat", "cats", "dog", "zebra"].into_iter().collect();
    let map = WordMap::from_sorted_iter([("a", 1u64), ("ab", 2), ("b", 300)]).unwrap();
    let big: WordMap =
        WordMap::from_sorted_iter((0..2000u64).map(|i| (format!("{i:06}"), i))).unwrap();
    let mut out = vec![
        set.to_bytes(),
        map.to_bytes(),
        big.to_bytes(),
        vec![],
        vec![3; 89],
    ];
    // Every single-byte corruption of the small map.
    let m = map.to_bytes();
    for i in 0..m.len() {
        for flip in [1u8, 0x80, 0xff] {
            let mut c = m.clone();
            c[i] ^= flip;
            out.push(c);
        }
    }
    // Seeded noise of several lengths with a valid version header.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for len in [20, 36, 37, 64, 89, 200, 1000] {
        let mut v: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        if len >= 8 {
            v[..8].copy_from_slice(&3u64.to_le_bytes());
        }
        out.push(v);
    }
    out
}

#[test]
fn decoders_allocate_a_small_multiple_of_their_input() {
    let _one = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for input in inputs() {
        let (_, map) = measure(|| WordMap::from_bytes(&input));
        let (_, set) = measure(|| WordSet::from_bytes(&input));
        let bound = decode_bound(input.len());
        assert!(
            map.peak <= bound && set.peak <= bound,
            "{} input bytes: WordMap peak {} B, WordSet peak {} B, bound {bound} B",
            input.len(),
            map.peak,
            set.peak
        );
    }
}

#[test]
fn fuzzy_refuses_large_automata_before_allocating_much() {
    let _one = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let set: WordSet = ["abcdefghijklmnop", "abcdefghijklmnoq"]
        .into_iter()
        .collect();
    let (result, delta) = measure(|| set.fuzzy("abcdefghijklmnop", 10).map(Iterator::count));
    assert!(result.is_err());
    assert!(delta.peak <= 4096, "refusal peaked at {} B", delta.peak);
    // The practical range still works.
    for (d, expected) in [(0, 1), (1, 2), (2, 2)] {
        let (found, delta) = measure(|| set.fuzzy("abcdefghijklmnop", d).unwrap().count());
        assert_eq!(found, expected, "distance {d}");
        // 3,031 states at distance 2, 6.5 KiB each while fst builds them.
        assert!(
            delta.peak <= 32 << 20,
            "distance {d} peaked at {} B",
            delta.peak
        );
    }
    let long = "abcdefghijklmnopqrstuvwxyz0123";
    assert!(
        set.fuzzy(long, 2).is_ok(),
        "distance 2 on a 30-character query"
    );
}
