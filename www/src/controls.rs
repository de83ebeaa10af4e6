//! The options (capacity or minimise, time limit, parallel, the solver's switches folded
//! away), the Solve and Cancel buttons, and the live figures of a running solve.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::options::{SolveOptions, SWITCHES};
use crate::state::Running;

#[derive(Properties, PartialEq)]
pub(crate) struct ControlsProps {
    pub(crate) options: SolveOptions,
    pub(crate) running: Option<Running>,
    /// There is an input to solve again.
    pub(crate) can_solve: bool,
    pub(crate) on_options: Callback<SolveOptions>,
    pub(crate) on_solve: Callback<()>,
    pub(crate) on_cancel: Callback<()>,
}

/// A text field being edited: what it shows, and the callbacks that keep it.
struct Field {
    value: String,
    oninput: Callback<InputEvent>,
    /// Drops the edit: the field shows the committed value again.
    reset: Callback<()>,
}

/// A text field of the options, whose committed value (`committed`, in the state) changes
/// only on its change event (Enter, or leaving the field). Yew writes a field's rendered
/// value back into it whenever the two differ, at every render of the controls, and a
/// running solve renders them with each progress report (about ten times a second) and when
/// it ends: rendered from the state alone, a field lost what was being typed into it before
/// it was committed (typing a capacity while a solve ran was undone within 100 ms; in the
/// e2e test of a crashed worker, the small solve still finishing between `fill` and `Tab`
/// put the capacity back to 12, so K was solved at 12). So the field shows its edit, kept
/// here as it is typed, until the committed value changes (a commit, or an example's or a
/// share link's capacity) or `reset` drops it.
#[hook]
fn use_field(committed: String) -> Field {
    // The edit, with the committed value it was typed over.
    let edit = use_state_eq(|| None::<(String, String)>);
    {
        let edit = edit.clone();
        use_effect_with(committed.clone(), move |_| edit.set(None));
    }
    let value = match &*edit {
        Some((over, text)) if *over == committed => text.clone(),
        _ => committed.clone(),
    };
    let oninput = {
        let edit = edit.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            edit.set(Some((committed.clone(), input.value())));
        })
    };
    let reset = Callback::from(move |()| edit.set(None));
    Field {
        value,
        oninput,
        reset,
    }
}

