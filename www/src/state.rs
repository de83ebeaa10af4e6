//! The page's state and every way it changes, as a reducer: pure, so the rules ("a bad file
//! never loses the result on screen", "progress only while running") are unit-tested.

use std::rc::Rc;

use yew::Reducible;

use crate::bridge::{Failure, Progress};
use crate::chart::ColourMode;
use crate::layout::Layout;
use crate::model::ModelResult;
use crate::options::SolveOptions;

/// A solve under way.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Running {
    /// What is being solved (file name or example), for the status line.
    pub(crate) name: String,
    pub(crate) progress: Progress,
    /// The worker has answered and the layout is being built (0 to 1): large results take
    /// a moment, in slices that keep the page responsive.
    pub(crate) preparing: Option<f64>,
    /// Bumped per solve, so a late answer from a cancelled one is ignored.
    pub(crate) id: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    /// The last good result; kept through failures and cancels.
    pub(crate) layout: Option<Rc<Layout>>,
    /// For a model, what its plan saves: always the result of the same solve as `layout`.
    pub(crate) model: Option<Rc<ModelResult>>,
    /// Name of the input the result comes from.
    pub(crate) name: Option<String>,
    pub(crate) running: Option<Running>,
    /// The last failure, shown next to the input until the next solve starts.
    pub(crate) failure: Option<Failure>,
    /// A short note (cancelled, ...), cleared by the next action that matters.
    pub(crate) notice: Option<String>,
    pub(crate) selected: Option<usize>,
    /// The buffer the id search found.
    pub(crate) highlight: Option<usize>,
    pub(crate) colour: ColourMode,
    pub(crate) dark: bool,
    pub(crate) options: SolveOptions,
    next_id: u32,
}

impl Default for State {
    fn default() -> Self {
        State {
            layout: None,
            model: None,
            name: None,
            running: None,
            failure: None,
            notice: None,
            selected: None,
            highlight: None,
            colour: ColourMode::Size,
            dark: false,
            options: SolveOptions::default(),
            next_id: 1,
        }
    }
}

pub(crate) enum Action {
    /// A solve of `name` starts; its id is the state's next one.
    Start {
        name: String,
    },
    Progress {
        id: u32,
        progress: Progress,
    },
    /// The answer is in; its layout is this far along (0 to 1).
    Preparing {
        id: u32,
        fraction: f64,
    },
    Solved {
        id: u32,
        layout: Rc<Layout>,
        model: Option<Rc<ModelResult>>,
    },
    Failed {
        id: u32,
        failure: Failure,
    },
    /// An input problem found before any solve started (unreadable file, bad option).
    Refused(Failure),
    Cancelled {
        id: u32,
    },
    Select(Option<usize>),
    /// Find a buffer by id (exact, else the first containing the text).
    Search(String),
    Colour(ColourMode),
    Dark(bool),
    Options(SolveOptions),
}

impl State {
    /// The id the next `Start` will take (the app needs it to tag the solve's messages).
    pub(crate) fn next_id(&self) -> u32 {
        self.next_id
    }

