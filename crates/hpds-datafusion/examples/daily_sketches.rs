//! Daily sketches: build one row of sketches per day from a Parquet file of events, store
//! them as Parquet, and answer distinct counts over any range of days (and retention between
//! weeks) from the stored sketches alone, without reading the events again.
//!
//! ```text
//! cargo run -p hpds-datafusion --example daily_sketches
//! ```
//!
//! The events (four weeks of `(ts, user_id)` rows) are generated into a temporary directory,
//! so the program needs no input; point `CREATE EXTERNAL TABLE events` at your own files to
//! use it on real data.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, AsArray, Int64Array, RecordBatch, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, TimeUnit};
use datafusion::error::{DataFusionError, Result};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;

/// 2026-11-02 00:00 UTC, a Monday, in milliseconds since the epoch.
const START_MS: i64 = 1_793_577_600_000;
const DAY_MS: i64 = 86_400_000;
const DAYS: i64 = 28;
const EVENTS_PER_DAY: i64 = 2_000;

/// Writes `events.parquet` into `dir`: each day, users drawn from a window of 3,000 ids that
/// moves on by 150 ids a day, so consecutive weeks share most of their users.
fn write_events(dir: &Path) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("user_id", DataType::Int64, false),
    ]));
    let mut ts = Vec::new();
    let mut users = Vec::new();
    let mut state = 7_u64;
    for day in 0..DAYS {
        for _ in 0..EVENTS_PER_DAY {
            // SplitMix64, so every run writes the same file.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ts.push(START_MS + day * DAY_MS + (z % DAY_MS as u64) as i64);
            users.push(day * 150 + ((z >> 32) % 3_000) as i64);
        }
    }
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(TimestampMillisecondArray::from(ts).with_timezone("UTC")),
            Arc::new(Int64Array::from(users)),
        ],
    )?;
    let mut writer = ArrowWriter::try_new(File::create(dir.join("events.parquet"))?, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// The single number a query returns.
async fn number(ctx: &SessionContext, sql: &str) -> Result<f64> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let column = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .map(|b| b.column(0).clone())
        .ok_or_else(|| DataFusionError::Execution(format!("no rows: {sql}")))?;
    Ok(match column.data_type() {
        DataType::Float64 => column.as_primitive::<Float64Type>().value(0),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(0) as f64,
        other => {
            let cast = datafusion::arrow::compute::cast(&column, &DataType::Float64)
                .map_err(|e| DataFusionError::Execution(format!("{other}: {e}")))?;
            cast.as_primitive::<Float64Type>().value(0)
        }
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("hpds-daily-sketches-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    write_events(&dir)?;
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();

    let ctx = SessionContext::new();
    hpds_datafusion::register(&ctx);
    ctx.sql(&format!(
        "CREATE EXTERNAL TABLE events STORED AS PARQUET LOCATION '{}'",
        path("events.parquet")
    ))
    .await?;

    // 1. One row per day: the day's sketches and its event count, written once.
    ctx.sql(&format!(
        "COPY (
           SELECT CAST(ts AS DATE)          AS day,
                  COUNT(*)                  AS events,
                  hll_sketch(user_id)       AS users,
                  kmv_sketch(user_id, 4096) AS users_kmv
           FROM events
           GROUP BY CAST(ts AS DATE)
         ) TO '{}' STORED AS PARQUET",
        path("daily.parquet")
    ))
    .await?
    .collect()
    .await?;
    let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    println!(
        "events.parquet: {} bytes; daily.parquet (28 days of sketches): {} bytes",
        size("events.parquet"),
        size("daily.parquet")
    );

    // 2. From here on only the stored sketches are read.
    ctx.sql(&format!(
        "CREATE EXTERNAL TABLE daily STORED AS PARQUET LOCATION '{}'",
        path("daily.parquet")
    ))
    .await?;

    println!("Distinct users per week:");
    ctx.sql(
        "SELECT date_trunc('week', day) AS week,
                SUM(events)                       AS events,
                round(hll_estimate(hll_union(users))) AS users
         FROM daily GROUP BY 1 ORDER BY 1",
    )
    .await?
    .show()
    .await?;

    // Any range of days: the union of that range's sketches.
    let (from, to) = ("2026-11-10", "2026-11-20");
    let estimate = number(
        &ctx,
        &format!(
            "SELECT hll_estimate(hll_union(users)) FROM daily
             WHERE day BETWEEN DATE '{from}' AND DATE '{to}'"
        ),
    )
    .await?;
    let exact = number(
        &ctx,
        &format!(
            "SELECT COUNT(DISTINCT user_id) FROM events
             WHERE CAST(ts AS DATE) BETWEEN DATE '{from}' AND DATE '{to}'"
        ),
    )
    .await?;
    println!("users from {from} to {to}: {estimate:.0} from the sketches, {exact} exactly");

    println!("Retention: last week's users who came back this week:");
    ctx.sql(
        "WITH w AS (
           SELECT date_trunc('week', day) AS week, kmv_union(users_kmv) AS s
           FROM daily GROUP BY 1
         )
         SELECT cur.week,
                round(kmv_intersection(prev.s, cur.s))                   AS returning_users,
                round(kmv_intersection(prev.s, cur.s) / kmv_estimate(prev.s), 3) AS retention
         FROM w AS cur JOIN w AS prev ON prev.week = cur.week - INTERVAL '7 days'
         ORDER BY cur.week",
    )
    .await?
    .show()
    .await?;

    std::fs::remove_dir_all(&dir)?;
    // A few thousand users at p = 14: the sketch's error is a fraction of a percent.
    let error = (estimate - exact).abs() / exact;
    if error > 0.05 {
        return Err(DataFusionError::Execution(format!(
            "range estimate {estimate} is {:.1} % off the exact {exact}",
            error * 100.0
        )));
    }
    Ok(())
}
