//! Distinct visitors of every page of a site, in little memory: HyperLogLog++'s sparse mode.
//!
//! Keeping one distinct counter per page means thousands of sketches, and on a real site most
//! pages have few visitors. A dense HyperLogLog of precision 14 takes 12 KiB from its first
//! item; HyperLogLog++ starts sparse (about 4 bytes per distinct visitor, and nearly exact)
//! and turns dense only when that is smaller. Here 2 000 pages have Zipf-distributed
//! audiences, from 100 000 visitors on the front page down to a handful.
//!
//! `cargo run -p hpds-loglog --example per_page_uniques`

use hpds_core::HeapSize;
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus};

const PAGES: u64 = 2_000;
const PRECISION: u8 = 14;

/// Distinct visitors of the page of rank `page` (0 = front page).
fn audience(page: u64) -> u64 {
    100_000 / (page + 1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut pages: Vec<HyperLogLogPlusPlus> = (0..PAGES)
        .map(|_| HyperLogLogPlusPlus::new(PRECISION))
        .collect::<Result<_, _>>()?;
    for (page, sketch) in (0u64..).zip(&mut pages) {
        for visitor in 0..audience(page) {
            // The same visitor twice (say, a reload) does not count twice.
            sketch.insert(&visitor);
            sketch.insert(&visitor);
        }
    }

    println!("page  visitors  estimate  mode");
    for page in [0, 1, 9, 99, 999, 1_999] {
        let sketch = &pages[page as usize];
        let mode = if sketch.is_sparse() {
            "sparse"
        } else {
            "dense"
        };
        println!(
            "{page:>4} {:>9} {:>9.0}  {mode}",
            audience(page),
            sketch.estimate()
        );
        let exact = audience(page) as f64;
        assert!((sketch.estimate() - exact).abs() <= 4.0 * sketch.standard_error() * exact + 1.0);
    }

    let sparse = pages.iter().filter(|s| s.is_sparse()).count();
    let plusplus: usize = pages.iter().map(HeapSize::heap_bytes).sum();
    let dense = HyperLogLog::new(PRECISION)?.heap_bytes() * PAGES as usize;
    println!(
        "{sparse} of {PAGES} sketches still sparse; HyperLogLog++ holds {} KiB in all, \
         dense HyperLogLogs would hold {} KiB",
        plusplus / 1024,
        dense / 1024
    );
    assert!(plusplus * 4 < dense);
    Ok(())
}
