use super::super::{pack_hot, Carried};
use super::*;
use crate::bounds::LoadProfile;
use crate::model::{Buffer, Solution};
use crate::validate::validate;

/// `placed`, every buffer placed, as a packing of `problem`: validated.
fn validated(problem: &Problem, placed: &[Option<Offset>]) -> Solution {
    let offsets: Vec<Offset> = placed.iter().map(|o| o.unwrap()).collect();
    let solution = Solution::from_offsets(problem, offsets);
    validate(problem, &solution).unwrap();
    solution
}

/// The first `count` buffers of `problem` stacked one on another from 0, the others not
/// placed.
fn stacked(problem: &Problem, count: usize) -> Vec<Option<Offset>> {
    let mut placed = vec![None; problem.buffers.len()];
    let mut top = 0;
    for (offset, buffer) in placed.iter_mut().zip(&problem.buffers).take(count) {
        *offset = Some(top);
        top += buffer.size;
    }
    placed
}

/// The `hot` buffers of `problem` packed as the peaks pass packs them (permille 800, no
/// ceiling that matters, no packer): the height and the placements.
fn hot_packing(problem: &Problem, hot: &[bool]) -> (Offset, Vec<Option<Offset>>) {
    let mut never = || false;
    let mut budget = Budget::new(u64::MAX, &mut never);
    let fixed = fixed_of(problem);
    pack_hot(
        problem,
        hot,
        &mut Carried::new(&fixed, true),
        800,
        1000,
        &mut budget,
        None,
    )
    .unwrap()
}

/// [`lower_parts`] on `placed` with an unlimited budget and no packer.
fn lowered(
    problem: &Problem,
    hot: &[bool],
    placed: &mut [Option<Offset>],
    load: Offset,
) -> Option<Offset> {
    let mut never = || false;
    let mut budget = Budget::new(u64::MAX, &mut never);
    lower_parts(
        problem,
        hot,
        &fixed_of(problem),
        placed,
        load,
        &mut budget,
        None,
    )
}

#[test]
fn hot_parts_are_the_hot_buffers_whose_lives_meet() {
    let problem = Problem::new(
        vec![
            Buffer::new("a", 0, 3, 1),
            Buffer::new("b", 2, 5, 1),
            Buffer::new("c", 5, 6, 1),
            Buffer::new("cold", 0, 9, 1),
            Buffer::new("fixed", 0, 9, 1).with_offset(5),
            Buffer::new("d", 7, 9, 1),
        ],
        100,
    );
    let hot = [true, true, true, false, true, true];
    let parts = hot_parts(&problem, &hot);
    // a and b meet; c starts as b ends (half-open lives do not meet); the cold buffer
    // and the fixed one, though they meet everything, join nothing.
    assert_eq!(
        parts,
        [
            (Lifespan::new(0, 5), vec![0, 1]),
            (Lifespan::new(5, 6), vec![2]),
            (Lifespan::new(7, 9), vec![5]),
        ]
    );
}

/// One part, load 11, that the hot set's passes (the crowding skyline and nested peaks)
/// pack at 12 and the lifetime skyline at 11.
fn peak_part() -> Vec<Buffer> {
    vec![
        Buffer::new("b0", 6, 7, 4),
        Buffer::new("b1", 4, 5, 6),
        Buffer::new("b2", 5, 6, 3),
        Buffer::new("b3", 6, 9, 4),
        Buffer::new("b4", 1, 6, 3),
        Buffer::new("b5", 5, 9, 3),
        Buffer::new("b6", 0, 2, 6),
    ]
}

/// The ablation of [`lower_parts`]: a part the hot set's pass leaves above the load is
/// packed at the load, and the other part keeps its packing.
#[test]
fn lower_parts_packs_again_only_the_parts_above_the_load() {
    let mut buffers = peak_part();
    // A second part, far below the load.
    buffers.push(Buffer::new("later", 20, 24, 5));
    buffers.push(Buffer::new("beside", 22, 26, 2));
    let problem = Problem::new(buffers, 1000);
    let profile = LoadProfile::of(&problem);
    let load = profile.peak().1;
    assert_eq!(load, 11);
    let hot = vec![true; problem.buffers.len()];
    let (height, mut placed) = hot_packing(&problem, &hot);
    // The crowding skyline and nested peaks leave the first part a byte above the load.
    assert_eq!(height, 12);
    let later = placed[7..].to_vec();
    assert_eq!(lowered(&problem, &hot, &mut placed, load), Some(load));
    assert_eq!(placed[7..], later);
    assert_eq!(validated(&problem, &placed).height, load);
    // A packing at the load already is left alone.
    let before = placed.clone();
    assert_eq!(lowered(&problem, &hot, &mut placed, load), Some(load));
    assert_eq!(placed, before);
}

#[test]
fn lower_parts_keeps_clear_of_fixed_buffers() {
    // The same first part beside a fixed buffer live over all of it, at the bottom.
    let mut buffers = peak_part();
    buffers.push(Buffer::new("fixed", 0, 9, 2).with_offset(0));
    let problem = Problem::new(buffers, 1000);
    let load = LoadProfile::of(&problem).peak().1;
    let hot: Vec<bool> = (0..problem.buffers.len()).map(|b| b < 7).collect();
    let (height, mut placed) = hot_packing(&problem, &hot);
    let lowered = lowered(&problem, &hot, &mut placed, load).unwrap();
    // Packed again beside the fixed buffer, the part comes down to the load.
    assert_eq!((height, lowered, load), (14, 13, 13));
    assert_eq!(placed[7], Some(0));
    assert_eq!(validated(&problem, &placed).height, lowered);
}

