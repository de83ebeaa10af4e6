//! The page: input (drop anywhere, file picker, paste, examples), options, progress and
//! cancel, the chart, the figures and the buffer table, exports. State lives in one reducer
//! (`state.rs`); this module wires events to it and solves through `bridge.rs`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::JsString;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::bridge::{self, Ended, Failure};
use crate::chart::{Chart, ColourMode};
use crate::controls::Controls;
use crate::examples::EXAMPLES;
use crate::files;
use crate::model::ModelSource;
use crate::results::Results;
use crate::state::{Action, State};

/// The CSV being shown or solved, kept out of the reducer (it can be 50 MB) and shared.
/// It stays a JavaScript string from the file to the worker: converting 27 MB to Rust and
/// back blocked the page for a quarter of a second.
pub(crate) struct Source {
    pub(crate) csv: JsString,
    pub(crate) name: String,
    /// The TensorFlow Lite model `csv` was read from, if it was.
    pub(crate) model: Option<Rc<ModelSource>>,
}

impl Default for Source {
    fn default() -> Source {
        Source {
            csv: JsString::from(""),
            name: String::new(),
            model: None,
        }
    }
}

/// Starts a solve of `csv` named `name` with the current options; `model` is the model it
/// was read from, if any (the plan is written into it after the solve).
fn start_solve(
    state: &UseReducerHandle<State>,
    source: &Rc<RefCell<Source>>,
    abort: &Rc<RefCell<Option<web_sys::AbortController>>>,
    name: String,
    csv: JsString,
    model: Option<Rc<ModelSource>>,
) {
    if let Some(previous) = abort.borrow_mut().take() {
        previous.abort();
    }
    let Ok(controller) = web_sys::AbortController::new() else {
        state.dispatch(Action::Refused(Failure::new(
            "worker",
            "AbortController is missing",
        )));
        return;
    };
    let signal = controller.signal();
    let mine = controller.clone();
    *abort.borrow_mut() = Some(controller);
    *source.borrow_mut() = Source {
        csv: csv.clone(),
        name: name.clone(),
        model: model.clone(),
    };
    let id = state.next_id();
    let options = state.options.clone();
    state.dispatch(Action::Start { name });
    let state = state.clone();
    let abort = abort.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let progress_state = state.clone();
        let preparing_state = state.clone();
        let ended = bridge::solve(
            &csv,
            model.as_deref(),
            &options,
            signal,
            move |progress| progress_state.dispatch(Action::Progress { id, progress }),
            move |fraction| preparing_state.dispatch(Action::Preparing { id, fraction }),
        )
        .await;
        // This solve's controller is no longer needed, unless a newer solve's has taken its
        // place: a solve superseded by the next one ends after that one started, and taking
        // whatever was there took the newer solve's, so Cancel did nothing and a third solve
        // left the second running.
        let mut current = abort.borrow_mut();
        if current.as_ref() == Some(&mine) {
            current.take();
        }
        drop(current);
        state.dispatch(match ended {
            Ended::Solved(layout, model) => Action::Solved { id, layout, model },
            Ended::Cancelled => Action::Cancelled { id },
            Ended::Failed(failure) => Action::Failed { id, failure },
        });
    });
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function load_learn(root, dark) {
    // Beside index.html, wherever the site is served from.
    return import(new URL('learn.js', document.baseURI).href).then(async (learn) => {
        await learn.default({ module_or_path: new URL('learn_bg.wasm', document.baseURI) });
        learn.mount(root, dark);
    });
}
"#)]
extern "C" {
    fn load_learn(root: &web_sys::Element, dark: bool) -> js_sys::Promise;
}

