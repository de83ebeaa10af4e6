//! Colours: how a buffer's fill is chosen (the colour mode), and the two themes.
//!
//! Every fill the chart can paint lives in a small [`Palette`] built once per (mode, theme),
//! with its CSS string formatted once: the draw loop then sets the canvas fill style once per
//! colour group and never formats a colour per rectangle. Buffers map to a palette index
//! ([`Colours`], once per layout for every mode), so the scene can group rectangles by a
//! small integer key.

use std::fmt;
use std::str::FromStr;

use bufpack::Buffer;
#[cfg(test)]
use bufpack::Problem;

use crate::math;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for CSS and SVG.
    pub(crate) fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `self` moved `amount` (0..=1) of the way towards `other`.
    pub(crate) fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * amount).round() as u8;
        Rgb(
            lerp(self.0, other.0),
            lerp(self.1, other.1),
            lerp(self.2, other.2),
        )
    }

    /// The plotters colour, for axes, lines and the SVG path.
    pub(crate) fn plotters(self) -> plotters::style::RGBColor {
        plotters::style::RGBColor(self.0, self.1, self.2)
    }
}

/// What a buffer's fill colour says about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ColourMode {
    /// Log of the size on a perceptual ramp: big buffers stand out.
    #[default]
    Size,
    /// Log of the lifetime (upper - lower) on the same ramp: long-lived buffers stand out.
    Lifetime,
    /// A stable hash of the id to a categorical palette: neighbours are told apart, and a
    /// buffer keeps its colour across solves and zooms.
    Id,
}

impl ColourMode {
    /// Every mode, in the order a `<select>` lists them.
    pub const ALL: [ColourMode; 3] = [ColourMode::Size, ColourMode::Lifetime, ColourMode::Id];

    /// The `<option value>`: stable, lower case, what [`ColourMode::parse`] reads back.
    pub fn value(self) -> &'static str {
        match self {
            ColourMode::Size => "size",
            ColourMode::Lifetime => "lifetime",
            ColourMode::Id => "id",
        }
    }

    /// The same as [`ColourMode::value`]: the key a `<select>` option carries.
    pub fn key(self) -> &'static str {
        self.value()
    }

    /// The text a person reads in the `<select>` (after "Colour by").
    pub fn label(self) -> &'static str {
        match self {
            ColourMode::Size => "Size",
            ColourMode::Lifetime => "Lifetime",
            ColourMode::Id => "Id",
        }
    }

    /// The mode named by an `<option value>` (or its label, any case); `None` otherwise.
    pub fn parse(text: &str) -> Option<ColourMode> {
        let text = text.trim();
        ColourMode::ALL.into_iter().find(|mode| {
            mode.value().eq_ignore_ascii_case(text) || mode.label().eq_ignore_ascii_case(text)
        })
    }
}

impl fmt::Display for ColourMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

impl FromStr for ColourMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ColourMode::parse(text).ok_or_else(|| format!("unknown colour mode {text:?}"))
    }
}

/// Steps of the size/lifetime ramp. Quantised so a draw has at most this many fill colours
/// (times two for gap pieces): one `fillStyle` per group, and sub-pixel merging needs equal
/// keys to merge.
pub(crate) const RAMP_STEPS: usize = 48;

/// Viridis at nine stops (perceptually uniform, colour-blind safe); interpolated linearly.
const VIRIDIS: [Rgb; 9] = [
    Rgb(0x44, 0x01, 0x54),
    Rgb(0x47, 0x2c, 0x7a),
    Rgb(0x3b, 0x51, 0x8b),
    Rgb(0x2c, 0x71, 0x8e),
    Rgb(0x21, 0x90, 0x8d),
    Rgb(0x27, 0xad, 0x81),
    Rgb(0x5c, 0xc8, 0x63),
    Rgb(0xaa, 0xdc, 0x32),
    Rgb(0xfd, 0xe7, 0x25),
];

/// Tableau 10: distinct hues of similar weight, readable on light and dark backgrounds.
const CATEGORICAL: [Rgb; 10] = [
    Rgb(0x4e, 0x79, 0xa7),
    Rgb(0xf2, 0x8e, 0x2b),
    Rgb(0xe1, 0x57, 0x59),
    Rgb(0x76, 0xb7, 0xb2),
    Rgb(0x59, 0xa1, 0x4f),
    Rgb(0xed, 0xc9, 0x48),
    Rgb(0xb0, 0x7a, 0xa1),
    Rgb(0xff, 0x9d, 0xa7),
    Rgb(0x9c, 0x75, 0x5f),
    Rgb(0xba, 0xb0, 0xac),
];

