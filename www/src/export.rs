//! Exports: the solution as MiniMalloc CSV (with `offset`), the chart as PNG and SVG, and a
//! share link for small problems (the problem rides in the URL's fragment, which browsers
//! never send anywhere).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use bufpack::{write_solution, Solution};

use crate::chart::{svg, ColourMode, Shown, Viewport};
use crate::files::{download_bytes, download_text, download_url, SHARE_LIMIT};
use crate::layout::Layout;
use crate::model::ModelResult;

#[derive(Properties, PartialEq)]
pub(crate) struct ExportProps {
    pub(crate) layout: Option<Rc<Layout>>,
    /// For a TensorFlow Lite model: its plan, offered for download when it saves arena.
    pub(crate) model: Option<Rc<ModelResult>>,
    /// The share link's fragment, when the problem is small enough.
    pub(crate) share: Option<String>,
    /// The input's name (a planned model is offered as `<stem>.planned.tflite`).
    pub(crate) name: Option<String>,
    pub(crate) colour: ColourMode,
    pub(crate) dark: bool,
    /// What the chart shows: the SVG is that view, at the chart's size.
    pub(crate) shown: Shown,
}

/// The solution CSV: the problem's columns plus `offset`, as MiniMalloc writes it.
pub(crate) fn solution_csv(layout: &Layout) -> String {
    let solution = Solution {
        offsets: layout.offsets.clone(),
        height: layout.figures.height,
    };
    write_solution(&layout.problem, &solution)
}

/// `model.tflite` → `model.planned.tflite`.
pub(crate) fn planned_name(input: Option<&str>) -> String {
    let stem = input
        .map(|name| name.strip_suffix(".tflite").unwrap_or(name))
        .filter(|stem| !stem.is_empty())
        .unwrap_or("model");
    format!("{stem}.planned.tflite")
}

#[function_component(ExportMenu)]
pub(crate) fn export_menu(props: &ExportProps) -> Html {
    let shared = use_state(|| false);
    let Some(layout) = props.layout.clone() else {
        return html! {};
    };
    let csv = {
        let layout = layout.clone();
        Callback::from(move |_| download_text("solution.csv", "text/csv", &solution_csv(&layout)))
    };
    let png = Callback::from(|_| {
        let canvas = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("canvas.chart-canvas").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        if let Some(url) = canvas.and_then(|c| c.to_data_url_with_type("image/png").ok()) {
            download_url("layout.png", &url);
        }
    });
    let svg_export = {
        let (layout, colour, dark) = (layout.clone(), props.colour, props.dark);
        let shown = props.shown.clone();
        Callback::from(move |_| {
            // The chart's view and size when it is on screen; else the whole layout.
            let (view, width, height) = shown
                .of(&layout)
                .unwrap_or_else(|| (Viewport::fit(&layout), 1200, 700));
            download_text(
                "layout.svg",
                "image/svg+xml",
                &svg(
                    &layout,
                    &view,
                    colour,
                    dark,
                    width.max(320),
                    height.max(200),
                ),
            );
        })
    };
    let share = {
        let (fragment, shared) = (props.share.clone(), shared.clone());
        Callback::from(move |_| {
            if let (Some(fragment), Some(window)) = (&fragment, web_sys::window()) {
                let _ = window.location().set_hash(fragment);
                shared.set(true);
            }
        })
    };
    let share_title = if props.share.is_some() {
        "Put the problem in this page's address, to copy and share".to_string()
    } else {
        format!(
            "Only problems up to {} KB of CSV fit in a link",
            SHARE_LIMIT / 1024
        )
    };
    // A model's plan: offered only when it saves arena, else disabled with the reason.
    let planned_model = props.model.as_ref().map(|model| {
        let planned = match &model.plan {
            Ok(plan) => plan.model.clone(),
            Err(_) => None,
        };
        let reason = model.no_download();
        let file = planned_name(props.name.as_deref());
        let onclick = Callback::from(move |_| {
            if let Some(bytes) = &planned {
                download_bytes(&file, "application/octet-stream", bytes);
            }
        });
        let title = reason.clone().unwrap_or_else(|| {
            "The model with bufpack's plan as its OfflineMemoryAllocation metadata, which TensorFlow Lite Micro uses".to_string()
        });
        html! {
            <button id="export-model" {onclick} disabled={reason.is_some()} {title}>{ "Planned model" }</button>
        }
    });
    html! {
        <div class="export" role="group" aria-label="Export">
            { for planned_model }
            <button id="export-csv" onclick={csv} title="The solution as MiniMalloc CSV, with an offset column">{ "CSV" }</button>
            <button id="export-png" onclick={png}>{ "PNG" }</button>
            <button id="export-svg" onclick={svg_export}>{ "SVG" }</button>
            <button id="share" onclick={share} disabled={props.share.is_none()} title={share_title}>
                { if *shared { "Link in address bar" } else { "Share link" } }
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::planned_name;

    #[test]
    fn a_planned_model_is_named_after_its_input() {
        assert_eq!(planned_name(Some("net.tflite")), "net.planned.tflite");
        assert_eq!(planned_name(Some("net")), "net.planned.tflite");
        assert_eq!(planned_name(Some(".tflite")), "model.planned.tflite");
        assert_eq!(planned_name(None), "model.planned.tflite");
    }
}
