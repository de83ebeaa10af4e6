//! Drawing one frame with plotters, on any backend: the canvas in the page and an SVG string
//! for export run the same code.
//!
//! Plotters draws the axes, grid, labels and lines. The buffer rectangles (possibly a
//! hundred thousand) go through a [`Painter`]: the canvas supplies one that sets the fill
//! style once per colour and calls `fillRect` straight on the 2D context (plotters' canvas
//! backend formats an `rgba(...)` string per rectangle); without one, rectangles are plotters
//! elements, which is what the SVG export wants. Plotters' canvas backend draws immediately,
//! so interleaving its calls with the painter's keeps the layer order.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;

use crate::chart::annotations::{annotations, step_names, STEP_FONT, STEP_ROW};
use crate::chart::axis::Axis;
#[cfg(any(test, feature = "svg"))]
use crate::chart::backend::Backend;

/// The canvas backend as [`draw`] takes it: inside the one backend type when SVG is drawn too,
/// so that `draw` is compiled once (chart/backend.rs).
#[cfg(any(test, feature = "svg"))]
pub(crate) fn canvas(backend: CanvasBackend) -> Backend<'static> {
    Backend::Canvas(backend)
}

/// The canvas backend as [`draw`] takes it: as it is when nothing else is drawn.
#[cfg(not(any(test, feature = "svg")))]
pub(crate) fn canvas(backend: CanvasBackend) -> CanvasBackend {
    backend
}
#[cfg(any(test, feature = "svg"))]
use crate::chart::colour::ColourMode;
use crate::chart::colour::{Palette, Rgb, Theme};
use crate::chart::outlines::{outline, outline_windows};
use crate::chart::scene::{PixRect, RectIndex, Scene};
use crate::chart::viewport::{Plot, Viewport};
use crate::layout::{Layout, Rect};

/// Paints batches of pixel rectangles of one colour.
pub(crate) trait Painter {
    fn fill(&mut self, css: &str, colour: Rgb, rects: &[PixRect]) -> Result<(), String>;
    /// Outlines `width` pixels wide, inside each rectangle where the backend allows.
    fn stroke(
        &mut self,
        css: &str,
        colour: Rgb,
        width: f64,
        rects: &[PixRect],
    ) -> Result<(), String>;
}

/// Everything one frame shows.
pub(crate) struct Frame<'a> {
    pub layout: &'a Layout,
    pub index: &'a RectIndex,
    /// Each buffer's base colour (`Colours::of` the mode).
    pub colours: &'a [u8],
    pub palette: &'a Palette,
    pub theme: &'a Theme,
    pub view: &'a Viewport,
    pub selected: Option<usize>,
    pub highlight: Option<usize>,
    /// Buffers sharing time with the selected one, sorted.
    pub neighbours: &'a [usize],
    /// Device pixels per CSS pixel: fonts, line widths and margins scale by it, so the
    /// chart looks the same on a high-density screen, only sharper.
    pub scale: f64,
}

/// The part of a frame whose cost grows with the buffers in view, made for one view of one
/// layout on one plot: the chart keeps it between frames (a selection or a theme changes
/// nothing here) and, when a million rectangles are in view, builds it in slices.
pub(crate) struct Prepared {
    pub plot: Plot,
    pub scene: Scene,
    /// The highest load per pixel column ([`load_envelope`]).
    pub envelope: Vec<Option<i64>>,
}

/// Each rectangle's colour key: its buffer's base colour, faded in a gap.
pub(crate) fn colour_key(colours: &[u8]) -> impl Fn(&Rect) -> u16 + '_ {
    |r| {
        Palette::key(
            colours.get(r.buffer as usize).copied().unwrap_or(0),
            r.in_gap,
        )
    }
}

/// [`Prepared`] in one go.
pub(crate) fn prepare(frame: &Frame<'_>, plot: &Plot) -> Prepared {
    let (layout, view) = (frame.layout, frame.view);
    Prepared {
        plot: *plot,
        scene: Scene::build(
            &layout.rects,
            frame.index,
            view,
            plot,
            frame.palette.len(),
            colour_key(frame.colours),
        ),
        envelope: load_envelope(layout, view, plot),
    }
}