/// Viridis at `t` in 0..=1.
fn viridis(t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    VIRIDIS[i].mix(VIRIDIS[i + 1], t - i as f64)
}

/// Everything the chart paints besides the buffers, per theme.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Theme {
    pub dark: bool,
    pub background: Rgb,
    pub axis: Rgb,
    pub grid: Rgb,
    pub text: Rgb,
    pub capacity: Rgb,
    pub peak: Rgb,
    /// The solver's lower bound line.
    pub bound: Rgb,
    pub load_line: Rgb,
    pub selection: Rgb,
    pub neighbour: Rgb,
    /// The search match.
    pub highlight: Rgb,
    /// How far gap pieces move towards the background: lighter than their buffer, so the
    /// eye reads them as "partly there".
    pub gap_fade: f64,
    /// Which end of viridis to use: its dark end vanishes on a dark background, its yellow
    /// end on a white one.
    ramp: (f64, f64),
}

impl Theme {
    pub(crate) fn light() -> Theme {
        Theme {
            dark: false,
            background: Rgb(0xff, 0xff, 0xff),
            axis: Rgb(0x44, 0x44, 0x44),
            grid: Rgb(0xe4, 0xe4, 0xe4),
            text: Rgb(0x22, 0x22, 0x22),
            capacity: Rgb(0xc6, 0x28, 0x28),
            peak: Rgb(0x1f, 0x1f, 0x1f),
            bound: Rgb(0x6a, 0x1b, 0x9a),
            load_line: Rgb(0xd8, 0x43, 0x15),
            selection: Rgb(0x00, 0x00, 0x00),
            neighbour: Rgb(0x02, 0x77, 0xbd),
            highlight: Rgb(0xd5, 0x00, 0xf9),
            gap_fade: 0.55,
            ramp: (0.0, 0.88),
        }
    }

    pub(crate) fn dark() -> Theme {
        Theme {
            dark: true,
            background: Rgb(0x16, 0x18, 0x1d),
            axis: Rgb(0xb0, 0xb4, 0xbc),
            grid: Rgb(0x2c, 0x30, 0x38),
            text: Rgb(0xe6, 0xe8, 0xec),
            capacity: Rgb(0xff, 0x6b, 0x6b),
            peak: Rgb(0xf5, 0xf5, 0xf5),
            bound: Rgb(0xce, 0x93, 0xd8),
            load_line: Rgb(0xff, 0xab, 0x40),
            selection: Rgb(0xff, 0xff, 0xff),
            neighbour: Rgb(0x4f, 0xc3, 0xf7),
            highlight: Rgb(0xea, 0x80, 0xfc),
            gap_fade: 0.55,
            ramp: (0.18, 1.0),
        }
    }

    pub(crate) fn of(dark: bool) -> Theme {
        if dark {
            Theme::dark()
        } else {
            Theme::light()
        }
    }
}

/// The fills of one (mode, theme): key `2 * base + gap`, where `base` is what
/// [`buffer_colours`] gives a buffer and `gap` is 1 for a gap piece (faded).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Palette {
    pub fills: Vec<Rgb>,
    /// `fills` as CSS strings, formatted once.
    pub css: Vec<String>,
}

impl Palette {
    pub(crate) fn new(mode: ColourMode, theme: &Theme) -> Palette {
        let base: Vec<Rgb> = match mode {
            ColourMode::Size | ColourMode::Lifetime => (0..RAMP_STEPS)
                .map(|i| {
                    let t = i as f64 / (RAMP_STEPS - 1) as f64;
                    viridis(theme.ramp.0 + t * (theme.ramp.1 - theme.ramp.0))
                })
                .collect(),
            ColourMode::Id => CATEGORICAL.to_vec(),
        };
        let fills: Vec<Rgb> = base
            .iter()
            .flat_map(|&c| [c, c.mix(theme.background, theme.gap_fade)])
            .collect();
        let css = fills.iter().map(|c| c.css()).collect();
        Palette { fills, css }
    }

    /// The key of a rectangle of a buffer whose base colour is `base`.
    pub(crate) fn key(base: u8, in_gap: bool) -> u16 {
        u16::from(base) * 2 + u16::from(in_gap)
    }

    pub(crate) fn len(&self) -> usize {
        self.fills.len()
    }
}

