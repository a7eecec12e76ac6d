//! The CLI never panics or aborts, whatever the flags: a table of every size flag of every
//! subcommand at small, zero, huge, overflowing and malformed values, each run under a 4 GB
//! address-space limit (`ulimit -v`), must end with exit code 0, 1 or 2 (clap's usage error),
//! never 101 (a panic) or 134 (an abort, e.g. a failed allocation).

use std::process::Command;

const VALUES: [&str; 8] = [
    "0",
    "1",
    "1000",
    "1000000000000",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "abc",
];

/// Runs `hpds args` in `sh` under the limit; returns its exit code (`None` for a signal).
fn run_limited(args: &[&str], out: &std::path::Path) -> Option<i32> {
    let status = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 4000000 2>/dev/null; cd \"$1\" && shift && exec \"$@\"")
        .arg("sh")
        .arg(out)
        .arg(env!("CARGO_BIN_EXE_hpds"))
        .args(args)
        .output()
        .expect("sh runs");
    assert!(
        !String::from_utf8_lossy(&status.stderr).contains("panicked"),
        "hpds {args:?} panicked: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    status.status.code()
}

/// Small settings for every flag, so a case that is accepted finishes in moments.
fn base(sub: &str) -> Vec<(&'static str, &'static str)> {
    match sub {
        "compare" => vec![
            ("--tokens", "1000"),
            ("--vocabulary", "100"),
            ("--threads", "1"),
        ],
        "accuracy" => vec![("--trials", "2"), ("--max", "100")],
        "fpr" => vec![
            ("--capacity", "1000"),
            ("--probes", "1000"),
            ("--rate", "0.01"),
        ],
        "grow" => vec![("-n", "1000"), ("--elem-size", "8"), ("--show", "4")],
        _ => unreachable!(),
    }
}

#[test]
fn no_flag_value_panics_or_aborts() {
    let dir = std::env::temp_dir().join(format!("hpds-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for sub in ["compare", "accuracy", "fpr", "grow"] {
        let flags = base(sub);
        for i in 0..flags.len() {
            let extra: &[&[&str]] = if sub == "grow" {
                &[&[], &["--computed"]]
            } else {
                &[&[]]
            };
            for value in VALUES {
                for more in extra {
                    let mut args = vec![sub];
                    for (j, &(f, v)) in flags.iter().enumerate() {
                        args.push(f);
                        args.push(if i == j { value } else { v });
                    }
                    args.extend_from_slice(more);
                    if sub == "compare" {
                        args.push("-q");
                    }
                    if sub == "accuracy" || sub == "fpr" {
                        args.extend_from_slice(&["-o", "out"]);
                    }
                    let code = run_limited(&args, &dir);
                    cases += 1;
                    if !matches!(code, Some(0..=2)) {
                        failures.push(format!("hpds {} -> {code:?}", args.join(" ")));
                    }
                }
            }
        }
    }
    // Memory limits and output paths.
    for args in [
        &["--max-memory", "1", "grow"][..],
        &["--max-memory", "1e40", "grow", "-n", "10"],
        &["--max-memory", "lots", "grow"],
        &["grow", "-n", "10000000000"],
        &["grow", "-n", "10000000000", "--computed"],
        &[
            "grow",
            "-n",
            "18446744073709551615",
            "--computed",
            "-p",
            "doubling",
        ],
        &[
            "accuracy",
            "--trials",
            "2",
            "--max",
            "10",
            "-o",
            "/proc/hpds/none",
        ],
        &[
            "fpr",
            "--capacity",
            "100",
            "--probes",
            "100",
            "-o",
            "/proc/hpds/none",
        ],
        &["fpr", "--capacity", "1000", "--rate", "1e-300", "-o", "out"],
        &["compare", "--input", "/nonexistent/file", "-q"],
    ] {
        let code = run_limited(args, &dir);
        cases += 1;
        if !matches!(code, Some(0..=2)) {
            failures.push(format!("hpds {} -> {code:?}", args.join(" ")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {cases} cases crashed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn size_errors_name_the_flag_the_memory_and_the_override() {
    let out = Command::new(env!("CARGO_BIN_EXE_hpds"))
        .args(["--max-memory", "1G", "fpr", "--capacity", "1000000000000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("--capacity 1000000000000"), "{e}");
    assert!(e.contains("TiB"), "{e}");
    assert!(e.contains("--max-memory"), "{e}");
}

#[test]
fn csv_and_json_rows_carry_the_same_columns() {
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_hpds"))
            .args([
                "compare",
                "--tokens",
                "2000",
                "--vocabulary",
                "300",
                "-q",
                "-f",
                format,
            ])
            .args(["--structures", "hashset,morris,hyperloglog++"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = run("csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    for row in json["rows"].as_array().unwrap() {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut cols = header.clone();
        keys.sort_unstable();
        cols.sort_unstable();
        assert_eq!(keys, cols);
    }
    // The same figures in both: the morris row's estimate, as written.
    let morris_csv = csv.lines().find(|l| l.starts_with("morris,")).unwrap();
    let estimate: f64 = morris_csv.split(',').nth(2).unwrap().parse().unwrap();
    let morris_json = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["structure"] == "morris")
        .unwrap();
    assert_eq!(morris_json["estimate"].as_f64().unwrap(), estimate);
    assert_eq!(morris_json["truth"], "total");
}
