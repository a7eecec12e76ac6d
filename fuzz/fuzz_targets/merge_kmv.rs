//! KMV merges of decoded sketches never panic, fail or succeed the same way in either order,
//! give the same sketch in either order, are idempotent, and re-encode to bytes that decode.
#![no_main]

use arbitrary::Arbitrary;
use hpds_core::ByteCodec;
use hpds_kmv::Kmv;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Side {
    k: u16,
    bytes: Vec<u8>,
    hashes: Vec<u64>,
}

/// The decoded sketch when the bytes are an encoding, else a fresh one; then the hashes.
fn sketch(side: &Side) -> Option<Kmv> {
    let mut s = Kmv::from_bytes(&side.bytes)
        .or_else(|_| Kmv::new(usize::from(side.k % 512)))
        .ok()?;
    for &h in &side.hashes {
        s.insert_hash(h);
    }
    Some(s)
}

fuzz_target!(|input: (Side, Side)| {
    let (Some(a), Some(b)) = (sketch(&input.0), sketch(&input.1)) else {
        return;
    };
    let (mut ab, mut ba) = (a.clone(), b.clone());
    let (r1, r2) = (ab.merge(&b), ba.merge(&a));
    assert_eq!(r1.is_ok(), r2.is_ok(), "merge succeeds in one order only");
    if r1.is_ok() {
        // Kmv keeps up to about 2k hashes and estimates from the k smallest, so the two orders
        // may retain different tails; what they answer must agree.
        assert_eq!(ab.estimate(), ba.estimate(), "merge is commutative");
        assert_eq!(
            Kmv::from_bytes(&ab.to_bytes()).expect("merged re-decodes"),
            ab
        );
    }
    let mut aa = a.clone();
    aa.merge(&a).expect("a sketch merges with itself");
    assert_eq!(aa, a, "merge is idempotent");
});