#[function_component(App)]
pub(crate) fn app() -> Html {
    let state = use_reducer(State::default);
    let source = use_mut_ref(Source::default);
    let abort = use_mut_ref(|| None::<web_sys::AbortController>);
    let dragging = use_state(|| false);
    let file_input = use_node_ref();
    // What the chart shows, for the SVG export.
    let shown = use_state(crate::chart::Shown::default);
    // Solve (the main view) or Learn (teaching mode). Both stay mounted, so switching keeps
    // each one's result.
    let learning = use_state(|| false);
    // The Learn view is a bundle of its own (learn.js), loaded on first use and mounted in
    // `learn_root`.
    let learn_root = use_node_ref();
    let learn_loading = use_state(|| false);
    let learn_loaded = use_mut_ref(|| false);
    let show = |learn: bool| {
        let (learning, learn_root, learn_loading, learn_loaded) = (
            learning.clone(),
            learn_root.clone(),
            learn_loading.clone(),
            learn_loaded.clone(),
        );
        let dark = state.dark;
        Callback::from(move |_: MouseEvent| {
            learning.set(learn);
            if learn && !*learn_loaded.borrow() {
                if let Some(element) = learn_root.cast::<web_sys::Element>() {
                    *learn_loaded.borrow_mut() = true;
                    learn_loading.set(true);
                    let learn_loading = learn_loading.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let loaded =
                            wasm_bindgen_futures::JsFuture::from(load_learn(&element, dark)).await;
                        if let Err(error) = loaded {
                            web_sys::console::error_2(
                                &"could not load the Learn view".into(),
                                &error,
                            );
                        }
                        learn_loading.set(false);
                    });
                }
            }
        })
    };

    let solve_text = {
        let (state, source, abort) = (state.clone(), source.clone(), abort.clone());
        Callback::from(move |(name, csv): (String, JsString)| {
            start_solve(&state, &source, &abort, name, csv, None);
        })
    };
    let solve_model = {
        let (state, source, abort) = (state.clone(), source.clone(), abort.clone());
        Callback::from(
            move |(name, csv, model): (String, JsString, Rc<ModelSource>)| {
                start_solve(&state, &source, &abort, name, csv, Some(model));
            },
        )
    };
    let refuse = {
        let state = state.clone();
        Callback::from(move |failure: Failure| state.dispatch(Action::Refused(failure)))
    };

    // Theme from the system, once; a share link's problem, once.
    {
        let state = state.clone();
        let solve_text = solve_text.clone();
        use_effect_with((), move |_| {
            let dark = web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|query| query.matches());
            state.dispatch(Action::Dark(dark));
            if let Some((csv, capacity)) = files::shared_problem() {
                let mut options = state.options.clone();
                options.capacity = capacity;
                state.dispatch(Action::Options(options));
                solve_text.emit(("shared link".to_string(), JsString::from(csv)));
            }
        });
    }
    // The theme goes on <html>, so the whole page (scrollbars included) follows.
    {
        let dark = state.dark;
        use_effect_with(dark, move |&dark| {
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
            }
            // The Learn view (its own bundle) follows.
            if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("bufpack-theme", &{
                let init = web_sys::CustomEventInit::new();
                init.set_detail(&dark.into());
                init
            }) {
                if let Some(window) = web_sys::window() {
                    let _ = window.dispatch_event(&event);
                }
            }
        });
    }
    // Ctrl+V anywhere (outside a text field) pastes a CSV.
    {
        let solve_text = solve_text.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn(web_sys::ClipboardEvent)>::new(
                move |event: web_sys::ClipboardEvent| {
                    let in_field = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"));
                    if in_field {
                        return;
                    }
                    if let Some(text) = event.clipboard_data().and_then(|d| d.get_data("text").ok())
                    {
                        if !text.trim().is_empty() {
                            event.prevent_default();
                            solve_text.emit(("pasted CSV".to_string(), JsString::from(text)));
                        }
                    }
                },
            );
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(document) = &document {
                let _ = document
                    .add_event_listener_with_callback("paste", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(document) = document {
                    let _ = document.remove_event_listener_with_callback(
                        "paste",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let read_files = {
        let (solve_text, solve_model, refuse) =
            (solve_text.clone(), solve_model.clone(), refuse.clone());
        move |files: Option<web_sys::FileList>| {
            let Some(file) = files.and_then(|f| f.get(0)) else {
                return;
            };
            let (solve_text, solve_model, refuse) =
                (solve_text.clone(), solve_model.clone(), refuse.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                // A TensorFlow Lite model (TFL3 at bytes 4..8) is read as bytes, anything
                // else as text: a CSV stays a JavaScript string all the way to the worker.
                let model = match files::read_head(&file).await {
                    Ok(head) => crate::model::is_tflite(&head),
                    Err(failure) => return refuse.emit(failure),
                };
                if !model {
                    return match files::read_file(file).await {
                        Ok(text) => solve_text.emit((name, text)),
                        Err(failure) => refuse.emit(failure),
                    };
                }
                let read = match files::read_bytes(&file).await {
                    Ok(bytes) => crate::model::read(&bytes).await,
                    Err(failure) => Err(failure),
                };
                match read {
                    Ok((model, csv)) => solve_model.emit((name, csv, Rc::new(model))),
                    Err(failure) => refuse.emit(failure),
                }
            });
        }
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            // Only when the pointer leaves the window, not when it crosses a child.
            if event.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let (dragging, read_files, learning) =
            (dragging.clone(), read_files.clone(), learning.clone());
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            // A dropped file is solved, so it is shown where solves are.
            learning.set(false);
            read_files(event.data_transfer().and_then(|d| d.files()));
        })
    };
    let onpick = {
        let read_files = read_files.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            read_files(input.files());
            input.set_value("");
        })
    };
    let open_picker = {
        let file_input = file_input.clone();
        Callback::from(move |_| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let onexample = {
        let (state, solve_text, refuse) = (state.clone(), solve_text.clone(), refuse.clone());
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let Some(example) = select
                .value()
                .parse::<usize>()
                .ok()
                .and_then(|i| EXAMPLES.get(i))
            else {
                return;
            };
            select.set_value("");
            let mut options = state.options.clone();
            options.capacity = example.capacity;
            state.dispatch(Action::Options(options));
            let (solve_text, refuse) = (solve_text.clone(), refuse.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match files::fetch_text(&format!("examples/{}", example.file)).await {
                    Ok(text) => solve_text.emit((example.title.to_string(), text)),
                    Err(failure) => refuse.emit(failure),
                }
            });
        })
    };
    let on_solve_again = {
        let (state, source, abort) = (state.clone(), source.clone(), abort.clone());
        Callback::from(move |_| {
            let (name, csv, model) = {
                let source = source.borrow();
                (
                    source.name.clone(),
                    source.csv.clone(),
                    source.model.clone(),
                )
            };
            if csv.length() > 0 {
                start_solve(&state, &source, &abort, name, csv, model);
            }
        })
    };
    let on_cancel = {
        let abort = abort.clone();
        Callback::from(move |_| {
            if let Some(controller) = abort.borrow_mut().take() {
                controller.abort();
            }
        })
    };
    let on_select = {
        let state = state.clone();
        Callback::from(move |index: Option<usize>| state.dispatch(Action::Select(index)))
    };
    let on_colour = {
        let state = state.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            if let Ok(mode) = select.value().parse::<ColourMode>() {
                state.dispatch(Action::Colour(mode));
            }
        })
    };
    let on_search = {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            state.dispatch(Action::Search(input.value()));
        })
    };
    let toggle_theme = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Dark(!state.dark)))
    };

    let has_source = source.borrow().csv.length() > 0;
    let share = state.layout.as_ref().and_then(|layout| {
        let source = source.borrow();
        files::share_fragment(&source.csv, layout.capacity)
    });

    html! {
        <div class={classes!("app", dragging.then_some("dragging"))}
             {ondragover} {ondragleave} {ondrop}>
            <header class="bar">
                <h1>{ "bufpack" }</h1>
                <p class="tagline">{ "Static buffer packing in your browser. Nothing leaves this page." }</p>
                <button class="ghost" onclick={toggle_theme} aria-pressed={state.dark.to_string()}
                        title="Switch between light and dark">
                    { if state.dark { "Light" } else { "Dark" } }
                </button>
            </header>
            <nav class="views" aria-label="Views">
                <button id="view-solve" class={classes!("tab", (!*learning).then_some("active"))}
                        aria-pressed={(!*learning).to_string()} onclick={show(false)}>{ "Solve" }</button>
                <button id="view-learn" class={classes!("tab", learning.then_some("active"))}
                        aria-pressed={learning.to_string()} onclick={show(true)}>{ "Learn" }</button>
            </nav>
            <div hidden={!*learning} ref={learn_root.clone()} class="learn-root">
                if *learn_loading { <p class="notice learn-loading" role="status">{ "Loading the Learn view…" }</p> }
            </div>
            <main class="layout" hidden={*learning}>
                <section class="panel input" aria-labelledby="input-title">
                    <h2 id="input-title">{ "Input" }</h2>
                    <p class="hint">{ "Drop a buffer CSV or a TensorFlow Lite model (.tflite) anywhere on the page, paste a CSV (Ctrl+V), pick a file or an example. Columns: id, lower, upper, size (optional: alignment, offset, gaps). A model's tensor arena is packed and compared with TensorFlow Lite Micro's own plan." }</p>
                    <div class="row">
                        <button onclick={open_picker}>{ "Open CSV or model…" }</button>
                        <input ref={file_input} id="file" type="file" accept=".csv,.tflite,text/csv,text/plain"
                               class="visually-hidden" onchange={onpick} aria-label="CSV file" />
                        <label class="visually-hidden" for="examples">{ "Examples" }</label>
                        <select id="examples" onchange={onexample}>
                            <option value="" selected=true>{ "Examples…" }</option>
                            { for EXAMPLES.iter().enumerate().map(|(i, e)| html! { <option value={i.to_string()}>{ e.title }</option> }) }
                        </select>
                    </div>
                    if let Some(failure) = &state.failure {
                        <div class="error" role="alert">
                            <strong>{ failure_title(failure) }</strong>
                            <span class="message">{ failure_detail(failure) }</span>
                            if state.layout.is_some() {
                                <span class="kept">{ "The previous result is still shown." }</span>
                            }
                        </div>
                    }
                    if let Some(notice) = &state.notice {
                        <div class="notice" role="status">{ notice }</div>
                    }
                </section>
                <Controls options={state.options.clone()} running={state.running.clone()}
                          can_solve={has_source}
                          on_options={ { let s = state.clone(); Callback::from(move |o| s.dispatch(Action::Options(o))) } }
                          on_solve={on_solve_again} on_cancel={on_cancel} />
                <section class="panel chart-panel" aria-labelledby="chart-title">
                    <div class="toolbar">
                        <h2 id="chart-title">{ state.name.clone().unwrap_or_else(|| "Layout".into()) }</h2>
                        <label>{ "Colour by " }
                            <select onchange={on_colour} aria-label="Colour by">
                                { for ColourMode::ALL.iter().map(|m| html! {
                                    <option value={m.key()} selected={*m == state.colour}>{ m.label() }</option>
                                }) }
                            </select>
                        </label>
                        <input type="search" placeholder="Find buffer id" aria-label="Find buffer by id"
                               oninput={on_search} disabled={state.layout.is_none()} />
                        <crate::export::ExportMenu layout={state.layout.clone()} model={state.model.clone()} share={share}
                                                   name={state.name.clone()}
                                                   colour={state.colour} dark={state.dark}
                                                   shown={(*shown).clone()} />
                    </div>
                    if let Some(layout) = &state.layout {
                        <div class="chart-box">
                            <Chart layout={layout.clone()} colour={state.colour} dark={state.dark}
                                   selected={state.selected} highlight={state.highlight}
                                   on_select={on_select.clone()} shown={(*shown).clone()} />
                        </div>
                    } else {
                        <div class="chart-box empty">
                            <p>{ "No layout yet. Drop a CSV, or try an example." }</p>
                        </div>
                    }
                </section>
                if let Some(layout) = &state.layout {
                    <Results layout={layout.clone()} model={state.model.clone()} selected={state.selected} on_select={on_select} />
                }
            </main>
            <footer class="foot">
                <a href="view.html">{ "Show a layout in your own page: bufpack/view" }</a>
            </footer>
            <div class="drop-overlay" aria-hidden="true">{ "Drop the CSV or .tflite model to solve it" }</div>
        </div>
    }
}