/// What a draw did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Drawn {
    /// Where the data went; the same transforms hit-test the pointer.
    pub plot: Plot,
    /// Buffer rectangles painted (after culling and merging).
    pub rects: usize,
}

/// Margins and label areas, CSS pixels: (top, right, bottom label area, left label area).
const MARGIN_TOP: f64 = 14.0;
const MARGIN_RIGHT: f64 = 18.0;
const MARGIN_BOTTOM: f64 = 4.0;
const MARGIN_LEFT: f64 = 6.0;
const X_LABELS: f64 = 38.0;
const Y_LABELS: f64 = 66.0;
/// The family as plotters' enum: its `From<&str>` lower-cases the name, which brings
/// Unicode case tables into the `.wasm`.
const FONT: FontFamily<'static> = FontFamily::SansSerif;

fn px(value: f64, scale: f64) -> u32 {
    (value * scale).round().max(0.0) as u32
}

/// The plot area of a `width` x `height` canvas, as [`draw`] lays it out: lets the pointer
/// be hit-tested before the first draw.
pub(crate) fn plot_area(width: u32, height: u32, scale: f64) -> Plot {
    let left = px(MARGIN_LEFT, scale) + px(Y_LABELS, scale);
    let top = px(MARGIN_TOP, scale);
    let right = px(MARGIN_RIGHT, scale);
    let bottom = px(MARGIN_BOTTOM, scale) + px(X_LABELS, scale);
    Plot::new(
        left as f64,
        top as f64,
        width.saturating_sub(left + right) as f64,
        height.saturating_sub(top + bottom) as f64,
    )
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Draws `frame` on `backend`, with `prepared` if it was made for this frame's plot (else
/// prepares in one go). Rectangles go to `painter`, or are plotters elements if none.
pub(crate) fn draw<DB: DrawingBackend>(
    backend: DB,
    frame: &Frame<'_>,
    prepared: Option<&Prepared>,
    painter: Option<&mut dyn Painter>,
) -> Result<Drawn, String> {
    let (theme, view, scale) = (frame.theme, frame.view, frame.scale);
    let root = backend.into_drawing_area();
    root.fill(&theme.background.plotters()).map_err(err)?;
    let (width, height) = root.dim_in_pixel();
    let font = |size: f64| (FONT, size * scale).into_font();

    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(MARGIN_TOP, scale))
        .margin_right(px(MARGIN_RIGHT, scale))
        .margin_bottom(px(MARGIN_BOTTOM, scale))
        .margin_left(px(MARGIN_LEFT, scale))
        .x_label_area_size(px(X_LABELS, scale))
        .y_label_area_size(px(Y_LABELS, scale))
        .build_cartesian_2d(
            Axis {
                lo: view.t0,
                hi: view.t1,
                binary: false,
            },
            Axis {
                lo: view.o0,
                hi: view.o1,
                binary: true,
            },
        )
        .map_err(err)?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let plot = Plot::new(
        xs.start as f64,
        ys.start as f64,
        (xs.end - xs.start) as f64,
        (ys.end - ys.start) as f64,
    );
    let text = theme.text.plotters();
    // Named steps (a model's operators) where they fit; else the numbers.
    let names = frame
        .layout
        .steps
        .as_ref()
        .and_then(|steps| step_names(steps, view, &plot, scale));
    let blank = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    if names.is_some() {
        mesh.x_label_formatter(&blank);
    }
    let x_desc = match (&names, &frame.layout.steps) {
        (Some(_), _) => "",
        (None, Some(_)) => "step",
        (None, None) => "time",
    };
    mesh.x_desc(x_desc)
        .y_desc("offset")
        .x_labels(((plot.width / (90.0 * scale)) as usize).max(2))
        .y_labels(((plot.height / (44.0 * scale)) as usize).max(2))
        .max_light_lines(4)
        .label_style(font(12.0).color(&text))
        .axis_desc_style(font(13.0).color(&text))
        .axis_style(ShapeStyle::from(theme.axis.plotters()).stroke_width(px(1.0, scale).max(1)))
        .bold_line_style(theme.grid.plotters())
        .light_line_style(theme.grid.mix(theme.background, 0.55).plotters())
        .set_all_tick_mark_size(px(4.0, scale))
        .draw()
        .map_err(err)?;
    for name in names.unwrap_or_default() {
        let style = font(STEP_FONT)
            .color(&text)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let y = plot.bottom() + (6.0 + STEP_ROW * name.row as f64) * scale;
        root.draw(&Text::new(name.text, (name.x as i32, y as i32), style))
            .map_err(err)?;
    }

    // The load (live total over time) as a step line over the buffers: where it sits below
    // the peak line, the packing spends memory the load does not need. A filled band was
    // tried and dropped: behind the buffers it shows only in the holes, which reads as if
    // the holes were load.
    let made;
    let prepared = match prepared {
        Some(prepared) if prepared.plot == plot => prepared,
        _ => {
            made = prepare(frame, &plot);
            &made
        }
    };
    let (envelope, scene) = (&prepared.envelope, &prepared.scene);
    let load_path = step_path(envelope, view, &plot);

    // The buffers.
    let mut elements = ElementPainter { area: &root };
    let painter: &mut dyn Painter = match painter {
        Some(painter) => painter,
        None => &mut elements,
    };
    for (key, range) in &scene.groups {
        let k = *key as usize;
        painter.fill(
            &frame.palette.css[k],
            frame.palette.fills[k],
            &scene.rects[range.clone()],
        )?;
    }

    if load_path.len() > 1 {
        let style =
            ShapeStyle::from(theme.load_line.plotters()).stroke_width(px(1.5, scale).max(1));
        root.draw(&PathElement::new(load_path, style))
            .map_err(err)?;
    }

    // Horizontal reference lines, and every label.
    let (lines, labels) = annotations(frame, &plot, envelope);
    for line in &lines {
        let y_px = line.y.round() as i32;
        let width = px(1.5, scale).max(1);
        let style = ShapeStyle::from(line.colour.plotters()).stroke_width(width);
        for (a, b) in line.dash.segments(plot.left, plot.right(), scale) {
            root.draw(&PathElement::new(
                vec![(a as i32, y_px), (b as i32, y_px)],
                style,
            ))
            .map_err(err)?;
        }
    }
    for label in labels {
        let style = font(label.size)
            .color(&label.colour.plotters())
            .pos(Pos::new(label.h, label.v));
        let (x, y) = label.at;
        root.draw(&Text::new(label.text, (x as i32, y as i32), style))
            .map_err(err)?;
    }

    // Selection, its neighbours, the search match: outlines over everything.
    let marked = |buffer: usize| {
        if Some(buffer) == frame.selected {
            Some(0)
        } else if Some(buffer) == frame.highlight {
            Some(1)
        } else if frame.neighbours.binary_search(&buffer).is_ok() {
            Some(2)
        } else {
            None
        }
    };
    if frame.selected.is_some() || frame.highlight.is_some() {
        let mut outlines: [Vec<PixRect>; 3] = Default::default();
        // Only rectangles within the lifespans of the buffers outlined: a million buffers in
        // view cost a walk of a few hundred.
        for window in outline_windows(frame) {
            frame
                .index
                .each_in(&frame.layout.rects, window, (view.o0, view.o1), |_, r| {
                    if let Some(kind) = marked(r.buffer as usize) {
                        let min = [5.0, 7.0, 0.0][kind] * scale;
                        outlines[kind].push(outline(view, &plot, r, min));
                    }
                });
        }
        let [selected, highlighted, neighbours] = &outlines;
        painter.stroke(
            &theme.neighbour.css(),
            theme.neighbour,
            1.0 * scale,
            neighbours,
        )?;
        painter.stroke(
            &theme.highlight.css(),
            theme.highlight,
            2.5 * scale,
            highlighted,
        )?;
        // The selection twice: a wide halo in the background colour, then the line, so it
        // reads over any fill.
        painter.stroke(
            &theme.background.css(),
            theme.background,
            4.0 * scale,
            selected,
        )?;
        painter.stroke(
            &theme.selection.css(),
            theme.selection,
            2.0 * scale,
            selected,
        )?;
    }

    root.present().map_err(err)?;
    let _ = (width, height);
    Ok(Drawn {
        plot,
        rects: scene.len(),
    })
}

