//! The solver's switches: one struct, one documented field per technique, the reference's
//! defaults (everything on, orderings `WAT`, `TAW`, `TWA`).

use std::fmt;

/// Every technique of the exact search as a switch, plus the portfolio of orderings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolverParams {
    /// Place buffers in non-decreasing (offset, rank) order so each packing is visited once.
    pub canonical_only: bool,
    /// Prune when a section's floor plus its unplaced sizes exceeds the capacity.
    pub section_inference: bool,
    /// Try candidates by (lowest offset, rank) at every node instead of by rank alone.
    pub dynamic_ordering: bool,
    /// Skip a candidate whose offset is at or above the lowest top among candidates:
    /// something else would fit beneath it. Needs `canonical_only`.
    pub check_dominance: bool,
    /// Raise a section's floor to the lowest offset any of its unplaced members can take.
    pub unallocated_floor: bool,
    /// Rank buffers by the key strings of `preordering_heuristics`; otherwise input order.
    pub static_preordering: bool,
    /// Split the remaining buffers into independent subproblems when no unplaced buffer
    /// spans a section boundary.
    pub dynamic_decomposition: bool,
    /// Raise every section's floor to the offset being placed (valid with `canonical_only`).
    pub monotonic_floor: bool,
    /// When a buffer with no unplaced neighbours fails, skip its siblings: they fail too.
    /// Valid when candidates are tried in offset order (`dynamic_ordering`) or without
    /// `canonical_only`; ignored otherwise.
    pub hatless_pruning: bool,
    /// With `unallocated_floor`, a buffer that sorts before the canonical level at its lowest
    /// offset counts as reaching only past the level: the search will never place it lower.
    /// Needs `canonical_only`; not in the reference.
    pub canonical_floor: bool,
    /// In a subproblem full to the capacity in every section (a perfect packing: no room
    /// may be wasted), branch on which buffer fills the lowest hole that fewest buffers can
    /// fill, instead of on the next buffer in canonical order. Needs `section_inference`;
    /// only for buffers without gaps, windows or fixed neighbours. Not in the reference.
    pub fill_holes: bool,
    /// With `fill_holes`, prune when some section of a full subproblem has no buffer that can
    /// ever rest on its floor: one whose every other section's room below that floor some
    /// of their unplaced buffers can fill exactly (a subset-sum check). Not in the reference.
    pub ledges: bool,
    /// With `fill_holes`, never put a buffer directly on top of one with the same sections
    /// and a higher index: such a pair can swap places, so only one order is tried. Not in
    /// the reference.
    pub ordered_stacks: bool,
    /// When the whole problem is full to the capacity in every section (a perfect packing),
    /// the portfolio also runs the first two orderings as limited discrepancy searches:
    /// trying a node's i-th candidate (from 0) costs i, and iterations with a limit of 0, 1,
    /// 2, ... on a path's total start over from the root until one finds a packing, or fails
    /// without leaving a candidate untried (a proof). There hole fillers flush with a floor
    /// beside them come first. The first ordering runs a second such search whose runs of a
    /// split each start from nothing spent, the second ordering an ordinary search with the
    /// flush fillers first. Four of seven searches are these. Not in the reference.
    pub limited_discrepancy: bool,
    /// With `fill_holes`, when the load is the same at every time and below the capacity
    /// (the problem has room to spare, but a perfect packing, if one exists, is at that
    /// height), the portfolio also searches at that height, where no room may be wasted and
    /// hole filling applies: one search per ordering, and with `limited_discrepancy` its
    /// lanes. Any packing they find is within the capacity; their failure proves nothing,
    /// so the searches at the capacity go on. Not in the reference.
    pub flat_load: bool,
    /// With `fill_holes`, in a subproblem full to the capacity: every unplaced buffer of a
    /// section rests at or above its lowest offset (its release, raised above the section's
    /// floor by a higher floor elsewhere in its life), so for every release the buffers
    /// released there or higher must fit between it and the capacity; prune where they do
    /// not (section inference checks the lowest release only). Not in the reference.
    pub release_floors: bool,
    /// In a problem with alignment or fixed buffers: where a section has less room to spare
    /// than one of its unplaced buffers' alignment, or none, or a fixed buffer in the way,
    /// those buffers' pieces (a gap's raised window is the piece it keeps) must stack in its
    /// room in some order, each buffer at a legal offset (aligned, clear of fixed buffers)
    /// at or above its lowest; prune where no order fits (a one-section search; see
    /// `search/stacks.rs`). Section inference checks their total only. Not in the reference.
    pub aligned_stacks: bool,
    /// In a problem with alignment, fixed buffers or gaps with raised windows, the portfolio
    /// also runs two searches ranked by time after its orderings: latest end first (`UWA`)
    /// and latest start first (`LWA`). MiniMalloc's orderings were chosen on benchmarks with
    /// none of these; on such problems they can stay stuck where a ranking by time decides
    /// at once (BENCHMARKS.md). Not in the reference.
    pub time_orderings: bool,
    /// In a decision at a capacity: where memory is full just before an instant, one buffer
    /// ends there and the buffers starting there fill exactly its room and all end together
    /// (or the mirror: one starts, the enders fill its room and all started together), they
    /// form one rectangle in every packing; the portfolio also searches the problem with each
    /// such group merged into one buffer, on a quarter of the slices (`search/handovers.rs`).
    /// Problems with gaps are left as they are. Not in the reference.
    pub handovers: bool,
    /// During a gap, a buffer's bytes outside its window can be used only by its *guests*:
    /// buffers never live in full while it is. At the gap's instants when no guest is live
    /// it is counted in full, which leaves the packings as they are and raises the load, the
    /// lower bound and what the search knows (`widen.rs`). Searches, minimisation and its
    /// bound all see the widened problem. Not in the reference (MiniMalloc has no gaps).
    pub widen_windows: bool,
    /// In a minimisation that the heuristics leave above the lower bound: the buffers live
    /// in windows of time doubling around the load's peak are packed at the bound first
    /// (stacked, else by the exact search within a counted budget), then kept there while
    /// the fast passes fill in the rest around them (`minimize/peak_window.rs`). Any packing
    /// found is kept only when lower; failing proves nothing. Not in the reference
    /// (MiniMalloc does not minimise).
    pub peak_windows: bool,
    /// On a problem full to one height at every instant (a perfect packing, if any): before
    /// the portfolio, split it into layers, sets of buffers whose own load is the same at
    /// every instant, stacked one on another and split again, down to leaves the exact search
    /// packs within a counted budget (`search/layers.rs`); a decision at a capacity and a
    /// minimisation whose bound is the load. A packing found is validated; failing proves
    /// nothing. Problems with alignment, fixed buffers or gaps are left alone. Not in the
    /// reference.
    pub layers: bool,
    /// In a minimisation too large for the exact search whole: a part of the peaks pass's
    /// hot set (buffers live where the load is near its peak, whose lives meet) that no
    /// skyline order packs at the load is minimised on its own by the exact search, within a
    /// counted budget, and packed that way when lower (`heuristics/peaks/parts.rs`,
    /// `minimize/run/parts.rs`). Not in the reference (MiniMalloc does not minimise).
    pub hot_parts: bool,
    /// The portfolio: one search per key string; see [`Preordering`].
    pub preordering_heuristics: Vec<Preordering>,
}

