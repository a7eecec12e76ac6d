//! `hpds`: the comparisons of *High Performance Python*'s data-structure chapters, run with
//! hpds's structures on generated or real text.
//!
//! `hpds compare` (the default) streams a corpus through every structure that can answer "how
//! many distinct items?" and prints, per structure, the answer, its error, the bytes it holds
//! and the time it took.
#![deny(missing_docs)]

mod compare;
mod experiments;
mod grow;
mod limits;
mod output;
mod source;
mod structures;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hpds_testkit::CountingAllocator;

use crate::output::Format;
use crate::source::Source;

// Memory figures in reports are measured by counting every allocation.
#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[derive(Debug, Parser)]
#[command(name = "hpds", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Memory a run may use (e.g. 512M, 8G, 1e9 bytes); every size flag is checked against it
    /// before anything is allocated. Default: half of physical memory (and of `ulimit -v`).
    #[arg(long, global = true, value_parser = limits::parse_size, value_name = "SIZE")]
    max_memory: Option<u64>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Count distinct tokens with every structure and compare answers, memory and speed.
    Compare(CompareArgs),
    /// Relative error of every estimator across cardinalities: CSV and an SVG plot.
    Accuracy(AccuracyArgs),
    /// False-positive rate of every filter as it fills: CSV and an SVG plot.
    Fpr(FprArgs),
    /// Growth policies side by side: capacities, reallocations, bytes copied, slack.
    Grow(GrowArgs),
    /// List the structures `compare` can run.
    List,
}

