//! Golden bytes: the encodings are fixed by these vectors, so a format change is deliberate
//! (bump the version). Version 1 hashed strings through `Hash` rather than their bytes, so its
//! encodings are refused as retired.

use std::time::Duration;

use hpds_bloom::{
    AtomicBloomFilter, BinaryFuse8, BinaryFuse16, BlockedBloomFilter, BloomFilter,
    CountingBloomFilter, ExpandableFilter, ManualClock, ScalableBloomFilter,
    ScalingTimingBloomFilter, TimingBloomFilter,
};
use hpds_core::{ByteCodec, DecodeError, ErrorKind};

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `golden`: the encoding in the compact hpds frame (what `to_bytes` writes); `retired`: a
/// version-1 encoding (in the legacy 26-byte frame), which must be refused with the oldest
/// readable version.
fn check<T: ByteCodec + PartialEq + std::fmt::Debug>(value: &T, golden: &str, retired: &str) {
    let bytes = value.to_bytes();
    assert_eq!(hex(&bytes), golden, "encoding changed");
    assert_eq!(&T::from_bytes(&unhex(golden)).unwrap(), value);
    let err = T::from_bytes(&unhex(retired)).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Decode(DecodeError::RetiredVersion { oldest: 2, got: 1 })
        ),
        "{err}"
    );
}

const WORDS: [&str; 3] = ["apple", "banana", "cherry"];

#[test]
fn classic() {
    let mut f = BloomFilter::with_bits(100, 3).unwrap();
    f.extend(WORDS);
    check(&f, GOLDEN_CLASSIC, RETIRED_CLASSIC);
}

/// An encoding in a version this build no longer reads is refused with the oldest readable
/// version, never decoded into a wrong filter.
fn check_retired<T: ByteCodec + std::fmt::Debug>(old: &str, got: u16) {
    let err = T::from_bytes(&unhex(old)).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Decode(DecodeError::RetiredVersion { oldest: 3, got: g }) if *g == got
        ),
        "{err}"
    );
}

/// A format this build writes and reads.
fn check_current<T: ByteCodec + PartialEq + std::fmt::Debug>(value: &T, golden: &str) {
    assert_eq!(hex(&value.to_bytes()), golden, "encoding changed");
    assert_eq!(&T::from_bytes(&unhex(golden)).unwrap(), value);
}

/// Version 3: split blocks. Two blocks with one round (8 bits per item), and one block with
/// two rounds (16 bits per item), which fixes the second round's multiplier. Versions 1 and 2
/// (512-bit blocks) are refused.
#[test]
fn blocked() {
    let mut f = BlockedBloomFilter::with_blocks(2, 8).unwrap();
    f.extend(WORDS);
    check_current(&f, GOLDEN_BLOCKED);
    let mut g = BlockedBloomFilter::with_blocks(1, 16).unwrap();
    g.extend(WORDS);
    check_current(&g, GOLDEN_BLOCKED_ROUNDS);
    check_retired::<BlockedBloomFilter>(RETIRED_BLOCKED, 1);
    check_retired::<BlockedBloomFilter>(RETIRED_BLOCKED_V2, 2);
}

#[test]
fn counting() {
    let mut f = CountingBloomFilter::with_cells(20, 3).unwrap();
    f.extend(WORDS);
    f.insert("apple");
    check(&f, GOLDEN_COUNTING, RETIRED_COUNTING);
}

/// Version 3: split-block sub-filters. Versions 1 and 2 (classic sub-filters) are refused.
#[test]
fn scalable() {
    // Growth and tightening are stored per filter: bytes written with other settings than
    // today's defaults (growth 2, tightening 0.9 here) still decode to the same filter.
    let mut f = ScalableBloomFilter::builder(2, 0.1)
        .growth(2)
        .tightening(0.9)
        .build()
        .unwrap();
    f.extend(WORDS);
    check_current(&f, GOLDEN_SCALABLE);
    check_retired::<ScalableBloomFilter>(RETIRED_SCALABLE, 1);
    check_retired::<ScalableBloomFilter>(RETIRED_SCALABLE_V2, 2);
}

const RETIRED_CLASSIC: &str = "48504453424c4d4601002c000000000000006400000000000000030000006565732d73647068020000000000000024800000a00000001900000000000000f3a1655568c81c41";
const RETIRED_BLOCKED: &str = "48504453424c4d4201005400000000000000030000006565732d736470680800000000000000000000000000000000000020000000002000000000000000020000000000080004000000000000400000000000000100000001000000000000000002000000007f1d97eeb6c0efb7";
const RETIRED_COUNTING: &str = "48504453424c4d4301002c000000000000001400000000000000030000006565732d73647068020000000000000012100040000031000000000000000000e92481e12de851e2";
const RETIRED_SCALABLE: &str = "48504453424c4d5301009c0000000000000002000000000000009a9999999999b93f02000000cdccccccccccec3fffffffffffffffff6565732d736470680200000000000000020000000000000002000000000000001400000000000000070000006565732d7364706801000000000000008bf1040000000000040000000000000001000000000000002800000000000000070000006565732d7364706801000000000000000550000a40000000ab9040d391c86f7f";