impl Default for SolverParams {
    fn default() -> Self {
        SolverParams {
            canonical_only: true,
            section_inference: true,
            dynamic_ordering: true,
            check_dominance: true,
            unallocated_floor: true,
            static_preordering: true,
            dynamic_decomposition: true,
            monotonic_floor: true,
            hatless_pruning: true,
            canonical_floor: true,
            fill_holes: true,
            ledges: true,
            ordered_stacks: true,
            limited_discrepancy: true,
            flat_load: true,
            release_floors: true,
            aligned_stacks: true,
            time_orderings: true,
            handovers: true,
            widen_windows: true,
            peak_windows: true,
            layers: true,
            hot_parts: true,
            preordering_heuristics: ["WAT", "TAW", "TWA"]
                .iter()
                .map(|keys| keys.parse().expect("default orderings are valid"))
                .collect(),
        }
    }
}

impl SolverParams {
    /// MiniMalloc's techniques as it has them: the defaults without the ones it lacks
    /// (`canonical_floor`, `fill_holes` and its rules, `limited_discrepancy`, `flat_load`,
    /// `release_floors`, `aligned_stacks`, `time_orderings`, `handovers`, `widen_windows`,
    /// `peak_windows`, `layers`, `hot_parts`).
    /// The teaching examples narrate this search.
    pub fn reference() -> Self {
        SolverParams {
            canonical_floor: false,
            fill_holes: false,
            ledges: false,
            ordered_stacks: false,
            limited_discrepancy: false,
            flat_load: false,
            release_floors: false,
            aligned_stacks: false,
            time_orderings: false,
            handovers: false,
            widen_windows: false,
            peak_windows: false,
            layers: false,
            hot_parts: false,
            ..SolverParams::default()
        }
    }

