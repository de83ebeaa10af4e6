//! The monitor a call from JavaScript runs under: a clock read from JavaScript (the solver
//! has none, and `std::time::Instant` panics in wasm), an optional deadline, and callbacks
//! for progress and for each better packing. A callback that throws stops the solve, and
//! its exception is rethrown to the caller.

// Built for the trace module alone (feature `trace` without `solver`), part of this serves
// only the solver's functions.
#![cfg_attr(not(feature = "solver"), allow(dead_code))]

use std::time::Duration;

use wasm_bindgen::JsValue;

use bufpack::{Monitor, Progress, Solution};

use crate::convert::{field, Thrown};
use crate::error::ErrorShape;
use crate::numbers::js_number;
use crate::shapes::ProgressShape;

/// The per-call options that are not solver switches.
#[derive(Default)]
pub(crate) struct ControlShape {
    /// Stop after this many seconds; none or infinite: no limit.
    pub(crate) timeout_seconds: Option<f64>,
    pub(crate) on_progress: JsValue,
    pub(crate) on_improved: JsValue,
    /// One worker's part of a race, `{ part, parts }` (see `bufpack::Share`): set by the
    /// package's own workers, never by a caller (`splitOptions` refuses it).
    pub(crate) share: Option<ShareShape>,
}

/// Part `part` (from 0) of `parts`, as numbers from JavaScript.
pub(crate) struct ShareShape {
    pub(crate) part: f64,
    pub(crate) parts: f64,
}

impl ControlShape {
    /// The options object from JavaScript (`undefined` or `null`: none), read field by field
    /// as `convert::params_from_js` reads the switches; other fields are the wrapper's.
    pub(crate) fn from_js(value: JsValue) -> Result<ControlShape, Thrown> {
        let mut control = ControlShape::default();
        if value.is_undefined() || value.is_null() {
            return Ok(control);
        }
        if !value.is_object() {
            return Err(ErrorShape::at("options", "expected an object").into());
        }
        let number = |object: &JsValue, name: &str| -> Result<Option<f64>, Thrown> {
            let Some(given) = field(object, name)? else {
                return Ok(None);
            };
            let path = format!("options.{name}");
            let number = given.as_f64();
            Ok(Some(number.ok_or_else(|| {
                ErrorShape::at(&path, "expected a number")
            })?))
        };
        control.timeout_seconds = number(&value, "timeoutSeconds")?;
        control.on_progress = field(&value, "onProgress")?.unwrap_or_default();
        control.on_improved = field(&value, "onImproved")?.unwrap_or_default();
        if let Some(share) = field(&value, "share")? {
            if !share.is_object() {
                return Err(ErrorShape::at("options.share", "expected { part, parts }").into());
            }
            control.share = Some(ShareShape {
                part: number(&share, "part")?.unwrap_or(f64::NAN),
                parts: number(&share, "parts")?.unwrap_or(f64::NAN),
            });
        }
        Ok(control)
    }
}

/// Milliseconds on JavaScript's clock.
fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub(crate) struct JsMonitor {
    start_ms: f64,
    deadline_ms: Option<f64>,
    on_progress: Option<js_sys::Function>,
    on_improved: Option<js_sys::Function>,
    /// The first exception a callback threw: the solve stops and the caller gets it.
    pub(crate) thrown: Option<JsValue>,
    /// The deadline passed (as opposed to a callback throwing).
    pub(crate) timed_out: bool,
    /// When the last progress report went out, and the clock at the last stop check.
    reported_ms: f64,
    checked_ms: f64,
    /// In a share of a race: the place of the search running, sent with every progress
    /// report and as a report of its own whenever it changes (see `Monitor::racing`), and
    /// the last figures reported, to send with it.
    pub(crate) racing: bool,
    place: Option<u64>,
    last: Progress,
}

/// Progress goes out at least this often while a search runs, if someone listens.
const PROGRESS_INTERVAL_MS: f64 = 100.0;

