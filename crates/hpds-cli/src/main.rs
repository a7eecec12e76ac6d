//! `hpds`: the comparisons of *High Performance Python*'s data-structure chapters, run with
//! hpds's structures on generated or real text.
//!
//! `hpds compare` (the default) streams a corpus through every structure that can answer "how
//! many distinct items?" and prints, per structure, the answer, its error, the bytes it holds
//! and the time it took.
#![deny(missing_docs)]

mod compare;
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
    /// List the structures `compare` can run.
    List,
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
    #[arg(long, default_value_t = 2_000_000)]
    vocabulary: usize,
    /// Seed of the built-in corpus.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Hide the progress bar.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Compare(args)) => compare(&args),
        Some(Command::List) => {
            for e in structures::all() {
                println!("{:<22} {}", e.name, e.about);
            }
            Ok(())
        }
        None => compare(&CompareArgs {
            tokens: 10_000_000,
            vocabulary: 2_000_000,
            seed: 2024,
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
    let report = compare::run(&source, entries, !args.quiet)?;
    print!("{}", output::render(&report, args.format));
    Ok(())
}
