//! A recorded search (the package's `traceInWorker`; read by [`super::read`]) and a cursor over it: which buffers are
//! placed after the first `position` events, stepping forward and back exactly.

use bufpack::{Offset, Time};

/// A buffer the search will try, at the offset it would take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub buffer: usize,
    pub offset: Offset,
}

/// A pruning and its facts (see the package's `TracePrune`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prune {
    /// `capacity`, `canonical`, `section`, `dominance` or `hatless`.
    pub technique: String,
    /// The technique's variant: as `technique`, or `hatless-failed`.
    pub rule: String,
    pub buffer: Option<usize>,
    pub offset: Option<Offset>,
    pub top: Option<Offset>,
    pub section: Option<u32>,
    pub time: Option<Time>,
    pub floor: Option<Offset>,
    pub total: Option<Offset>,
    pub dropped: Vec<Candidate>,
    pub skipped: Option<u32>,
}

/// One step of the search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Enter {
        first_section: u32,
        last_section: u32,
    },
    Candidates {
        candidates: Vec<Candidate>,
    },
    Place(Candidate),
    Unplace(Candidate),
    Prune(Prune),
    Split {
        runs: Vec<(u32, u32)>,
    },
    Backtrack,
}

/// Every event of the search by kind, recorded or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prunes {
    pub capacity: u64,
    pub canonical: u64,
    pub section: u64,
    pub dominance: u64,
    pub hatless: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub nodes: u64,
    pub placements: u64,
    pub backtracks: u64,
    pub splits: u64,
    pub prunes: Prunes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceSolution {
    pub offsets: Vec<Offset>,
    pub height: Offset,
}

/// A recorded search, as `traceInWorker` resolves.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// `solved`, `infeasible` or `stopped`.
    pub outcome: String,
    pub solution: Option<TraceSolution>,
    /// Why infeasible, in words.
    pub message: Option<String>,
    pub events: Vec<Event>,
    pub counts: Counts,
    pub truncated: bool,
    /// End time of each section.
    pub sections: Vec<Time>,
    pub ordering: Option<String>,
    pub nodes: u64,
    pub backtracks: u64,
}

/// A position in a trace and the placements it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Events applied: `0` is before the search, `events.len()` after the last event.
    pub position: usize,
    /// Each buffer's offset if placed at this position.
    pub placed: Vec<Option<Offset>>,
}

impl Cursor {
    pub fn start(buffers: usize) -> Cursor {
        Cursor {
            position: 0,
            placed: vec![None; buffers],
        }
    }

    /// Before the search of `problem`: only the fixed buffers are in place (the search never
    /// moves them, so no event names them).
    pub fn before(problem: &bufpack::Problem) -> Cursor {
        Cursor {
            position: 0,
            placed: problem.buffers.iter().map(|b| b.offset).collect(),
        }
    }

    /// Applies the next event; false at the end.
    pub fn forward(&mut self, events: &[Event]) -> bool {
        let Some(event) = events.get(self.position) else {
            return false;
        };
        match event {
            Event::Place(c) => self.set(c.buffer, Some(c.offset)),
            Event::Unplace(c) => self.set(c.buffer, None),
            _ => {}
        }
        self.position += 1;
        true
    }

    /// Undoes the last event applied; false at the start.
    pub fn back(&mut self, events: &[Event]) -> bool {
        if self.position == 0 {
            return false;
        }
        self.position -= 1;
        match &events[self.position] {
            Event::Place(c) => self.set(c.buffer, None),
            Event::Unplace(c) => self.set(c.buffer, Some(c.offset)),
            _ => {}
        }
        true
    }

    /// Moves to `position` (clamped to the trace) by stepping.
    pub fn seek(&mut self, events: &[Event], position: usize) {
        let position = position.min(events.len());
        while self.position < position && self.forward(events) {}
        while self.position > position && self.back(events) {}
    }

