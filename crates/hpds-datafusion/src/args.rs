//! Argument checks shared by the functions: counts, sketch columns and constant parameters.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::{DataFusionError, Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;

/// The planned type of a sketch argument: any binary type (NULL as `Binary`).
pub(crate) fn coerce_sketch_type(function: &str, data_type: &DataType) -> Result<DataType> {
    match data_type {
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Ok(data_type.clone()),
        DataType::Null => Ok(DataType::Binary),
        other => plan_err!(
            "{function}: the sketch argument must be a binary value built by a *_sketch \
             function, got {other}"
        ),
    }
}

/// The planned type of an integer parameter (`Int64`), or a planning error naming it.
pub(crate) fn coerce_int_param(
    function: &str,
    param: &str,
    data_type: &DataType,
) -> Result<DataType> {
    if data_type.is_integer() || *data_type == DataType::Null {
        Ok(DataType::Int64)
    } else {
        plan_err!("{function}: {param} must be an integer constant, got {data_type}")
    }
}

/// The planned type of a floating-point parameter (`Float64`), or a planning error naming it.
pub(crate) fn coerce_float_param(
    function: &str,
    param: &str,
    data_type: &DataType,
) -> Result<DataType> {
    if data_type.is_numeric() || *data_type == DataType::Null {
        Ok(DataType::Float64)
    } else {
        plan_err!("{function}: {param} must be a numeric constant, got {data_type}")
    }
}

/// A planning error unless `got` is one of the accepted argument counts.
pub(crate) fn check_count(
    function: &str,
    usage: &str,
    got: usize,
    allowed: &[usize],
) -> Result<()> {
    if allowed.contains(&got) {
        Ok(())
    } else {
        plan_err!("{function} takes {usage}, got {got} argument(s)")
    }
}

/// The value of a constant argument (a literal or an expression of literals).
fn constant(function: &str, param: &str, expr: &Arc<dyn PhysicalExpr>) -> Result<ScalarValue> {
    let batch = RecordBatch::new_empty(Arc::new(Schema::empty()));
    if let Ok(ColumnarValue::Scalar(value)) = expr.evaluate(&batch) {
        Ok(value)
    } else {
        plan_err!("{function}: {param} must be a constant, got the expression {expr}")
    }
}

/// A constant integer argument.
pub(crate) fn constant_int(
    function: &str,
    param: &str,
    expr: &Arc<dyn PhysicalExpr>,
) -> Result<i64> {
    match constant(function, param, expr)? {
        ScalarValue::Int64(Some(v)) => Ok(v),
        other => plan_err!("{function}: {param} must be a non-NULL integer constant, got {other}"),
    }
}

/// A constant floating-point argument.
pub(crate) fn constant_float(
    function: &str,
    param: &str,
    expr: &Arc<dyn PhysicalExpr>,
) -> Result<f64> {
    match constant(function, param, expr)? {
        ScalarValue::Float64(Some(v)) => Ok(v),
        other => plan_err!("{function}: {param} must be a non-NULL numeric constant, got {other}"),
    }
}

/// A planning error for a parameter the structure rejects, with the structure's message
/// (which names the parameter and its range).
pub(crate) fn param_error(function: &str, e: &hpds_core::Error) -> DataFusionError {
    DataFusionError::Plan(format!("{function}: {e}"))
}

/// Calls `f` with the row index and bytes of every non-NULL value of a binary column.
pub(crate) fn for_each_binary(
    function: &str,
    array: &dyn Array,
    mut f: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<()> {
    macro_rules! each {
        ($a:expr) => {{
            let a = $a;
            for i in 0..a.len() {
                if a.is_valid(i) {
                    f(i, a.value(i))?;
                }
            }
        }};
    }
    match array.data_type() {
        DataType::Binary => each!(array.as_binary::<i32>()),
        DataType::LargeBinary => each!(array.as_binary::<i64>()),
        DataType::BinaryView => each!(array.as_binary_view()),
        DataType::Null => {}
        other => {
            return exec_err!("{function}: the sketch argument must be binary, got {other}");
        }
    }
    Ok(())
}

/// The bytes of row `i` of a binary column (`None` for NULL or a non-binary column).
pub(crate) fn binary_at(array: &dyn Array, i: usize) -> Option<&[u8]> {
    if array.is_null(i) {
        return None;
    }
    match array.data_type() {
        DataType::Binary => Some(array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => Some(array.as_binary::<i64>().value(i)),
        DataType::BinaryView => Some(array.as_binary_view().value(i)),
        _ => None,
    }
}
