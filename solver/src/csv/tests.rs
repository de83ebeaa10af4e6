//! Unit tests of the CSV reader and writer. The table of malformed inputs is in `errors`.

mod errors;

use super::*;
use crate::model::{Buffer, Offset, Problem, Solution, MAX_MAGNITUDE};

fn read(text: &str) -> Vec<Buffer> {
    match read_buffers(text) {
        Ok(buffers) => buffers,
        Err(error) => panic!("{text:?} should read, but: {error}"),
    }
}

#[test]
fn reads_the_plain_minimalloc_shape() {
    let buffers = read("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\n");
    assert_eq!(
        buffers,
        [Buffer::new("b1", 0, 3, 4), Buffer::new("b2", 3, 9, 4)]
    );
}

#[test]
fn reads_every_alias_in_any_order_and_case() {
    let expected = [Buffer::new("x", 2, 7, 5)];
    for header in [
        "buffer,start,upper,size",
        "buffer_id,begin,upper,size",
        "  SIZE , Upper,Lower ,ID",
        "\"id\",\"lower\",\"upper\",\"size\"",
    ] {
        let row = if header.starts_with("  SIZE") {
            "5,7,2,x"
        } else {
            "x,2,7,5"
        };
        assert_eq!(read(&format!("{header}\n{row}\n")), expected, "{header}");
    }
}

#[test]
fn end_is_inclusive_for_lifespans_and_gaps() {
    let buffers = read("id,begin,end,size,gaps\na,-1,9,4,2-3 -1--1@1:2\nb,-3,-1,1,\n");
    assert_eq!(
        buffers,
        [
            Buffer::new("a", -1, 10, 4)
                .with_gap(2, 4, None)
                .with_gap(-1, 0, Some((1, 2))),
            Buffer::new("b", -3, 0, 1),
        ]
    );
    // Without `end`, the same gap is empty and the lifespan one shorter.
    let buffers = read("id,lower,upper,size,gaps\na,-1,9,4,-1--1\n");
    assert_eq!(buffers, [Buffer::new("a", -1, 9, 4).with_gap(-1, -1, None)]);
}

#[test]
fn accepts_crlf_bom_blank_lines_and_blanks_around_fields() {
    let expected = [Buffer::new("a", 0, 3, 4), Buffer::new("b", 1, 2, 3)];
    assert_eq!(
        read("id,lower,upper,size\r\na,0,3,4\r\nb,1,2,3\r\n"),
        expected
    );
    assert_eq!(
        read("\u{feff}id,lower,upper,size\na,0,3,4\nb,1,2,3"),
        expected
    );
    assert_eq!(
        read("\n \r\nid,lower,upper,size\n\na,0,3,4\n   \n\t\r\nb,1,2,3\n\n\n"),
        expected
    );
    assert_eq!(
        read("id , lower,upper\t,size\n  a ,\t0 , 3,4  \nb,1,2,3\t\r\n"),
        expected
    );
    // Extra trailing empty fields are tolerated, also after a header with a trailing comma.
    assert_eq!(read("id,lower,upper,size,\na,0,3,4,,\nb,1,2,3\n"), expected);
}

#[test]
fn a_lone_carriage_return_ends_a_line() {
    let expected = [Buffer::new("a", 0, 3, 4), Buffer::new("b", 1, 2, 3)];
    // Old Mac files: CR alone; also mixed with LF and CRLF, with blank lines and blanks.
    for text in [
        "id,lower,upper,size\ra,0,3,4\rb,1,2,3\r",
        "id,lower,upper,size\ra,0,3,4\rb,1,2,3",
        "\r\r id,lower,upper,size \r\r\ta,0,3,4\t\r \r\nb,1,2,3\n\r",
        "id,lower,upper,size\r\na,0,3,4\rb,1,2,3\n",
        "\"id\",\"lower\",upper,size\r\"a\" ,0,3,4\r\"b\",1,2,3\r",
    ] {
        assert_eq!(read(text), expected, "{text:?}");
    }
    // Outside quotes it always ends the record, even right after a quoted field.
    assert!(read_buffers("id,lower,upper,size\r\"b\"\r,1,2,3\r").is_err());
    // Inside quotes a CR is content, kept as it is.
    let text = "id,lower,upper,size\r\"two\rlines\",0,1,1\r\"crlf\r\n\",0,1,1\r";
    let ids: Vec<String> = read(text).into_iter().map(|b| b.id).collect();
    assert_eq!(ids, ["two\rlines", "crlf\r\n"]);
}

