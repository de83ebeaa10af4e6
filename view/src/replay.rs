//! `<bufpack-replay>`: a recorded search replayed step by step, with play, pause, step,
//! seek, speed and the current step in words. The trace, its words and its drawing are the
//! app's Learn view's (`bufpack_chart::teach`); this is the compact stage around them.

use std::rc::Rc;

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlCanvasElement, HtmlInputElement, KeyboardEvent};

use bufpack::{read_problem, LoadProfile, Offset, Problem, Time, MAX_MAGNITUDE};
use bufpack_chart::dom::{attributes, element, Listeners, Timeout};
use bufpack_chart::math;
use bufpack_chart::teach::explain::{ending, narrate, Names};
use bufpack_chart::teach::read;
use bufpack_chart::teach::replay::{Cursor, Event, Trace};
use bufpack_chart::teach::{paint_step, Step};

use crate::message::{alert, status};

/// Problems larger than this are refused: every buffer is drawn with its id.
pub(crate) const MAX_BUFFERS: usize = 400;

/// A problem with its recorded search, ready to replay.
#[derive(Debug)]
pub(crate) struct Lesson {
    pub(crate) problem: Problem,
    pub(crate) capacity: Offset,
    pub(crate) profile: Vec<(Time, Offset)>,
    pub(crate) trace: Trace,
}

/// What the replay shows.
#[derive(Clone, Debug)]
pub(crate) enum ReplayInput {
    /// Work under way (fetching, finding the optimum, recording), in words.
    Working(String),
    Error(String),
    Ready(Rc<Lesson>),
}

