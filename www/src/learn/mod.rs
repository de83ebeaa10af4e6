//! Teaching mode: pick a small example (or paste your own CSV), and watch the exact search
//! pack it event by event — placements, candidates, prunings with their reason in words,
//! backtracks, splits — with play, pause, step back and forward, and a speed slider. Beside
//! it: the techniques explained with the example at hand, the heuristics against the exact
//! optimum, and an ablation table (each technique off in turn).
//!
//! The search runs in the package's worker (`traceInWorker`); this module replays what it
//! recorded, says it in words and draws it with `bufpack_chart::teach` (shared with the
//! viewer's `<bufpack-replay>`).

mod compare;
mod examples;
mod run;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use bufpack::{read_problem, LoadProfile, Offset, Problem, Time};

use compare::{Ablation, Compare};
use examples::TEACHING;
// The replay, its words and its drawing are shared with the viewer's <bufpack-replay>.
use bufpack_chart::dom::Timeout;
use bufpack_chart::teach::explain::{ending, in_this_example, narrate, Names, TECHNIQUES};
use bufpack_chart::teach::replay::{Cursor, Event, Trace};
use bufpack_chart::teach::{draw, paint_scene, paint_step, replay, Step};

/// Problems larger than this are refused: the view draws every buffer with its id.
const MAX_BUFFERS: usize = 400;

/// A problem being taught, with its recorded search.
#[derive(Clone, Debug)]
pub(crate) struct Lesson {
    pub(crate) title: String,
    pub(crate) csv: Rc<str>,
    pub(crate) problem: Rc<Problem>,
    pub(crate) capacity: Offset,
    pub(crate) profile: Rc<Vec<(Time, Offset)>>,
    pub(crate) trace: Rc<Trace>,
    /// What the curated example shows, if it is one.
    pub(crate) idea: Option<&'static str>,
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Working(String),
    Failed(String),
}

#[derive(Properties, PartialEq)]
pub(crate) struct LearnProps {
    pub(crate) dark: bool,
}

#[derive(Properties, PartialEq)]
pub(crate) struct RootProps {
    pub(crate) dark: bool,
}

