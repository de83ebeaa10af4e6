//! The figures of the result (height, LOAD, bound, gap, optimal or not, time, effort) and a
//! sortable, paged table of the buffers, kept in step with the chart's selection.

use std::rc::Rc;

use yew::prelude::*;

use crate::controls::thousands;
use crate::layout::Layout;
use crate::model::ModelResult;

#[derive(Properties, PartialEq)]
pub(crate) struct ResultsProps {
    pub(crate) layout: Rc<Layout>,
    /// For a TensorFlow Lite model: TFLite Micro's arena against bufpack's.
    pub(crate) model: Option<Rc<ModelResult>>,
    pub(crate) selected: Option<usize>,
    pub(crate) on_select: Callback<Option<usize>>,
}

/// The table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Id,
    Start,
    End,
    Size,
    Offset,
}

impl Column {
    const ALL: [Column; 5] = [
        Column::Id,
        Column::Start,
        Column::End,
        Column::Size,
        Column::Offset,
    ];

    fn title(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Start => "start",
            Column::End => "end",
            Column::Size => "size",
            Column::Offset => "offset",
        }
    }
}

/// Rows per page: a table of 100,000 rows is listed a page at a time.
pub(crate) const PAGE: usize = 100;

/// The buffer indices in the order of `column` (ties by index), descending if asked.
/// By offset, the order the layout was built with (no sort on the page's thread).
pub(crate) fn sorted(layout: &Layout, column: Column, descending: bool) -> Vec<usize> {
    let buffers = &layout.problem.buffers;
    let by_number = |number: &dyn Fn(usize) -> i64| {
        let mut pairs: Vec<(i64, i64)> =
            (0..buffers.len()).map(|i| (number(i), i as i64)).collect();
        pairs.sort_unstable();
        pairs.iter().map(|&(_, i)| i as usize).collect()
    };
    let mut order: Vec<usize> = match column {
        Column::Offset => layout.by_offset.iter().map(|&i| i as usize).collect(),
        Column::Id => {
            let mut order: Vec<usize> = (0..buffers.len()).collect();
            // Ties by index, as a stable sort would leave them, with the smaller code of
            // the unstable sort (wasm size).
            order.sort_unstable_by(|&a, &b| buffers[a].id.cmp(&buffers[b].id).then(a.cmp(&b)));
            order
        }
        Column::Start => by_number(&|i| buffers[i].lifespan.lower),
        Column::End => by_number(&|i| buffers[i].lifespan.upper),
        Column::Size => by_number(&|i| buffers[i].size),
    };
    if descending {
        order.reverse();
    }
    order
}

