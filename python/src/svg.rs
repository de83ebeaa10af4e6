//! A packing as an SVG picture, for Jupyter (`Solution._repr_svg_`).
//!
//! ```text
//!  offset ┌──────────────────────────────────┐
//!         │- - - - - - - - capacity - - - - -│  dashed: the capacity, when it is in view
//!         │────────────────── height ────────│  thin: the packing's height
//!         │  ┌────┐ ┌──────────┐     ┌──┐    │  one rectangle per piece of a buffer
//!         │  └────┘ └──────────┘  ┌──┴──┴─┐  │  (time × [offset + bottom, offset + top))
//!         │ ▁▁▁▁▁▁▁▁▁▔▔▔▔▔▔▔▔▔▔▁▁▁▁▁▁▁       │  LOAD: the live total over time (a step line)
//!         └──────────────────────────────────┘ time
//! ```
//!
//! Above `max_rects` pieces only the largest on screen are drawn (and the caption says so):
//! a notebook cell stays a few hundred kilobytes whatever the input.

use std::fmt::Write as _;

use bufpack::{LoadProfile, Problem};

/// The picture's size and how much of it to draw.
pub(crate) struct Options {
    /// Width and height in pixels.
    pub(crate) width: f64,
    pub(crate) height: f64,
    /// At most this many rectangles.
    pub(crate) max_rects: usize,
}

const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 34.0;

/// One rectangle on screen: buffer index and its corners in pixels.
struct Rect {
    buffer: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Draws `problem` packed at `offsets` (one per buffer).
pub(crate) fn render(
    problem: &Problem,
    capacity: Option<i64>,
    offsets: &[i64],
    options: &Options,
) -> String {
    let buffers = &problem.buffers;
    let height = buffers
        .iter()
        .zip(offsets)
        .map(|(b, &o)| o + b.size)
        .max()
        .unwrap_or(0);
    let profile = LoadProfile::of(problem);
    let (_, load) = profile.peak();
    // The capacity is drawn when it is near the packing (not "no limit", not far above).
    let capacity = capacity.filter(|&c| c <= height.max(load).max(1).saturating_mul(3) / 2);
    let top = height.max(load).max(capacity.unwrap_or(0)).max(1) as f64;
    let (t0, t1) = buffers
        .iter()
        .filter(|b| b.lifespan.lower < b.lifespan.upper)
        .fold(None, |span: Option<(i64, i64)>, b| {
            Some(
                span.map_or((b.lifespan.lower, b.lifespan.upper), |(lo, hi)| {
                    (lo.min(b.lifespan.lower), hi.max(b.lifespan.upper))
                }),
            )
        })
        .unwrap_or((0, 1));
    let (pw, ph) = (options.width - LEFT - RIGHT, options.height - TOP - BOTTOM);
    let sx = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0).max(1) as f64 * pw;
    let sy = |v: i64| TOP + ph - v as f64 / top * ph;

    let mut rects: Vec<Rect> = Vec::new();
    for (index, (buffer, &offset)) in buffers.iter().zip(offsets).enumerate() {
        for piece in buffer.pieces() {
            let (x, y) = (sx(piece.time.lower), sy(offset + piece.top));
            rects.push(Rect {
                buffer: index,
                x,
                y,
                w: sx(piece.time.upper) - x,
                h: sy(offset + piece.bottom) - y,
            });
        }
    }
    let total = rects.len();
    if total > options.max_rects {
        let keep = options.max_rects;
        if keep > 0 {
            rects.select_nth_unstable_by(keep - 1, |a, b| (b.w * b.h).total_cmp(&(a.w * a.h)));
        }
        rects.truncate(keep);
        rects.sort_unstable_by_key(|r| r.buffer);
    }

