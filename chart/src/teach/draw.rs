//! Draws one step of a recorded search with plotters: the buffers placed so far, the
//! candidates of the node as outlines, the buffer just placed or taken off, and what a
//! pruning rests on (the section's floor and the units still to place, the capacity line a
//! buffer pokes through, the candidates dominance or hatless cut). Small problems only, so
//! everything is drawn, with ids written in the rectangles.
//!
//! The same code draws the comparison thumbnails (a complete packing, nothing else).

use plotters::coord::Shift;
use plotters::prelude::*;

use bufpack::{Offset, Problem, Time};

use super::replay::{Candidate, Prune};

/// Colours of the teaching chart, per theme.
struct Colours {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    capacity: RGBColor,
    load: RGBColor,
    accent: RGBColor,
    danger: RGBColor,
    dark: bool,
}

impl Colours {
    fn of(dark: bool) -> Colours {
        if dark {
            Colours {
                background: RGBColor(0x16, 0x18, 0x1d),
                text: RGBColor(0xe6, 0xe8, 0xec),
                grid: RGBColor(0x2c, 0x30, 0x38),
                capacity: RGBColor(0xff, 0x6b, 0x6b),
                load: RGBColor(0xff, 0xab, 0x40),
                accent: RGBColor(0xff, 0xff, 0xff),
                danger: RGBColor(0xff, 0x52, 0x52),
                dark,
            }
        } else {
            Colours {
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x22, 0x22, 0x22),
                grid: RGBColor(0xe4, 0xe4, 0xe4),
                capacity: RGBColor(0xc6, 0x28, 0x28),
                load: RGBColor(0xd8, 0x43, 0x15),
                accent: RGBColor(0x00, 0x00, 0x00),
                danger: RGBColor(0xd3, 0x2f, 0x2f),
                dark,
            }
        }
    }

    /// A categorical fill per buffer (Tableau 10), lighter on a dark page.
    fn fill(&self, buffer: usize) -> RGBColor {
        const TABLEAU: [(u8, u8, u8); 10] = [
            (0x4e, 0x79, 0xa7),
            (0xf2, 0x8e, 0x2b),
            (0xe1, 0x57, 0x59),
            (0x76, 0xb7, 0xb2),
            (0x59, 0xa1, 0x4f),
            (0xed, 0xc9, 0x48),
            (0xb0, 0x7a, 0xa1),
            (0xff, 0x9d, 0xa7),
            (0x9c, 0x75, 0x5f),
            (0xba, 0xb0, 0xac),
        ];
        let (r, g, b) = TABLEAU[buffer % TABLEAU.len()];
        if self.dark {
            let lift = |c: u8| c + (255 - c) / 6;
            RGBColor(lift(r), lift(g), lift(b))
        } else {
            RGBColor(r, g, b)
        }
    }
}

/// What one step shows.
pub struct Scene<'a> {
    pub problem: &'a Problem,
    pub capacity: Offset,
    pub placed: &'a [Option<Offset>],
    /// The node's candidates, drawn as outlines where they would go.
    pub candidates: &'a [Candidate],
    /// The buffer placed by this step (thick outline), or taken off (dashed, red).
    pub placed_now: Option<Candidate>,
    pub removed_now: Option<Candidate>,
    pub prune: Option<&'a Prune>,
    /// The time range of the pruning's section, if it has one.
    pub section: Option<(Time, Time)>,
    /// Boundaries between independent runs, as times (a split).
    pub cuts: &'a [Time],
    /// The load over time (`(time, load)` steps).
    pub profile: &'a [(Time, Offset)],
    pub dark: bool,
    /// Thumbnails: no ids, no axis titles.
    pub compact: bool,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The time span of the problem, never empty.
fn time_span(problem: &Problem) -> (Time, Time) {
    let lo = problem
        .buffers
        .iter()
        .map(|b| b.lifespan.lower)
        .min()
        .unwrap_or(0);
    let hi = problem
        .buffers
        .iter()
        .map(|b| b.lifespan.upper)
        .max()
        .unwrap_or(1);
    (lo, hi.max(lo + 1))
}

