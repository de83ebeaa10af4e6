use super::*;

#[test]
fn pieces_split_around_plain_and_windowed_gaps() {
    let buffer = Buffer::new("b", 0, 10, 8)
        .with_gap(2, 4, None)
        .with_gap(6, 8, Some((2, 5)));
    let pieces: Vec<_> = buffer
        .pieces()
        .iter()
        .map(|p| (p.time.lower, p.time.upper, p.bottom, p.top))
        .collect();
    assert_eq!(
        pieces,
        [(0, 2, 0, 8), (4, 6, 0, 8), (6, 8, 2, 5), (8, 10, 0, 8)]
    );
}

#[test]
fn an_empty_gap_inside_another_changes_nothing() {
    let plain = Buffer::new("b", 0, 10, 8).with_gap(3, 8, None);
    for empty in [(5, 5), (3, 3), (8, 8), (0, 0)] {
        let with_empty = plain.clone().with_gap(empty.0, empty.1, None);
        assert!(Problem::new(vec![with_empty.clone()], 8).check().is_ok());
        assert_eq!(with_empty.pieces(), plain.pieces(), "{empty:?}");
    }
}

#[test]
fn empty_buffers_have_no_pieces() {
    assert!(Buffer::new("zero size", 0, 5, 0).pieces().is_empty());
    assert!(Buffer::new("zero length", 3, 3, 7).pieces().is_empty());
    assert!(Buffer::new("all gap", 0, 4, 7)
        .with_gap(0, 4, None)
        .pieces()
        .is_empty());
}

fn kind_of(buffer: Buffer) -> ProblemErrorKind {
    Problem::new(vec![buffer], 100).check().unwrap_err().kind
}

#[test]
fn check_names_each_malformation() {
    use ProblemErrorKind::*;
    assert_eq!(
        kind_of(Buffer::new("b", 5, 4, 1)),
        ReversedLifespan(Lifespan::new(5, 4))
    );
    assert_eq!(kind_of(Buffer::new("b", 0, 4, -1)), NegativeSize(-1));
    assert_eq!(
        kind_of(Buffer::new("b", 0, 4, 1).with_alignment(0)),
        BadAlignment(0)
    );
    assert_eq!(kind_of(Buffer::new("b", 0, 1 << 60, 1)), TooLarge(1 << 60));
    assert_eq!(
        kind_of(Buffer::new("b", 0, 4, 1).with_gap(3, 6, None)),
        GapOutsideLifespan(Lifespan::new(3, 6))
    );
    assert_eq!(
        kind_of(
            Buffer::new("b", 0, 9, 1)
                .with_gap(1, 4, None)
                .with_gap(3, 5, None)
        ),
        OverlappingGaps(Lifespan::new(1, 4), Lifespan::new(3, 5))
    );
    assert_eq!(
        kind_of(Buffer::new("b", 0, 9, 4).with_gap(1, 4, Some((2, 5)))),
        BadWindow(Window { lower: 2, upper: 5 })
    );
    assert_eq!(
        kind_of(Buffer::new("b", 0, 9, 4).with_alignment(4).with_offset(6)),
        BadFixedOffset(6)
    );
    let twice = Problem::new(
        vec![Buffer::new("x", 0, 1, 1), Buffer::new("x", 0, 1, 1)],
        9,
    );
    let error = twice.check().unwrap_err();
    assert_eq!((error.buffer, &error.kind), (Some(1), &DuplicateId(0)));
    assert_eq!(
        error.to_string(),
        "buffer \"x\" (#2): expected a unique id, found the id of buffer #1 again"
    );
}

#[test]
fn a_malformed_buffer_before_a_duplicate_is_reported_first_and_after_it_second() {
    let bad = Buffer::new("bad", 5, 4, 1);
    let x = || Buffer::new("x", 0, 1, 1);
    let first = Problem::new(vec![bad.clone(), x(), x()], 9)
        .check()
        .unwrap_err();
    assert_eq!(first.buffer, Some(0));
    let second = Problem::new(vec![x(), x(), bad.clone()], 9)
        .check()
        .unwrap_err();
    assert_eq!(
        (second.buffer, second.kind),
        (Some(1), ProblemErrorKind::DuplicateId(0))
    );
    // A pair around the malformed buffer, and a malformed buffer that is itself a
    // duplicate: the malformed one is first either way.
    let around = Problem::new(vec![x(), bad.clone(), x()], 9).check();
    assert_eq!(around.unwrap_err().buffer, Some(1));
    let itself = Buffer {
        id: "x".into(),
        ..bad
    };
    let both = Problem::new(vec![x(), itself], 9).check().unwrap_err();
    assert_eq!(
        (both.buffer, both.kind),
        (
            Some(1),
            ProblemErrorKind::ReversedLifespan(Lifespan::new(5, 4))
        )
    );
}

#[test]
fn height_is_the_highest_end_of_any_buffer() {
    let problem = Problem::new(
        vec![
            Buffer::new("a", 0, 2, 3),
            Buffer::new("never live", 5, 5, 2),
        ],
        10,
    );
    assert_eq!(Solution::from_offsets(&problem, vec![4, 0]).height, 7);
    assert_eq!(Solution::from_offsets(&problem, vec![0, 6]).height, 8);
}
