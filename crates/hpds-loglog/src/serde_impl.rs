//! serde through the byte codec (hpds-core's convention), so a deserialized sketch is validated
//! exactly like one from `from_bytes`.

#[cfg(feature = "serde")]
macro_rules! impl_serde {
    ($name:ident) => {
        hpds_core::impl_serde_via_codec!($name);
    };
}

#[cfg(not(feature = "serde"))]
macro_rules! impl_serde {
    ($name:ident) => {};
}

pub(crate) use impl_serde;