#[function_component(Results)]
pub(crate) fn results(props: &ResultsProps) -> Html {
    let sort = use_state(|| (Column::Offset, false));
    let page = use_state(|| 0usize);
    let layout = &props.layout;
    let order = {
        let (column, descending) = *sort;
        use_memo(
            (layout.clone(), column, descending),
            |(layout, column, descending)| sorted(layout, *column, *descending),
        )
    };
    // Follow the selection to its page.
    {
        let (page, order) = (page.clone(), order.clone());
        use_effect_with(props.selected, move |selected| {
            if let Some(position) = selected.and_then(|s| order.iter().position(|&i| i == s)) {
                page.set(position / PAGE);
            }
        });
    }
    let pages = order.len().div_ceil(PAGE).max(1);
    let current = (*page).min(pages - 1);
    let figures = &layout.figures;
    let status = match figures.status.as_str() {
        "optimal" => "optimal (proven)".to_string(),
        "feasible" => format!("within {:.2}% of optimal (time limit)", figures.gap_percent),
        other => other.to_string(),
    };
    let header = |column: Column| {
        let (current_column, descending) = *sort;
        let sort = sort.clone();
        let onclick = Callback::from(move |_| {
            let descending = current_column == column && !descending;
            sort.set((column, descending));
        });
        let aria = if current_column != column {
            "none"
        } else if descending {
            "descending"
        } else {
            "ascending"
        };
        html! {
            <th aria-sort={aria}><button class="sort" {onclick}>{ column.title() }
                { if current_column == column { if descending { " ↓" } else { " ↑" } } else { "" } }
            </button></th>
        }
    };
    let go = |to: usize| {
        let page = page.clone();
        Callback::from(move |_| page.set(to))
    };
    html! {
        <section class="panel results" aria-labelledby="results-title">
            <h2 id="results-title">{ "Result" }</h2>
            if let Some(model) = &props.model {
                <p id="model-summary" class="model-summary">{ model.summary(figures) }</p>
            }
            <dl class="figures">
                <div><dt>{ "Memory needed (height)" }</dt><dd id="height">{ thousands(figures.height as u64) }</dd></div>
                <div><dt>{ "LOAD (lower bound)" }</dt><dd>{ thousands(figures.load as u64) }
                    if figures.lower_bound > figures.load { { format!(" (bound {})", thousands(figures.lower_bound as u64)) } }
                </dd></div>
                <div><dt>{ "Gap to the bound" }</dt><dd>{ format!("{:.2}%", figures.gap_percent) }</dd></div>
                if let Some(capacity) = layout.capacity {
                    <div><dt>{ "Capacity" }</dt><dd>{ thousands(capacity as u64) }</dd></div>
                }
                <div><dt>{ "Status" }</dt><dd id="status">{ status }</dd></div>
                <div><dt>{ "Time" }</dt><dd>{ format!("{:.3} s", figures.elapsed_seconds) }</dd></div>
                <div><dt>{ "Search" }</dt><dd>{ format!("{} nodes, {} backtracks", thousands(figures.nodes), thousands(figures.backtracks)) }</dd></div>
                <div><dt>{ "Buffers" }</dt><dd>{ thousands(layout.len() as u64) }</dd></div>
                if let Some(by) = &figures.found_by {
                    <div><dt>{ "Found by" }</dt><dd>{ by }</dd></div>
                }
            </dl>
            <table class="buffers">
                <caption class="visually-hidden">{ "Buffers and their offsets" }</caption>
                <thead><tr>{ for Column::ALL.into_iter().map(header) }</tr></thead>
                <tbody>
                    { for order.iter().skip(current * PAGE).take(PAGE).map(|&i| {
                        let buffer = &layout.problem.buffers[i];
                        let on_select = props.on_select.clone();
                        let selected = props.selected == Some(i);
                        let onclick = Callback::from(move |_| on_select.emit(Some(i)));
                        html! {
                            <tr class={classes!(selected.then_some("selected"))} {onclick}
                                aria-selected={selected.to_string()}>
                                <td>{ &buffer.id }</td>
                                <td>{ buffer.lifespan.lower }</td>
                                <td>{ buffer.lifespan.upper }</td>
                                <td>{ buffer.size }</td>
                                <td>{ layout.offsets[i] }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if pages > 1 {
                <nav class="pager" aria-label="Table pages">
                    <button onclick={go(0)} disabled={current == 0}>{ "First" }</button>
                    <button onclick={go(current.saturating_sub(1))} disabled={current == 0}>{ "Previous" }</button>
                    <span>{ format!("Page {} of {}", current + 1, pages) }</span>
                    <button onclick={go((current + 1).min(pages - 1))} disabled={current + 1 >= pages}>{ "Next" }</button>
                    <button onclick={go(pages - 1)} disabled={current + 1 >= pages}>{ "Last" }</button>
                </nav>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Figures;
    use bufpack::{Buffer, Problem, Solution};

    #[test]
    fn sorting_by_each_column() {
        let problem = Problem::new(
            vec![
                Buffer::new("b", 2, 5, 3),
                Buffer::new("a", 0, 9, 1),
                Buffer::new("c", 1, 3, 2),
            ],
            10,
        );
        let solution = Solution::from_offsets(&problem, vec![0, 3, 5]);
        let layout = Layout::new(problem, Some(10), &solution, Figures::default());
        assert_eq!(sorted(&layout, Column::Id, false), [1, 0, 2]);
        assert_eq!(sorted(&layout, Column::Start, false), [1, 2, 0]);
        assert_eq!(sorted(&layout, Column::End, true), [1, 0, 2]);
        assert_eq!(sorted(&layout, Column::Size, false), [1, 2, 0]);
        assert_eq!(sorted(&layout, Column::Offset, true), [2, 1, 0]);
    }
}
