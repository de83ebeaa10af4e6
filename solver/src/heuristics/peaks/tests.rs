use super::super::STOP_CHECK;
use super::hot::{pass_on_new_parts, with_fixed, HotPacking};
use super::*;
use crate::model::{Buffer, Solution};
use crate::validate::validate;

/// [`peaks`] at threshold 800 within the problem's capacity, with no part packer.
fn peaks_800(
    problem: &Problem,
    stop: &mut dyn FnMut() -> bool,
    must_answer: bool,
) -> Option<Vec<Offset>> {
    peaks(
        problem,
        None,
        800,
        problem.capacity,
        stop,
        None,
        must_answer,
    )
}

#[test]
fn hot_buffers_are_the_ones_live_near_the_peak() {
    let problem = Problem::new(
        vec![
            Buffer::new("a", 0, 2, 10),
            Buffer::new("b", 1, 3, 1),
            Buffer::new("c", 2, 4, 3),
            Buffer::new("d", 4, 6, 2),
            Buffer::new("e", 0, 6, 1).with_offset(20),
        ],
        100,
    );
    let profile = LoadProfile::of(&problem);
    // Loads 11, 12, 5, 4, 3, 3: the peak 12 at time 1, 0.9 of it reached over 0..2.
    let (hot, _) = hot_buffers(movable_spans(&problem), &profile, 900);
    assert_eq!(hot, [true, true, false, false, false]);
    // 0.3 of it (3.6) over 0..4, a quarter (3) everywhere; fixed buffers are never hot.
    let (hot, _) = hot_buffers(movable_spans(&problem), &profile, 300);
    assert_eq!(hot, [true, true, true, false, false]);
    let (hot, _) = hot_buffers(movable_spans(&problem), &profile, 250);
    assert_eq!(hot, [true, true, true, true, false]);
}

#[test]
fn peaks_gives_way_to_the_plain_fill_when_its_budget_runs_out() {
    // Staggered buffers, each live over 40 steps with a fixed one across the middle: the
    // hot set is a small part, but a budget of a few units ends the first round early.
    let mut buffers: Vec<Buffer> = (0..2000i64)
        .map(|i| Buffer::new(format!("b{i}"), i, i + 40, 1 + (i * 37) % 11))
        .collect();
    buffers.push(Buffer::new("peak", 1000, 1010, 500));
    buffers.push(
        Buffer::new("fixed", 900, 1100, 3)
            .with_alignment(4)
            .with_offset(8),
    );
    let problem = Problem::new(buffers, Offset::MAX / 4);
    let spans = Spans::of(&problem);
    let mut never = || false;
    let profile = LoadProfile::of(&problem);
    let measure = Measure {
        profile: &profile,
        pays: None,
        nested: false,
    };
    let starved = rounds(
        &problem,
        &spans,
        measure,
        800,
        problem.capacity,
        Budget::new(100, &mut never),
        None,
    );
    let starved = Solution::from_offsets(&problem, starved.unwrap());
    validate(&problem, &starved).unwrap();
    // It is the plain fill: every movable buffer in start order around the fixed one.
    let plain = plain_fill(&problem, &spans, problem.capacity, &mut || false).unwrap();
    assert_eq!(starved.offsets, plain);
    // With its budget the pass does better: the peak buffer goes in first.
    let full = peaks_800(&problem, &mut || false, false).unwrap();
    let full = Solution::from_offsets(&problem, full);
    validate(&problem, &full).unwrap();
    assert!(full.height <= starved.height);
    assert_eq!(full.height, LoadProfile::of(&problem).peak().1);
}

