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
    /// X positions where the measurement was zero, below what the experiment can resolve:
    /// drawn as open downward triangles on the bottom edge of a log axis, not as points.
    pub below_resolution: Vec<f64>,
}

impl Series {
    /// A solid line with point markers.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
            dashed: false,
            color: None,
            below_resolution: Vec::new(),
        }
    }

    /// Marks x positions whose measurement was zero (below the experiment's resolution).
    pub fn with_below_resolution(self, xs: Vec<f64>) -> Self {
        Self {
            below_resolution: xs,
            ..self
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

/// Width of the legend column, right of the plot.
const LEGEND_WIDTH: u32 = 250;

/// The legend's marker of a series: the shapes (dot, square, triangle, cross, diamond, ring) cycle
/// per measured series, as in the plot, so coinciding curves stay distinguishable.
fn marker<'a, DB: DrawingBackend + 'a, C: Clone + 'a>(
    shape: usize,
    at: C,
    color: RGBColor,
) -> DynElement<'a, DB, C> {
    let anchor = EmptyElement::at(at);
    match shape % 6 {
        0 => (anchor + Circle::new((0, 0), 3, color.filled())).into_dyn(),
        1 => (anchor + Rectangle::new([(-5, -5), (5, 5)], color.stroke_width(1))).into_dyn(),
        2 => (anchor + Polygon::new(vec![(0, -8), (-7, 5), (7, 5)], color.filled())).into_dyn(),
        3 => (anchor + Cross::new((0, 0), 7, color.stroke_width(2))).into_dyn(),
        4 => (anchor
            + PathElement::new(
                vec![(0, -8), (8, 0), (0, 8), (-8, 0), (0, -8)],
                color.stroke_width(2),
            ))
        .into_dyn(),
        _ => (anchor + Circle::new((0, 0), 9, color.stroke_width(2))).into_dyn(),
    }
}

/// Writes `series` as an SVG line chart (800x520 plot, legend in a column to its right) to
/// `path`.
///
/// Measured series get markers of four shapes in turn, so curves that coincide (filters
/// with the same bit positions) still show every series; theory lines are dashed. Points a
/// log axis cannot show (zero, negative) are left out, and a series' `below_resolution`
/// positions are drawn as open triangles on the bottom edge.
///
/// # Errors
/// When the file cannot be written.
pub fn line_chart(
    path: &Path,
    chart: &Chart<'_>,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (800 + LEGEND_WIDTH, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot_area, legend_area) = root.split_horizontally(800);
    let xs = range(
        series.iter().flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.0)
                .chain(s.below_resolution.iter().copied())
        }),
        chart.x_scale,
    );
    let ys = range(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        chart.y_scale,
    );
    let mut builder = ChartBuilder::on(&plot_area);
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
            let mut shape = 0;
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
                    c.draw_series(DashedLineSeries::new(pts, 6, 4, color.stroke_width(2)))?;
                } else {
                    c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?;
                    let pts = pts.into_iter().map(EmptyElement::at);
                    match shape % 6 {
                        0 => {
                            c.draw_series(pts.map(|a| a + Circle::new((0, 0), 3, color.filled())))?;
                        }
                        1 => {
                            c.draw_series(pts.map(|a| {
                                a + Rectangle::new([(-5, -5), (5, 5)], color.stroke_width(1))
                            }))?;
                        }
                        2 => {
                            c.draw_series(pts.map(|a| {
                                a + Polygon::new(vec![(0, -8), (-7, 5), (7, 5)], color.filled())
                            }))?;
                        }
                        3 => {
                            c.draw_series(
                                pts.map(|a| a + Cross::new((0, 0), 7, color.stroke_width(2))),
                            )?;
                        }
                        4 => {
                            c.draw_series(pts.map(|a| {
                                a + PathElement::new(
                                    vec![(0, -8), (8, 0), (0, 8), (-8, 0), (0, -8)],
                                    color.stroke_width(2),
                                )
                            }))?;
                        }
                        _ => {
                            c.draw_series(
                                pts.map(|a| a + Circle::new((0, 0), 9, color.stroke_width(2))),
                            )?;
                        }
                    }
                    let bottom = ys.0;
                    c.draw_series(s.below_resolution.iter().map(|&x| {
                        EmptyElement::at((x, bottom))
                            + Polygon::new(vec![(-6, -12), (6, -12), (0, 0)], color.stroke_width(2))
                    }))?;
                    shape += 1;
                }
            }
        }};
    }
    match (chart.x_scale, chart.y_scale) {
        (Scale::Linear, Scale::Linear) => draw!(xs.0..xs.1, ys.0..ys.1),
        (Scale::Log, Scale::Linear) => draw!((xs.0..xs.1).log_scale(), ys.0..ys.1),
        (Scale::Linear, Scale::Log) => draw!(xs.0..xs.1, (ys.0..ys.1).log_scale()),
        (Scale::Log, Scale::Log) => draw!((xs.0..xs.1).log_scale(), (ys.0..ys.1).log_scale()),
    }
    draw_legend(&legend_area, series)?;
    root.present()?;
    Ok(())
}

/// The legend, one row per series, in its own column so it never covers data.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let font = ("sans-serif", 13).into_font();
    let mut y = 50;
    let mut shape = 0;
    let mut any_below = false;
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[s.color.unwrap_or(i) % COLORS.len()];
        if s.dashed {
            area.draw(&PathElement::new(
                vec![(8, y), (14, y)],
                color.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                vec![(20, y), (28, y)],
                color.stroke_width(2),
            ))?;
        } else {
            area.draw(&PathElement::new(
                vec![(8, y), (32, y)],
                color.stroke_width(2),
            ))?;
            area.draw(&marker(shape, (20, y), color))?;
            shape += 1;
            any_below |= !s.below_resolution.is_empty();
        }
        area.draw(&Text::new(s.name.clone(), (40, y - 7), font.clone()))?;
        y += 20;
    }
    if any_below {
        area.draw(
            &(EmptyElement::at((20, y + 6))
                + Polygon::new(vec![(-6, -12), (6, -12), (0, 0)], BLACK.stroke_width(2))),
        )?;
        area.draw(&Text::new(
            "measured 0: below resolution",
            (40, y - 7),
            font.clone(),
        ))?;
    }
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
