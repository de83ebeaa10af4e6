//! The search in words: one sentence per event, and a few sentences per technique told with
//! the example at hand (its ids, times and sizes, taken from the trace).

use bufpack::{Offset, Problem};

use super::replay::{section_span, Event, Prune, Trace};

/// What the page needs to name things: ids, the capacity, section times.
pub struct Names<'a> {
    pub problem: &'a Problem,
    pub capacity: Offset,
    pub sections: &'a [bufpack::Time],
}

impl Names<'_> {
    fn id(&self, buffer: usize) -> String {
        self.problem
            .buffers
            .get(buffer)
            .map_or_else(|| format!("#{buffer}"), |b| b.id.clone())
    }

    fn start(&self) -> bufpack::Time {
        self.problem
            .buffers
            .iter()
            .map(|b| b.lifespan.lower)
            .min()
            .unwrap_or(0)
    }

    /// "times 4 to 6", the instants a section covers.
    fn section(&self, section: u32) -> String {
        let (from, to) = section_span(self.sections, section, self.start());
        format!("the instant just before time {to} (section {section}, from {from})")
    }

    fn ids(&self, buffers: impl Iterator<Item = usize>) -> String {
        let ids: Vec<String> = buffers.map(|b| self.id(b)).collect();
        match ids.len() {
            0 => "none".into(),
            1..=6 => ids.join(", "),
            n => format!("{} and {} more", ids[..5].join(", "), n - 5),
        }
    }
}