#[derive(Debug, Args)]
struct GrowArgs {
    /// Elements to push.
    #[arg(short, default_value_t = 1_000_000)]
    n: usize,
    /// Comma-separated policies: cpython, doubling, exact, factor or factor:F, size-class or
    /// size-class:F (F is the growth factor); all by default.
    #[arg(long, short, value_delimiter = ',')]
    policies: Vec<String>,
    /// Bytes per element: 8 (u64) or 64 (a cache-line struct).
    #[arg(long, default_value_t = 8)]
    elem_size: usize,
    /// Capacities to print per policy in the table.
    #[arg(long, default_value_t = 24)]
    show: usize,
    /// Compute capacities, reallocations and bytes copied without allocating (no `moved` or
    /// `in place` figures, which need the real allocator); works for any `-n`.
    #[arg(long)]
    computed: bool,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct AccuracyArgs {
    /// Seeded trials per cardinality.
    #[arg(long, default_value_t = 100)]
    trials: usize,
    /// Largest cardinality (the sweep is log-spaced from 1, four points per decade); at most
    /// 1e9, and trials × max at most 1e10 (about an hour per estimator).
    #[arg(long, default_value_t = 1_000_000)]
    max: u64,
    /// Comma-separated estimator names; all by default.
    #[arg(long, short, value_delimiter = ',')]
    estimators: Vec<String>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for accuracy.csv and accuracy.svg (created if missing); by default a new
    /// directory under the system's temporary directory, printed at the end.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct FprArgs {
    /// Items each filter is sized for.
    #[arg(long, default_value_t = 100_000)]
    capacity: usize,
    /// Target false-positive rate.
    #[arg(long, default_value_t = 0.01)]
    rate: f64,
    /// Non-members queried at each fill level.
    #[arg(long, default_value_t = 200_000)]
    probes: usize,
    /// Comma-separated filter names; all by default.
    #[arg(long, short, value_delimiter = ',')]
    filters: Vec<String>,
    /// Seed of the member and probe streams.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for fpr.csv and fpr.svg (created if missing); by default a new directory
    /// under the system's temporary directory, printed at the end.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args, Default)]
struct CompareArgs {
    /// Text file to read (whitespace-separated tokens, streamed); `-` reads standard input.
    /// Without it, a built-in generated corpus is used.
    #[arg(long, short)]
    input: Option<PathBuf>,
    /// Comma-separated structure names to run (see `hpds list`); all by default.
    #[arg(long, short, value_delimiter = ',')]
    structures: Vec<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Tokens in the built-in corpus.
    #[arg(long, default_value_t = 10_000_000)]
    tokens: usize,
    /// Vocabulary size of the built-in corpus.
    #[arg(long, default_value_t = 1_000_000)]
    vocabulary: usize,
    /// Seed of the built-in corpus.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Build the mergeable sketches on this many threads and merge them at the end.
    #[arg(long, short = 't', default_value_t = 1)]
    threads: usize,
    /// Hide the progress bar.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let budget = limits::Budget::new(cli.max_memory);
    let result = match cli.command {
        Some(Command::Compare(args)) => compare(&args, budget),
        Some(Command::Accuracy(a)) => {
            let out = out_dir(a.out, "accuracy");
            experiments::accuracy(
                structures::estimators(),
                &a.estimators,
                a.trials,
                a.max,
                a.seed,
                &out,
                budget,
            )
            .map(|table| {
                print!("{table}");
                eprintln!("wrote {0}/accuracy.csv and {0}/accuracy.svg", out.display());
            })
        }
        Some(Command::Fpr(a)) => {
            let out = out_dir(a.out, "fpr");
            experiments::fpr(
                structures::filters(),
                &a.filters,
                a.capacity,
                a.rate,
                a.probes,
                a.seed,
                &out,
                budget,
            )
            .map(|table| {
                print!("{table}");
                eprintln!("wrote {0}/fpr.csv and {0}/fpr.svg", out.display());
            })
        }
        Some(Command::Grow(a)) => grow::run(a.n, &a.policies, a.elem_size, a.computed, budget)
            .map(|rows| print!("{}", grow::render(&rows, a.format, a.show))),
        Some(Command::List) => {
            for e in structures::all() {
                println!("{:<22} {}", e.name, e.about);
            }
            Ok(())
        }
        None => compare(
            &CompareArgs {
                tokens: 10_000_000,
                vocabulary: 1_000_000,
                seed: 2024,
                threads: 1,
                ..CompareArgs::default()
            },
            budget,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hpds: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The directory the user named, or a new one under the temporary directory.
fn out_dir(named: Option<PathBuf>, what: &str) -> PathBuf {
    named.unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        std::env::temp_dir().join(format!("hpds-{what}-{stamp}-{}", std::process::id()))
    })
}

fn compare(args: &CompareArgs, budget: limits::Budget) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries = structures::all();
    if !args.structures.is_empty() {
        let known: Vec<&str> = entries.iter().map(|e| e.name).collect();
        if let Some(bad) = args
            .structures
            .iter()
            .find(|s| !known.contains(&s.as_str()))
        {
            return Err(format!(
                "unknown structure {bad:?}; choose from: {}",
                known.join(", ")
            )
            .into());
        }
        entries.retain(|e| args.structures.iter().any(|s| s == e.name));
    }
    if args.threads == 0 || args.threads > 256 {
        return Err(format!("--threads must be in 1..=256, got {}", args.threads).into());
    }
    if args.input.is_none() && (args.tokens == 0 || args.vocabulary == 0) {
        return Err("--tokens and --vocabulary must be at least 1".into());
    }
    if args.input.is_none() {
        check_corpus(args, entries.len(), budget)?;
    }
    let source = match &args.input {
        Some(path) => Source::File(path.clone()),
        None => Source::Builtin {
            tokens: args.tokens,
            vocabulary: args.vocabulary,
            seed: args.seed,
        },
    };
    let report = compare::run(&source, entries, args.threads, !args.quiet)?;
    print!("{}", output::render(&report, args.format));
    Ok(())
}

/// Bytes per vocabulary word while the corpus is generated (the word, its `String` and the
/// de-duplication set).
const VOCABULARY_WORD_BYTES: u128 = 64;
/// Bytes per distinct word in one exact structure (the word and the structure's slot).
const EXACT_WORD_BYTES: u128 = 100;

/// The built-in corpus holds the vocabulary and 4 bytes per token; each exact structure holds
/// every distinct word.
fn check_corpus(
    args: &CompareArgs,
    structures: usize,
    budget: limits::Budget,
) -> Result<(), String> {
    let tokens = limits::mul(args.tokens as u64, 4u64);
    let distinct = args.tokens.min(args.vocabulary) as u128;
    let vocabulary = limits::mul(args.vocabulary as u64, VOCABULARY_WORD_BYTES)
        .and_then(|v| v.checked_add(distinct * EXACT_WORD_BYTES * structures as u128));
    let total = tokens.zip(vocabulary).and_then(|(t, v)| t.checked_add(v));
    let what = "the generated corpus and the exact structures holding every distinct word";
    if tokens >= vocabulary {
        budget.check("--tokens", args.tokens, what, total)
    } else {
        budget.check("--vocabulary", args.vocabulary, what, total)
    }
}