impl JsMonitor {
    pub(crate) fn new(control: ControlShape) -> Result<JsMonitor, Thrown> {
        let start_ms = now_ms();
        let deadline_ms = match control.timeout_seconds {
            None => None,
            Some(t) if t.is_nan() || t < 0.0 => {
                return Err(ErrorShape::at(
                    "options.timeoutSeconds",
                    format!(
                        "expected a non-negative number of seconds, found {}",
                        js_number(t)
                    ),
                )
                .into())
            }
            Some(t) if t.is_infinite() => None,
            Some(t) => Some(start_ms + t * 1000.0),
        };
        Ok(JsMonitor {
            start_ms,
            deadline_ms,
            on_progress: function(control.on_progress, "onProgress")?,
            on_improved: function(control.on_improved, "onImproved")?,
            thrown: None,
            timed_out: false,
            reported_ms: start_ms,
            checked_ms: start_ms,
            racing: false,
            place: None,
            last: Progress::default(),
        })
    }

    pub(crate) fn elapsed_seconds(&self) -> f64 {
        (now_ms() - self.start_ms) / 1000.0
    }

    fn call(&mut self, callback: Option<&js_sys::Function>, value: Result<JsValue, ()>) {
        let (Some(callback), Ok(value)) = (callback, value) else {
            return;
        };
        if self.thrown.is_none() {
            if let Err(exception) = callback.call1(&JsValue::UNDEFINED, &value) {
                self.thrown = Some(exception);
            }
        }
    }
}

/// `value` as a function, or none when it is `undefined` or `null`.
fn function(value: JsValue, name: &str) -> Result<Option<js_sys::Function>, Thrown> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_function() {
        return Err(ErrorShape::at(&format!("options.{name}"), "expected a function").into());
    }
    Ok(Some(value.into()))
}

impl Monitor for JsMonitor {
    fn should_stop(&mut self) -> bool {
        if self.thrown.is_some() || self.timed_out {
            return true;
        }
        self.checked_ms = now_ms();
        if self
            .deadline_ms
            .is_some_and(|deadline| self.checked_ms >= deadline)
        {
            self.timed_out = true;
        }
        self.timed_out
    }

    fn wants_progress(&mut self) -> bool {
        // The clock read by the previous stop check, a few dozen nodes ago, is fresh enough.
        self.on_progress.is_some() && self.checked_ms - self.reported_ms >= PROGRESS_INTERVAL_MS
    }

    fn elapsed(&self) -> Option<Duration> {
        Some(Duration::from_secs_f64(self.elapsed_seconds().max(0.0)))
    }

    fn progress(&mut self, progress: &Progress) {
        self.reported_ms = self.checked_ms.max(self.reported_ms);
        let mut shape = ProgressShape::of(progress, self.elapsed_seconds());
        if self.racing {
            shape.place = self.place.map(|place| place as f64);
            self.last = progress.clone();
        }
        let value = serde_wasm_bindgen::to_value(&shape).map_err(drop);
        let callback = self.on_progress.clone();
        self.call(callback.as_ref(), value);
    }

    fn racing(&mut self, place: u64) {
        // A few dozen places in a whole solve (searches x doubling rounds): each one goes
        // out at once, so the page learns without delay that this share has passed a
        // decision made elsewhere.
        if self.racing && self.place != Some(place) {
            self.place = Some(place);
            let last = self.last.clone();
            self.progress(&last);
        }
    }

    fn improved(&mut self, solution: &Solution) {
        if self.on_improved.is_none() {
            return;
        }
        // One copy out of wasm memory; offsets are below 2^53, so exact as f64.
        let offsets: Vec<f64> = solution.offsets.iter().map(|&o| o as f64).collect();
        let offsets = js_sys::Float64Array::from(offsets.as_slice());
        let value = js_sys::Object::new();
        let set = |key: &str, v: &JsValue| js_sys::Reflect::set(&value, &key.into(), v);
        let built = set("offsets", &offsets).and(set("height", &(solution.height as f64).into()));
        let callback = self.on_improved.clone();
        self.call(callback.as_ref(), built.map(|_| value.into()).map_err(drop));
    }
}