#[test]
fn peaks_leads_on_a_long_trace_with_one_peak_and_minimisation_runs_it_first() {
    // 2000 short staggered buffers (load about 3) and, over a short stretch, four large
    // ones: the hot set is those four and the small buffers beside them, 1/16 or less.
    let mut buffers: Vec<Buffer> = (0..2000i64)
        .map(|i| Buffer::new(format!("b{i}"), i, i + 3, 1 + i % 2))
        .collect();
    for k in 0..4 {
        buffers.push(Buffer::new(format!("peak{k}"), 1000 + k, 1010 + k, 50 + k));
    }
    let problem = Problem::new(buffers, crate::MAX_MAGNITUDE);
    let profile = LoadProfile::of(&problem);
    assert!(leads(&problem, &profile));
    // A monitor that says stop at once: the lead must still answer, so it found the
    // packing minimisation returns (1 above LOAD here).
    struct Stop;
    impl crate::Monitor for Stop {
        fn should_stop(&mut self) -> bool {
            true
        }
    }
    let report = crate::minimize(&problem, &crate::SolverParams::default(), &mut Stop);
    let report = report.unwrap();
    let solution = report.solution().unwrap();
    validate(&problem, solution).unwrap();
    assert_eq!(solution.height, profile.peak().1 + 1);
    assert_eq!(report.found_by, Some(crate::FoundBy::Heuristic(LEAD)));
    // A flat trace (every buffer near the peak) does not lead.
    let flat: Vec<Buffer> = (0..100i64)
        .map(|i| Buffer::new(format!("f{i}"), i % 2, 10 + i % 3, 1 + i % 5))
        .collect();
    let flat = Problem::new(flat, Offset::MAX / 4);
    assert!(!leads(&flat, &LoadProfile::of(&flat)));
}

#[test]
fn peaks_gives_way_when_most_buffers_are_hot() {
    // A flat load: every buffer is hot, so the hot problem would be the whole one.
    let buffers = (0..100i64)
        .map(|i| Buffer::new(format!("b{i}"), i % 2, 10 + i % 3, 1 + i % 5))
        .collect();
    let problem = Problem::new(buffers, Offset::MAX / 4);
    let spans = Spans::of(&problem);
    let profile = LoadProfile::of(&problem);
    let (hot, _) = hot_buffers(movable_spans(&problem), &profile, 800);
    assert!(!worth_it(&hot, spans.starts.len() as u64));
    let offsets = peaks_800(&problem, &mut || false, false).unwrap();
    validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
}

#[test]
fn peaks_validates_and_hears_a_stop() {
    let buffers = (0..3 * STOP_CHECK as i64)
        .map(|i| Buffer::new(format!("b{i}"), i, i + 1 + i % 7, 1 + (i * 37) % 11))
        .collect();
    let problem = Problem::new(buffers, Offset::MAX / 4);
    let offsets = peaks_800(&problem, &mut || false, false).unwrap();
    validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
    let mut asked = 0;
    let mut stop = || {
        asked += 1;
        true
    };
    let stopped = peaks_800(&problem, &mut stop, false);
    assert_eq!(stopped, None);
    assert!(asked >= 1);
}

/// Clusters of buffers in `clusters` disjoint stretches of time 100 apart (the hot set's
/// parts), up to `most` buffers each, a buffer that bridges the gap between clusters 2 and 3,
/// and with `fixed` a fixed buffer across two clusters.
fn clusters(rng: &mut crate::test_rng::SplitMix, clusters: i64, most: i64, fixed: bool) -> Problem {
    let mut buffers = Vec::new();
    for cluster in 0..clusters {
        let base = cluster * 100;
        for i in 0..rng.range(3, most) {
            let lower = base + rng.range(0, 40);
            let upper = lower + rng.range(1, 30);
            buffers.push(Buffer::new(
                format!("c{cluster}-{i}"),
                lower,
                upper,
                rng.range(1, 9),
            ));
        }
    }
    buffers.push(Buffer::new("bridge", 260, 310, 2));
    if fixed {
        buffers.push(Buffer::new("fixed", 90, 210, 3).with_offset(40));
    }
    Problem::new(buffers, 1 << 20)
}

/// The fixed buffers of `problem`, as [`Carried`] takes them.
fn fixed_of(problem: &Problem) -> Vec<u32> {
    (0..problem.buffers.len() as u32)
        .filter(|&b| problem.buffers[b as usize].offset.is_some())
        .collect()
}

