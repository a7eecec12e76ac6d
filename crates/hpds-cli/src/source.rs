//! Token sources: the built-in generated corpus, a text file or standard input, streamed in
//! batches so memory stays bounded whatever the input's size.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use hpds_testkit::words::Corpus;
use indicatif::{ProgressBar, ProgressStyle};

/// Bytes read from a file per step.
const CHUNK: usize = 1 << 20;
/// The longest token accepted (a file with no whitespace for this long is not text).
const MAX_TOKEN: usize = 64 << 20;
/// Tokens handed to the structures per batch from the built-in corpus.
const BATCH: usize = 1 << 16;

/// Where tokens come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The built-in Zipf corpus of synthetic words.
    Builtin {
        /// Number of tokens.
        tokens: usize,
        /// Vocabulary size (distinct words available).
        vocabulary: usize,
        /// Generator seed.
        seed: u64,
    },
    /// A text file, or standard input for `-`.
    File(PathBuf),
}

/// Why a source could not be read.
#[derive(Debug)]
pub enum SourceError {
    /// Opening or reading failed.
    Io(PathBuf, io::Error),
    /// The input is not UTF-8 text.
    Utf8 {
        /// Byte offset of the first invalid byte.
        offset: u64,
    },
    /// A run of non-whitespace longer than [`MAX_TOKEN`].
    TokenTooLong {
        /// Byte offset where the run starts.
        offset: u64,
    },
    /// The input holds no tokens.
    Empty,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            Self::Utf8 { offset } => write!(
                f,
                "input is not valid UTF-8 text: invalid byte at offset {offset} \
                 (convert it with iconv, or strip binary data)"
            ),
            Self::TokenTooLong { offset } => write!(
                f,
                "input has no whitespace for over {} MiB from byte offset {offset}: \
                 it does not look like text",
                MAX_TOKEN >> 20
            ),
            Self::Empty => write!(f, "input has no tokens (it is empty or only whitespace)"),
        }
    }
}

impl std::error::Error for SourceError {}

/// What a pass over a source saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Tokens.
    pub tokens: u64,
    /// Bytes of input.
    pub bytes: u64,
}

impl Source {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Self::Builtin {
                tokens,
                vocabulary,
                seed,
            } => format!(
                "built-in corpus: {tokens} Zipf(1.0) tokens over a {vocabulary}-word vocabulary, seed {seed}"
            ),
            Self::File(p) if p.as_os_str() == "-" => "standard input".to_string(),
            Self::File(p) => p.display().to_string(),
        }
    }

    /// Streams the tokens in batches to `sink`.
    ///
    /// # Errors
    /// Unreadable, non-UTF-8 or empty input.
    pub fn for_each_batch(
        &self,
        progress: bool,
        mut sink: impl FnMut(&[&str]),
    ) -> Result<Totals, SourceError> {
        let totals = match self {
            Self::Builtin {
                tokens,
                vocabulary,
                seed,
            } => {
                let bar = bar(
                    progress,
                    Some(*tokens as u64),
                    "generating corpus",
                    Unit::Tokens,
                );
                let corpus = Corpus::generate(*seed, *tokens, *vocabulary, 1.0);
                bar.set_message("streaming tokens");
                // Each batch is copied into one contiguous buffer, as a chunk of a text file
                // would be: the structures then read the tokens from cache, not from words
                // scattered over the vocabulary.
                let mut text = String::with_capacity(BATCH * 12);
                let mut spans: Vec<(usize, usize)> = Vec::with_capacity(BATCH);
                let mut bytes = 0u64;
                let mut it = corpus.tokens();
                loop {
                    text.clear();
                    spans.clear();
                    for t in it.by_ref().take(BATCH) {
                        spans.push((text.len(), t.len()));
                        text.push_str(t);
                    }
                    if spans.is_empty() {
                        break;
                    }
                    let batch: Vec<&str> =
                        spans.iter().map(|&(at, len)| &text[at..at + len]).collect();
                    bytes += (text.len() + spans.len()) as u64;
                    sink(&batch);
                    bar.inc(batch.len() as u64);
                }
                bar.finish_and_clear();
                Totals {
                    tokens: corpus.len() as u64,
                    bytes,
                }
            }
            Self::File(path) => {
                let (reader, len): (Box<dyn Read>, Option<u64>) = if path.as_os_str() == "-" {
                    (Box::new(io::stdin().lock()), None)
                } else {
                    let file = File::open(path).map_err(|e| SourceError::Io(path.clone(), e))?;
                    let len = file.metadata().ok().map(|m| m.len());
                    (Box::new(file), len)
                };
                let bar = bar(progress, len, "reading", Unit::Bytes);
                let totals = stream_text(reader, path, &bar, &mut sink)?;
                bar.finish_and_clear();
                totals
            }
        };
        if totals.tokens == 0 {
            return Err(SourceError::Empty);
        }
        Ok(totals)
    }
}

