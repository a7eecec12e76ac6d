//! hpds-datafusion's functions on a Ballista cluster: a scheduler and two executors started on
//! localhost (as Ballista's standalone mode and its own tests start them), a Parquet table of
//! several files, and the same SQL run by plain `DataFusion` in this process. The program fails
//! unless every value Ballista returns (sketch bytes, estimates) equals the local one.
//!
//! ```text
//! cargo run --manifest-path examples/ballista/Cargo.toml
//! ```

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_executor::new_standalone_executor_from_state;
use ballista_scheduler::standalone::new_standalone_scheduler_from_state;
use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionStateBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::physical_plan::collect;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

/// Files in the table, and rows in each.
const FILES: usize = 4;
const ROWS_PER_FILE: usize = 50_000;

/// Partitions of every plan, locally and on the cluster.
const PARTITIONS: usize = 4;

/// Daily sketches of every family, as a table expression the queries below build on.
const DAILY: &str = "WITH daily AS (SELECT day, hll_sketch(user_id) AS hll, \
     ull_sketch(user_id) AS ull, kmv_sketch(user_id) AS kmv, \
     bloom_sketch(user_id, 200000, 0.01) AS bloom FROM events GROUP BY day) ";

/// The queries compared: every aggregate (grouped, with parameters, and over the whole
/// table), unions of stored sketches, and every scalar function on sketches built in the same
/// query.
fn queries() -> Vec<String> {
    vec![
        "SELECT day, hll_sketch(user_id) AS hll, ull_sketch(user_id) AS ull, \
         kmv_sketch(user_id) AS kmv FROM events GROUP BY day ORDER BY day"
            .to_string(),
        "SELECT country, hll_sketch(user_id, 10) AS hll, ull_sketch(user_id, 8) AS ull, \
         kmv_sketch(user_id, 256) AS kmv FROM events GROUP BY country ORDER BY country"
            .to_string(),
        "SELECT hll_sketch(user_id) AS hll, kmv_sketch(user_id) AS kmv, \
         bloom_sketch(user_id, 200000, 0.01) AS bloom FROM events"
            .to_string(),
        "SELECT day, approx_distinct_hll(user_id) AS users FROM events GROUP BY day ORDER BY day"
            .to_string(),
        format!(
            "{DAILY}SELECT hll_union(hll) AS hll, ull_union(ull) AS ull, kmv_union(kmv) AS kmv, \
             bloom_union(bloom) AS bloom FROM daily"
        ),
        format!(
            "{DAILY}SELECT a.day, hll_estimate(a.hll) AS hll, ull_estimate(a.ull) AS ull, \
             kmv_estimate(a.kmv) AS kmv, kmv_jaccard(a.kmv, b.kmv) AS jaccard, \
             kmv_intersection(a.kmv, b.kmv) AS both_days, \
             bloom_contains(a.bloom, 12345) AS has_12345 \
             FROM daily a JOIN daily b ON b.day = a.day + 1 ORDER BY a.day"
        ),
    ]
}

/// Executors of the cluster, and the tasks each runs at once.
const EXECUTORS: usize = 2;
const SLOTS: usize = 2;

/// Starts a scheduler and `EXECUTORS` executors on localhost, built from one session state that
/// has our functions, and returns a client session connected to the scheduler. This is what
/// Ballista's own `SessionContext::standalone_with_state` does with one executor.
async fn start_cluster() -> Result<SessionContext> {
    fn failed(what: &str, e: impl std::fmt::Display) -> DataFusionError {
        DataFusionError::Execution(format!("{what}: {e}"))
    }
    // Every shuffle read goes through Arrow Flight, also between tasks of one executor, so the
    // partial states always cross a network connection.
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(PARTITIONS)
        .with_ballista_shuffle_reader_force_remote_read(true);
    let seed = SessionContext::new_with_state(
        SessionStateBuilder::new()
            .with_default_features()
            .with_config(config)
            .build(),
    );
    // The scheduler decodes the client's logical plan, and each executor its tasks' physical
    // plans, with the functions of this state.
    hpds_datafusion::register(&seed);
    let state = seed.state();

    let addr = new_standalone_scheduler_from_state(&state)
        .await
        .map_err(|e| failed("starting the scheduler", e))?;
    let scheduler_url = format!("http://localhost:{}", addr.port());
    for _ in 0..EXECUTORS {
        let mut tries = 0;
        let scheduler = loop {
            match SchedulerGrpcClient::connect(scheduler_url.clone()).await {
                Ok(scheduler) => break scheduler,
                Err(e) if tries == 50 => return Err(failed("connecting to the scheduler", e)),
                Err(_) => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        };
        new_standalone_executor_from_state(scheduler, SLOTS, &state)
            .await
            .map_err(|e| failed("starting an executor", e))?;
    }

    let client =
        SessionContext::remote_with_state(&format!("df://localhost:{}", addr.port()), state)
            .await?;
    // The client session Ballista builds keeps only DataFusion's built-in functions: register
    // ours on it too, for planning.
    hpds_datafusion::register(&client);
    Ok(client)
}

/// `SplitMix64`: the table's values, the same on every run.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Writes `FILES` Parquet files of `(day, country, user_id)` rows into `dir`.
fn write_table(dir: &Path) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("day", DataType::Int64, false),
        Field::new("country", DataType::Utf8, false),
        Field::new("user_id", DataType::Int64, true),
    ]));
    let countries = ["de", "fr", "jp", "us", "br", "in", "ng", "au"];
    let mut state = 42;
    for f in 0..FILES {
        let mut day = Vec::with_capacity(ROWS_PER_FILE);
        let mut country = Vec::with_capacity(ROWS_PER_FILE);
        let mut user = Vec::with_capacity(ROWS_PER_FILE);
        for _ in 0..ROWS_PER_FILE {
            let r = splitmix(&mut state);
            day.push((r % 7).cast_signed());
            country.push(countries[(r >> 8) as usize % countries.len()]);
            // Users 0..200,000 with some NULLs, which the aggregates skip.
            user.push(
                (!(r >> 16).is_multiple_of(64)).then_some(((r >> 24) % 200_000).cast_signed()),
            );
        }
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(day)),
                Arc::new(StringArray::from(country)),
                Arc::new(Int64Array::from(user)),
            ],
        )?;
        let file = File::create(dir.join(format!("part-{f}.parquet")))?;
        let mut writer = ArrowWriter::try_new(file, schema.clone(), None)?;
        writer.write(&batch)?;
        writer.close()?;
    }
    Ok(())
}