    /// One step of the replay's controls: `i64::MIN` to the start, `i64::MAX` to the end, a
    /// negative `delta` one event back, otherwise one forward.
    pub fn step(&mut self, events: &[Event], delta: i64) {
        match delta {
            i64::MIN => self.seek(events, 0),
            i64::MAX => self.seek(events, events.len()),
            d if d < 0 => {
                self.back(events);
            }
            _ => {
                self.forward(events);
            }
        }
    }

    fn set(&mut self, buffer: usize, offset: Option<Offset>) {
        if let Some(slot) = self.placed.get_mut(buffer) {
            *slot = offset;
        }
    }

    /// The event applied last, if any.
    pub fn last<'e>(&self, events: &'e [Event]) -> Option<&'e Event> {
        self.position.checked_sub(1).map(|i| &events[i])
    }

    /// How many buffers are placed.
    pub fn placed_count(&self) -> usize {
        self.placed.iter().flatten().count()
    }
}

/// The candidate list a placement at `position - 1` was chosen from: the nearest earlier
/// list that holds it (a node retries its own list after each failure).
pub fn candidates_at(events: &[Event], position: usize) -> Option<&[Candidate]> {
    let end = position.min(events.len());
    let wanted = match events[..end].last()? {
        Event::Place(c) => Some(*c),
        Event::Candidates { candidates } => return Some(candidates),
        _ => None,
    };
    events[..end].iter().rev().find_map(|event| match event {
        Event::Candidates { candidates } if wanted.is_none_or(|c| candidates.contains(&c)) => {
            Some(candidates.as_slice())
        }
        _ => None,
    })
}

