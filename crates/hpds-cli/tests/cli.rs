//! The `hpds` binary end to end: exact rows, inputs, formats and clear errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hpds(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hpds"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("finishes")
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hpds-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn builtin_corpus_exact_rows_agree() {
    let out = hpds(
        &[
            "compare",
            "--tokens",
            "20000",
            "--vocabulary",
            "5000",
            "-q",
            "-f",
            "json",
        ],
        None,
    );
    let v = json(&out);
    assert_eq!(v["tokens"], 20000);
    let distinct = v["distinct"].as_u64().unwrap();
    assert!(distinct > 1000 && distinct <= 5000);
    for name in ["hashset", "btreeset", "sorted-vec"] {
        let row = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["structure"] == name)
            .unwrap_or_else(|| panic!("row {name}"));
        assert_eq!(row["estimate"].as_f64().unwrap(), distinct as f64, "{name}");
        assert_eq!(row["relative_error"].as_f64().unwrap(), 0.0);
        // Every exact structure holds at least the distinct words' bytes.
        assert!(
            row["bytes"].as_i64().unwrap() > distinct as i64 * 4,
            "{name}"
        );
    }
}

#[test]
fn file_and_stdin_inputs_give_exact_counts() {
    let text =
        "the cat sat on the mat\nthe dog ate the cat\n\u{e9}t\u{e9} caf\u{e9} \u{e9}t\u{e9}\n";
    let path = temp_file("words.txt", text.as_bytes());
    for (args, stdin) in [
        (
            vec!["compare", "-i", path.to_str().unwrap(), "-f", "json"],
            None,
        ),
        (
            vec!["compare", "-i", "-", "-f", "json"],
            Some(text.as_bytes()),
        ),
    ] {
        let v = json(&hpds(&args, stdin));
        assert_eq!(v["tokens"], 14);
        assert_eq!(v["distinct"], 9);
        assert!(
            v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["estimate"] == 9.0)
        );
    }
}

#[test]
fn structures_can_be_chosen_and_csv_has_one_line_each() {
    let out = hpds(
        &[
            "compare",
            "--tokens",
            "1000",
            "--vocabulary",
            "100",
            "-q",
            "-f",
            "csv",
            "-s",
            "hashset,btreeset",
        ],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("structure,truth,estimate"));
    assert!(lines[1].starts_with("hashset,distinct,"));
    assert!(lines[2].starts_with("btreeset,distinct,"));
}

#[test]
fn table_is_the_default_format() {
    let out = hpds(
        &["compare", "--tokens", "500", "--vocabulary", "50", "-q"],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("structure") && text.contains("ns/item") && text.contains("hashset"));
}

fn assert_fails_with(out: &Output, needle: &str) {
    assert!(!out.status.success(), "should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_inputs_fail_cleanly() {
    let bad = temp_file("bad.txt", b"good words\nthen \xff\xfe binary\n");
    assert_fails_with(
        &hpds(&["compare", "-i", bad.to_str().unwrap()], None),
        "not valid UTF-8 text: invalid byte at offset 16",
    );
    let empty = temp_file("empty.txt", b"");
    assert_fails_with(
        &hpds(&["compare", "-i", empty.to_str().unwrap()], None),
        "no tokens",
    );
    let blank = temp_file("blank.txt", b"  \n\t \n");
    assert_fails_with(
        &hpds(&["compare", "-i", blank.to_str().unwrap()], None),
        "no tokens",
    );
    assert_fails_with(
        &hpds(&["compare", "-i", "/definitely/not/here.txt"], None),
        "cannot read /definitely/not/here.txt",
    );
    assert_fails_with(
        &hpds(&["compare", "-s", "nope"], None),
        "unknown structure \"nope\"",
    );
    assert_fails_with(&hpds(&["compare", "--tokens", "0"], None), "at least 1");
    assert!(!hpds(&["compare", "--format", "xml"], None).status.success());
}

#[test]
fn list_names_every_structure() {
    let out = hpds(&["list"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["hashset", "btreeset", "sorted-vec"] {
        assert!(text.contains(name));
    }
}