    /// Every switch off except the orderings: the plain depth-first search.
    pub fn all_off() -> Self {
        SolverParams {
            canonical_only: false,
            section_inference: false,
            dynamic_ordering: false,
            check_dominance: false,
            unallocated_floor: false,
            static_preordering: false,
            dynamic_decomposition: false,
            monotonic_floor: false,
            hatless_pruning: false,
            canonical_floor: false,
            fill_holes: false,
            ledges: false,
            ordered_stacks: false,
            limited_discrepancy: false,
            flat_load: false,
            release_floors: false,
            aligned_stacks: false,
            time_orderings: false,
            handovers: false,
            widen_windows: false,
            peak_windows: false,
            layers: false,
            hot_parts: false,
            ..SolverParams::default()
        }
    }
}

/// A key a buffer can be ranked by; every key ranks larger values first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// `A`: area, size times lifespan width.
    Area,
    /// `C`: number of sections the buffer belongs to.
    Sections,
    /// `L`: lifespan lower end.
    Lower,
    /// `O`: number of buffers it meets in time.
    Overlaps,
    /// `T`: the largest total size of any section it belongs to.
    SectionTotal,
    /// `U`: lifespan upper end.
    Upper,
    /// `W`: lifespan width.
    Width,
    /// `Z`: size.
    Size,
}

impl SortKey {
    fn from_letter(letter: char) -> Option<SortKey> {
        Some(match letter {
            'A' => SortKey::Area,
            'C' => SortKey::Sections,
            'L' => SortKey::Lower,
            'O' => SortKey::Overlaps,
            'T' => SortKey::SectionTotal,
            'U' => SortKey::Upper,
            'W' => SortKey::Width,
            'Z' => SortKey::Size,
            _ => return None,
        })
    }

    fn letter(self) -> char {
        match self {
            SortKey::Area => 'A',
            SortKey::Sections => 'C',
            SortKey::Lower => 'L',
            SortKey::Overlaps => 'O',
            SortKey::SectionTotal => 'T',
            SortKey::Upper => 'U',
            SortKey::Width => 'W',
            SortKey::Size => 'Z',
        }
    }
}

/// A static ordering: keys compared in turn (each descending), ties broken by input order.
/// Written as a key string such as `WAT` (width, then area, then section total).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Preordering(pub Vec<SortKey>);

impl fmt::Display for Preordering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .iter()
            .try_for_each(|key| write!(f, "{}", key.letter()))
    }
}

impl std::str::FromStr for Preordering {
    type Err = ParamsError;

    fn from_str(keys: &str) -> Result<Self, ParamsError> {
        let keys = keys.trim();
        if keys.is_empty() {
            return Err(ParamsError::EmptyKeyString);
        }
        keys.chars()
            .map(|letter| {
                SortKey::from_letter(letter).ok_or(ParamsError::UnknownKey {
                    keys: keys.to_string(),
                    letter,
                })
            })
            .collect::<Result<_, _>>()
            .map(Preordering)
    }
}

/// Parses a comma-separated list of key strings, e.g. `WAT,TAW,TWA`.
pub fn parse_preorderings(list: &str) -> Result<Vec<Preordering>, ParamsError> {
    let orderings: Vec<Preordering> = list.split(',').map(str::parse).collect::<Result<_, _>>()?;
    Ok(orderings)
}

/// Parameters the solver cannot work with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamsError {
    /// No ordering at all: the portfolio would have nothing to run.
    NoOrderings,
    /// An empty key string in the list.
    EmptyKeyString,
    /// A letter that names no key.
    UnknownKey {
        /// The key string.
        keys: String,
        /// The letter not understood.
        letter: char,
    },
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamsError::NoOrderings => {
                write!(
                    f,
                    "no preordering given: at least one key string such as WAT is needed"
                )
            }
            ParamsError::EmptyKeyString => write!(f, "empty key string in the preordering list"),
            ParamsError::UnknownKey { keys, letter } => write!(
                f,
                "unknown key {letter:?} in preordering {keys:?}: use A, C, L, O, T, U, W or Z"
            ),
        }
    }
}

impl std::error::Error for ParamsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_strings_round_trip_and_reject_nonsense() {
        let orderings = parse_preorderings("WAT,TAW,TWA").unwrap();
        let text: Vec<String> = orderings.iter().map(|o| o.to_string()).collect();
        assert_eq!(text, ["WAT", "TAW", "TWA"]);
        assert_eq!(orderings, SolverParams::default().preordering_heuristics);
        assert_eq!(parse_preorderings(""), Err(ParamsError::EmptyKeyString));
        assert_eq!(parse_preorderings("WAT,"), Err(ParamsError::EmptyKeyString));
        assert_eq!(
            parse_preorderings("WXT").unwrap_err().to_string(),
            "unknown key 'X' in preordering \"WXT\": use A, C, L, O, T, U, W or Z"
        );
    }
}