    fn is_current(&self, id: u32) -> bool {
        self.running.as_ref().is_some_and(|r| r.id == id)
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Start { name } => {
                next.running = Some(Running {
                    name,
                    progress: Progress::default(),
                    preparing: None,
                    id: next.next_id,
                });
                next.next_id += 1;
                next.failure = None;
                next.notice = None;
            }
            Action::Progress { id, progress } => {
                if !self.is_current(id) {
                    return self;
                }
                if let Some(running) = &mut next.running {
                    running.progress = progress;
                }
            }
            Action::Preparing { id, fraction } => {
                if !self.is_current(id) {
                    return self;
                }
                if let Some(running) = &mut next.running {
                    running.preparing = Some(fraction.clamp(0.0, 1.0));
                }
            }
            Action::Solved { id, layout, model } => {
                if !self.is_current(id) {
                    return self;
                }
                next.name = next.running.take().map(|r| r.name);
                next.layout = Some(layout);
                next.model = model;
                next.selected = None;
                next.highlight = None;
            }
            Action::Failed { id, failure } => {
                if !self.is_current(id) {
                    return self;
                }
                next.running = None;
                next.failure = Some(failure);
            }
            Action::Refused(failure) => {
                next.failure = Some(failure);
            }
            Action::Cancelled { id } => {
                if !self.is_current(id) {
                    return self;
                }
                next.running = None;
                next.notice = Some("Cancelled; the previous result is still shown.".into());
            }
            Action::Select(index) => {
                next.selected =
                    index.filter(|&i| next.layout.as_ref().is_some_and(|l| i < l.len()));
            }
            Action::Search(text) => {
                let text = text.trim();
                next.highlight = match (&next.layout, text.is_empty()) {
                    (Some(layout), false) => {
                        let buffers = &layout.problem.buffers;
                        buffers
                            .iter()
                            .position(|b| b.id == text)
                            .or_else(|| buffers.iter().position(|b| b.id.contains(text)))
                    }
                    _ => None,
                };
                if next.highlight.is_some() {
                    next.selected = next.highlight;
                }
            }
            Action::Colour(colour) => next.colour = colour,
            Action::Dark(dark) => next.dark = dark,
            Action::Options(options) => next.options = options,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Figures;
    use bufpack::{Buffer, Problem, Solution};

    fn layout(ids: &[&str]) -> Rc<Layout> {
        let problem = Problem::new(
            ids.iter()
                .enumerate()
                .map(|(i, id)| Buffer::new(*id, i as i64, i as i64 + 2, 1))
                .collect(),
            10,
        );
        let solution = Solution::from_offsets(&problem, vec![0; ids.len()]);
        Rc::new(Layout::new(
            problem,
            Some(10),
            &solution,
            Figures::default(),
        ))
    }

    fn reduce(state: Rc<State>, action: Action) -> Rc<State> {
        state.reduce(action)
    }

    fn solved(ids: &[&str]) -> Rc<State> {
        let state = Rc::new(State::default());
        let id = state.next_id();
        let state = reduce(
            state,
            Action::Start {
                name: "first.csv".into(),
            },
        );
        reduce(
            state,
            Action::Solved {
                id,
                layout: layout(ids),
                model: None,
            },
        )
    }

    #[test]
    fn a_failure_keeps_the_last_result_on_screen() {
        let state = solved(&["a", "b"]);
        let id = state.next_id();
        let state = reduce(
            state,
            Action::Start {
                name: "bad.csv".into(),
            },
        );
        let failure = Failure {
            code: "parse".into(),
            message: "line 3".into(),
            line: Some(3),
            column: Some(6),
        };
        let state = reduce(
            state,
            Action::Failed {
                id,
                failure: failure.clone(),
            },
        );
        assert_eq!(state.failure, Some(failure));
        assert_eq!(state.layout.as_ref().map(|l| l.len()), Some(2));
        assert_eq!(state.name.as_deref(), Some("first.csv"));
        assert!(state.running.is_none());
    }

    #[test]
    fn a_cancel_keeps_the_result_and_late_answers_are_ignored() {
        let state = solved(&["a"]);
        let id = state.next_id();
        let state = reduce(
            state,
            Action::Start {
                name: "long.csv".into(),
            },
        );
        let state = reduce(state, Action::Cancelled { id });
        assert!(state.running.is_none());
        assert!(state.notice.is_some());
        let late = reduce(
            state.clone(),
            Action::Solved {
                id,
                layout: layout(&["x", "y", "z"]),
                model: None,
            },
        );
        assert_eq!(late.layout.as_ref().map(|l| l.len()), Some(1));
        let late = reduce(
            state,
            Action::Progress {
                id,
                progress: Progress::default(),
            },
        );
        assert!(late.running.is_none());
    }

    #[test]
    fn preparing_shows_for_the_current_solve_only() {
        let state = solved(&["a"]);
        let old = state.next_id() - 1;
        let id = state.next_id();
        let state = reduce(
            state,
            Action::Start {
                name: "big.csv".into(),
            },
        );
        let preparing = |state: &State| state.running.as_ref().and_then(|r| r.preparing);
        assert_eq!(preparing(&state), None);
        let state = reduce(state, Action::Preparing { id, fraction: 0.25 });
        assert_eq!(preparing(&state), Some(0.25));
        // A superseded solve's preparation is not this one's.
        let state = reduce(
            state,
            Action::Preparing {
                id: old,
                fraction: 0.9,
            },
        );
        assert_eq!(preparing(&state), Some(0.25));
        let state = reduce(state, Action::Preparing { id, fraction: 1.5 });
        assert_eq!(preparing(&state), Some(1.0));
        let state = reduce(
            state,
            Action::Solved {
                id,
                layout: layout(&["x", "y"]),
                model: None,
            },
        );
        assert!(state.running.is_none());
        assert_eq!(state.name.as_deref(), Some("big.csv"));
    }

    #[test]
    fn a_new_result_clears_selection_and_failure() {
        let state = solved(&["a", "b"]);
        let state = reduce(state, Action::Select(Some(1)));
        assert_eq!(state.selected, Some(1));
        let state = reduce(state, Action::Refused(Failure::new("invalid", "capacity")));
        let id = state.next_id();
        let state = reduce(
            state,
            Action::Start {
                name: "next".into(),
            },
        );
        assert!(state.failure.is_none());
        let state = reduce(
            state,
            Action::Solved {
                id,
                layout: layout(&["c"]),
                model: None,
            },
        );
        assert_eq!(state.selected, None);
    }

    #[test]
    fn selection_stays_in_range_and_search_finds_ids() {
        let state = solved(&["conv1", "relu1", "conv2"]);
        assert_eq!(
            reduce(state.clone(), Action::Select(Some(7))).selected,
            None
        );
        let found = reduce(state.clone(), Action::Search("conv2".into()));
        assert_eq!((found.highlight, found.selected), (Some(2), Some(2)));
        let partial = reduce(state.clone(), Action::Search("relu".into()));
        assert_eq!(partial.highlight, Some(1));
        assert_eq!(reduce(state, Action::Search("nope".into())).highlight, None);
    }
}