/// The time range of section `section`: from the previous section's end (or `start`) to
/// its own end.
pub fn section_span(sections: &[Time], section: u32, start: Time) -> (Time, Time) {
    let index = section as usize;
    let end = sections.get(index).copied().unwrap_or(start);
    let begin = if index == 0 {
        start
    } else {
        sections[index - 1]
    };
    (begin.min(end), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(buffer: usize, offset: Offset) -> Event {
        Event::Place(Candidate { buffer, offset })
    }

    fn unplace(buffer: usize, offset: Offset) -> Event {
        Event::Unplace(Candidate { buffer, offset })
    }

    fn candidates(list: &[(usize, Offset)]) -> Event {
        Event::Candidates {
            candidates: list
                .iter()
                .map(|&(buffer, offset)| Candidate { buffer, offset })
                .collect(),
        }
    }

    /// A small search: b0 tried at 0 then undone, b1 at 0, then b0 at 4.
    fn events() -> Vec<Event> {
        vec![
            Event::Enter {
                first_section: 0,
                last_section: 1,
            },
            candidates(&[(0, 0), (1, 0)]),
            place(0, 0),
            Event::Enter {
                first_section: 0,
                last_section: 1,
            },
            Event::Backtrack,
            unplace(0, 0),
            place(1, 0),
            Event::Enter {
                first_section: 0,
                last_section: 1,
            },
            candidates(&[(0, 4)]),
            place(0, 4),
        ]
    }

    #[test]
    fn forward_to_the_end_gives_the_final_placements() {
        let events = events();
        let mut cursor = Cursor::start(2);
        while cursor.forward(&events) {}
        assert_eq!(cursor.position, events.len());
        assert_eq!(cursor.placed, [Some(4), Some(0)]);
        assert!(!cursor.forward(&events));
    }

    #[test]
    fn back_then_forward_is_the_identity_at_every_position() {
        let events = events();
        for position in 0..=events.len() {
            let mut cursor = Cursor::start(2);
            cursor.seek(&events, position);
            let before = cursor.clone();
            if cursor.back(&events) {
                assert!(cursor.forward(&events));
            }
            assert_eq!(cursor, before, "back+forward at {position}");
            if cursor.forward(&events) {
                assert!(cursor.back(&events));
            }
            assert_eq!(cursor, before, "forward+back at {position}");
        }
    }

    #[test]
    fn seeking_anywhere_equals_stepping_from_the_start() {
        let events = events();
        let mut jumping = Cursor::start(2);
        for target in [7, 2, 10, 0, 5, 5, 99] {
            jumping.seek(&events, target);
            let mut stepping = Cursor::start(2);
            for _ in 0..target.min(events.len()) {
                stepping.forward(&events);
            }
            assert_eq!(jumping, stepping, "at {target}");
        }
    }

    #[test]
    fn a_retried_node_shows_the_list_its_placement_came_from() {
        let events = events();
        // After "place b1 at 0" (position 7) the list is the first node's, not the child's.
        let list = candidates_at(&events, 7).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            candidates_at(&events, 10).unwrap(),
            &[Candidate {
                buffer: 0,
                offset: 4
            }]
        );
        assert_eq!(candidates_at(&events, 0), None);
    }

    /// The solver's own events, as the package hands them over.
    fn from_solver(event: &bufpack::TraceEvent) -> Event {
        let candidate = |c: &bufpack::TraceCandidate| Candidate {
            buffer: c.buffer,
            offset: c.offset,
        };
        match event {
            bufpack::TraceEvent::Place(c) => Event::Place(candidate(c)),
            bufpack::TraceEvent::Unplace(c) => Event::Unplace(candidate(c)),
            bufpack::TraceEvent::Candidates(list) => Event::Candidates {
                candidates: list.iter().map(candidate).collect(),
            },
            bufpack::TraceEvent::Split(runs) => Event::Split { runs: runs.clone() },
            bufpack::TraceEvent::Enter {
                first_section,
                last_section,
            } => Event::Enter {
                first_section: *first_section,
                last_section: *last_section,
            },
            _ => Event::Backtrack,
        }
    }

    #[test]
    fn a_real_search_replays_to_its_packing_and_steps_back_to_the_start() {
        let plain = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
        // A fixed buffer is in place from the start and no event moves it.
        let fixed = "id,lower,upper,size,offset\nf,0,21,2,6\nb1,0,3,4,\nb2,3,9,4,\nb3,0,9,4,\n";
        for (csv, capacity) in [(plain, 12), (plain, 13), (plain, 16), (fixed, 14)] {
            let problem = bufpack::read_problem(csv, capacity).unwrap();
            let trace =
                bufpack::trace(&problem, &bufpack::SolverParams::default(), 10_000, &mut ())
                    .unwrap();
            let events: Vec<Event> = trace.events.iter().map(from_solver).collect();
            let bufpack::Outcome::Solved(solution) = &trace.report.outcome else {
                panic!("fits in {capacity}");
            };
            let mut cursor = Cursor::before(&problem);
            let mut seen = vec![cursor.clone()];
            while cursor.forward(&events) {
                seen.push(cursor.clone());
            }
            let offsets: Vec<_> = cursor.placed.iter().map(|o| o.expect("placed")).collect();
            assert_eq!(offsets, solution.offsets);
            // Stepping back passes through exactly the states stepping forward did.
            while let Some(expected) = seen.pop() {
                assert_eq!(cursor, expected);
                cursor.back(&events);
            }
        }
    }

    #[test]
    fn a_control_step_goes_one_event_either_way_or_to_either_end() {
        let problem = bufpack::read_problem("id,lower,upper,size\na,0,2,4\nb,1,3,4\n", 8).unwrap();
        let trace =
            bufpack::trace(&problem, &bufpack::SolverParams::default(), 1_000, &mut ()).unwrap();
        let events: Vec<Event> = trace.events.iter().map(from_solver).collect();
        assert!(events.len() >= 2);
        let mut cursor = Cursor::before(&problem);
        cursor.step(&events, 1);
        assert_eq!(cursor.position, 1);
        cursor.step(&events, i64::MAX);
        assert_eq!(cursor.position, events.len());
        cursor.step(&events, -1);
        assert_eq!(cursor.position, events.len() - 1);
        cursor.step(&events, i64::MIN);
        assert_eq!(cursor, Cursor::before(&problem));
        cursor.step(&events, -1);
        assert_eq!(cursor.position, 0);
    }

    #[test]
    fn a_section_spans_from_the_previous_end() {
        assert_eq!(section_span(&[3, 6, 9], 0, 0), (0, 3));
        assert_eq!(section_span(&[3, 6, 9], 2, 0), (6, 9));
    }
}
