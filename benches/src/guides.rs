//! The guides in `docs/` as doctests: every `rust` block of every guide compiles and runs with
//! `cargo test -p hpds-benches --doc`, so the manuals cannot drift from the API.

macro_rules! guide {
    ($name:ident, $file:literal) => {
        #[doc = include_str!(concat!("../../docs/", $file))]
        pub struct $name;
    };
}

guide!(Index, "index.md");
guide!(Core, "core.md");
guide!(OpenHash, "openhash.md");
guide!(Vec, "vec.md");
guide!(Trie, "trie.md");
guide!(Morris, "morris.md");
guide!(Kmv, "kmv.md");
guide!(Bloom, "bloom.md");
guide!(LogLog, "loglog.md");