#[test]
fn the_first_hot_pass_packs_only_new_parts_and_answers_as_over_the_whole() {
    // A round's hot set, then a grown one that reaches some clusters and joins two. Packed
    // again with the first round carried, the first hot pass's packing is the one packed from
    // scratch, and the round's hot packing is valid. Where the nested pass is not carried
    // (a nested pass's rounds), the whole hot packing is the one packed from scratch.
    let mut rng = crate::test_rng::SplitMix(20261206);
    for case in 0..80 {
        let nested_too = case % 4 < 2;
        let problem = clusters(&mut rng, 6, 12, case % 2 == 0);
        let fixed = fixed_of(&problem);
        let movable = |b: usize| problem.buffers[b].offset.is_none();
        let first: Vec<bool> = (0..problem.buffers.len())
            .map(|b| movable(b) && problem.buffers[b].id != "bridge" && rng.below(4) > 0)
            .collect();
        let grown: Vec<bool> = (0..problem.buffers.len())
            .map(|b| first[b] || (movable(b) && rng.below(3) == 0))
            .collect();
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let mut carried = Carried::new(&fixed, nested_too);
        let limit = problem.capacity;
        let mut pack = |hot: &[bool], carried: &mut Carried| {
            pack_hot(&problem, hot, carried, 800, limit, &mut budget, None)
        };
        pack(&first, &mut carried).unwrap();
        assert!(carried.last[0].is_some());
        let again = pack(&grown, &mut carried);
        let mut fresh = Carried::new(&fixed, nested_too);
        let whole = pack(&grown, &mut fresh);
        let first_pass = |carried: &Carried| carried.last[0].as_ref().unwrap().offsets.clone();
        assert_eq!(first_pass(&carried), first_pass(&fresh), "case {case}");
        if !nested_too {
            assert_eq!(again, whole, "case {case}");
        }
        let placed = again.unwrap().1;
        let (chosen, offsets): (Vec<Buffer>, Vec<Offset>) = placed
            .iter()
            .zip(&problem.buffers)
            .filter_map(|(offset, buffer)| Some((buffer.clone(), (*offset)?)))
            .unzip();
        let packed = Problem::new(chosen, problem.capacity);
        validate(&packed, &Solution::from_offsets(&packed, offsets)).unwrap();
    }
}

#[test]
fn the_nested_peaks_pass_over_new_parts_keeps_the_others_and_works_less() {
    // Twelve clusters of short buffers one after another with a few large ones here and
    // there (each cluster a part with peaks of its own, as on a long trace): every movable
    // buffer hot but a few of one cluster's, then all hot. The nested peaks pass over the
    // new parts keeps the last packing of the others, answers validly, and asks its stop
    // (once per STOP_CHECK units of work) less often than over the whole.
    let mut rng = crate::test_rng::SplitMix(31);
    let nested = Heuristic::Peaks(900);
    let (mut carried_work, mut whole_work) = (0, 0);
    for case in 0..20 {
        let mut buffers = Vec::new();
        for cluster in 0..12i64 {
            let base = cluster * 1000;
            for i in 0..rng.range(300, 700) {
                let lower = base + i;
                let upper = lower + rng.range(1, 60);
                let size = rng.range(1, 40);
                buffers.push(Buffer::new(format!("c{cluster}-{i}"), lower, upper, size));
            }
            for k in 0..rng.range(2, 6) {
                let lower = base + rng.range(0, 700);
                let upper = lower + rng.range(5, 80);
                let size = rng.range(50, 400);
                buffers.push(Buffer::new(format!("c{cluster}-p{k}"), lower, upper, size));
            }
        }
        if case % 2 == 0 {
            buffers.push(Buffer::new("fixed", 900, 2100, 30).with_offset(400));
        }
        let problem = Problem::new(buffers, 1 << 30);
        let fixed = fixed_of(&problem);
        let movable = |b: usize| problem.buffers[b].offset.is_none();
        let grown: Vec<bool> = (0..problem.buffers.len()).map(movable).collect();
        let late = format!("c{}-", rng.range(0, 12));
        let first: Vec<bool> = (0..problem.buffers.len())
            .map(|b| grown[b] && !(problem.buffers[b].id.starts_with(&late) && rng.below(8) == 0))
            .collect();
        let limit = problem.capacity;
        let pass = |hot: &[bool], last: Option<&HotPacking>, work: &mut u64| {
            let chosen = with_fixed(&problem, hot, &fixed);
            let mut stop = || {
                *work += 1;
                false
            };
            let packed =
                pass_on_new_parts(&problem, hot, &chosen, last, nested, limit, &mut stop, None);
            (chosen, packed.unwrap().1)
        };
        let (chosen, offsets) = pass(&first, None, &mut 0);
        let mut all = vec![0; problem.buffers.len()];
        for (&b, &offset) in chosen.iter().zip(&offsets) {
            all[b] = offset;
        }
        let last = HotPacking {
            hot: first.clone(),
            offsets: all,
        };
        let (chosen, carried) = pass(&grown, Some(&last), &mut carried_work);
        pass(&grown, None, &mut whole_work);
        // Parts without a new buffer keep their offsets.
        let mut kept = 0;
        for (_, part) in parts::hot_parts(&problem, &grown) {
            if part.iter().all(|&b| first[b]) {
                for &b in &part {
                    let at = chosen.iter().position(|&c| c == b).unwrap();
                    assert_eq!(carried[at], last.offsets[b], "case {case}");
                    kept += 1;
                }
            }
        }
        assert!(kept > 0, "case {case}");
        let sub = sub_problem(&problem, &chosen);
        validate(&sub, &Solution::from_offsets(&sub, carried)).unwrap();
    }
    assert!(
        4 * carried_work < whole_work,
        "carried {carried_work}, whole {whole_work}"
    );
}