impl PartialEq for ReplayInput {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ReplayInput::Working(a), ReplayInput::Working(b)) => a == b,
            (ReplayInput::Error(a), ReplayInput::Error(b)) => a == b,
            (ReplayInput::Ready(a), ReplayInput::Ready(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Reads a small problem for replaying; errors start with `source` and say where.
pub(crate) fn read_small(csv: &str, source: &str) -> Result<Problem, String> {
    let problem = read_problem(csv, MAX_MAGNITUDE).map_err(|e| format!("{source}: {e}"))?;
    if problem.buffers.is_empty() {
        return Err(format!(
            "{source}: no buffers (a header line, then one row per buffer)"
        ));
    }
    if problem.buffers.len() > MAX_BUFFERS {
        return Err(format!(
            "{source}: {} buffers; a replay draws every buffer at every step, so at most {MAX_BUFFERS}",
            problem.buffers.len()
        ));
    }
    Ok(problem)
}

/// The problem in `csv` with the search `trace` recorded on it at `capacity`. The trace is
/// checked against the problem (every buffer it names exists), so a trace of another
/// problem is refused rather than drawn wrong.
pub(crate) fn lesson(
    csv: &str,
    source: &str,
    capacity: Offset,
    trace: &JsValue,
) -> Result<Lesson, String> {
    let mut problem = read_small(csv, source)?;
    problem.capacity = capacity;
    let trace: Trace = read::trace(trace, "trace")
        .map_err(|e| format!("{e} (not a recorded search: what traceSearch resolves to?)"))?;
    let buffers = problem.buffers.len();
    for (index, event) in trace.events.iter().enumerate() {
        let named = match event {
            Event::Place(c) | Event::Unplace(c) => Some(c.buffer),
            Event::Candidates { candidates } => candidates.iter().map(|c| c.buffer).max(),
            _ => None,
        };
        if let Some(buffer) = named.filter(|&b| b >= buffers) {
            return Err(format!(
                "trace: event {} names buffer {buffer}, but {source} has {buffers} buffers (a trace of another problem?)",
                index + 1
            ));
        }
    }
    let profile = LoadProfile::of(&problem).steps;
    Ok(Lesson {
        problem,
        capacity,
        profile,
        trace,
    })
}

/// What the page gives a replay (`view.js` reads it from the element).
pub(crate) struct ReplayProps {
    pub(crate) input: ReplayInput,
    pub(crate) dark: bool,
    /// Steps a second when playing.
    pub(crate) speed: f64,
}

/// A replay mounted into the page's element: a message, or the stage of a lesson.
pub(crate) struct Replay {
    document: Document,
    /// `div.bp-view.bp-replay`: the theme's class, and the contents.
    frame: Element,
    input: Option<ReplayInput>,
    stage: Option<Stage>,
}

impl Replay {
    pub(crate) fn mount(root: &Element, props: ReplayProps) -> Option<Replay> {
        let document = root.owner_document()?;
        let frame = element(&document, "div", "bp-view bp-replay", "");
        root.append_child(&frame).ok()?;
        let mut replay = Replay {
            document,
            frame,
            input: None,
            stage: None,
        };
        replay.update(props);
        Some(replay)
    }

    /// Shows new options: a new lesson starts a new stage (its cursor at the start); the same
    /// lesson keeps its place and takes the theme and speed.
    pub(crate) fn update(&mut self, props: ReplayProps) {
        self.frame.set_class_name(if props.dark {
            "bp-view bp-replay bp-dark"
        } else {
            "bp-view bp-replay"
        });
        let speed = props.speed.clamp(MIN_SPEED, MAX_SPEED);
        if self.input.as_ref() == Some(&props.input) {
            if let Some(stage) = &self.stage {
                stage.restyle(props.dark, speed);
            }
            return;
        }
        self.stage = None;
        self.frame.set_text_content(None);
        let _ = self.frame.remove_attribute("aria-busy");
        let document = &self.document;
        match &props.input {
            ReplayInput::Working(text) => {
                status(document, &self.frame, text);
            }
            ReplayInput::Error(message) => {
                alert(document, &self.frame, "Cannot replay this search", message);
            }
            ReplayInput::Ready(lesson) => {
                self.stage = Stage::mount(&self.frame, lesson.clone(), props.dark, speed);
            }
        }
        self.input = Some(props.input);
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.stage = None;
        self.frame.remove();
    }
}

/// Slowest and fastest play, in steps a second.
const MIN_SPEED: f64 = 0.5;
const MAX_SPEED: f64 = 60.0;

/// The stage's elements that change with the step.
struct Parts {
    stage: Element,
    figures: Element,
    canvas: HtmlCanvasElement,
    narration: Element,
    first: Element,
    back: Element,
    play: Element,
    forward: Element,
    last: Element,
    scrub: HtmlInputElement,
    speed: HtmlInputElement,
    speed_text: Element,
}

/// Where the replay is, and whether it plays.
struct Play {
    lesson: Rc<Lesson>,
    cursor: Cursor,
    playing: bool,
    speed: f64,
    dark: bool,
    /// The next step when playing.
    timer: Option<Timeout>,
}

/// A lesson on stage: the step drawn, its words, the transport. Dropping it stops the play
/// timer and removes its listeners, observer and elements.
struct Stage {
    state: Rc<RefCell<(Parts, Play)>>,
    _listeners: Listeners,
    observer: Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>,
}

impl Stage {
    fn mount(frame: &Element, lesson: Rc<Lesson>, dark: bool, speed: f64) -> Option<Stage> {
        let document = frame.owner_document()?;
        let d = &document;
        let stage = element(d, "div", "bp-stage", "");
        attributes(
            &stage,
            &[
                ("tabindex", "0"),
                (
                    "aria-label",
                    "Search replay: ← → step, Space play or pause, Home and End",
                ),
            ],
        );
        let bar = element(d, "div", "bp-bar", "");
        let figures = element(d, "span", "bp-figures", "");
        let _ = bar.append_child(&figures);
        let chart = element(d, "div", "bp-chart", "");
        let canvas: HtmlCanvasElement = element(d, "canvas", "bp-step", "").dyn_into().ok()?;
        attributes(
            &canvas,
            &[
                ("role", "img"),
                (
                    "aria-label",
                    "The buffers placed so far, the candidates and the current step",
                ),
            ],
        );
        let _ = chart.append_child(&canvas);
        let narration = element(d, "p", "bp-narration", "");
        let _ = narration.set_attribute("aria-live", "polite");
        let transport = element(d, "div", "bp-bar bp-transport", "");
        attributes(&transport, &[("role", "group"), ("aria-label", "Replay")]);
        let button = |class: &str, text: &str, title: &str| {
            let button = element(d, "button", class, text);
            let _ = button.set_attribute("type", "button");
            if !title.is_empty() {
                let _ = button.set_attribute("title", title);
            }
            let _ = transport.append_child(&button);
            button
        };
        let first = button("bp-first", "Start", "To the start (Home)");
        let back = button("bp-back", "◀ Step", "Step back (←)");
        let play = button("bp-play", "Play", "");
        let forward = button("bp-forward", "Step ▶", "Step forward (→)");
        let last = button("bp-last", "End", "To the end (End)");
        let scrub: HtmlInputElement = element(d, "input", "bp-scrub", "").dyn_into().ok()?;
        let events = lesson.trace.events.len().to_string();
        attributes(
            &scrub,
            &[
                ("type", "range"),
                ("min", "0"),
                ("max", &events),
                ("aria-label", "Step"),
            ],
        );
        let _ = transport.append_child(&scrub);
        let speed_label = element(d, "label", "bp-speed", "Speed ");
        let speed_input: HtmlInputElement = element(d, "input", "", "").dyn_into().ok()?;
        attributes(
            &speed_input,
            &[
                ("type", "range"),
                ("min", "-1"),
                ("max", "5.9"),
                ("step", "0.1"),
                ("aria-label", "Steps a second"),
            ],
        );
        let speed_text = element(d, "span", "", "");
        let _ = speed_label.append_child(&speed_input);
        let _ = speed_label.append_child(&speed_text);
        let _ = transport.append_child(&speed_label);
        for part in [&bar, &chart, &narration, &transport] {
            let _ = stage.append_child(part);
        }
        let _ = frame.append_child(&stage);

        let parts = Parts {
            stage: stage.clone(),
            figures,
            canvas: canvas.clone(),
            narration,
            first: first.clone(),
            back: back.clone(),
            play: play.clone(),
            forward: forward.clone(),
            last: last.clone(),
            scrub: scrub.clone(),
            speed: speed_input.clone(),
            speed_text,
        };
        let play_state = Play {
            cursor: Cursor::before(&lesson.problem),
            lesson,
            playing: false,
            speed,
            dark,
            timer: None,
        };
        let state = Rc::new(RefCell::new((parts, play_state)));

        let mut listeners = Listeners::default();
        for (target, delta) in [
            (&first, i64::MIN),
            (&back, -1),
            (&forward, 1),
            (&last, i64::MAX),
        ] {
            let state = state.clone();
            listeners.add(target, "click", move |_| step(&state, delta));
        }
        let toggle = state.clone();
        listeners.add(&play, "click", move |_| toggle_play(&toggle));
        let seek = state.clone();
        listeners.add(&scrub, "input", move |_| {
            let position = seek.borrow().0.scrub.value().parse::<usize>();
            if let Ok(position) = position {
                change(&seek, |play| {
                    play.playing = false;
                    play.cursor.seek(&play.lesson.trace.events, position);
                });
            }
        });
        let speeds = state.clone();
        listeners.add(&speed_input, "input", move |_| {
            let value = speeds.borrow().0.speed.value_as_number();
            if value.is_finite() {
                // Logarithmic: 0.5 to 60 steps a second.
                change(&speeds, |play| {
                    play.speed = math::pow(2.0, value).clamp(MIN_SPEED, MAX_SPEED)
                });
            }
        });
        let keys = state.clone();
        listeners.add(&stage, "keydown", move |event| {
            let event: KeyboardEvent = event.unchecked_into();
            let on_field = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|e| e.tag_name() == "INPUT");
            match event.key().as_str() {
                "ArrowRight" if !on_field => step(&keys, 1),
                "ArrowLeft" if !on_field => step(&keys, -1),
                "Home" if !on_field => step(&keys, i64::MIN),
                "End" if !on_field => step(&keys, i64::MAX),
                " " => toggle_play(&keys),
                _ => return,
            }
            event.prevent_default();
        });
        // Redrawn when the canvas's box changes.
        let weak = Rc::downgrade(&state);
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            if let Some(state) = weak.upgrade() {
                paint(&state.borrow());
            }
        });
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
            .ok()
            .map(|observer| {
                observer.observe(&canvas);
                (observer, on_resize)
            });
        render(&state);
        Some(Stage {
            state,
            _listeners: listeners,
            observer,
        })
    }

    fn restyle(&self, dark: bool, speed: f64) {
        let changed = {
            let (_, play) = &*self.state.borrow();
            play.dark != dark || play.speed != speed
        };
        if changed {
            change(&self.state, |play| {
                play.dark = dark;
                play.speed = speed;
            });
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if let Some((observer, _)) = &self.observer {
            observer.disconnect();
        }
        let mut state = self.state.borrow_mut();
        // The timer's call holds the state: dropping the timer cancels it.
        state.1.timer = None;
        state.0.stage.remove();
    }
}

