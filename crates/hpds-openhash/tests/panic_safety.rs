//! A panicking `Hash`, `Eq`, `Clone` or `Drop` must not cause UB or double drops (Miri runs
//! these too). Every key counts its live instances; after each panic the map must still be
//! usable, and at the end every instance must be dropped exactly once.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};

use hpds_openhash::OpenMap;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PANIC_HASH: Cell<bool> = const { Cell::new(false) };
    static PANIC_EQ: Cell<bool> = const { Cell::new(false) };
    static PANIC_CLONE_AT: Cell<u64> = const { Cell::new(u64::MAX) };
    static PANIC_DROP_AT: Cell<u64> = const { Cell::new(u64::MAX) };
}

#[derive(Debug)]
struct Key(u64, bool);

impl Key {
    fn new(k: u64) -> Self {
        LIVE.with(|l| l.set(l.get() + 1));
        Key(k, true)
    }

    /// A lookup key, not counted.
    fn probe(k: u64) -> Self {
        Key(k, false)
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        if self.1 {
            LIVE.with(|l| l.set(l.get() - 1));
        }
        if PANIC_DROP_AT.with(Cell::get) == self.0 {
            PANIC_DROP_AT.with(|p| p.set(u64::MAX));
            panic!("drop panics");
        }
    }
}

impl Clone for Key {
    fn clone(&self) -> Self {
        assert!(PANIC_CLONE_AT.with(Cell::get) != self.0, "clone panics");
        Key::new(self.0)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        assert!(!PANIC_HASH.with(Cell::get), "hash panics");
        self.0.hash(h);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        assert!(!PANIC_EQ.with(Cell::get), "eq panics");
        self.0 == other.0
    }
}
impl Eq for Key {}

fn live() -> i64 {
    LIVE.with(Cell::get)
}

fn quiet<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    catch_unwind(AssertUnwindSafe(f))
}

fn check(m: &OpenMap<Key, u64>) {
    for (k, v) in m {
        assert_eq!(k.0, *v);
        PANIC_EQ.with(|p| p.set(false));
        assert_eq!(m.get(&Key::probe(k.0)).copied(), Some(k.0));
    }
}

#[test]
fn panics_leave_no_double_drop() {
    let n = if cfg!(miri) { 40 } else { 2000 };
    {
        let mut m: OpenMap<Key, u64> = OpenMap::new();
        for k in 0..n {
            m.insert(Key::new(k), k);
        }
        // Hash panics during a resize: the map is unchanged.
        let before = m.len();
        PANIC_HASH.with(|p| p.set(true));
        assert!(quiet(|| m.reserve(10 * n as usize)).is_err());
        PANIC_HASH.with(|p| p.set(false));
        assert_eq!(m.len(), before);
        check(&m);

        // Eq panics in a lookup: nothing changes.
        PANIC_EQ.with(|p| p.set(true));
        let _ = quiet(|| m.insert(Key::new(3), 3));
        PANIC_EQ.with(|p| p.set(false));
        assert_eq!(m.len(), before);

        // Clone panics halfway: the partial clone drops exactly what it made.
        let live_before = live();
        PANIC_CLONE_AT.with(|p| p.set(n / 2));
        assert!(quiet(|| m.clone()).is_err());
        PANIC_CLONE_AT.with(|p| p.set(u64::MAX));
        assert_eq!(live(), live_before);

        // Drop panics during remove, retain and clear: the map stays consistent.
        PANIC_DROP_AT.with(|p| p.set(7));
        assert!(quiet(|| m.remove(&Key::probe(7))).is_err());
        assert_eq!(m.len(), before - 1);
        PANIC_DROP_AT.with(|p| p.set(9));
        assert!(quiet(|| m.retain(|k, _| k.0 % 2 == 0)).is_err());
        check(&m);
        PANIC_DROP_AT.with(|p| p.set(10));
        assert!(quiet(|| m.clear()).is_err());
        check(&m);
        m.clear();
        assert!(m.is_empty());
        for k in 0..n {
            m.insert(Key::new(k), k);
        }
        // A drain dropped early, with a panicking drop inside.
        PANIC_DROP_AT.with(|p| p.set(12));
        let _ = quiet(|| {
            let mut d = m.drain();
            d.next();
        });
        check(&m);
        // A leaked drain leaves a consistent (possibly shorter) map.
        let mut d = m.drain();
        d.next();
        std::mem::forget(d);
        check(&m);
        let len = m.len();
        assert_eq!(m.iter().count(), len);
    }
    // Each `Key::new` was matched by one drop, except the ones whose drop panicked (counted
    // before the panic) — so exactly zero are live.
    assert_eq!(live(), 0);
}
