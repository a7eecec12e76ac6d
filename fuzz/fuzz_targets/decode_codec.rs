//! The core codec reader never panics on arbitrary bytes, framed or raw.
#![no_main]

use hpds_core::codec::{Decoder, Encoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Raw bytes, and the same bytes behind a valid frame so the field readers are reached.
    let mut enc = Encoder::new(*b"FUZZ", 1);
    enc.put_raw(data);
    let framed = enc.finish();
    for bytes in [data, &framed[..]] {
        if let Ok((mut d, _)) = Decoder::open(bytes, *b"FUZZ", 1) {
            while d.remaining() > 0 {
                let ok = match d.u8() {
                    Ok(0) => d.varint().is_ok(),
                    Ok(1) => d.u64_vec().is_ok(),
                    Ok(2) => d.bytes().is_ok(),
                    Ok(_) => d.f64().is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    break;
                }
            }
        }
    }
});