#[test]
fn lower_parts_never_raises_a_part_beside_a_fixed_buffer_higher_still() {
    // The same part stacked one buffer on another (height 29), and a fixed buffer far
    // above it in its time: the height stays the fixed buffer's, and the part is only
    // ever traded for a lower packing. (The skylines cannot place beneath a fixed
    // buffer, so here none is found.)
    let mut buffers = peak_part();
    buffers.push(Buffer::new("high", 8, 9, 1).with_offset(100));
    let problem = Problem::new(buffers, 1000);
    let load = LoadProfile::of(&problem).peak().1;
    let hot: Vec<bool> = (0..problem.buffers.len()).map(|b| b < 7).collect();
    let mut placed = stacked(&problem, 7);
    placed[7] = Some(100);
    assert_eq!(lowered(&problem, &hot, &mut placed, load), Some(101));
    let part_top = (0..7)
        .map(|b| placed[b].unwrap() + problem.buffers[b].size)
        .max()
        .unwrap();
    assert!(part_top <= 29 && load == 11);
    assert_eq!(placed[7], Some(100));
    validated(&problem, &placed);
}

/// What [`Scripted`] answers.
#[derive(Clone, Copy)]
enum Answer {
    /// The part's packing by the exact search.
    Exact,
    /// The part's buffers stacked one on another, as high as they go.
    Stacked,
    None,
}

/// A packer that answers as scripted and writes down what it was asked: the part's
/// buffers, its capacity and the target.
struct Scripted {
    answer: Answer,
    asked: Vec<(usize, Offset, Offset)>,
    kept: u64,
}

impl PartPacker for Scripted {
    fn pack(
        &mut self,
        part: &Problem,
        enough: Offset,
        _: &mut dyn FnMut() -> bool,
    ) -> Option<Vec<Offset>> {
        self.asked.push((part.buffers.len(), part.capacity, enough));
        match self.answer {
            Answer::Exact => crate::minimize::minimize(part, &Default::default(), &mut ())
                .ok()?
                .solution()
                .map(|solution| solution.offsets.clone()),
            Answer::Stacked => Some(
                part.buffers
                    .iter()
                    .scan(0, |top, buffer| {
                        *top += buffer.size;
                        Some(*top - buffer.size)
                    })
                    .collect(),
            ),
            Answer::None => None,
        }
    }

    fn kept(&mut self) {
        self.kept += 1;
    }

    fn kept_count(&self) -> u64 {
        self.kept
    }
}

/// The cut rectangle (which no skyline packs at its height) stacked one piece on another,
/// and a later part below it: `lower_parts`' input, all hot.
fn rectangle_stacked() -> (Problem, Vec<Option<Offset>>) {
    let mut buffers = crate::fixtures::cut_rectangle();
    buffers.push(Buffer::new("later", 2000, 2010, 5));
    let problem = Problem::new(buffers, 1 << 30);
    let mut placed = stacked(&problem, 18);
    placed[18] = Some(0);
    (problem, placed)
}

/// The ablation of the packer's step: the skylines leave one part of the rectangle (its
/// ten pieces over times 26..169) above its height; the packer, asked once for that part
/// alone, below the skylines' height and with the load as its target, packs it there. An
/// answer no lower than the skylines' is not taken (nor counted as kept), and the parts at
/// the load are never asked about.
#[test]
fn lower_parts_asks_the_packer_for_the_parts_the_skylines_leave_above_the_load() {
    use crate::fixtures::RECTANGLE_HEIGHT as LOAD;
    let (problem, stacked) = rectangle_stacked();
    let hot = vec![true; problem.buffers.len()];
    let mut never = || false;
    let mut budget = Budget::new(u64::MAX, &mut never);
    let stacked_height: Offset = (0..18).map(|b| problem.buffers[b].size).sum();
    let lower = |packer: Option<&mut dyn PartPacker>, budget: &mut Budget<'_>| {
        let mut placed = stacked.clone();
        let height = lower_parts(
            &problem,
            &hot,
            &fixed_of(&problem),
            &mut placed,
            LOAD,
            budget,
            packer,
        );
        (height, placed)
    };

    // No packer: the skylines' packing, above the load.
    let (skylines, by_skylines) = lower(None, &mut budget);
    let skylines = skylines.unwrap();
    assert!(LOAD < skylines && skylines < stacked_height, "{skylines}");

    let mut packer = Scripted {
        answer: Answer::Exact,
        asked: Vec::new(),
        kept: 0,
    };
    let (height, placed) = lower(Some(&mut packer), &mut budget);
    assert_eq!(height, Some(LOAD));
    assert_eq!(packer.asked, [(10, skylines - 1, LOAD)]);
    assert_eq!(packer.kept, 1);
    assert_eq!(placed[18], Some(0));
    assert_eq!(validated(&problem, &placed).height, LOAD);

    // An answer as high as the stack is not taken; nor is none.
    for answer in [Answer::Stacked, Answer::None] {
        let mut packer = Scripted {
            answer,
            asked: Vec::new(),
            kept: 0,
        };
        let (height, placed) = lower(Some(&mut packer), &mut budget);
        assert_eq!(
            (height, packer.asked.len(), packer.kept),
            (Some(skylines), 1, 0)
        );
        assert_eq!(placed, by_skylines);
    }
}

/// The fixed buffers of `problem`, in order (what `Spans` holds for the pass).
fn fixed_of(problem: &Problem) -> Vec<u32> {
    (0..problem.buffers.len() as u32)
        .filter(|&b| problem.buffers[b as usize].offset.is_some())
        .collect()
}