/// The bundle's root: the Learn view, in the page's theme (the page dispatches
/// `bufpack-theme` with `detail` true for dark when the user switches).
#[function_component(Root)]
pub(crate) fn root(props: &RootProps) -> Html {
    let dark = use_state(|| props.dark);
    {
        let dark = dark.clone();
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(
                move |event: web_sys::CustomEvent| dark.set(event.detail().is_truthy()),
            );
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window.add_event_listener_with_callback(
                    "bufpack-theme",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "bufpack-theme",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    html! { <Learn dark={*dark} /> }
}

/// Parses a small problem for teaching; errors say where.
fn parse(csv: &str, capacity: Option<Offset>) -> Result<Problem, String> {
    let problem =
        read_problem(csv, capacity.unwrap_or(bufpack::MAX_MAGNITUDE)).map_err(|e| e.to_string())?;
    if problem.buffers.len() > MAX_BUFFERS {
        return Err(format!(
            "teaching mode is for small problems: this one has {} buffers, at most {MAX_BUFFERS} are drawn step by step. Use the Solve view for it.",
            problem.buffers.len()
        ));
    }
    if problem.buffers.is_empty() {
        return Err("the CSV has no buffers".into());
    }
    Ok(problem)
}

/// Loads `csv`: parses it, finds the capacity (given, or the optimum), records the search.
async fn load(
    title: String,
    csv: String,
    capacity: Option<Offset>,
    idea: Option<&'static str>,
    status: UseStateHandle<Status>,
) -> Result<Lesson, String> {
    let mut problem = parse(&csv, capacity)?;
    let capacity = match capacity {
        Some(capacity) => capacity,
        None => {
            status.set(Status::Working("Finding the optimum to search at…".into()));
            run::optimum(&csv, 5.0).await?.height
        }
    };
    problem.capacity = capacity;
    status.set(Status::Working("Recording the search…".into()));
    let trace = run::trace(&csv, capacity, &[], run::MAX_EVENTS).await?;
    let profile = LoadProfile::of(&problem).steps;
    Ok(Lesson {
        title,
        csv: csv.into(),
        problem: Rc::new(problem),
        capacity,
        profile: Rc::new(profile),
        trace: Rc::new(trace),
        idea,
    })
}

#[function_component(Learn)]
pub(crate) fn learn(props: &LearnProps) -> Html {
    let lesson = use_state(|| None::<Lesson>);
    let status = use_state(|| Status::Idle);
    let cursor = use_state(|| Cursor::start(0));
    let playing = use_state(|| false);
    let speed = use_state(|| 4.0_f64);
    let own_csv = use_node_ref();
    let own_capacity = use_node_ref();

    let start = {
        let (lesson, status, cursor, playing) = (
            lesson.clone(),
            status.clone(),
            cursor.clone(),
            playing.clone(),
        );
        Callback::from(
            move |(title, csv, capacity, idea): (
                String,
                String,
                Option<Offset>,
                Option<&'static str>,
            )| {
                let (lesson, status, cursor, playing) = (
                    lesson.clone(),
                    status.clone(),
                    cursor.clone(),
                    playing.clone(),
                );
                playing.set(false);
                status.set(Status::Working("Loading…".into()));
                wasm_bindgen_futures::spawn_local(async move {
                    match load(title, csv, capacity, idea, status.clone()).await {
                        Ok(loaded) => {
                            cursor.set(Cursor::before(&loaded.problem));
                            lesson.set(Some(loaded));
                            status.set(Status::Idle);
                        }
                        // The lesson on screen stays.
                        Err(message) => status.set(Status::Failed(message)),
                    }
                });
            },
        )
    };

    let on_example = {
        let start = start.clone();
        Callback::from(move |event: yew::events::Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let Ok(index) = select.value().parse::<usize>() else {
                return;
            };
            let Some(example) = TEACHING.get(index) else {
                return;
            };
            let start = start.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("examples/teaching/{}", example.file);
                match run::fetch_text(&url).await {
                    Ok(text) => start.emit((
                        example.title.to_string(),
                        text,
                        Some(example.capacity),
                        Some(example.idea),
                    )),
                    Err(message) => web_sys::console::error_1(&message.into()),
                }
            });
        })
    };

    let on_own = {
        let (start, own_csv, own_capacity, status) = (
            start.clone(),
            own_csv.clone(),
            own_capacity.clone(),
            status.clone(),
        );
        Callback::from(move |_| {
            let csv = own_csv
                .cast::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            let capacity_text = own_capacity
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let capacity = match capacity_text.trim() {
                "" => None,
                text => match text.replace(['_', ','], "").parse::<Offset>() {
                    Ok(c) if c > 0 => Some(c),
                    _ => {
                        status.set(Status::Failed(format!(
                            "capacity: expected a positive whole number, found {text:?}"
                        )));
                        return;
                    }
                },
            };
            start.emit(("Your problem".into(), csv, capacity, None));
        })
    };

    // Playing: one step per tick, at `speed` steps a second; stops at the end.
    {
        let (cursor, playing, lesson) = (cursor.clone(), playing.clone(), lesson.clone());
        use_effect_with(
            (*playing, *speed, cursor.position),
            move |(is_playing, speed, _)| {
                // The next step one tick from now; cancelled (dropped) when anything changes.
                let tick = (*lesson)
                    .clone()
                    .filter(|_| *is_playing)
                    .and_then(|lesson| {
                        let delay = (1000.0 / speed.max(0.1)) as i32;
                        Timeout::new(delay, move || {
                            let events = &lesson.trace.events;
                            let mut next = (*cursor).clone();
                            next.forward(events);
                            if next.position >= events.len() {
                                playing.set(false);
                            }
                            cursor.set(next);
                        })
                    });
                move || drop(tick)
            },
        );
    }

    let step = {
        let (cursor, lesson, playing) = (cursor.clone(), lesson.clone(), playing.clone());
        Callback::from(move |delta: i64| {
            let Some(lesson) = &*lesson else { return };
            playing.set(false);
            let mut next = (*cursor).clone();
            next.step(&lesson.trace.events, delta);
            cursor.set(next);
        })
    };
    let seek = {
        let (cursor, lesson, playing) = (cursor.clone(), lesson.clone(), playing.clone());
        Callback::from(move |position: usize| {
            let Some(lesson) = &*lesson else { return };
            playing.set(false);
            let mut next = (*cursor).clone();
            next.seek(&lesson.trace.events, position);
            cursor.set(next);
        })
    };
    let on_scrub = {
        let seek = seek.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(position) = input.value().parse::<usize>() {
                seek.emit(position);
            }
        })
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            // `valueAsNumber`, not Rust's `f64` parser (its 10 KB table of powers of five).
            let value = input.value_as_number();
            if value.is_finite() {
                // The slider is logarithmic: 0.5 to 60 steps a second.
                speed.set((2f64).powf(value).clamp(0.5, 60.0));
            }
        })
    };
    let toggle_play = {
        let (playing, cursor, lesson) = (playing.clone(), cursor.clone(), lesson.clone());
        Callback::from(move |_| {
            if !*playing {
                // Playing from the end starts over.
                if let Some(lesson) = &*lesson {
                    if cursor.position >= lesson.trace.events.len() {
                        cursor.set(Cursor::before(&lesson.problem));
                    }
                }
            }
            playing.set(!*playing);
        })
    };
    let on_key = {
        let (step, toggle_play) = (step.clone(), toggle_play.clone());
        Callback::from(move |event: KeyboardEvent| {
            let target_is_field = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"));
            if target_is_field {
                return;
            }
            match event.key().as_str() {
                "ArrowRight" => step.emit(1),
                "ArrowLeft" => step.emit(-1),
                "Home" => step.emit(i64::MIN),
                "End" => step.emit(i64::MAX),
                " " => toggle_play.emit(()),
                _ => return,
            }
            event.prevent_default();
        })
    };

    let status_view = match &*status {
        Status::Idle => html! {},
        Status::Working(text) => html! { <div class="notice" role="status">{ text }</div> },
        Status::Failed(text) => html! {
            <div class="error" role="alert" id="learn-error">
                <strong>{ "Could not load it" }</strong>
                <span class="message">{ text }</span>
                if lesson.is_some() { <span class="kept">{ "The previous lesson is still shown." }</span> }
            </div>
        },
    };

    html! {
        <main class="learn" onkeydown={on_key} tabindex="-1">
            <section class="panel learn-input" aria-labelledby="learn-title">
                <h2 id="learn-title">{ "Learn: watch the search" }</h2>
                <p class="hint">{ "Pick an example, or paste a small CSV (at most 400 buffers). The exact search runs once in a worker and records every step; then replay it here. Keys: ← → step, Space play, Home/End." }</p>
                <div class="row">
                    <label class="visually-hidden" for="learn-examples">{ "Teaching examples" }</label>
                    <select id="learn-examples" onchange={on_example}>
                        <option value="" selected=true>{ "Examples…" }</option>
                        { for TEACHING.iter().enumerate().map(|(i, e)| html! {
                            <option value={i.to_string()}>{ e.title }</option>
                        }) }
                    </select>
                </div>
                <details class="own">
                    <summary>{ "Your own CSV" }</summary>
                    <textarea ref={own_csv} id="learn-csv" rows="6" aria-label="CSV to learn from"
                              placeholder={"id,lower,upper,size\na,0,4,2\nb,2,6,3"} />
                    <div class="row">
                        <label>{ "Capacity " }
                            <input ref={own_capacity} id="learn-capacity" type="text" inputmode="numeric"
                                   placeholder="optimum" size="10" />
                        </label>
                        <button id="learn-own" onclick={on_own}>{ "Record the search" }</button>
                    </div>
                </details>
                { status_view }
            </section>
            if let Some(lesson) = &*lesson {
                <Stage lesson={lesson.clone()} cursor={(*cursor).clone()} playing={*playing}
                       speed={*speed} dark={props.dark} on_step={step} on_seek={seek}
                       on_scrub={on_scrub} on_speed={on_speed} on_play={toggle_play} />
                <Compare lesson={lesson.clone()} dark={props.dark} />
                <Ablation lesson={lesson.clone()} />
            } else {
                <section class="panel"><p class="hint">{ "No example loaded yet." }</p></section>
            }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct StageProps {
    lesson: Lesson,
    cursor: Cursor,
    playing: bool,
    speed: f64,
    dark: bool,
    on_step: Callback<i64>,
    on_seek: Callback<usize>,
    on_scrub: Callback<InputEvent>,
    on_speed: Callback<InputEvent>,
    on_play: Callback<()>,
}

/// The replay: chart, transport controls, the current step in words, the log, the side
/// panel.
#[function_component(Stage)]
fn stage(props: &StageProps) -> Html {
    let lesson = &props.lesson;
    let trace = &lesson.trace;
    let events = &trace.events;
    let position = props.cursor.position;
    let names = Names {
        problem: &lesson.problem,
        capacity: lesson.capacity,
        sections: &trace.sections,
    };
    let last = props.cursor.last(events);
    let current_text = match last {
        Some(event) => narrate(event, &names),
        None => format!(
            "Before the search: {} buffers to place under capacity {}. Press Play or →.",
            lesson.problem.buffers.len(),
            lesson.capacity
        ),
    };
    let technique = match last {
        Some(Event::Prune(prune)) => Some(prune.technique.clone()),
        Some(Event::Split { .. }) => Some("decomposition".to_string()),
        _ => None,
    };
    let at_end = position >= events.len();
    let on = |delta: i64| {
        let step = props.on_step.clone();
        Callback::from(move |_| step.emit(delta))
    };
    let on_play = {
        let play = props.on_play.clone();
        Callback::from(move |_| play.emit(()))
    };
    // The log: a few events either side of the current one.
    let from = position.saturating_sub(6);
    let to = (position + 4).min(events.len());
    let log = (from..to).map(|index| {
        let seek = props.on_seek.clone();
        let class = classes!("log-entry", (index + 1 == position).then_some("current"));
        html! {
            <li {class} onclick={Callback::from(move |_| seek.emit(index + 1))}>
                <span class="log-index">{ index + 1 }</span>{ narrate(&events[index], &names) }
            </li>
        }
    });
    html! {
        <>
        <section class="panel learn-stage" aria-labelledby="stage-title">
            <h2 id="stage-title">{ &lesson.title }</h2>
            <p class="figures">{ format!("capacity {} · {} buffers · {} placed · ordering {}",
                    lesson.capacity, lesson.problem.buffers.len(), props.cursor.placed_count(),
                    trace.ordering.clone().unwrap_or_else(|| "input order".into())) }</p>
            if let Some(idea) = lesson.idea {
                <p class="idea">{ idea }</p>
            }
            <StepCanvas lesson={lesson.clone()} cursor={props.cursor.clone()} dark={props.dark} />
            <div class="transport" role="group" aria-label="Replay">
                <button id="learn-first" onclick={on(i64::MIN)} disabled={position == 0} title="To the start (Home)">{ "Start" }</button>
                <button id="learn-back" onclick={on(-1)} disabled={position == 0} title="Step back (←)">{ "◀ Step" }</button>
                <button id="learn-play" onclick={on_play} aria-pressed={props.playing.to_string()}>
                    { if props.playing { "Pause" } else { "Play" } }
                </button>
                <button id="learn-forward" onclick={on(1)} disabled={at_end} title="Step forward (→)">{ "Step ▶" }</button>
                <button id="learn-last" onclick={on(i64::MAX)} disabled={at_end} title="To the end (End)">{ "End" }</button>
                <label class="speed">{ "Speed " }
                    <input id="learn-speed" type="range" min="-1" max="5.9" step="0.1"
                           value={props.speed.log2().to_string()} oninput={props.on_speed.clone()} />
                    <span>{ format!("{:.1}/s", props.speed) }</span>
                </label>
            </div>
            <input id="learn-scrub" class="scrub" type="range" min="0" max={events.len().to_string()}
                   value={position.to_string()} oninput={props.on_scrub.clone()} aria-label="Position in the search" />
            <p class="step-text" id="learn-step" aria-live="polite">
                <span class="step-count">{ format!("Step {position} of {}", events.len()) }</span>
                { current_text }
            </p>
            if at_end {
                <p class="ending" id="learn-ending">{ ending(trace) }
                    if trace.truncated {
                        { format!(" Only the first {} events were recorded; the counts cover the whole search.", events.len()) }
                    }
                </p>
            }
            <ol class="log" aria-label="Search log">{ for log }</ol>
        </section>
        <aside class="panel learn-side" aria-labelledby="side-title">
            <h2 id="side-title">{ "The techniques" }</h2>
            { for TECHNIQUES.iter().map(|t| {
                let active = technique.as_deref() == Some(t.key);
                html! {
                    <div class={classes!("technique", active.then_some("active"))} data-technique={t.key}>
                        <h3>{ t.title }</h3>
                        <p>{ t.idea }</p>
                        <p class="here">{ in_this_example(t, trace, &names) }</p>
                    </div>
                }
            }) }
        </aside>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct StepCanvasProps {
    lesson: Lesson,
    cursor: Cursor,
    dark: bool,
}

/// The chart of one step, redrawn when the step changes.
#[function_component(StepCanvas)]
fn step_canvas(props: &StepCanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let (lesson, cursor, dark) = (props.lesson.clone(), props.cursor.clone(), props.dark);
        use_effect_with((lesson, cursor, dark), move |(lesson, cursor, dark)| {
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
        });
    }
    html! {
        <div class="learn-chart">
            <canvas ref={canvas} id="learn-canvas" role="img"
                    aria-label="The buffers placed so far, the candidates and the current step" />
        </div>
    }
}