/// The highest load in each pixel column of the plot (`None` where no step covers it): the
/// upper envelope, so a peak narrower than a pixel still shows.
pub(crate) fn load_envelope(layout: &Layout, view: &Viewport, plot: &Plot) -> Vec<Option<i64>> {
    let columns = plot.width.max(0.0) as usize;
    let mut envelope = vec![None; columns];
    let profile = &layout.profile;
    // The first step still in force at the view's start.
    let first = profile
        .partition_point(|&(t, _)| (t as f64) <= view.t0)
        .saturating_sub(1);
    for (i, &(t, load)) in profile.iter().enumerate().skip(first) {
        if (t as f64) >= view.t1 {
            break;
        }
        let end = profile.get(i + 1).map_or(view.t1, |&(next, _)| next as f64);
        let a = (view.x_of(plot, t as f64) - plot.left).max(0.0);
        let b = (view.x_of(plot, end) - plot.left).min(columns as f64);
        if b <= a && !(b == a && a < columns as f64) {
            continue;
        }
        let (c0, c1) = (
            a.floor() as usize,
            (b.ceil() as usize).max(a.floor() as usize + 1).min(columns),
        );
        for slot in &mut envelope[c0..c1] {
            *slot = Some(slot.map_or(load, |l: i64| l.max(load)));
        }
    }
    envelope
}