/// One sentence for an event.
pub fn narrate(event: &Event, names: &Names<'_>) -> String {
    match event {
        Event::Enter {
            first_section,
            last_section,
        } => format!(
            "New node: look at the unplaced buffers of sections {first_section} to {last_section}."
        ),
        Event::Candidates { candidates } => {
            let list: Vec<String> = candidates
                .iter()
                .map(|c| format!("{} at {}", names.id(c.buffer), c.offset))
                .collect();
            format!(
                "Candidates, in the order they will be tried (lowest offset first): {}.",
                list.join("; ")
            )
        }
        Event::Place(c) => format!(
            "Place {} at offset {}, the lowest spot above its placed neighbours.",
            names.id(c.buffer),
            c.offset
        ),
        Event::Unplace(c) => format!(
            "Undo: take {} off offset {}; everything below this choice failed.",
            names.id(c.buffer),
            c.offset
        ),
        Event::Prune(prune) => narrate_prune(prune, names),
        Event::Split { runs } => format!(
            "Split: no unplaced buffer crosses between these section ranges ({}), so they are \
             solved one after the other as independent problems.",
            runs.iter()
                .map(|(a, b)| format!("{a}–{b}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Event::Backtrack => "Dead end: this node has nothing left to try; back up.".into(),
    }
}

fn narrate_prune(prune: &Prune, names: &Names<'_>) -> String {
    let buffer = prune.buffer.map(|b| names.id(b)).unwrap_or_default();
    match prune.rule.as_str() {
        "capacity" => format!(
            "Capacity: {buffer} could go no lower than {}, so its top would be {} — above the \
             capacity {}. Offsets only rise deeper down: dead end.",
            prune.offset.unwrap_or(0),
            prune.top.unwrap_or(0),
            names.capacity
        ),
        "canonical" => format!(
            "Canonical order: {buffer} would now sit at {}, before the last placement in \
             (offset, rank) order, and no unplaced neighbour can push it up. Every packing this \
             branch could reach was already counted elsewhere: dead end.",
            prune.offset.unwrap_or(0)
        ),
        "section" => {
            let (floor, total) = (prune.floor.unwrap_or(0), prune.total.unwrap_or(0));
            format!(
                "Section inference: at {}, the buffers still to place need {total} units on \
                 top of the floor {floor}: {floor} + {total} = {} > capacity {}. Dead end.",
                names.section(prune.section.unwrap_or(0)),
                floor + total,
                names.capacity
            )
        }
        "dominance" => format!(
            "Dominance: {} would sit at or above {}, the lowest top {buffer} can reach; with \
             one of them next, {buffer} could always drop below it. They are not tried.",
            names.ids(prune.dropped.iter().map(|c| c.buffer)),
            prune.top.unwrap_or(0)
        ),
        "hatless" => format!(
            "Hatless: {buffer} has no unplaced neighbour, so nothing can ever land on it and it \
             stays where it is in every completion; the candidates after it ({}) are cut.",
            names.ids(prune.dropped.iter().map(|c| c.buffer))
        ),
        "hatless-failed" => format!(
            "Hatless: {buffer} had no unplaced neighbour and its branch failed; its {} \
             remaining siblings would fail the same way, so the node gives up.",
            prune.skipped.unwrap_or(0)
        ),
        other => format!("Pruned by {other}."),
    }
}

/// A technique the side panel explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Technique {
    /// The trace's name (`counts.prunes` key), or `decomposition`.
    pub key: &'static str,
    pub title: &'static str,
    /// The idea, in general terms.
    pub idea: &'static str,
    /// The solver switch that turns it off, for the ablation table.
    pub switch: Option<&'static str>,
}

pub const TECHNIQUES: [Technique; 6] = [
    Technique {
        key: "canonical",
        title: "Canonical order",
        idea: "Any packing can be squeezed down: sort its buffers by offset and drop each as \
               low as it goes. So the search only builds packings in that order, each buffer \
               at its lowest spot, and never meets the same packing twice.",
        switch: Some("canonicalOnly"),
    },
    Technique {
        key: "section",
        title: "Section inference",
        idea: "Buffers alive at the same instant must stack. At every instant (a section), \
               the highest placed top plus the sizes still to place must fit under the \
               capacity; when they do not, the node is dead before any placement is tried.",
        switch: Some("sectionInference"),
    },
    Technique {
        key: "dominance",
        title: "Dominance",
        idea: "A candidate at or above the lowest top some unplaced buffer could reach is \
               never needed: that buffer could always drop beneath it. Only the packings with \
               the least total offset survive, and those are enough.",
        switch: Some("checkDominance"),
    },
    Technique {
        key: "hatless",
        title: "Hatless pruning",
        idea: "A candidate with no unplaced neighbour can never be pushed up, so every \
               completion leaves it exactly where it is: the candidates after it are cut, and \
               if it fails, its siblings would too.",
        switch: Some("hatlessPruning"),
    },
    Technique {
        key: "decomposition",
        title: "Decomposition",
        idea: "When no unplaced buffer crosses a section boundary, the two sides share \
               nothing: they are solved one after the other, and a failure on one side is \
               not retried with every choice of the other.",
        switch: Some("dynamicDecomposition"),
    },
    Technique {
        key: "capacity",
        title: "Capacity",
        idea: "Offsets only rise as the search goes deeper. A buffer whose lowest legal spot \
               already pokes above the capacity ends the node.",
        switch: None,
    },
];

/// The technique told with this trace: how often it fired, and its first occurrence.
pub fn in_this_example(technique: &Technique, trace: &Trace, names: &Names<'_>) -> String {
    let counts = &trace.counts;
    let (count, first) = if technique.key == "decomposition" {
        let first = trace.events.iter().find_map(|event| match event {
            Event::Split { .. } => Some(narrate(event, names)),
            _ => None,
        });
        (counts.splits, first)
    } else {
        let count = match technique.key {
            "capacity" => counts.prunes.capacity,
            "canonical" => counts.prunes.canonical,
            "section" => counts.prunes.section,
            "dominance" => counts.prunes.dominance,
            _ => counts.prunes.hatless,
        };
        let first = trace.events.iter().find_map(|event| match event {
            Event::Prune(prune) if prune.technique == technique.key => {
                Some(narrate_prune(prune, names))
            }
            _ => None,
        });
        (count, first)
    };
    match (count, first) {
        (0, _) => "Here: never needed in this search.".into(),
        (n, Some(first)) => format!("Here: {n} time{} — first: {first}", plural(n)),
        (n, None) => format!(
            "Here: {n} time{}, all after the recorded events.",
            plural(n)
        ),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How the search ended, in words.
pub fn ending(trace: &Trace) -> String {
    let effort = format!(
        "{} node{}, {} backtrack{}",
        trace.nodes,
        plural(trace.nodes),
        trace.backtracks,
        plural(trace.backtracks)
    );
    match trace.outcome.as_str() {
        "solved" => format!(
            "Solved: a packing of height {} ({effort}).",
            trace.solution.as_ref().map_or(0, |s| s.height)
        ),
        "infeasible" => format!(
            "Infeasible: {} ({effort}).",
            trace
                .message
                .clone()
                .unwrap_or_else(|| "no packing exists".into())
        ),
        _ => format!("Stopped by the time limit ({effort})."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teach::replay::{Candidate, Counts};
    use bufpack::Buffer;

    fn problem() -> Problem {
        Problem::new(
            vec![
                Buffer::new("a", 0, 4, 3),
                Buffer::new("b", 2, 6, 5),
                Buffer::new("c", 4, 8, 2),
            ],
            8,
        )
    }

    fn section_prune() -> Prune {
        Prune {
            technique: "section".into(),
            rule: "section".into(),
            buffer: None,
            offset: None,
            top: None,
            section: Some(1),
            time: Some(6),
            floor: Some(5),
            total: Some(4),
            dropped: vec![],
            skipped: None,
        }
    }

    #[test]
    fn a_section_prune_names_the_instant_and_the_sum() {
        let problem = problem();
        let names = Names {
            problem: &problem,
            capacity: 8,
            sections: &[4, 6, 8],
        };
        let text = narrate(&Event::Prune(section_prune()), &names);
        assert!(text.contains("just before time 6"), "{text}");
        assert!(text.contains("5 + 4 = 9 > capacity 8"), "{text}");
    }

    #[test]
    fn placements_and_dominance_name_buffers_by_id() {
        let problem = problem();
        let names = Names {
            problem: &problem,
            capacity: 8,
            sections: &[4, 6, 8],
        };
        let place = narrate(
            &Event::Place(Candidate {
                buffer: 1,
                offset: 3,
            }),
            &names,
        );
        assert!(place.starts_with("Place b at offset 3"), "{place}");
        let dominance = Prune {
            technique: "dominance".into(),
            rule: "dominance".into(),
            buffer: Some(2),
            top: Some(5),
            dropped: vec![Candidate {
                buffer: 0,
                offset: 5,
            }],
            ..section_prune()
        };
        let text = narrate(&Event::Prune(dominance), &names);
        assert!(text.contains("a would sit at or above 5"), "{text}");
        assert!(text.contains("c can reach"), "{text}");
    }

    #[test]
    fn the_side_panel_quotes_the_first_occurrence_in_this_trace() {
        let problem = problem();
        let names = Names {
            problem: &problem,
            capacity: 8,
            sections: &[4, 6, 8],
        };
        let trace = Trace {
            outcome: "infeasible".into(),
            solution: None,
            message: Some("no packing exists (search exhausted)".into()),
            events: vec![Event::Backtrack, Event::Prune(section_prune())],
            counts: Counts {
                prunes: crate::teach::replay::Prunes {
                    section: 3,
                    ..Default::default()
                },
                ..Counts::default()
            },
            truncated: false,
            sections: vec![4, 6, 8],
            ordering: None,
            nodes: 4,
            backtracks: 3,
        };
        let section = &TECHNIQUES[1];
        let text = in_this_example(section, &trace, &names);
        assert!(text.starts_with("Here: 3 times"), "{text}");
        assert!(text.contains("time 6"), "{text}");
        let dominance = &TECHNIQUES[2];
        assert_eq!(
            in_this_example(dominance, &trace, &names),
            "Here: never needed in this search."
        );
        assert!(ending(&trace).starts_with("Infeasible: no packing exists"));
    }
}