    let mut out = String::with_capacity(600 + rects.len() * 150);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">"#,
        w = options.width,
        h = options.height
    );
    let _ = write!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{pw:.1}" height="{ph:.1}" fill="#fafafa" stroke="#888"/>"##
    );
    let mut caption = format!("{} buffers · height {height} · LOAD {load}", buffers.len());
    if let Some(c) = capacity {
        let _ = write!(caption, " · capacity {c}");
    }
    if rects.len() < total {
        let _ = write!(
            caption,
            " · the {} largest of {total} pieces drawn",
            rects.len()
        );
    }
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="{:.1}">{}</text>"#,
        TOP - 9.0,
        escape(&caption)
    );

    out.push_str(r##"<g stroke="#333" stroke-width="0.4">"##);
    for rect in &rects {
        let buffer = &buffers[rect.buffer];
        let hue = (rect.buffer as f64 * 137.508) % 360.0;
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="hsl({hue:.0},55%,65%)"><title>{}: [{}, {}) × {} at offset {}</title></rect>"#,
            rect.x,
            rect.y,
            rect.w.max(0.3),
            rect.h.max(0.3),
            escape(&buffer.id),
            buffer.lifespan.lower,
            buffer.lifespan.upper,
            buffer.size,
            offsets[rect.buffer],
        );
    }
    out.push_str("</g>");

    // LOAD as a step line at pixel resolution: each pixel column shows the highest load
    // within it, so a million steps draw as at most one segment per column.
    if !profile.steps.is_empty() {
        let columns = pw.ceil().max(1.0) as usize;
        let column_of = |t: i64| {
            let at = (t - t0) as f64 / (t1 - t0).max(1) as f64 * pw;
            (at.max(0.0) as usize).min(columns - 1)
        };
        let mut highest = vec![0i64; columns];
        for (i, &(time, value)) in profile.steps.iter().enumerate() {
            let end = profile.steps.get(i + 1).map_or(time, |&(next, _)| next);
            let (first, last) = (column_of(time), column_of((end - 1).max(time)));
            for slot in &mut highest[first..=last.max(first)] {
                *slot = (*slot).max(value);
            }
        }
        let mut path = format!("M{LEFT:.1},{:.1}", sy(0));
        let mut current = None;
        for (column, &value) in highest.iter().enumerate() {
            if current != Some(value) {
                let x = LEFT + column as f64;
                let _ = write!(path, "H{x:.1}V{:.1}", sy(value));
                current = Some(value);
            }
        }
        let _ = write!(path, "H{:.1}", LEFT + pw);
        let _ = write!(
            out,
            r##"<path d="{path}" fill="none" stroke="#111" stroke-width="1.3"><title>LOAD {load}</title></path>"##
        );
    }
    let mut line = |value: i64, colour: &str, dash: &str, label: String| {
        let y = sy(value);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="1.2"{dash}/><text x="{:.1}" y="{:.1}" fill="{colour}" text-anchor="end">{label}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{value}</text>"#,
            LEFT + pw,
            LEFT + pw - 4.0,
            y - 3.0,
            LEFT - 4.0,
            y + 4.0,
        );
    };
    line(height, "#1f5fa8", "", "height".to_owned());
    if let Some(c) = capacity {
        line(
            c,
            "#c0392b",
            r#" stroke-dasharray="6,4""#,
            "capacity".to_owned(),
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">0</text>"#,
        LEFT - 4.0,
        TOP + ph + 4.0
    );
    // Time axis: the first and last instants, and the axis names.
    let below = TOP + ph + 14.0;
    let _ = write!(
        out,
        r#"<text x="{LEFT}" y="{below:.1}">{t0}</text><text x="{:.1}" y="{below:.1}" text-anchor="end">{t1}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">time</text>"#,
        LEFT + pw,
        LEFT + pw / 2.0,
        below + 13.0,
    );
    let _ = write!(
        out,
        r#"<text transform="translate(14,{:.1}) rotate(-90)" text-anchor="middle">offset</text></svg>"#,
        TOP + ph / 2.0
    );
    out
}

/// `text` safe inside XML text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