#[test]
fn a_pass_that_must_answer_hears_a_stop_only_once_it_has_one() {
    // Short buffers one after another and six large ones here and there: the first round's
    // fill goes above the hot packing, and the later rounds bring it down to the load.
    let mut rng = crate::test_rng::SplitMix(3);
    let mut buffers: Vec<Buffer> = (0..3000i64)
        .map(|i| Buffer::new(format!("b{i}"), i, i + rng.range(1, 60), rng.range(1, 40)))
        .collect();
    for k in 0..6 {
        let at = rng.range(200, 2800);
        let upper = at + rng.range(5, 40);
        buffers.push(Buffer::new(format!("p{k}"), at, upper, rng.range(100, 400)));
    }
    let problem = Problem::new(buffers, Offset::MAX / 4);
    let height = |offsets: Vec<Offset>| {
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        solution.height
    };
    let pass =
        |stop: &mut dyn FnMut() -> bool, must_answer: bool| peaks_800(&problem, stop, must_answer);
    let full = pass(&mut || false, false).unwrap();
    // Held, a stop that never comes changes nothing.
    assert_eq!(pass(&mut || false, true).unwrap(), full);
    let full = height(full);
    assert_eq!(full, LoadProfile::of(&problem).peak().1);
    // A stop at once: the pass that may give up does; the one that must answer answers with
    // its first round, and hears the stop before the next.
    assert_eq!(pass(&mut || true, false), None);
    let mut asked = 0;
    let mut stop = || {
        asked += 1;
        true
    };
    let first = height(pass(&mut stop, true).unwrap());
    assert_eq!(asked, 1);
    assert!(first > full, "{first} against {full}");
}

#[test]
fn later_rounds_pack_the_hot_set_under_the_limit_not_under_the_best_round() {
    // Short buffers one after another and large ones here and there. A later round's hot
    // passes leave the hot set above the best round's height; its parts over the load are
    // lowered after them, and the round's fill then reaches the load. Capped at the best
    // round's height, the passes gave up and the pass ended 13 above the load.
    let mut rng = crate::test_rng::SplitMix(33);
    let n = rng.range(200, 3000);
    let large = rng.range(2, 12);
    let mut buffers: Vec<Buffer> = (0..n)
        .map(|i| Buffer::new(format!("b{i}"), i, i + rng.range(1, 60), rng.range(1, 40)))
        .collect();
    for k in 0..large {
        let at = rng.range(0, n);
        let upper = at + rng.range(5, 80);
        buffers.push(Buffer::new(format!("p{k}"), at, upper, rng.range(50, 400)));
    }
    let problem = Problem::new(buffers, Offset::MAX / 4);
    let offsets = peaks_800(&problem, &mut || false, false);
    let solution = Solution::from_offsets(&problem, offsets.unwrap());
    validate(&problem, &solution).unwrap();
    assert_eq!(solution.height, LoadProfile::of(&problem).peak().1);
}