const GOLDEN_CLASSIC: &str = "687008022c6400000000000000030000006565732d736470680200000000000000880408400000008000084080000000008c941847";
const RETIRED_BLOCKED_V2: &str = "6870090254030000006565732d7364706808000000000000000080000080000000000000100000080000000000000000000000028000000008000000000000000000000000000000000000000000000000000000100000000122b4e112";
const GOLDEN_COUNTING: &str = "68700a022c1400000000000000030000006565732d73647068020000000000000011110001000002202010000000000000335bbd57";
const RETIRED_SCALABLE_V2: &str = "68700b029c0102000000000000009a9999999999b93f02000000cdccccccccccec3fffffffffffffffff6565732d736470680200000000000000020000000000000002000000000000001400000000000000070000006565732d7364706801000000000000006a95020000000000040000000000000001000000000000002800000000000000070000006565732d73647068010000000000000012000024490000005cd8823e";

/// The classic filter with many positions per item (the vectors above use `k = 3`, which never
/// reaches the `y += i` step of enhanced double hashing past `i = 0`): 20 items, `k = 16`, in
/// 1000 bits.
#[test]
fn classic_many_positions() {
    let mut f = BloomFilter::with_bits(1000, 16).unwrap();
    f.extend(0..20u64);
    let hex = hex(&f.to_bytes());
    assert_eq!(hex, GOLDEN_CLASSIC_K16, "positions changed");
}

/// `insert_u64` sets the bits it always has (its hash is part of what a saved filter means),
/// and depends on the seed, also for keys `0..2^j`, which `key ^ seed` only permutes.
#[test]
fn classic_u64_keys() {
    let mut f = BloomFilter::with_bits(1000, 16).unwrap();
    for key in 0..20u64 {
        f.insert_u64(key);
    }
    assert_eq!(hex(&f.to_bytes()), GOLDEN_CLASSIC_U64, "positions changed");
    let mut g = BloomFilter::with_seed(1000, 0.01, 1).unwrap();
    let mut h = BloomFilter::with_seed(1000, 0.01, 2).unwrap();
    for key in 0..16u64 {
        g.insert_u64(key);
        h.insert_u64(key);
    }
    assert_ne!(g.as_bitslice(), h.as_bitslice());
}

const GOLDEN_CLASSIC_U64: &str = "687008029c01e803000000000000100000006565732d736470681000000000000000101d08105f201c8084024030304c02121890502401c216058d2284095111b04b7100988080096524020055838092104a00e54144120a8c1834f51000268ba841c40084733008250099b1a011014025521880009050a05403622860080160a00e0808188c8119903a000ec7021300096898a610082a50626cb20980120100000004841ff5";

const GOLDEN_CLASSIC_K16: &str = "687008029c01e803000000000000100000006565732d73647068100000000000000031440a9b1a1d008320452632911503490892808110210044070882802108ca01425040c0a48146009089912a6e6c446600880d247800481084090b08495194102708302195018044ecaa445441860064092110d80819933a63c2210101548020094048126862144821540422a20049110a0054006044b4060c58ac32310000000e5814b2";

const GOLDEN_BLOCKED: &str = "6870090354080000006565732d73647068080000000000000000000008000080000004000000080000020000000200000000000008000000800000420000100008000008010004002020000002000400100004000208040000cf3bf7d2";
const GOLDEN_BLOCKED_ROUNDS: &str = "6870090334100000006565732d736470680400000000000000022042084010880800060a41000c602422840003022400502004002a0a150080903a5318";
const GOLDEN_SCALABLE: &str = "68700b03bc0102000000000000009a9999999999b93f02000000cdccccccccccec3fffffffffffffffff6565732d73647068020000000000000002000000000000000200000000000000080000006565732d736470680400000000000000000042000010000800000801000400202000000200040010000400020804000004000000000000000100000000000000080000006565732d73647068040000000000000000000008000080000004000000080000020000000200000000000008000000802231748d";

/// Version 1 of `ExpandableFilter`: two buckets of sixteen 16-bit lanes, no stash. The format
/// admits any placement of the entries: bytes with an entry in the bucket after its home while
/// the home has room (as removals could leave them) decode to the same filter, placed anew.
#[test]
fn expandable() {
    let mut f = ExpandableFilter::with_seed(2, 0.01, 1).unwrap();
    f.extend(WORDS);
    check_current(&f, GOLDEN_EXPANDABLE);

    let mut enc = hpds_core::codec::Encoder::new(*b"BLMX", 1);
    enc.put_u64(2);
    enc.put_f64(0.01);
    enc.put_u64(u64::MAX);
    enc.put_u64(1);
    enc.put_u64(3);
    enc.put_u8(16);
    enc.put_u8(1);
    // Bucket 0 holds two of the three entries; the third (home 0) is in bucket 1, flagged.
    let mut lanes = [0u16; 32];
    lanes[..2].copy_from_slice(&[0x2dcd, 0x429f]);
    lanes[16] = 0x602b | 0x8000;
    for lane in lanes {
        enc.put_u16(lane);
    }
    enc.put_u64(0);
    let stray = enc.finish();
    assert_eq!(hex(&stray), STRAY_EXPANDABLE);
    let g = ExpandableFilter::from_bytes(&stray).unwrap();
    assert_eq!(g, f);
    assert!(WORDS.iter().all(|w| g.contains(w)));
}