#[test]
fn reads_quoted_ids_with_commas_quotes_and_newlines() {
    let text = "id,lower,upper,size\n\"a,b\",0,1,1\n\"say \"\"hi\"\"\",0,1,1\n\
                \"two\r\nlines\n\",0,1,1\n\" padded \" ,0,1,1\n\"\",0,1,1\n";
    let ids: Vec<String> = read(text).into_iter().map(|b| b.id).collect();
    assert_eq!(ids, ["a,b", "say \"hi\"", "two\r\nlines\n", " padded ", ""]);
    // Quotes around numbers are fine too; blanks around the quotes are trimmed, but what is
    // inside is taken literally.
    assert_eq!(
        read("id,lower,upper,size\nx, \"0\" ,\"3\",4\n")[0],
        Buffer::new("x", 0, 3, 4)
    );
    let error = read_buffers("id,lower,upper,size\nx,0,\" 3\",4\n").unwrap_err();
    assert_eq!((error.line, error.column), (2, 5));
}

#[test]
fn ignores_unknown_columns() {
    let buffers = read("name,id,lower,color,upper,size,\"a,b\"\nq,x,0,red,5,1,z\n");
    assert_eq!(buffers, [Buffer::new("x", 0, 5, 1)]);
}

#[test]
fn reads_optional_columns() {
    let text = "id,lower,upper,size,alignment,hint,offset,gaps\n\
                a,0,10,8,4,12,16,1-2 4-6@2:6\n\
                b,0,10,8,,-1,,\n\
                c,-10,-2,8,2,,0,-9--5@0:4 -5--2\n";
    let a = Buffer {
        hint: Some(12),
        ..Buffer::new("a", 0, 10, 8)
            .with_alignment(4)
            .with_offset(16)
            .with_gap(1, 2, None)
            .with_gap(4, 6, Some((2, 6)))
    };
    let b = Buffer::new("b", 0, 10, 8);
    let c = Buffer::new("c", -10, -2, 8)
        .with_alignment(2)
        .with_offset(0)
        .with_gap(-9, -5, Some((0, 4)))
        .with_gap(-5, -2, None);
    assert_eq!(read(text), [a, b, c]);
    // A sign may be written on positive numbers too.
    assert_eq!(
        read("id,lower,upper,size,gaps\nx,+0,+5,+1,+1-+2@+0:+1\n")[0],
        Buffer::new("x", 0, 5, 1).with_gap(1, 2, Some((0, 1)))
    );
}

#[test]
fn negative_hint_means_none() {
    let buffers = read("id,lower,upper,size,hint\na,0,1,1,-5\nb,0,1,1,\nc,0,1,1,0\n");
    let hints: Vec<_> = buffers.iter().map(|b| b.hint).collect();
    assert_eq!(hints, [None, None, Some(0)]);
}

#[test]
fn header_only_is_zero_buffers() {
    assert_eq!(read("id,lower,upper,size"), []);
    assert_eq!(read("id,lower,upper,size\n\n\n"), []);
}

#[test]
fn numbers_reach_max_magnitude() {
    let text = format!("id,lower,upper,size\na,-{MAX_MAGNITUDE},{MAX_MAGNITUDE},{MAX_MAGNITUDE}\n");
    assert_eq!(
        read(&text),
        [Buffer::new(
            "a",
            -MAX_MAGNITUDE,
            MAX_MAGNITUDE,
            MAX_MAGNITUDE
        )]
    );
    // The static messages spell out the limit; keep them in step with it.
    for message in [
        super::values::TOO_LARGE,
        super::values::END_TOO_LARGE,
        super::values::GAP_TOO_LARGE,
        super::values::GAP_END_TOO_LARGE,
    ] {
        assert!(message.contains(&MAX_MAGNITUDE.to_string()), "{message}");
    }
}