/// What a progress bar counts.
#[derive(Clone, Copy)]
enum Unit {
    Tokens,
    Bytes,
}

fn bar(enabled: bool, len: Option<u64>, msg: &'static str, unit: Unit) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = len.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
    let template = match (unit, len.is_some()) {
        (Unit::Bytes, true) => {
            "{msg} {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) [{elapsed_precise}, eta {eta}]"
        }
        (Unit::Bytes, false) => {
            "{spinner} {msg} {binary_bytes} ({binary_bytes_per_sec}) [{elapsed_precise}]"
        }
        (Unit::Tokens, _) => {
            "{msg} {wide_bar} {human_pos}/{human_len} tokens ({per_sec}) [{elapsed_precise}, eta {eta}]"
        }
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(msg);
    bar
}

/// Reads `reader` in chunks cut at ASCII whitespace (which never falls inside a UTF-8
/// sequence), validates each piece and hands its tokens to `sink`.
fn stream_text(
    mut reader: impl Read,
    path: &Path,
    bar: &ProgressBar,
    sink: &mut impl FnMut(&[&str]),
) -> Result<Totals, SourceError> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
    let mut offset = 0u64; // input offset of buf[0]
    let mut totals = Totals::default();
    let mut eof = false;
    while !eof {
        // Fill up to one more chunk.
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let n = loop {
            match reader.read(&mut buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SourceError::Io(path.to_path_buf(), e)),
            }
        };
        buf.truncate(start + n);
        eof = n == 0;
        totals.bytes += n as u64;
        bar.inc(n as u64);
        let cut = if eof {
            buf.len()
        } else {
            match buf.iter().rposition(u8::is_ascii_whitespace) {
                Some(i) => i + 1,
                None if buf.len() > MAX_TOKEN => return Err(SourceError::TokenTooLong { offset }),
                None => continue,
            }
        };
        let text = std::str::from_utf8(&buf[..cut]).map_err(|e| SourceError::Utf8 {
            offset: offset + e.valid_up_to() as u64,
        })?;
        // One allocation per megabyte of input: negligible next to the structures' work.
        let tokens: Vec<&str> = text.split_whitespace().collect();
        totals.tokens += tokens.len() as u64;
        if !tokens.is_empty() {
            sink(&tokens);
        }
        buf.drain(..cut);
        offset += cut as u64;
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per call, to cut chunks at odd places.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn count(data: &[u8], step: usize) -> Result<(u64, Vec<String>), SourceError> {
        let mut seen = Vec::new();
        let t = stream_text(
            Trickle { data, step },
            Path::new("test"),
            &ProgressBar::hidden(),
            &mut |b: &[&str]| seen.extend(b.iter().map(|s| (*s).to_owned())),
        )?;
        Ok((t.tokens, seen))
    }

    #[test]
    fn tokens_survive_chunk_boundaries() {
        // Multi-byte characters and tokens straddle every 1 MiB boundary of a 3.5 MiB input.
        let word = "h\u{e9}llo-\u{4e16}\u{754c} ";
        let text = word.repeat((7 << 19) / word.len());
        let expected: Vec<&str> = text.split_whitespace().collect();
        for step in [CHUNK, 4096, 777] {
            let (n, seen) = count(text.as_bytes(), step).unwrap();
            assert_eq!(n as usize, expected.len());
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn invalid_utf8_offset_is_exact() {
        let mut data = vec![b'a'; 3 << 20];
        data[(3 << 20) - 10] = b' ';
        data[2_500_000] = b' ';
        data[2_500_001] = 0xc3; // a lead byte followed by a space: invalid
        match count(&data, 65_536) {
            Err(SourceError::Utf8 { offset }) => assert_eq!(offset, 2_500_001),
            other => panic!("{other:?}"),
        }
    }
}