/// Changes where the replay is, then shows it (and plans the next step when playing).
fn change(state: &Rc<RefCell<(Parts, Play)>>, change: impl FnOnce(&mut Play)) {
    change(&mut state.borrow_mut().1);
    render(state);
}

/// A step control: `delta` steps (`i64::MIN` / `MAX`: to the start / end); pauses.
fn step(state: &Rc<RefCell<(Parts, Play)>>, delta: i64) {
    change(state, |play| {
        play.playing = false;
        play.cursor.step(&play.lesson.trace.events, delta);
    });
}

/// Play or pause; playing from the end starts over.
fn toggle_play(state: &Rc<RefCell<(Parts, Play)>>) {
    change(state, |play| {
        if !play.playing && play.cursor.position >= play.lesson.trace.events.len() {
            play.cursor = Cursor::before(&play.lesson.problem);
        }
        play.playing = !play.playing;
    });
}

/// Shows the replay where it is: figures, step drawn, words, transport; and while playing,
/// the next step one tick from now (at `speed` steps a second; it stops at the end).
fn render(state: &Rc<RefCell<(Parts, Play)>>) {
    let mut guard = state.borrow_mut();
    let (parts, play) = &mut *guard;
    let lesson = &play.lesson;
    let events = &lesson.trace.events;
    let position = play.cursor.position;
    let at_end = position >= events.len();
    let names = Names {
        problem: &lesson.problem,
        capacity: lesson.capacity,
        sections: &lesson.trace.sections,
    };
    let mut words = match play.cursor.last(events) {
        Some(event) => narrate(event, &names),
        None => format!(
            "Before the search: {} buffers to place under capacity {}. Press Play or →.",
            lesson.problem.buffers.len(),
            lesson.capacity
        ),
    };
    if at_end {
        words = format!("{words} {}", ending(&lesson.trace));
    }
    let figures = format!(
        "capacity {} · {} buffers · {} placed · step {position} of {}{}",
        lesson.capacity,
        lesson.problem.buffers.len(),
        play.cursor.placed_count(),
        events.len(),
        if lesson.trace.truncated {
            " (first events only)"
        } else {
            ""
        }
    );
    parts.figures.set_text_content(Some(&figures));
    parts.narration.set_text_content(Some(&words));
    let disable = |button: &Element, disabled: bool| {
        let _ = if disabled {
            button.set_attribute("disabled", "")
        } else {
            button.remove_attribute("disabled")
        };
    };
    disable(&parts.first, position == 0);
    disable(&parts.back, position == 0);
    disable(&parts.forward, at_end);
    disable(&parts.last, at_end);
    parts
        .play
        .set_text_content(Some(if play.playing { "Pause" } else { "Play" }));
    let _ = parts
        .play
        .set_attribute("aria-pressed", if play.playing { "true" } else { "false" });
    parts.scrub.set_value(&position.to_string());
    parts.speed.set_value(&math::log2(play.speed).to_string());
    parts
        .speed_text
        .set_text_content(Some(&format!("{:.1}/s", play.speed)));
    paint(&guard);

    let play = &mut guard.1;
    play.timer = None;
    if play.playing {
        let delay = (1000.0 / play.speed.max(0.1)) as i32;
        let weak = Rc::downgrade(state);
        play.timer = Timeout::new(delay, move || {
            if let Some(state) = weak.upgrade() {
                change(&state, |play| {
                    play.cursor.forward(&play.lesson.trace.events);
                    if play.cursor.position >= play.lesson.trace.events.len() {
                        play.playing = false;
                    }
                });
            }
        });
    }
}

