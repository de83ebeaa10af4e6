//! `<bufpack-replay>`: a recorded search replayed step by step, with play, pause, step,
//! seek, speed and the current step in words. The trace, its words and its drawing are the
//! app's Learn view's (`bufpack_chart::teach`); this is the compact stage around them.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use bufpack::{read_problem, LoadProfile, Offset, Problem, Time, MAX_MAGNITUDE};
use bufpack_chart::teach::explain::{ending, narrate, Names};
use bufpack_chart::teach::replay::{Cursor, Event, Trace};
use bufpack_chart::teach::{paint_step, Step};

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
    let trace: Trace = serde_wasm_bindgen::from_value(trace.clone())
        .map_err(|e| format!("trace: not a recorded search (traceSearch's result): {e}"))?;
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

#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ReplayProps {
    pub(crate) input: ReplayInput,
    pub(crate) dark: bool,
    /// Steps a second when playing.
    pub(crate) speed: f64,
}

#[function_component]
pub(crate) fn Replay(props: &ReplayProps) -> Html {
    let theme = if props.dark {
        "bp-view bp-replay bp-dark"
    } else {
        "bp-view bp-replay"
    };
    match &props.input {
        ReplayInput::Working(text) => html! {
            <div class={theme} aria-busy="true">
                <div class="bp-message" role="status">{ text.clone() }</div>
            </div>
        },
        ReplayInput::Error(message) => html! {
            <div class={theme}>
                <div class="bp-message bp-error" role="alert">
                    <strong>{ "Cannot replay this search" }</strong>
                    <div class="bp-detail">{ message.clone() }</div>
                </div>
            </div>
        },
        ReplayInput::Ready(lesson) => {
            // A new lesson starts a new stage (its cursor at the start).
            let key = format!("{:p}", Rc::as_ptr(lesson));
            html! {
                <div class={theme}>
                    <Stage {key} lesson={lesson.clone()} dark={props.dark} speed={props.speed} />
                </div>
            }
        }
    }
}

#[derive(Properties)]
struct StageProps {
    lesson: Rc<Lesson>,
    dark: bool,
    speed: f64,
}

impl PartialEq for StageProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lesson, &other.lesson)
            && self.dark == other.dark
            && self.speed == other.speed
    }
}