/// The envelope as a stepped path in pixels (flat over each run of equal columns).
fn step_path(envelope: &[Option<i64>], view: &Viewport, plot: &Plot) -> Vec<(i32, i32)> {
    let mut path: Vec<(i32, i32)> = Vec::new();
    let clamp_y = |y: f64| y.clamp(plot.top, plot.bottom()).round() as i32;
    let mut previous: Option<i32> = None;
    for (c, load) in envelope.iter().enumerate() {
        let y = clamp_y(view.y_of(plot, load.unwrap_or(0) as f64));
        let x = (plot.left + c as f64) as i32;
        if previous != Some(y) {
            if let Some(py) = previous {
                path.push((x, py));
            }
            path.push((x, y));
            previous = Some(y);
        }
    }
    if let Some(py) = previous {
        path.push((plot.right() as i32, py));
    }
    path
}

/// Rectangles as plotters elements on a drawing area (the SVG export).
struct ElementPainter<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
}

impl<DB: DrawingBackend> Painter for ElementPainter<'_, DB> {
    fn fill(&mut self, _css: &str, colour: Rgb, rects: &[PixRect]) -> Result<(), String> {
        let style = colour.plotters().filled();
        for r in rects {
            self.area
                .draw(&Rectangle::new([(r.x0, r.y0), (r.x1, r.y1)], style))
                .map_err(err)?;
        }
        Ok(())
    }

    fn stroke(
        &mut self,
        _css: &str,
        colour: Rgb,
        width: f64,
        rects: &[PixRect],
    ) -> Result<(), String> {
        let style = ShapeStyle::from(colour.plotters()).stroke_width(width.round().max(1.0) as u32);
        for r in rects {
            self.area
                .draw(&Rectangle::new([(r.x0, r.y0), (r.x1, r.y1)], style))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// The layout drawn as an SVG document of `width` x `height`, for export: the same chart as
/// on screen (axes, buffers, load, lines), without selection.
#[cfg(any(test, feature = "svg"))]
pub fn svg(
    layout: &Layout,
    view: &Viewport,
    colour: ColourMode,
    dark: bool,
    width: u32,
    height: u32,
) -> String {
    let theme = Theme::of(dark);
    let palette = Palette::new(colour, &theme);
    let frame = Frame {
        layout,
        index: &layout.index,
        colours: layout.colours.of(colour),
        palette: &palette,
        theme: &theme,
        view,
        selected: None,
        highlight: None,
        neighbours: &[],
        scale: 1.0,
    };
    let mut out = String::new();
    {
        let backend = Backend::Svg(SVGBackend::with_string(
            &mut out,
            (width.max(1), height.max(1)),
        ));
        if let Err(e) = draw(backend, &frame, None, None) {
            return format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><!-- {} --></svg>",
                e.replace("--", "- -")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        crate::layout::sample()
    }

    #[test]
    fn plot_area_matches_what_plotters_lays_out() {
        let layout = layout();
        let view = Viewport::fit(&layout);
        for (w, h, scale) in [(800, 400, 1.0), (1234, 567, 2.0), (300, 200, 1.5)] {
            let theme = Theme::light();
            let palette = Palette::new(ColourMode::Size, &theme);
            let colours = layout.colours.of(ColourMode::Size);
            let index = &layout.index;
            let frame = Frame {
                layout: &layout,
                index,
                colours,
                palette: &palette,
                theme: &theme,
                view: &view,
                selected: Some(1),
                highlight: Some(2),
                neighbours: &[0],
                scale,
            };
            let mut out = String::new();
            let drawn = draw(
                Backend::Svg(SVGBackend::with_string(&mut out, (w, h))),
                &frame,
                None,
                None,
            )
            .unwrap();
            assert_eq!(drawn.plot, plot_area(w, h, scale), "{w}x{h}@{scale}");
            assert_eq!(drawn.rects, 5);
        }
    }

    #[test]
    fn svg_has_axes_buffers_and_lines() {
        let layout = layout();
        let svg = svg(
            &layout,
            &Viewport::fit(&layout),
            ColourMode::Id,
            true,
            600,
            300,
        );
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains("\ntime\n") && svg.contains("\noffset\n"),
            "axis names"
        );
        assert!(svg.contains("capacity 8") && svg.contains("peak 5"));
        // Five buffer rectangles plus the background.
        assert!(svg.matches("<rect").count() >= 6);
        assert!(
            svg.contains(&Theme::dark().background.css().to_uppercase())
                || svg.contains(&Theme::dark().background.css())
        );
        // Line labels read in bytes.
        let big = Layout {
            capacity: Some(1 << 20),
            ..layout.clone()
        };
        let big_svg = super::svg(
            &big,
            &Viewport::fit(&big),
            ColourMode::Size,
            false,
            600,
            300,
        );
        assert!(big_svg.contains("capacity 1,048,576 (1 MiB)"));
    }

    #[test]
    fn load_envelope_takes_the_highest_step_per_column() {
        let layout = layout();
        // Load: [0,2) 2, [2,3) 5, [3,4) 3, [4,5) 1, [5,6) 3, [6,8) 5, then 0.
        let view = Viewport::new((0.0, 8.0), (0.0, 10.0));
        let plot = Plot::new(0.0, 0.0, 8.0, 10.0);
        let env = load_envelope(&layout, &view, &plot);
        assert_eq!(
            env,
            [
                Some(2),
                Some(2),
                Some(5),
                Some(3),
                Some(1),
                Some(3),
                Some(5),
                Some(5)
            ]
        );
        // Two time units per column: the max of both.
        let plot = Plot::new(0.0, 0.0, 4.0, 10.0);
        assert_eq!(
            load_envelope(&layout, &view, &plot),
            [Some(2), Some(5), Some(3), Some(5)]
        );
        assert_eq!(layout.profile.first(), Some(&(0, 2)));
    }
}
