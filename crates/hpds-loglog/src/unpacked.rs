//! A dense HyperLogLog++'s registers one byte each, for bulk inserts.

use alloc::vec::Vec;

use hpds_core::{HeapSize, Item};

use crate::registers::index_rank_pow;

/// The registers of a dense [`HyperLogLogPlusPlus`](crate::HyperLogLogPlusPlus), unpacked to
/// one byte each (`2^p` bytes: 16 KiB at p = 14, where the sketch packs them into 12 KiB).
///
/// An insert into byte registers is a load, a maximum and a store with no branch on the
/// data; the sketch's 6-bit registers take a read-modify-write of a shared word and a
/// branch on whether the register changed. So when many items go into one dense sketch (a
/// query aggregating millions of rows into a few sketches), take its registers out with
/// [`unpacked`](crate::HyperLogLogPlusPlus::unpacked), insert into them, and fold them back
/// with [`merge_unpacked`](crate::HyperLogLogPlusPlus::merge_unpacked): the sketch ends
/// exactly as if it had seen the items itself, without its HIP estimate (as after a merge).
/// Unpacking and folding back are `O(2^p)` each, so this pays from a few times `2^p` items on.
///
/// ```
/// use hpds_loglog::HyperLogLogPlusPlus;
/// let hashes: Vec<u64> = (1..200_000u64).map(hpds_core::hash::mix64).collect();
/// let mut direct = HyperLogLogPlusPlus::new(12)?;
/// direct.insert_hashes(&hashes[..10_000]);
/// let mut bulk = direct.clone();
/// direct.insert_hashes(&hashes[10_000..]);
///
/// let mut regs = bulk.unpacked().expect("dense after 10,000 items");
/// regs.insert_hashes(&hashes[10_000..]);
/// bulk.merge_unpacked(&regs)?;
/// direct.canonicalize();
/// bulk.canonicalize();
/// assert_eq!(bulk, direct);
/// # Ok::<(), hpds_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpackedRegisters {
    p: u8,
    seed: u64,
    /// `2^p`, for [`index_word`].
    pow: u64,
    regs: Vec<u8>,
}

impl UnpackedRegisters {
    pub(crate) fn from_registers(p: u8, seed: u64, regs: Vec<u8>) -> Self {
        debug_assert_eq!(regs.len(), 1 << p);
        Self {
            p,
            seed,
            pow: 1 << p,
            regs,
        }
    }

    pub(crate) fn registers(&self) -> &[u8] {
        &self.regs
    }

    /// The precision `p` of the sketch they came from.
    pub fn precision(&self) -> u8 {
        self.p
    }

    /// The seed items are hashed with (the sketch's).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Adds an item, hashed with the sketch's seed.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds an item given by its 64-bit hash: the register the sketch would raise is raised.
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        raise(&mut self.regs, self.pow, hash);
    }

    /// [`insert_hash`](Self::insert_hash) for every hash of a slice.
    pub fn insert_hashes(&mut self, hashes: &[u64]) {
        // The fields are read once: a byte store may alias them.
        let (regs, pow) = (&mut self.regs[..], self.pow);
        for &hash in hashes {
            raise(regs, pow, hash);
        }
    }
}

/// Raises the register of `hash` (of `pow = 2^p` registers) to its rank.
#[inline(always)]
fn raise(regs: &mut [u8], pow: u64, hash: u64) {
    let (i, rank) = index_rank_pow(hash, pow);
    let r = &mut regs[i];
    *r = (*r).max(rank);
}

impl HeapSize for UnpackedRegisters {
    fn heap_bytes(&self) -> usize {
        self.regs.capacity()
    }
}

#[cfg(test)]
mod tests {
    use crate::HyperLogLogPlusPlus;
    use hpds_core::hash::mix64;

    /// At every precision, from sketches that went dense at different points, unpacking,
    /// inserting and folding back gives the registers of inserting directly; folding into a
    /// sketch of other parameters is refused.
    #[test]
    fn folding_back_equals_inserting() {
        for p in [4u8, 7, 8, 11, 14, 18] {
            let hashes: Vec<u64> = (0..(6u64 << p)).map(|i| mix64(i ^ u64::from(p))).collect();
            let split = hashes.len() / 3;
            let mut direct = HyperLogLogPlusPlus::new(p).unwrap();
            direct.insert_hashes(&hashes[..split]);
            let Some(mut regs) = direct.unpacked() else {
                panic!("p = {p}: dense after {split} items");
            };
            let mut bulk = direct.clone();
            direct.insert_hashes(&hashes[split..]);
            let mid = split + (hashes.len() - split) / 2;
            regs.insert_hashes(&hashes[split..mid]);
            hashes[mid..].iter().for_each(|&h| regs.insert_hash(h));
            bulk.merge_unpacked(&regs).unwrap();
            direct.canonicalize();
            assert_eq!(bulk, direct, "p = {p}");
            // A sparse sketch takes them as a merge of the dense registers.
            let mut sparse = HyperLogLogPlusPlus::new(p).unwrap();
            sparse.insert_hash(hashes[0]);
            sparse.merge_unpacked(&regs).unwrap();
            assert_eq!(sparse, direct, "p = {p}");
            let other_p = if p == 18 { 17 } else { p + 1 };
            let mut other = HyperLogLogPlusPlus::new(other_p).unwrap();
            assert!(other.merge_unpacked(&regs).is_err());
            let mut other_seed = HyperLogLogPlusPlus::with_seed(p, 1).unwrap();
            assert!(other_seed.merge_unpacked(&regs).is_err());
        }
    }
}