#[function_component]
fn Stage(props: &StageProps) -> Html {
    let lesson = props.lesson.clone();
    let cursor = use_state(|| Cursor::before(&lesson.problem));
    let playing = use_state_eq(|| false);
    let speed = use_state_eq(|| props.speed.clamp(0.5, 60.0));
    {
        let speed = speed.clone();
        use_effect_with(props.speed, move |&s| speed.set(s.clamp(0.5, 60.0)));
    }
    let canvas = use_node_ref();
    // Redrawn when the size changes: the observer lives as long as the stage.
    let size = use_state_eq(|| (0, 0));
    {
        let (canvas, size) = (canvas.clone(), size.clone());
        use_effect_with((), move |_| {
            let observer = canvas.cast::<HtmlCanvasElement>().and_then(|element| {
                let callback = Closure::<dyn Fn()>::new({
                    let element = element.clone();
                    move || size.set((element.client_width(), element.client_height()))
                });
                let observer =
                    web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&element);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    {
        let (canvas, lesson) = (canvas.clone(), lesson.clone());
        use_effect_with(
            ((*cursor).clone(), props.dark, *size),
            move |(cursor, dark, _)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    paint_step(
                        &canvas,
                        &Step {
                            problem: &lesson.problem,
                            capacity: lesson.capacity,
                            profile: &lesson.profile,
                            trace: &lesson.trace,
                            cursor,
                            dark: *dark,
                        },
                    );
                }
            },
        );
    }
    // Playing: one step per tick at `speed` steps a second; stops at the end.
    {
        let (cursor, playing, lesson) = (cursor.clone(), playing.clone(), lesson.clone());
        use_effect_with(
            (*playing, *speed, cursor.position),
            move |&(is_playing, speed, _)| {
                let mut handle = None;
                if is_playing {
                    let delay = (1000.0 / speed.max(0.1)) as i32;
                    let closure = Closure::once(move || {
                        let mut next = (*cursor).clone();
                        next.forward(&lesson.trace.events);
                        if next.position >= lesson.trace.events.len() {
                            playing.set(false);
                        }
                        cursor.set(next);
                    });
                    handle = web_sys::window().and_then(|w| {
                        w.set_timeout_with_callback_and_timeout_and_arguments_0(
                            closure.as_ref().unchecked_ref(),
                            delay,
                        )
                        .ok()
                        .map(|id| (id, closure))
                    });
                }
                move || {
                    if let (Some((id, _closure)), Some(window)) = (handle, web_sys::window()) {
                        window.clear_timeout_with_handle(id);
                    }
                }
            },
        );
    }

    let events = &lesson.trace.events;
    let step = {
        let (cursor, lesson, playing) = (cursor.clone(), lesson.clone(), playing.clone());
        Callback::from(move |delta: i64| {
            playing.set(false);
            let mut next = (*cursor).clone();
            next.step(&lesson.trace.events, delta);
            cursor.set(next);
        })
    };
    let on_scrub = {
        let (cursor, lesson, playing) = (cursor.clone(), lesson.clone(), playing.clone());
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(position) = input.value().parse::<usize>() {
                playing.set(false);
                let mut next = (*cursor).clone();
                next.seek(&lesson.trace.events, position);
                cursor.set(next);
            }
        })
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(value) = input.value().parse::<f64>() {
                // Logarithmic: 0.5 to 60 steps a second.
                speed.set(2f64.powf(value).clamp(0.5, 60.0));
            }
        })
    };
    let toggle_play = {
        let (playing, cursor, lesson) = (playing.clone(), cursor.clone(), lesson.clone());
        Callback::from(move |()| {
            // Playing from the end starts over.
            if !*playing && cursor.position >= lesson.trace.events.len() {
                cursor.set(Cursor::before(&lesson.problem));
            }
            playing.set(!*playing);
        })
    };
    let on_key = {
        let (step, toggle_play) = (step.clone(), toggle_play.clone());
        Callback::from(move |event: KeyboardEvent| {
            let on_field = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| e.tag_name() == "INPUT");
            match event.key().as_str() {
                "ArrowRight" if !on_field => step.emit(1),
                "ArrowLeft" if !on_field => step.emit(-1),
                "Home" if !on_field => step.emit(i64::MIN),
                "End" if !on_field => step.emit(i64::MAX),
                " " => toggle_play.emit(()),
                _ => return,
            }
            event.prevent_default();
        })
    };
    let on = |delta: i64| {
        let step = step.clone();
        Callback::from(move |_: MouseEvent| step.emit(delta))
    };
    let on_play = {
        let toggle = toggle_play.clone();
        Callback::from(move |_: MouseEvent| toggle.emit(()))
    };

    let names = Names {
        problem: &lesson.problem,
        capacity: lesson.capacity,
        sections: &lesson.trace.sections,
    };
    let position = cursor.position;
    let at_end = position >= events.len();
    let mut words = match cursor.last(events) {
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
        cursor.placed_count(),
        events.len(),
        if lesson.trace.truncated {
            " (first events only)"
        } else {
            ""
        }
    );
    html! {
        <div class="bp-stage" onkeydown={on_key} tabindex="0"
             aria-label="Search replay: ← → step, Space play or pause, Home and End">
            <div class="bp-bar">
                <span class="bp-figures">{ figures }</span>
            </div>
            <div class="bp-chart">
                <canvas ref={canvas} class="bp-step" role="img"
                        aria-label="The buffers placed so far, the candidates and the current step" />
            </div>
            <p class="bp-narration" aria-live="polite">{ words }</p>
            <div class="bp-bar bp-transport" role="group" aria-label="Replay">
                <button type="button" class="bp-first" onclick={on(i64::MIN)} disabled={position == 0} title="To the start (Home)">{ "Start" }</button>
                <button type="button" class="bp-back" onclick={on(-1)} disabled={position == 0} title="Step back (←)">{ "◀ Step" }</button>
                <button type="button" class="bp-play" onclick={on_play} aria-pressed={playing.to_string()}>
                    { if *playing { "Pause" } else { "Play" } }
                </button>
                <button type="button" class="bp-forward" onclick={on(1)} disabled={at_end} title="Step forward (→)">{ "Step ▶" }</button>
                <button type="button" class="bp-last" onclick={on(i64::MAX)} disabled={at_end} title="To the end (End)">{ "End" }</button>
                <input class="bp-scrub" type="range" min="0" max={events.len().to_string()}
                       value={position.to_string()} oninput={on_scrub} aria-label="Step" />
                <label class="bp-speed">{ "Speed " }
                    <input type="range" min="-1" max="5.9" step="0.1"
                           value={speed.log2().to_string()} oninput={on_speed} aria-label="Steps a second" />
                    <span>{ format!("{:.1}/s", *speed) }</span>
                </label>
            </div>
        </div>
    }
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