/// Each buffer's base colour index (into the palette's base colours) in every mode: made
/// with the layout, a chunk of buffers at a time (`prepare.rs`), so changing the mode or
/// showing a new result computes nothing per buffer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Colours {
    size: Vec<u8>,
    lifetime: Vec<u8>,
    id: Vec<u8>,
}

impl Colours {
    pub fn of(&self, mode: ColourMode) -> &[u8] {
        match mode {
            ColourMode::Size => &self.size,
            ColourMode::Lifetime => &self.lifetime,
            ColourMode::Id => &self.id,
        }
    }

    /// Adds the next buffer's colours, its size and lifetime placed on `ramps`.
    pub fn push(&mut self, buffer: &Buffer, ramps: &Ramps) {
        self.size.push(ramps.size.step(buffer.size));
        self.lifetime
            .push(ramps.lifetime.step(buffer.lifespan.width()));
        self.id
            .push((fnv1a(buffer.id.as_bytes()) % CATEGORICAL.len() as u64) as u8);
    }
}

/// The size and lifetime ramps of a problem.
#[derive(Clone, Debug, Default)]
pub struct Ramps {
    pub size: Ramp,
    pub lifetime: Ramp,
}

/// Ramp steps over the log of the values, stretched to the smallest and largest present:
/// sizes span orders of magnitude, and a linear scale would paint all but the largest alike.
///
/// The step of a value is `round((ln v - ln min) / (ln max - ln min) * top)` (values below
/// 1 count as 1; the middle step when all are equal). That is monotonic in `v`, so it is
/// computed once per step instead of once per value: the least value reaching each step is
/// found by bisection, and a value's step is how many of those thresholds it reaches (a
/// million logarithms made the chart's first render slow).
#[derive(Clone, Debug, Default)]
pub struct Ramp {
    /// `thresholds[k]`: the least value whose step is above `k`. Empty: all in the middle.
    thresholds: Vec<i64>,
}

impl Ramp {
    /// The ramp from `min` to `max` (each at least 1).
    pub fn new(min: i64, max: i64) -> Ramp {
        let (min, max) = (min.max(1), max.max(1));
        let log = |v: i64| math::ln(v as f64);
        let (lo, hi) = (log(min), log(max));
        if hi <= lo {
            return Ramp::default();
        }
        let top = (RAMP_STEPS - 1) as f64;
        let step = |v: i64| ((log(v) - lo) / (hi - lo) * top).round();
        let thresholds = (0..RAMP_STEPS - 1)
            .map(|k| {
                let (mut a, mut b) = (min, max);
                while a < b {
                    let m = a + (b - a) / 2;
                    if step(m) > k as f64 {
                        b = m;
                    } else {
                        a = m + 1;
                    }
                }
                a
            })
            .collect();
        Ramp { thresholds }
    }

    /// The ramp over `values`.
    #[cfg(test)]
    pub fn over(values: impl Iterator<Item = i64>) -> Ramp {
        let (min, max) = values.fold((i64::MAX, i64::MIN), |(lo, hi), v| {
            (lo.min(v.max(1)), hi.max(v.max(1)))
        });
        if min > max {
            return Ramp::default();
        }
        Ramp::new(min, max)
    }

    pub fn step(&self, value: i64) -> u8 {
        if self.thresholds.is_empty() {
            return (RAMP_STEPS / 2) as u8;
        }
        self.thresholds.partition_point(|&t| t <= value.max(1)) as u8
    }
}

/// Each buffer's base colour index under `mode`, in one go.
#[cfg(test)]
pub fn buffer_colours(problem: &Problem, mode: ColourMode) -> Vec<u8> {
    let ramps = Ramps {
        size: Ramp::over(problem.buffers.iter().map(|b| b.size)),
        lifetime: Ramp::over(problem.buffers.iter().map(|b| b.lifespan.width())),
    };
    let mut colours = Colours::default();
    for buffer in &problem.buffers {
        colours.push(buffer, &ramps);
    }
    colours.of(mode).to_vec()
}

/// Ramp steps of `values`, in one go.
#[cfg(test)]
fn ramp_indices(values: impl Iterator<Item = i64> + Clone) -> Vec<u8> {
    let ramp = Ramp::over(values.clone());
    values.map(|v| ramp.step(v)).collect()
}

