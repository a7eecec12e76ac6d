//! hpds-datafusion's aggregates on a Ballista cluster: a scheduler and an executor started on
//! localhost (Ballista's standalone mode, as its own tests start them), a Parquet table of
//! several files, and the same SQL run by plain DataFusion in this process. The program fails
//! unless every sketch Ballista returns is byte-identical to the local one.
//!
//! ```text
//! cargo run --manifest-path examples/ballista/Cargo.toml
//! ```

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SessionStateBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

/// Files in the table, and rows in each.
const FILES: usize = 4;
const ROWS_PER_FILE: usize = 50_000;

/// Partitions of every plan, locally and on the cluster.
const PARTITIONS: usize = 4;

/// The queries compared: grouped and global sketches of every family, and an estimate.
const QUERIES: [&str; 4] = [
    "SELECT day, hll_sketch(user_id) AS hll, kmv_sketch(user_id) AS kmv \
     FROM events GROUP BY day ORDER BY day",
    "SELECT country, hll_sketch(user_id, 10) AS hll, kmv_sketch(user_id, 256) AS kmv \
     FROM events GROUP BY country ORDER BY country",
    "SELECT hll_sketch(user_id) AS hll, kmv_sketch(user_id) AS kmv FROM events",
    "SELECT day, approx_distinct_hll(user_id) AS users FROM events GROUP BY day ORDER BY day",
];

/// SplitMix64: the table's values, the same on every run.
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
            day.push((r % 7) as i64);
            country.push(countries[(r >> 8) as usize % countries.len()]);
            // Users 0..200,000 with some NULLs, which the aggregates skip.
            user.push(((r >> 16) % 64 != 0).then_some(((r >> 24) % 200_000) as i64));
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
                        DataType::Binary => c
                            .as_binary::<i32>()
                            .value(i)
                            .iter()
                            .map(|x| format!("{x:02x}"))
                            .collect(),
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

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("hpds-ballista-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    write_table(&dir)?;
    let table = dir.to_str().expect("temporary directory is UTF-8");

    // Local DataFusion.
    let local = SessionContext::new_with_config(
        SessionConfig::new().with_target_partitions(PARTITIONS),
    );
    hpds_datafusion::register(&local);
    local
        .register_parquet("events", table, ParquetReadOptions::default())
        .await?;

    // Ballista: the scheduler and the executor are built from this state, so they decode plans
    // that name our functions with a registry that holds them.
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(PARTITIONS)
        .with_ballista_standalone_parallelism(PARTITIONS);
    let seed = SessionContext::new_with_state(
        SessionStateBuilder::new()
            .with_default_features()
            .with_config(config)
            .build(),
    );
    hpds_datafusion::register(&seed);
    let cluster = SessionContext::standalone_with_state(seed.state()).await?;
    // The client session Ballista returns keeps only DataFusion's built-in functions: register
    // ours on it too, for planning.
    hpds_datafusion::register(&cluster);
    cluster
        .register_parquet("events", table, ParquetReadOptions::default())
        .await?;

    let mut failures = 0;
    for sql in QUERIES {
        let want = run(&local, sql).await?;
        let got = match run(&cluster, sql).await {
            Ok(got) => got,
            Err(e) => {
                println!("FAILED on Ballista: {sql}\n  {e}");
                failures += 1;
                continue;
            }
        };
        if got == want {
            println!("same bytes ({} rows): {sql}", want.len());
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
    std::fs::remove_dir_all(&dir)?;
    if failures > 0 {
        return Err(DataFusionError::Execution(format!(
            "{failures} of {} queries differ between Ballista and DataFusion",
            QUERIES.len()
        )));
    }
    println!("all {} queries: Ballista's sketches equal DataFusion's", QUERIES.len());
    Ok(())
}
