//! Two panels beside the replay. Compare: the same problem packed by every greedy heuristic
//! and by the exact solver, drawn side by side with the LOAD line, to show where heuristics
//! stop above the bound. Ablation: the same search with techniques switched off, to see
//! what each one saves in nodes and backtracks.

use web_sys::{HtmlCanvasElement, HtmlInputElement};
use yew::prelude::*;

use bufpack::{gap_percent, Offset};

use super::run::{self, Packing};
use super::{draw, paint_scene, Lesson};
use crate::options::{minimalloc_switches, MINIMALLOC};

#[derive(Properties, PartialEq)]
pub(crate) struct CompareProps {
    pub(crate) lesson: Lesson,
    pub(crate) dark: bool,
}

#[derive(Clone, PartialEq)]
enum Compared {
    None,
    Running,
    Done(Vec<(String, Packing)>),
    Failed(String),
}

/// The largest live total: no packing is lower (for a problem without fixed buffers).
fn load(lesson: &Lesson) -> Offset {
    lesson.profile.iter().map(|&(_, l)| l).max().unwrap_or(0)
}

#[function_component(Compare)]
pub(crate) fn compare(props: &CompareProps) -> Html {
    let compared = use_state(|| Compared::None);
    {
        // A new lesson clears the old comparison.
        let compared = compared.clone();
        use_effect_with(props.lesson.clone(), move |_| compared.set(Compared::None));
    }
    let on_run = {
        let (compared, csv) = (compared.clone(), props.lesson.csv.clone());
        Callback::from(move |_| {
            let (compared, csv) = (compared.clone(), csv.clone());
            compared.set(Compared::Running);
            wasm_bindgen_futures::spawn_local(async move {
                let mut packings = match run::heuristics(&csv) {
                    Ok(packings) => packings,
                    Err(message) => return compared.set(Compared::Failed(message)),
                };
                match run::optimum(&csv, 10.0).await {
                    Ok(exact) => {
                        let name = if exact.status == "optimal" {
                            "exact (optimal)"
                        } else {
                            "exact (best in 10 s)"
                        };
                        packings.push((name.into(), exact));
                    }
                    Err(message) => return compared.set(Compared::Failed(message)),
                }
                // Best first; ties keep the package's order.
                packings.sort_by_key(|(_, p)| p.height);
                compared.set(Compared::Done(packings));
            });
        })
    };
    let load = load(&props.lesson);
    let body = match &*compared {
        Compared::None => html! {},
        Compared::Running => html! { <p class="notice" role="status">{ "Packing…" }</p> },
        Compared::Failed(message) => html! { <p class="error" role="alert">{ message }</p> },
        Compared::Done(packings) => html! {
            <div class="thumbs" id="compare-results">
                { for packings.iter().map(|(name, packing)| html! {
                    <figure class={classes!("thumb", name.starts_with("exact").then_some("exact"))}
                            data-height={packing.height.to_string()}>
                        <Thumb lesson={props.lesson.clone()} packing={packing.clone()} dark={props.dark} />
                        <figcaption>
                            <strong>{ name }</strong>
                            { format!(" height {}", packing.height) }
                            if packing.height > load {
                                <span class="over">{ format!(" · {:.1}% over LOAD", gap_percent(packing.height, load)) }</span>
                            } else {
                                <span class="at-bound">{ " · at LOAD" }</span>
                            }
                        </figcaption>
                    </figure>
                }) }
            </div>
        },
    };
    html! {
        <section class="panel learn-compare" aria-labelledby="compare-title">
            <div class="toolbar">
                <h2 id="compare-title">{ "Heuristics against the exact search" }</h2>
                <button id="compare-run" onclick={on_run} disabled={*compared == Compared::Running}>{ "Compare" }</button>
            </div>
            <p class="hint">{ format!("LOAD, the most memory live at one instant, is {load}: no packing can be lower. A greedy heuristic places each buffer once, lowest first, and never revisits a choice; the exact search does, so it reaches the optimum. The red line is each packing's height, the orange step line the load.") }</p>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ThumbProps {
    lesson: Lesson,
    packing: Packing,
    dark: bool,
}

#[function_component(Thumb)]
fn thumb(props: &ThumbProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let (lesson, packing, dark) = (props.lesson.clone(), props.packing.clone(), props.dark);
        use_effect_with((lesson, packing, dark), move |(lesson, packing, dark)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                let placed: Vec<Option<Offset>> =
                    packing.offsets.iter().map(|&o| Some(o)).collect();
                let scene = draw::Scene {
                    problem: &lesson.problem,
                    capacity: packing.height,
                    placed: &placed,
                    candidates: &[],
                    placed_now: None,
                    removed_now: None,
                    prune: None,
                    section: None,
                    cuts: &[],
                    profile: &lesson.profile,
                    dark: *dark,
                    compact: true,
                };
                paint_scene(&canvas, &scene);
            }
        });
    }
    html! { <canvas ref={canvas} class="thumb-canvas" /> }
}

#[derive(Properties, PartialEq)]
pub(crate) struct AblationProps {
    pub(crate) lesson: Lesson,
}

/// One run of the ablation table.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    label: String,
    /// `solved`, `infeasible`, `stopped`, or an error message.
    outcome: String,
    nodes: u64,
    backtracks: u64,
    prunes: super::replay::Prunes,
}

