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
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct AccuracyArgs {
    /// Seeded trials per cardinality.
    #[arg(long, default_value_t = 100)]
    trials: usize,
    /// Largest cardinality (the sweep is log-spaced from 1, four points per decade).
    #[arg(long, default_value_t = 1_000_000)]
    max: u64,
    /// Comma-separated estimator names; all by default.
    #[arg(long, short, value_delimiter = ',')]
    estimators: Vec<String>,
    /// Master seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for accuracy.csv and accuracy.svg.
    #[arg(long, short, default_value = "hpds-accuracy")]
    out: PathBuf,
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
    /// Directory for fpr.csv and fpr.svg.
    #[arg(long, short, default_value = "hpds-fpr")]
    out: PathBuf,
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
    let result = match cli.command {
        Some(Command::Compare(args)) => compare(&args),
        Some(Command::Accuracy(a)) => experiments::accuracy(
            structures::estimators(),
            &a.estimators,
            a.trials,
            a.max,
            a.seed,
            &a.out,
        )
        .map(|table| {
            print!("{table}");
            eprintln!(
                "wrote {0}/accuracy.csv and {0}/accuracy.svg",
                a.out.display()
            );
        }),
        Some(Command::Fpr(a)) => experiments::fpr(
            structures::filters(),
            &a.filters,
            a.capacity,
            a.rate,
            a.probes,
            a.seed,
            &a.out,
        )
        .map(|table| {
            print!("{table}");
            eprintln!("wrote {0}/fpr.csv and {0}/fpr.svg", a.out.display());
        }),
        Some(Command::Grow(a)) => grow::run(a.n, &a.policies, a.elem_size)
            .map(|rows| print!("{}", grow::render(&rows, a.format, a.show))),
        Some(Command::List) => {
            for e in structures::all() {
                println!("{:<22} {}", e.name, e.about);
            }
            Ok(())
        }
        None => compare(&CompareArgs {
            tokens: 10_000_000,
            vocabulary: 1_000_000,
            seed: 2024,
            threads: 1,
            ..CompareArgs::default()
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hpds: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn compare(args: &CompareArgs) -> Result<(), Box<dyn std::error::Error>> {
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