/// The offset range to show: everything drawn, with room above the capacity line.
fn offset_top(scene: &Scene<'_>) -> Offset {
    let buffers = &scene.problem.buffers;
    let mut top = scene.capacity;
    for (index, offset) in scene.placed.iter().enumerate() {
        if let (Some(offset), Some(buffer)) = (offset, buffers.get(index)) {
            top = top.max(offset + buffer.size);
        }
    }
    for c in scene.candidates.iter().chain(&scene.placed_now) {
        if let Some(buffer) = buffers.get(c.buffer) {
            top = top.max(c.offset + buffer.size);
        }
    }
    if let Some(prune) = scene.prune {
        top = top.max(prune.top.unwrap_or(0));
        top = top.max(prune.floor.unwrap_or(0) + prune.total.unwrap_or(0));
    }
    let headroom = (top / 8).max(1);
    top + headroom
}

/// The rectangles buffer `index` occupies at `offset` (gaps honoured).
fn pieces(
    problem: &Problem,
    index: usize,
    offset: Offset,
) -> Vec<((Time, Offset), (Time, Offset))> {
    problem.buffers.get(index).map_or_else(Vec::new, |buffer| {
        buffer
            .pieces()
            .iter()
            .map(|p| {
                (
                    (p.time.lower, offset + p.bottom),
                    (p.time.upper, offset + p.top),
                )
            })
            .collect()
    })
}

/// Draws `scene` on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scene: &Scene<'_>,
    scale: f64,
) -> Result<(), String> {
    let colours = Colours::of(scene.dark);
    root.fill(&colours.background).map_err(err)?;
    let (t0, t1) = time_span(scene.problem);
    let top = offset_top(scene);
    let px = |v: f64| (v * scale).round().max(1.0) as u32;
    let font = |size: f64| {
        (FontFamily::SansSerif, size * scale)
            .into_font()
            .color(&colours.text)
    };
    let mut builder = ChartBuilder::on(root);
    builder.margin(px(if scene.compact { 4.0 } else { 10.0 }));
    if !scene.compact {
        builder
            .x_label_area_size(px(30.0))
            .y_label_area_size(px(44.0));
    } else {
        builder
            .x_label_area_size(px(16.0))
            .y_label_area_size(px(30.0));
    }
    let mut chart = builder.build_cartesian_2d(t0..t1, 0..top).map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(if scene.compact { 9.0 } else { 11.0 }))
        .bold_line_style(colours.grid)
        .light_line_style(colours.background)
        .axis_style(colours.text.mix(0.6))
        .x_labels(if scene.compact { 4 } else { 10 })
        .y_labels(if scene.compact { 4 } else { 8 });
    if !scene.compact {
        mesh.x_desc("time").y_desc("offset");
    }
    mesh.draw().map_err(err)?;

    // The pruning's section first, behind everything: the instants it covers.
    if let Some((from, to)) = scene.section {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(from, 0), (to, top)],
                colours.danger.mix(0.12).filled(),
            )))
            .map_err(err)?;
    }

    // Placed buffers, with their ids when the rectangle has room.
    for (index, offset) in scene.placed.iter().enumerate() {
        let Some(offset) = *offset else { continue };
        let fill = colours.fill(index);
        for (a, b) in pieces(scene.problem, index, offset) {
            chart
                .draw_series([
                    Rectangle::new([a, b], fill.filled()),
                    Rectangle::new([a, b], colours.background.stroke_width(px(1.0))),
                ])
                .map_err(err)?;
        }
        if !scene.compact {
            label(&mut chart, scene, index, offset, &font(11.0))?;
        }
    }

    // The node's candidates where they would go: outlines.
    for c in scene.candidates {
        if scene.placed.get(c.buffer).copied().flatten().is_some() {
            continue;
        }
        let style = colours.fill(c.buffer).stroke_width(px(1.5));
        for (a, b) in pieces(scene.problem, c.buffer, c.offset) {
            chart
                .draw_series(std::iter::once(Rectangle::new([a, b], style)))
                .map_err(err)?;
        }
    }

    if let Some(c) = scene.placed_now {
        for (a, b) in pieces(scene.problem, c.buffer, c.offset) {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [a, b],
                    colours.accent.stroke_width(px(3.0)),
                )))
                .map_err(err)?;
        }
    }
    if let Some(c) = scene.removed_now {
        for (a, b) in pieces(scene.problem, c.buffer, c.offset) {
            chart
                .draw_series([
                    Rectangle::new([a, b], colours.danger.mix(0.15).filled()),
                    Rectangle::new([a, b], colours.danger.stroke_width(px(2.0))),
                ])
                .map_err(err)?;
        }
    }

    if let Some(prune) = scene.prune {
        draw_prune(&mut chart, scene, prune, &colours, px(2.0))?;
    }

    for &cut in scene.cuts {
        chart
            .draw_series(std::iter::once(PathElement::new(
                [(cut, 0), (cut, top)],
                colours.accent.stroke_width(px(2.0)),
            )))
            .map_err(err)?;
    }

    // The load (live total) as a step line, and the capacity.
    let mut steps = Vec::with_capacity(scene.profile.len() * 2);
    let mut previous = 0;
    for &(time, load) in scene.profile {
        steps.push((time, previous));
        steps.push((time, load));
        previous = load;
    }
    steps.push((t1, previous));
    chart
        .draw_series(std::iter::once(PathElement::new(
            steps,
            colours.load.stroke_width(px(1.5)),
        )))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            [(t0, scene.capacity), (t1, scene.capacity)],
            colours.capacity.stroke_width(px(2.0)),
        )))
        .map_err(err)?;
    Ok(())
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordi64, plotters::coord::types::RangedCoordi64>,
>;

