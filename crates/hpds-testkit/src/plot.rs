//! Line charts as SVG files, for the figures in `docs/`.
//!
//! One function that every figure uses, so the guides' plots look alike and no crate carries
//! its own plotting code.

use std::path::Path;

use plotters::prelude::*;

/// An axis's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Base-10 logarithmic (all values must be positive).
    Log,
}

/// One named line of points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points, in x order.
    pub points: Vec<(f64, f64)>,
    /// Dashed line (e.g. a theoretical band) instead of a solid one with markers.
    pub dashed: bool,
    /// Palette index; by default the series' position. Give a theory line the index of the
    /// measurement it belongs to, so the pair shares a colour.
    pub color: Option<usize>,
}

impl Series {
    /// A solid line with point markers.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
            dashed: false,
            color: None,
        }
    }

    /// The same series drawn in palette colour `index`.
    pub fn with_color(self, index: usize) -> Self {
        Self {
            color: Some(index),
            ..self
        }
    }

    /// A dashed line without markers, for theory.
    pub fn theory(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            dashed: true,
            ..Self::new(name, points)
        }
    }

    /// A measurement and the theory it is checked against, in one palette colour:
    /// "`label`: measured" (solid) and "`label`: theory" (dashed).
    pub fn measured_vs_theory(
        label: &str,
        color: usize,
        measured: Vec<(f64, f64)>,
        theory: Vec<(f64, f64)>,
    ) -> [Self; 2] {
        [
            Self::new(format!("{label}: measured"), measured).with_color(color),
            Self::theory(format!("{label}: theory"), theory).with_color(color),
        ]
    }
}

/// A chart's labels and scales.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label.
    pub y_label: &'a str,
    /// X axis scale.
    pub x_scale: Scale,
    /// Y axis scale.
    pub y_scale: Scale,
}

impl<'a> Chart<'a> {
    /// The accuracy figures' layout: relative RMSE (linear) against a count (log).
    pub fn rmse_vs_count(title: &'a str, x_label: &'a str) -> Self {
        Self {
            title,
            x_label,
            y_label: "relative RMSE",
            x_scale: Scale::Log,
            y_scale: Scale::Linear,
        }
    }
}

/// Tick labels that stay short on log axes (1e-5, 0.001, 10, 1e6).
fn tick(v: f64, scale: Scale) -> String {
    if scale == Scale::Linear {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return if s == "-0" { "0".into() } else { s.into() };
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{v:.0e}")
    }
}

fn range(values: impl Iterator<Item = f64>, scale: Scale) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (scale == Scale::Linear || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    match scale {
        Scale::Log => (lo / 1.5, hi * 1.5),
        Scale::Linear => {
            let pad = ((hi - lo) * 0.05).max(1e-12);
            (lo - pad, hi + pad)
        }
    }
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Writes `series` as an 800x520 SVG line chart to `path`.
///
/// # Errors
/// When the file cannot be written.
pub fn line_chart(
    path: &Path,
    chart: &Chart<'_>,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (800, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let xs = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.0)),
        chart.x_scale,
    );
    let ys = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        chart.y_scale,
    );
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(chart.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80);
    // Each scale combination is its own coordinate type in plotters.
    macro_rules! draw {
        ($x:expr, $y:expr) => {{
            let mut c = builder.build_cartesian_2d($x, $y)?;
            let (fx, fy) = (
                |v: &f64| tick(*v, chart.x_scale),
                |v: &f64| tick(*v, chart.y_scale),
            );
            c.configure_mesh()
                .x_desc(chart.x_label)
                .y_desc(chart.y_label)
                .x_label_formatter(&fx)
                .y_label_formatter(&fy)
                .draw()?;
            for (i, s) in series.iter().enumerate() {
                let color = COLORS[s.color.unwrap_or(i) % COLORS.len()];
                let pts: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|&(x, y)| {
                        x.is_finite()
                            && y.is_finite()
                            && (chart.x_scale == Scale::Linear || x > 0.0)
                            && (chart.y_scale == Scale::Linear || y > 0.0)
                    })
                    .collect();
                if s.dashed {
                    c.draw_series(DashedLineSeries::new(pts, 6, 4, color.stroke_width(2)))?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
                } else {
                    c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                        });
                    c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
                }
            }
            c.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
        }};
    }
    match (chart.x_scale, chart.y_scale) {
        (Scale::Linear, Scale::Linear) => draw!(xs.0..xs.1, ys.0..ys.1),
        (Scale::Log, Scale::Linear) => draw!((xs.0..xs.1).log_scale(), ys.0..ys.1),
        (Scale::Linear, Scale::Log) => draw!(xs.0..xs.1, (ys.0..ys.1).log_scale()),
        (Scale::Log, Scale::Log) => draw!((xs.0..xs.1).log_scale(), (ys.0..ys.1).log_scale()),
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.00001, Scale::Log), "1e-5");
        assert_eq!(tick(0.01, Scale::Log), "0.01");
        assert_eq!(tick(1_000_000.0, Scale::Log), "1e6");
        assert_eq!(tick(0.25, Scale::Linear), "0.25");
        assert_eq!(tick(3.0, Scale::Linear), "3");
    }

    #[test]
    fn writes_an_svg_with_every_series() {
        let dir = std::env::temp_dir().join(format!("hpds-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("chart.svg");
        let chart = Chart {
            title: "error",
            x_label: "n",
            y_label: "relative error",
            x_scale: Scale::Log,
            y_scale: Scale::Linear,
        };
        let series = [
            Series::new("measured", vec![(1.0, 0.0), (10.0, 0.02), (100.0, 0.03)]),
            Series::theory("1.04/sqrt(m)", vec![(1.0, 0.032), (100.0, 0.032)]),
        ];
        line_chart(&path, &chart, &series).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("measured") && svg.contains("1.04/sqrt(m)")
        );
    }
}