const GOLDEN_EXPANDABLE: &str = "687000424c4d58017202000000000000007b14ae47e17a843fffffffffffffffff010000000000000003000000000000001001cd2d9f422b60000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a69323d2";
const STRAY_EXPANDABLE: &str = "687000424c4d58017202000000000000007b14ae47e17a843fffffffffffffffff010000000000000003000000000000001001cd2d9f42000000000000000000000000000000000000000000000000000000002be0000000000000000000000000000000000000000000000000000000000000000000000000000079699fa2";

/// Formats with no legacy-frame encoding: the compact frame only.
fn check_new<T: ByteCodec + PartialEq + std::fmt::Debug>(value: &T, golden: &str) {
    let bytes = value.to_bytes();
    assert_eq!(hex(&bytes), golden, "encoding changed");
    assert_eq!(&T::from_bytes(&unhex(golden)).unwrap(), value);
}

#[test]
fn atomic_is_the_classic_format() {
    let mut f = BloomFilter::with_bits(100, 3).unwrap();
    f.extend(WORDS);
    let a = AtomicBloomFilter::from(f.clone());
    assert_eq!(hex(&a.to_bytes()), GOLDEN_CLASSIC);
    assert_eq!(
        AtomicBloomFilter::from_bytes(&unhex(GOLDEN_CLASSIC))
            .unwrap()
            .to_bloom(),
        f
    );
}

#[test]
fn binary_fuse() {
    check_new(&BinaryFuse8::new(WORDS).unwrap(), GOLDEN_FUSE8);
    check_new(&BinaryFuse16::new(WORDS).unwrap(), GOLDEN_FUSE16);
}

/// Timing filters under a manual clock (whose reading is its UNIX time): items inserted at
/// 5 s and 6 s, saved at 7 s.
#[test]
fn timing() {
    let clock = ManualClock::new();
    clock.set(Duration::from_secs(5));
    let mut f =
        TimingBloomFilter::with_clock(3, 0.1, Duration::from_secs(8), clock.clone()).unwrap();
    let mut s = ScalingTimingBloomFilter::with_clock(2, 0.1, Duration::from_secs(8), clock.clone())
        .unwrap();
    f.insert(WORDS[0]);
    s.insert(WORDS[0]);
    clock.set(Duration::from_secs(6));
    f.extend(&WORDS[1..]);
    for w in &WORDS[1..] {
        s.insert(w);
    }
    clock.set(Duration::from_secs(7));
    assert_eq!(hex(&f.to_bytes()), GOLDEN_TIMING, "encoding changed");
    assert_eq!(
        hex(&s.to_bytes()),
        GOLDEN_SCALING_TIMING,
        "encoding changed"
    );
    let g = TimingBloomFilter::from_bytes_with_clock(&unhex(GOLDEN_TIMING), clock.clone()).unwrap();
    assert!(g == f);
    let t = ScalingTimingBloomFilter::from_bytes_with_clock(&unhex(GOLDEN_SCALING_TIMING), clock)
        .unwrap();
    assert!(t == s);
}

const GOLDEN_FUSE8: &str = "6870004246463801406565732d73647068298989109de3b1ef08000000010000000300000000000000180000000000000000bd0000000000000000000000000000fb0000003f00000008b6b777";
const GOLDEN_FUSE16: &str = "6870004246313601586565732d73647068298989109de3b1ef0800000001000000030000000000000018000000000000000000bd9c00000000000000000000000000000000000000000000000000000000fb830000000000003f4b000000000000c1d2654c";
const GOLDEN_TIMING: &str = "687000424c4d5401a50100863ba10100000000863ba10100000003000000000000009a9999999999b93f00ca9a3b000000000f00000000000000030000006565732d7364706800bca0650100000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000002000000000000000000000000000000000000000000000001060000000000000001000000000000007707070060600607e89ba227";
const GOLDEN_SCALING_TIMING: &str = "687000424c5453018a0300863ba10100000000863ba10100000002000000000000009a9999999999b93fcdccccccccccec3f02000000000000000050d6dc010000006565732d73647068020000000000000002000000000000007a14ae47e17a843f00ca9a3b000000001400000000000000070000006565732d7364706800bca0650100000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000001000000000000000000000000000000000000000000000001060000000000000002000000000000007070600707070770600000000000000004000000000000003bdf4f8d976e823f00ca9a3b000000002800000000000000070000006565732d7364706800bca065010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000106000000000000000300000000000000700007000000000000000000000770000770000700000000d233c465";