fn label<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    scene: &Scene<'_>,
    index: usize,
    offset: Offset,
    font: &TextStyle<'_>,
) -> Result<(), String> {
    let Some(buffer) = scene.problem.buffers.get(index) else {
        return Ok(());
    };
    let (from, to) = chart
        .plotting_area()
        .map_coordinate(&(buffer.lifespan.lower, offset));
    let (until, over) = chart
        .plotting_area()
        .map_coordinate(&(buffer.lifespan.upper, offset + buffer.size));
    let (width, height) = (until - from, to - over);
    let size = font.font.get_size() as i32;
    let room = width > size * buffer.id.len() as i32 / 2 + 6 && height > size + 2;
    if room {
        let at = (from + 4, over + 2);
        chart
            .plotting_area()
            .strip_coord_spec()
            .draw(&Text::new(buffer.id.clone(), at, font.clone()))
            .map_err(err)?;
    }
    Ok(())
}

fn draw_prune<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    scene: &Scene<'_>,
    prune: &Prune,
    colours: &Colours,
    line: u32,
) -> Result<(), String> {
    let danger = colours.danger;
    match prune.rule.as_str() {
        "section" => {
            // The floor, and the units still to place stacked on it, poking through.
            if let (Some((from, to)), Some(floor), Some(total)) =
                (scene.section, prune.floor, prune.total)
            {
                chart
                    .draw_series([
                        Rectangle::new(
                            [(from, floor), (to, floor + total)],
                            danger.mix(0.35).filled(),
                        ),
                        Rectangle::new(
                            [(from, floor), (to, floor + total)],
                            danger.stroke_width(line),
                        ),
                    ])
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(from, floor), (to, floor)],
                        colours.accent.stroke_width(line),
                    )))
                    .map_err(err)?;
            }
        }
        "capacity" | "canonical" => {
            if let (Some(buffer), Some(offset)) = (prune.buffer, prune.offset) {
                for (a, b) in pieces(scene.problem, buffer, offset) {
                    chart
                        .draw_series([
                            Rectangle::new([a, b], danger.mix(0.25).filled()),
                            Rectangle::new([a, b], danger.stroke_width(line)),
                        ])
                        .map_err(err)?;
                }
            }
        }
        _ => {
            // Dominance and hatless: the cut candidates crossed out.
            for c in &prune.dropped {
                for (a, b) in pieces(scene.problem, c.buffer, c.offset) {
                    chart
                        .draw_series([
                            PathElement::new([a, b], danger.stroke_width(line)),
                            PathElement::new([(a.0, b.1), (b.0, a.1)], danger.stroke_width(line)),
                            PathElement::new(
                                [(a.0, a.1), (b.0, a.1), (b.0, b.1), (a.0, b.1), (a.0, a.1)],
                                danger.stroke_width(line),
                            ),
                        ])
                        .map_err(err)?;
                }
            }
            if let (Some(top), "dominance") = (prune.top, prune.rule.as_str()) {
                let (t0, t1) = time_span(scene.problem);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        [(t0, top), (t1, top)],
                        danger.mix(0.7).stroke_width(line),
                    )))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}
