//! Sessions, tables and query helpers shared by the SQL tests.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use hpds_core::hash::mix64;

/// A session with our functions and `partitions` target partitions.
pub fn ctx(partitions: usize) -> SessionContext {
    ctx_with(SessionConfig::new().with_target_partitions(partitions))
}

/// A session with our functions and the given configuration.
pub fn ctx_with(config: SessionConfig) -> SessionContext {
    let ctx = SessionContext::new_with_config(config);
    hpds_datafusion::register(&ctx);
    ctx
}

/// Registers `batch` as table `name`, its rows dealt round-robin in slices of 97 rows over
/// `partitions` in-memory partitions (so partitions see interleaved parts of every group).
pub fn table(ctx: &SessionContext, name: &str, batch: &RecordBatch, partitions: usize) {
    let mut parts = vec![Vec::new(); partitions];
    let mut offset = 0;
    let mut i = 0;
    while offset < batch.num_rows() {
        let len = 97.min(batch.num_rows() - offset);
        parts[i % partitions].push(batch.slice(offset, len));
        offset += len;
        i += 1;
    }
    let provider = MemTable::try_new(batch.schema(), parts).expect("valid table");
    ctx.register_table(name, Arc::new(provider))
        .expect("new name");
}

/// Every batch of a query.
pub async fn query(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    match ctx.sql(sql).await {
        Ok(df) => df.collect().await.unwrap_or_else(|e| panic!("{sql}: {e}")),
        Err(e) => panic!("{sql}: {e}"),
    }
}

/// Every row of a query, each row's values in column order.
pub async fn rows(ctx: &SessionContext, sql: &str) -> Vec<Vec<ScalarValue>> {
    let mut out = Vec::new();
    for batch in query(ctx, sql).await {
        for r in 0..batch.num_rows() {
            out.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| ScalarValue::try_from_array(c, r).expect("in range"))
                    .collect(),
            );
        }
    }
    out
}

/// The single value of a one-row, one-column query.
pub async fn one(ctx: &SessionContext, sql: &str) -> ScalarValue {
    let rows = rows(ctx, sql).await;
    assert_eq!(rows.len(), 1, "{sql}: one row expected");
    rows[0][0].clone()
}

/// The bytes of a binary value.
pub fn bytes(v: &ScalarValue) -> Vec<u8> {
    match v {
        ScalarValue::Binary(Some(b))
        | ScalarValue::LargeBinary(Some(b))
        | ScalarValue::BinaryView(Some(b)) => b.clone(),
        other => panic!("binary expected, got {other:?}"),
    }
}

/// A Float64 or UInt64 value as f64.
pub fn num(v: &ScalarValue) -> f64 {
    match v {
        ScalarValue::Float64(Some(x)) => *x,
        ScalarValue::UInt64(Some(x)) => *x as f64,
        ScalarValue::Int64(Some(x)) => *x as f64,
        other => panic!("number expected, got {other:?}"),
    }
}

/// The message of the error a query gives, at planning or execution.
pub async fn error(ctx: &SessionContext, sql: &str) -> String {
    match ctx.sql(sql).await {
        Err(e) => e.to_string(),
        Ok(df) => match df.collect().await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{sql}: an error expected"),
        },
    }
}

/// Seeded events: `groups` groups, group `g` with `distinct(g)` distinct users, each seen
/// one to three times; about one row in 20 has a NULL user. Columns: `g` (Int64), `user`
/// (Utf8, `"user-<id>"`), `id` (Int64, the user's id), `day` (Int64, `id % 7`).
pub fn events(seed: u64, groups: u64, distinct: impl Fn(u64) -> u64) -> RecordBatch {
    let (mut g_col, mut user, mut id_col, mut day) = (vec![], vec![], vec![], vec![]);
    for g in 0..groups {
        for i in 0..distinct(g) {
            // Ids spread over a space far larger than any group, so groups overlap a little.
            let id = mix64(seed ^ (g << 32) ^ i) % (1 << 40);
            let repeats = 1 + mix64(id ^ seed) % 3;
            for r in 0..repeats {
                let null = mix64(id ^ r ^ 0x5eed).is_multiple_of(20);
                g_col.push(g as i64);
                user.push((!null).then(|| format!("user-{id}")));
                id_col.push((!null).then_some(id as i64));
                day.push((id % 7) as i64);
            }
        }
    }
    // Shuffle rows so no partition holds a group's rows in order.
    let n = g_col.len();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (mix64(seed ^ i as u64) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let pick_i = |v: &[Option<i64>]| order.iter().map(|&i| v[i]).collect::<Int64Array>();
    let g_col: Vec<Option<i64>> = g_col.into_iter().map(Some).collect();
    let day: Vec<Option<i64>> = day.into_iter().map(Some).collect();
    let schema = Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("user", DataType::Utf8, true),
        Field::new("id", DataType::Int64, true),
        Field::new("day", DataType::Int64, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(pick_i(&g_col)),
        Arc::new((order.iter().map(|&i| user[i].clone())).collect::<StringArray>()),
        Arc::new(pick_i(&id_col)),
        Arc::new(pick_i(&day)),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).expect("valid batch")
}

/// Lower-case hexadecimal of `bytes`, for SQL's `X'..'` literals.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
