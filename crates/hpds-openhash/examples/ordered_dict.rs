//! An insertion-ordered dictionary, as Python's `dict` is: `CompactDict`.
//!
//! Reads `key = value` settings where a later line overrides an earlier one, and prints them
//! in the order each key first appeared: updating a value keeps its place, as in Python.
//! Entries are also reachable by position, and the two kinds of removal differ in what they
//! do to the order: `shift_remove` keeps it (O(n)), `swap_remove` moves the last entry into
//! the hole (O(1)).
//!
//! `cargo run -p hpds-openhash --example ordered_dict`

use hpds_openhash::CompactDict;

const SETTINGS: &str = "
    host = example.org
    port = 8080
    user = alice
    timeout = 30
    port = 8443
    retries = 5
    user = bob
";

fn main() {
    let mut settings: CompactDict<String, String> = CompactDict::new();
    for line in SETTINGS.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        // `insert_ref` copies the key only when it is new; an existing key keeps its position.
        settings.insert_ref(key.trim(), value.trim().to_owned());
    }

    for (i, (key, value)) in settings.iter().enumerate() {
        println!("{i}: {key} = {value}");
    }
    let keys: Vec<&str> = settings.keys().map(String::as_str).collect();
    assert_eq!(keys, ["host", "port", "user", "timeout", "retries"]);
    assert_eq!(settings.get("port").map(String::as_str), Some("8443"));
    assert_eq!(settings.get_index_of("user"), Some(2));

    // Removing while keeping the order of the rest.
    let mut shifted = settings.clone();
    shifted.shift_remove("port");
    let keys: Vec<&str> = shifted.keys().map(String::as_str).collect();
    assert_eq!(keys, ["host", "user", "timeout", "retries"]);

    // Removing in O(1): the last entry takes the removed one's place.
    let mut swapped = settings.clone();
    swapped.swap_remove("port");
    let keys: Vec<&str> = swapped.keys().map(String::as_str).collect();
    assert_eq!(keys, ["host", "retries", "user", "timeout"]);

    // The index is as narrow as the entry count allows: one byte per slot here.
    println!(
        "{} entries, {} index slots of {} byte(s), {} bytes of table",
        settings.len(),
        settings.index_slots(),
        settings.index_width(),
        settings.table_bytes()
    );
}