#[test]
fn reads_problems_with_a_capacity() {
    let text = include_str!("../../../tests/fixtures/examples/input.12.csv");
    let problem = read_problem(text, 12).unwrap();
    assert_eq!((problem.buffers.len(), problem.capacity), (5, 12));
    let error = read_problem(text, -1).unwrap_err();
    assert_eq!((error.line, error.column), (0, 0));
    assert_eq!(
        error.to_string(),
        "expected a capacity in 0..=9007199254740991, found -1"
    );
}

#[test]
fn reads_the_challenging_fixture() {
    let text = include_str!("../../../tests/fixtures/challenging/A.1048576.csv");
    let buffers = read(text);
    assert_eq!(buffers.len(), 154);
    assert_eq!(buffers[0], Buffer::new("0", 995328, 1000448, 656384));
    assert_eq!(buffers[3], Buffer::new("3", 0, 307200, 43008));
}

#[test]
fn writes_only_the_columns_in_use() {
    let plain = Problem::new(vec![Buffer::new("b1", 0, 3, 4)], 10);
    assert_eq!(write_problem(&plain), "id,lower,upper,size\nb1,0,3,4\n");
    let solution = Solution::from_offsets(&plain, vec![6]);
    assert_eq!(
        write_solution(&plain, &solution),
        "id,lower,upper,size,offset\nb1,0,3,4,6\n"
    );
    let rich = Problem::new(
        vec![
            Buffer {
                hint: Some(3),
                ..Buffer::new("a", -4, 8, 6)
                    .with_alignment(2)
                    .with_gap(-3, -1, Some((0, 2)))
                    .with_gap(0, 1, None)
            },
            Buffer::new("b", 0, 3, 4).with_offset(8),
        ],
        100,
    );
    assert_eq!(
        write_problem(&rich),
        "id,lower,upper,size,alignment,hint,gaps,offset\n\
         a,-4,8,6,2,3,-3--1@0:2 0-1,\n\
         b,0,3,4,1,,,8\n"
    );
}

#[test]
fn quotes_ids_only_when_needed() {
    let ids = [
        "plain",
        "a,b",
        "say \"hi\"",
        " lead",
        "trail\t",
        "line\nbreak",
        "cr\r",
        "in ner",
        "",
        "é",
    ];
    let buffers = ids.iter().map(|id| Buffer::new(*id, 0, 1, 1)).collect();
    let text = write_problem(&Problem::new(buffers, 1));
    assert_eq!(
        text,
        "id,lower,upper,size\nplain,0,1,1\n\"a,b\",0,1,1\n\"say \"\"hi\"\"\",0,1,1\n\
         \" lead\",0,1,1\n\"trail\t\",0,1,1\n\"line\nbreak\",0,1,1\n\"cr\r\",0,1,1\n\
         in ner,0,1,1\n,0,1,1\né,0,1,1\n"
    );
    let read_ids: Vec<String> = read(&text).into_iter().map(|b| b.id).collect();
    assert_eq!(read_ids, ids);
}

// The small deterministic generator the unit tests share, so random cases repeat exactly.
use crate::test_rng::SplitMix as Rng;

/// Pieces that make ids awkward to write. None holds `#`, which the generator uses to keep
/// ids unique.
const AWKWARD: [&str; 12] = [
    "",
    "",
    "x",
    " ",
    "\t",
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "é ü",
    "a,\"b\"\n",
];