/// A directory removed when the program ends, whether or not it fails.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every value of a result, row by row, as text (binary columns in hex).
fn rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for i in 0..b.num_rows() {
            let row = b
                .columns()
                .iter()
                .map(|c| {
                    if c.is_null(i) {
                        return "NULL".to_string();
                    }
                    match c.data_type() {
                        DataType::Binary => c.as_binary::<i32>().value(i).iter().fold(
                            String::new(),
                            |mut hex, x| {
                                let _ = write!(hex, "{x:02x}");
                                hex
                            },
                        ),
                        _ => datafusion::arrow::util::display::array_value_to_string(c, i)
                            .unwrap_or_else(|e| format!("<{e}>")),
                    }
                })
                .collect();
            out.push(row);
        }
    }
    out
}

async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<Vec<String>>> {
    Ok(rows(&ctx.sql(sql).await?.collect().await?))
}

/// Runs `sql` on the cluster, failing unless the client's plan is Ballista's
/// `DistributedQueryExec` (the whole query is sent to the scheduler, nothing runs locally).
async fn run_on_cluster(ctx: &SessionContext, sql: &str) -> Result<Vec<Vec<String>>> {
    let plan = ctx.sql(sql).await?.create_physical_plan().await?;
    if plan.name() != "DistributedQueryExec" {
        return Err(DataFusionError::Execution(format!(
            "the client planned {} instead of sending the query to the scheduler",
            plan.name()
        )));
    }
    Ok(rows(&collect(plan, ctx.task_ctx()).await?))
}

/// The number of stages `EXPLAIN ANALYZE` reports for `sql` on the cluster, and the sum of its
/// shuffle readers' `fetch_requests` metrics.
async fn stages_and_fetches(ctx: &SessionContext, sql: &str) -> Result<(usize, u64)> {
    let explain = ctx
        .sql(&format!("EXPLAIN ANALYZE {sql}"))
        .await?
        .collect()
        .await?;
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&explain)?.to_string();
    let stages = text.matches("SuccessfulStage[").count();
    let fetches = text
        .match_indices("fetch_requests=")
        .map(|(i, key)| {
            let digits = text[i + key.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>();
            digits.parse::<u64>().unwrap_or(0)
        })
        .sum();
    Ok((stages, fetches))
}

#[tokio::main]
async fn main() -> Result<()> {
    let dir = TempDir(std::env::temp_dir().join(format!("hpds-ballista-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0)?;
    write_table(&dir.0)?;
    let table = dir.0.to_str().expect("temporary directory is UTF-8");

    // Local DataFusion.
    let local =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(PARTITIONS));
    hpds_datafusion::register(&local);
    local
        .register_parquet("events", table, ParquetReadOptions::default())
        .await?;

    let cluster = start_cluster().await?;
    cluster
        .register_parquet("events", table, ParquetReadOptions::default())
        .await?;

    let mut failures = 0;
    let queries = queries();
    for sql in &queries {
        let want = run(&local, sql).await?;
        let got = match run_on_cluster(&cluster, sql).await {
            Ok(got) => got,
            Err(e) => {
                println!("FAILED on Ballista: {sql}\n  {e}");
                failures += 1;
                continue;
            }
        };
        if got == want {
            println!("same values ({} rows): {sql}", want.len());
        } else {
            failures += 1;
            println!("DIFFERENT: {sql}");
            for (w, g) in want.iter().zip(&got) {
                if w != g {
                    println!("  local   {w:?}\n  ballista {g:?}");
                    break;
                }
            }
            println!("  local {} rows, ballista {} rows", want.len(), got.len());
        }
    }
    // How the first query ran: its stages, and the Arrow Flight requests that fetched the
    // partial states for the final aggregation.
    let (stages, fetches) = stages_and_fetches(&cluster, &queries[0]).await?;
    println!(
        "the first query ran in {stages} stages on {EXECUTORS} executors; its shuffle reads \
         made {fetches} Arrow Flight requests"
    );
    if fetches == 0 {
        failures += 1;
        println!("FAILED: no shuffle read went through Arrow Flight");
    }
    if failures > 0 {
        return Err(DataFusionError::Execution(format!(
            "{failures} of {} queries differ between Ballista and DataFusion",
            queries.len()
        )));
    }
    println!(
        "all {} queries: every value from Ballista equals DataFusion's",
        queries.len()
    );
    Ok(())
}