#[function_component(Ablation)]
pub(crate) fn ablation(props: &AblationProps) -> Html {
    let rows = use_state(Vec::<Row>::new);
    let running = use_state(|| false);
    let off = use_state(|| [false; MINIMALLOC]);
    {
        let rows = rows.clone();
        use_effect_with(props.lesson.clone(), move |_| rows.set(Vec::new()));
    }
    // Runs the given configurations one after another, appending a row for each.
    let run_rows = {
        let (rows, running, lesson) = (rows.clone(), running.clone(), props.lesson.clone());
        Callback::from(move |configs: Vec<(String, Vec<(&'static str, bool)>)>| {
            let (rows, running, lesson) = (rows.clone(), running.clone(), lesson.clone());
            running.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let mut table = (*rows).clone();
                for (label, switches) in configs {
                    let row = match run::trace(&lesson.csv, lesson.capacity, &switches, 0).await {
                        Ok(trace) => Row {
                            label,
                            outcome: trace.outcome,
                            nodes: trace.nodes,
                            backtracks: trace.backtracks,
                            prunes: trace.counts.prunes,
                        },
                        Err(message) => Row {
                            label,
                            outcome: message,
                            nodes: 0,
                            backtracks: 0,
                            prunes: Default::default(),
                        },
                    };
                    table.push(row);
                    rows.set(table.clone());
                }
                running.set(false);
            });
        })
    };
    let on_each = {
        let (run_rows, rows) = (run_rows.clone(), rows.clone());
        Callback::from(move |_| {
            rows.set(Vec::new());
            let mut configs = vec![("All on (defaults)".to_string(), Vec::new())];
            configs.extend(
                minimalloc_switches()
                    .iter()
                    .map(|s| (format!("{} off", s.label), vec![(s.name, false)])),
            );
            run_rows.emit(configs);
        })
    };
    let on_custom = {
        let (run_rows, off) = (run_rows.clone(), off.clone());
        Callback::from(move |_| {
            let switches: Vec<(&'static str, bool)> = minimalloc_switches()
                .iter()
                .zip(off.iter())
                .filter(|(_, &is_off)| is_off)
                .map(|(s, _)| (s.name, false))
                .collect();
            let label = if switches.is_empty() {
                "All on (defaults)".to_string()
            } else {
                let names: Vec<&str> = minimalloc_switches()
                    .iter()
                    .zip(off.iter())
                    .filter(|(_, &is_off)| is_off)
                    .map(|(s, _)| s.label)
                    .collect();
                format!("Off: {}", names.join(", "))
            };
            run_rows.emit(vec![(label, switches)]);
        })
    };
    let baseline = rows.first().map(|r| r.nodes).filter(|&n| n > 0);
    html! {
        <section class="panel learn-ablation" aria-labelledby="ablation-title">
            <div class="toolbar">
                <h2 id="ablation-title">{ "Ablation: what each technique saves" }</h2>
                <button id="ablation-each" onclick={on_each} disabled={*running}>{ "Each off in turn" }</button>
            </div>
            <p class="hint">{ format!("MiniMalloc's search at capacity {} (as everywhere in this view; bufpack's own techniques stay off), with techniques switched off. A pruning rule only ever removes work; an ordering changes which packing is met first, so switching one off can also be lucky. Each run stops after 10 s.", props.lesson.capacity) }</p>
            <fieldset class="switches">
                <legend>{ "Switch off" }</legend>
                { for minimalloc_switches().iter().enumerate().map(|(i, s)| {
                    let checked = off[i];
                    let off = off.clone();
                    let onchange = Callback::from(move |event: yew::events::Event| {
                        let input: HtmlInputElement = event.target_unchecked_into();
                        let mut next = *off;
                        next[i] = input.checked();
                        off.set(next);
                    });
                    html! {
                        <label title={s.help}>
                            <input type="checkbox" data-switch={s.name} {checked} {onchange} />
                            { s.label }
                        </label>
                    }
                }) }
                <button id="ablation-run" onclick={on_custom} disabled={*running}>{ "Run" }</button>
            </fieldset>
            if !rows.is_empty() {
                <table class="ablation" id="ablation-table">
                    <thead><tr>
                        <th>{ "Configuration" }</th><th>{ "Outcome" }</th><th>{ "Nodes" }</th>
                        <th>{ "vs first row" }</th><th>{ "Backtracks" }</th>
                        <th title="capacity / canonical / section / dominance / hatless">{ "Prunes (cap / can / sec / dom / hat)" }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|row| html! {
                            <tr>
                                <td>{ &row.label }</td>
                                <td>{ &row.outcome }</td>
                                <td class="num">{ row.nodes }</td>
                                <td class="num">{ baseline.map(|b| format!("{:.2}×", row.nodes as f64 / b as f64)).unwrap_or_default() }</td>
                                <td class="num">{ row.backtracks }</td>
                                <td class="num">{ format!("{} / {} / {} / {} / {}", row.prunes.capacity, row.prunes.canonical,
                                    row.prunes.section, row.prunes.dominance, row.prunes.hatless) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if *running { <p class="notice" role="status">{ "Running…" }</p> }
        </section>
    }
}