fn random_buffer(rng: &mut Rng, index: usize) -> Buffer {
    let id = format!("{}#{index}#{}", rng.pick(&AWKWARD), rng.pick(&AWKWARD));
    let extreme = rng.chance(5);
    let (lower, upper) = if extreme {
        (-MAX_MAGNITUDE, MAX_MAGNITUDE)
    } else {
        let lower = rng.range(-1000, 1000);
        (lower, lower + rng.range(0, 100))
    };
    let size = if extreme {
        MAX_MAGNITUDE
    } else {
        rng.range(0, 64)
    };
    let alignment = if rng.chance(30) { rng.range(1, 16) } else { 1 };
    let mut buffer = Buffer::new(id, lower, upper, size).with_alignment(alignment);
    if rng.chance(20) {
        buffer.hint = Some(rng.range(0, 1000));
    }
    if rng.chance(20) {
        buffer.offset = Some(alignment * rng.range(0, 100));
    }
    // Disjoint gaps inside the lifespan: cut it at sorted points and keep some of the pieces.
    let mut cuts: Vec<i64> = (0..rng.range(0, 6))
        .map(|_| rng.range(lower.max(-2000), upper.min(2000)))
        .collect();
    cuts.sort_unstable();
    for pair in cuts.chunks_exact(2) {
        let window = rng.chance(50).then(|| {
            let low = rng.range(0, size.min(64));
            (low, rng.range(low, size.min(64)))
        });
        buffer = buffer.with_gap(pair[0], pair[1], window);
    }
    buffer
}

#[test]
fn random_problems_round_trip() {
    let mut rng = Rng(2024);
    for case in 0..300 {
        let count = rng.range(0, 12) as usize;
        let buffers: Vec<Buffer> = (0..count).map(|i| random_buffer(&mut rng, i)).collect();
        let problem = Problem::new(buffers, 100);
        problem.check().unwrap();
        let text = write_problem(&problem);
        assert_eq!(read(&text), problem.buffers, "case {case}: {text:?}");

        // A solution reads back as the same buffers, each fixed at its offset.
        let offsets: Vec<Offset> = problem
            .buffers
            .iter()
            .map(|b| b.alignment * rng.range(0, 50))
            .collect();
        let solution = Solution::from_offsets(&problem, offsets.clone());
        let fixed: Vec<Buffer> = problem
            .buffers
            .iter()
            .zip(&offsets)
            .map(|(b, &offset)| b.clone().with_offset(offset))
            .collect();
        let text = write_solution(&problem, &solution);
        assert_eq!(read(&text), fixed, "case {case}: {text:?}");
    }
}

/// Random edits of valid CSV never panic; whatever still reads writes back and reads the same,
/// and whatever fails says where.
#[test]
fn mangled_input_never_panics() {
    const BITS: [&str; 17] = [
        ",",
        "\"",
        "\n",
        "\r\n",
        "\r",
        "-",
        "@",
        ":",
        " ",
        "0",
        "9",
        "x",
        "é",
        "\u{feff}",
        "",
        "99999999999999999999",
        "1-2",
    ];
    let mut rng = Rng(7);
    let (mut read_fine, mut failed) = (0, 0);
    for _ in 0..4000 {
        let buffers: Vec<Buffer> = (0..3).map(|i| random_buffer(&mut rng, i)).collect();
        let mut text = write_problem(&Problem::new(buffers, 0)).into_bytes();
        for _ in 0..rng.range(1, 2) {
            let at = rng.range(0, text.len() as i64) as usize;
            let cut = (at + rng.range(0, 3) as usize).min(text.len());
            let bit = rng.pick(&BITS).as_bytes().to_vec();
            drop(text.splice(at..cut, bit));
        }
        // Edits may split a multi-byte character; read what is valid UTF-8.
        let text = String::from_utf8_lossy(&text);
        match read_buffers(&text) {
            Ok(buffers) => {
                read_fine += 1;
                let again = write_problem(&Problem::new(buffers.clone(), 0));
                assert_eq!(read(&again), buffers, "{text:?}");
            }
            Err(error) => {
                failed += 1;
                assert!(error.line >= 1 && error.column >= 1, "{text:?}: {error:?}");
                assert!(!error.to_string().is_empty());
            }
        }
    }
    // Both outcomes must be common, or the test checks less than it claims.
    assert!(
        read_fine > 300 && failed > 300,
        "{read_fine} read, {failed} failed"
    );
}