#[function_component(Controls)]
pub(crate) fn controls(props: &ControlsProps) -> Html {
    let capacity_error = use_state(|| None::<String>);
    let options = &props.options;
    let capacity = use_field(options.capacity.map(|c| c.to_string()).unwrap_or_default());
    let timeout = use_field(options.timeout_seconds.to_string());
    let orderings = use_field(options.orderings.clone());
    let update = |change: fn(&mut SolveOptions, &HtmlInputElement)| {
        let (options, on_options) = (options.clone(), props.on_options.clone());
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let mut next = options.clone();
            change(&mut next, &input);
            on_options.emit(next);
        })
    };
    let on_capacity = {
        let (options, on_options, error, reset) = (
            options.clone(),
            props.on_options.clone(),
            capacity_error.clone(),
            capacity.reset.clone(),
        );
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            match SolveOptions::parse_capacity(&input.value()) {
                Ok(capacity) => {
                    error.set(None);
                    on_options.emit(SolveOptions {
                        capacity,
                        ..options.clone()
                    });
                    reset.emit(());
                }
                // The text refused stays in the field, beside the message.
                Err(message) => error.set(Some(message)),
            }
        })
    };
    // A field's commit, then its edit dropped: a time limit refused shows the one kept.
    let committing = |field: &Field, commit: Callback<Event>| {
        let reset = field.reset.clone();
        Callback::from(move |event: Event| {
            commit.emit(event);
            reset.emit(());
        })
    };
    let on_timeout = committing(
        &timeout,
        update(|o, input| {
            // The browser's reading of the number field (NaN when empty or invalid): Rust's
            // `f64` parser would bring its 10 KB table of powers of five to the first visit.
            let seconds = input.value_as_number();
            if seconds > 0.0 && seconds.is_finite() {
                o.timeout_seconds = seconds;
            }
        }),
    );
    let on_parallel = update(|o, input| o.parallel = input.checked());
    let on_orderings = committing(&orderings, update(|o, input| o.orderings = input.value()));
    let running = props.running.is_some();
    let on_solve = props.on_solve.reform(|_: MouseEvent| ());
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());

    html! {
        <section class="panel controls" aria-labelledby="options-title">
            <h2 id="options-title">{ "Solve" }</h2>
            <div class="fields">
                <label>{ "Capacity" }
                    <input id="capacity" type="text" inputmode="numeric" placeholder="empty: minimise"
                           value={capacity.value} oninput={capacity.oninput}
                           onchange={on_capacity} aria-invalid={capacity_error.is_some().to_string()} />
                </label>
                <label>{ "Time limit (s)" }
                    <input id="timeout" type="number" min="0.1" step="any"
                           value={timeout.value} oninput={timeout.oninput} onchange={on_timeout} />
                </label>
                <label class="check">
                    <input id="parallel" type="checkbox" checked={options.parallel} onchange={on_parallel} />
                    { "Parallel (workers share the searches)" }
                </label>
            </div>
            if let Some(message) = &*capacity_error {
                <p class="field-error" role="alert">{ message }</p>
            }
            <details class="advanced">
                <summary>{ "Advanced: the solver's techniques" }</summary>
                { for SWITCHES.iter().enumerate().map(|(i, switch)| {
                    let checked = options.switches[i];
                    let (options, on_options) = (options.clone(), props.on_options.clone());
                    let onchange = Callback::from(move |event: Event| {
                        let input: HtmlInputElement = event.target_unchecked_into();
                        let mut next = options.clone();
                        next.switches[i] = input.checked();
                        on_options.emit(next);
                    });
                    html! {
                        <label class="check" title={switch.help}>
                            <input type="checkbox" {checked} {onchange} />
                            { switch.label }
                        </label>
                    }
                }) }
                <label>{ "Orderings (key strings)" }
                    <input type="text" value={orderings.value} oninput={orderings.oninput} onchange={on_orderings}
                           title="Comma-separated, e.g. WAT,TAW,TWA: W width, A area, T section total, Z size, L start, U end, C sections, O overlaps" />
                </label>
            </details>
            <div class="row">
                <button class="primary" onclick={on_solve} disabled={running || !props.can_solve}>
                    { if options.capacity.is_some() { "Solve" } else { "Minimise" } }
                </button>
                <button id="cancel" onclick={on_cancel} disabled={!running}>{ "Cancel" }</button>
            </div>
            if let Some(run) = &props.running {
                if let Some(fraction) = run.preparing {
                    <div class="progress preparing" role="status" aria-live="polite">
                        <div class="bar-track"><div class="bar-fill" style={format!("width:{:.0}%", fraction * 100.0)}></div></div>
                        <p class="figures">{ format!("Preparing the layout of {} — {:.0}%", run.name, fraction * 100.0) }</p>
                    </div>
                } else {
                    <div class="progress" role="status" aria-live="polite">
                        <div class="bar-track"><div class="bar-fill indeterminate"></div></div>
                        <p class="figures">
                            { format!("Solving {} — {:.1} s, {} nodes, {} backtracks",
                                run.name, run.progress.elapsed_seconds,
                                thousands(run.progress.nodes as u64), thousands(run.progress.backtracks as u64)) }
                            if let Some(best) = run.progress.best_height {
                                { format!("; best height {}", thousands(best as u64)) }
                            }
                            if let Some(bound) = run.progress.lower_bound {
                                { format!(", bound {}", thousands(bound as u64)) }
                            }
                            if let Some(gap) = run.progress.gap_percent {
                                { format!(", gap {gap:.2}%") }
                            }
                        </p>
                    </div>
                }
            }
        </section>
    }
}

/// `1048576` as `1 048 576` (thin spaces read well in any locale).
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_048_576), "1\u{2009}048\u{2009}576");
    }
}