/// The message without the position the title already gives ("line 3, column 6 (upper): ").
fn failure_detail(failure: &Failure) -> &str {
    match failure.line {
        Some(_) => failure
            .message
            .split_once(": ")
            .map_or(&failure.message, |(_, rest)| rest),
        None => &failure.message,
    }
}

fn failure_title(failure: &Failure) -> String {
    match (failure.code.as_str(), failure.line, failure.column) {
        ("parse", Some(line), Some(column)) => {
            // The field's name, when the message gives one: "line 3, column 6 (upper): ...".
            let field = failure
                .message
                .split_once(": ")
                .and_then(|(position, _)| position.split_once(" ("))
                .map(|(_, field)| format!(" ({}", field))
                .unwrap_or_default();
            format!("Line {line}, column {column}{field}")
        }
        ("parse", _, _) => "Cannot read this CSV".into(),
        ("infeasible", ..) => "No packing fits".into(),
        ("timeout", ..) => "Time limit reached".into(),
        ("invalid", ..) => "Invalid input".into(),
        ("worker", ..) => "The solver worker failed".into(),
        ("internal", ..) => "Internal error".into(),
        ("invalid-model", ..) => "Cannot read this model".into(),
        ("invalid-plan", ..) => "The plan does not fit the model".into(),
        (code, ..) => code.to_string(),
    }
}