/// FNV-1a: stable across runs and platforms (std's hasher is randomly keyed).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bufpack::Buffer;

    fn problem() -> Problem {
        Problem::new(
            vec![
                Buffer::new("small", 0, 100, 1),
                Buffer::new("middle", 0, 10, 1000),
                Buffer::new("large", 0, 1, 1_000_000),
            ],
            10_000_000,
        )
    }

    #[test]
    fn modes_parse_their_values_and_labels() {
        for mode in ColourMode::ALL {
            assert_eq!(ColourMode::parse(mode.value()), Some(mode));
            assert_eq!(ColourMode::parse(mode.label()), Some(mode));
            assert_eq!(mode.value().parse::<ColourMode>(), Ok(mode));
            assert_eq!(mode.to_string(), mode.value());
        }
        assert_eq!(ColourMode::parse(" ID "), Some(ColourMode::Id));
        assert_eq!(ColourMode::parse("hue"), None);
        assert!("hue".parse::<ColourMode>().is_err());
    }

    #[test]
    fn size_and_lifetime_ramp_over_the_log() {
        let sizes = buffer_colours(&problem(), ColourMode::Size);
        let top = (RAMP_STEPS - 1) as u8;
        // 1, 1000, 1000000 are evenly spaced in log: ends and middle of the ramp.
        assert_eq!(sizes, [0, top / 2 + 1, top]);
        let lifetimes = buffer_colours(&problem(), ColourMode::Lifetime);
        assert_eq!(lifetimes, [top, top / 2 + 1, 0]);
        // All equal: the middle, not an end.
        let same = Problem::new(
            vec![Buffer::new("a", 0, 1, 5), Buffer::new("b", 0, 1, 5)],
            10,
        );
        assert_eq!(buffer_colours(&same, ColourMode::Size), [24, 24]);
    }

    #[test]
    fn ramp_thresholds_give_each_value_its_own_step() {
        // The step computed directly, as the ramp's definition says.
        let direct = |values: &[i64]| -> Vec<u8> {
            let log = |v: i64| (v.max(1) as f64).ln();
            let lo = values.iter().map(|&v| log(v)).fold(f64::INFINITY, f64::min);
            let hi = values
                .iter()
                .map(|&v| log(v))
                .fold(f64::NEG_INFINITY, f64::max);
            let top = (RAMP_STEPS - 1) as f64;
            values
                .iter()
                .map(|&v| ((log(v) - lo) / (hi - lo) * top).round() as u8)
                .collect()
        };
        let mut state = 17u64;
        let mut values: Vec<i64> = (0..5000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let bits = (state >> 58) as u32; // 0..64: spread over orders of magnitude
                ((state >> 8) as i64 & ((1i64 << bits.min(52)) - 1)).max(0)
            })
            .collect();
        values.extend([0, -5, 1, 2, 3, 1 << 52]);
        assert_eq!(ramp_indices(values.iter().copied()), direct(&values));
        let narrow = [1000, 1001, 1002, 1003, 1500];
        assert_eq!(ramp_indices(narrow.iter().copied()), direct(&narrow));
        assert!(ramp_indices(std::iter::empty()).is_empty());
    }

    #[test]
    fn ids_hash_stably_into_the_categorical_palette() {
        let colours = buffer_colours(&problem(), ColourMode::Id);
        assert_eq!(colours, buffer_colours(&problem(), ColourMode::Id));
        assert!(colours.iter().all(|&c| (c as usize) < CATEGORICAL.len()));
        // FNV-1a reference values: the hash must not change between builds.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn palettes_hold_a_faded_variant_per_colour_with_css_once() {
        for dark in [false, true] {
            let theme = Theme::of(dark);
            for mode in ColourMode::ALL {
                let palette = Palette::new(mode, &theme);
                assert_eq!(palette.len() % 2, 0);
                assert_eq!(palette.css.len(), palette.len());
                for base in 0..palette.len() / 2 {
                    let full = palette.fills[Palette::key(base as u8, false) as usize];
                    let gap = palette.fills[Palette::key(base as u8, true) as usize];
                    assert_eq!(gap, full.mix(theme.background, theme.gap_fade));
                }
            }
            let ramp = Palette::new(ColourMode::Size, &theme);
            assert_eq!(ramp.len(), 2 * RAMP_STEPS);
        }
        assert_eq!(Rgb(255, 0, 16).css(), "#ff0010");
        assert_eq!(
            Rgb(0, 0, 0).mix(Rgb(255, 255, 255), 0.5),
            Rgb(128, 128, 128)
        );
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[8]);
    }
}