/// Draws the current step on the stage's canvas.
fn paint((parts, play): &(Parts, Play)) {
    let lesson = &play.lesson;
    paint_step(
        &parts.canvas,
        &Step {
            problem: &lesson.problem,
            capacity: lesson.capacity,
            profile: &lesson.profile,
            trace: &lesson.trace,
            cursor: &play.cursor,
            dark: play.dark,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_problems_only_and_errors_say_where() {
        let problem = read_small("id,lower,upper,size\na,0,4,2\nb,2,6,3\n", "csv").unwrap();
        assert_eq!(problem.buffers.len(), 2);
        let malformed = read_small("id,lower,upper,size\na,0,4,2\nb,2,x,3\n", "csv").unwrap_err();
        assert!(
            malformed.starts_with("csv: line 3, column 5 (upper)"),
            "{malformed}"
        );
        let empty = read_small("id,lower,upper,size\n", "a.csv").unwrap_err();
        assert!(empty.starts_with("a.csv: no buffers"), "{empty}");
        let mut large = String::from("id,lower,upper,size\n");
        for i in 0..=MAX_BUFFERS {
            large.push_str(&format!("b{i},0,2,1\n"));
        }
        let refused = read_small(&large, "big.csv").unwrap_err();
        assert!(
            refused.starts_with("big.csv: 401 buffers; a replay draws every buffer"),
            "{refused}"
        );
    }
}
