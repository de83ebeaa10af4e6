//! Malformed inputs, each with the exact position and message expected.

use crate::csv::read_buffers;

/// Reads `input`, expecting an error at `line` and `column` with the whole message `message`.
fn check_error(input: &str, line: usize, column: usize, message: &str) {
    let error = match read_buffers(input) {
        Ok(buffers) => panic!("{input:?} should fail, but read {buffers:?}"),
        Err(error) => error,
    };
    assert_eq!(
        (error.line, error.column, error.to_string().as_str()),
        (line, column, message),
        "input {input:?}"
    );
}

const H: &str = "id,lower,upper,size\n";

#[test]
fn empty_and_header_errors() {
    let no_header =
        "expected a header line such as \"id,lower,upper,size\", found no non-blank line";
    check_error("", 1, 1, &format!("line 1, column 1: {no_header}"));
    check_error(
        "\u{feff}\n \r\n\t\n",
        1,
        1,
        &format!("line 1, column 1: {no_header}"),
    );
    check_error(
        "id,lower,upper\na,0,1\n",
        1,
        1,
        "line 1, column 1: expected a column \"size\" in the header, found none",
    );
    check_error(
        "\nlower,upper,size\n",
        2,
        1,
        "line 2, column 1: expected a column \"id\" (or \"buffer\", \"buffer_id\") \
         in the header, found none",
    );
    check_error(
        "id,lower,upper,size,lower\n",
        1,
        21,
        "line 1, column 21 (lower): expected each column once, found \"lower\" naming the \
         same column as \"lower\" at column 4",
    );
    check_error(
        "id,lower,start,upper,size\n",
        1,
        10,
        "line 1, column 10 (start): expected each column once, found \"start\" naming the \
         same column as \"lower\" at column 4",
    );
    check_error(
        "id,lower,upper, End ,size\n",
        1,
        17,
        "line 1, column 17 (End): expected each column once, found \"End\" naming the \
         same column as \"upper\" at column 10",
    );
    check_error(
        "id,\"lower\"x,upper,size\n",
        1,
        4,
        "line 1, column 4: expected quotes only around a whole field (write \"\" for a quote \
         inside one), found \"\\\"lower\\\"x\"",
    );
}

#[test]
fn field_count_and_quote_errors() {
    let count = |found| format!("expected 4 fields as in the header, found {found}");
    check_error(
        &format!("{H}a,0,1\n"),
        2,
        1,
        &format!("line 2, column 1: {}", count(3)),
    );
    check_error(
        &format!("{H}a,0,1,2,3\n"),
        2,
        9,
        &format!("line 2, column 9: {}", count(5)),
    );
    check_error(
        &format!("{H}a,0,1,2,,x,\n"),
        2,
        10,
        &format!("line 2, column 10: {}", count(6)),
    );
    check_error(
        &format!("{H}\"\"\n"),
        2,
        1,
        &format!("line 2, column 1: {}", count(1)),
    );
    let unterminated =
        "expected a closing quote for the field opened here, found the end of the input";
    check_error(
        &format!("{H}\"abc,0,1,2\n"),
        2,
        1,
        &format!("line 2, column 1 (id): {unterminated}"),
    );
    check_error(
        &format!("{H}a,0,1,2\nb,\"0,1,2\n\n"),
        3,
        3,
        &format!("line 3, column 3 (lower): {unterminated}"),
    );
    let stray = "expected quotes only around a whole field (write \"\" for a quote inside one)";
    check_error(
        &format!("{H}ab\"c,0,1,2\n"),
        2,
        1,
        &format!("line 2, column 1 (id): {stray}, found \"ab\\\"c\""),
    );
    check_error(
        &format!("{H}\"ab\"c,0,1,2\n"),
        2,
        1,
        &format!("line 2, column 1 (id): {stray}, found \"\\\"ab\\\"c\""),
    );
}

#[test]
fn number_errors() {
    check_error(
        &format!("{H}a,0,1,12x\n"),
        2,
        7,
        "line 2, column 7 (size): expected a non-negative integer, found \"12x\"",
    );
    check_error(
        &format!("{H}a,1.5,3,1\n"),
        2,
        3,
        "line 2, column 3 (lower): expected an integer, found \"1.5\"",
    );
    check_error(
        &format!("{H}a,,3,1\n"),
        2,
        3,
        "line 2, column 3 (lower): expected an integer, found \"\"",
    );
    check_error(
        &format!("{H}a,-,3,1\n"),
        2,
        3,
        "line 2, column 3 (lower): expected an integer, found \"-\"",
    );
    check_error(
        &format!("{H}a,1 2,3,1\n"),
        2,
        3,
        "line 2, column 3 (lower): expected an integer, found \"1 2\"",
    );
    check_error(
        &format!("{H}a,0,9007199254740992,1\n"),
        2,
        5,
        "line 2, column 5 (upper): expected an integer of magnitude at most 9007199254740991, \
         found \"9007199254740992\"",
    );
    check_error(
        &format!("{H}a,-123456789012345678901234567890,0,1\n"),
        2,
        3,
        "line 2, column 3 (lower): expected an integer of magnitude at most 9007199254740991, \
         found \"-123456789012345678901234567890\"",
    );
    check_error(
        "id,lower,end,size\na,0,9007199254740991,1\n",
        2,
        5,
        "line 2, column 5 (end): expected an integer below 9007199254740991 (end is inclusive), \
         found \"9007199254740991\"",
    );
    check_error(
        "id,lower,upper,size,hint\na,0,1,1,soon\n",
        2,
        9,
        "line 2, column 9 (hint): expected an integer (negative or empty for none), found \"soon\"",
    );
    // Columns count characters, after the byte order mark, on CRLF lines too.
    check_error(
        "\u{feff}id,lower,upper,size\r\né,0,1,x\r\n",
        2,
        7,
        "line 2, column 7 (size): expected a non-negative integer, found \"x\"",
    );
    // Lines are physical: blank lines and line breaks inside quotes count.
    check_error(
        &format!("\n{H}\n\"a\nb\",0,1,x\n"),
        5,
        8,
        "line 5, column 8 (size): expected a non-negative integer, found \"x\"",
    );
    // A lone CR is a line break, inside quotes too; CRLF is one.
    check_error(
        "id,lower,upper,size\r\ra,0,1,1\r\n\"b\rc\",0,1,x\r",
        5,
        8,
        "line 5, column 8 (size): expected a non-negative integer, found \"x\"",
    );
    check_error(
        "id,lower,upper,size\rx,0,1,1\ry,0,1,1\r\r\"x\",0,1,1\r",
        5,
        1,
        "line 5, column 1 (id): expected a unique id, found \"x\" already used on line 2",
    );
}

#[test]
fn gap_syntax_errors() {
    let gap = |item: &str, reason: &str| {
        let input = format!("id,lower,upper,size,gaps\na,0,10,4,0-1 {item}\n");
        let message = format!(
            "line 2, column 10 (gaps): expected gaps like \"L-U\" or \"L-U@WL:WU\", \
             found {item:?} ({reason})"
        );
        check_error(&input, 2, 10, &message);
    };
    gap("1-", "no upper time after '-'");
    gap("x-3", "no lower time at the start");
    gap("1:3", "no '-' after the lower time");
    gap("1---3", "no upper time after '-'");
    gap("1-3x", "something other than '@' after the upper time");
    gap("1-3@:2", "no window lower offset after '@'");
    gap("1-3@2", "no ':' after the window lower offset");
    gap("1-3@0:", "no window upper offset after ':'");
    gap("1-3@0:2x", "something after the window");
    gap(
        "1-99999999999999999999",
        "a number of magnitude above 9007199254740991",
    );
    check_error(
        "id,lower,end,size,gaps\na,0,5,1,1-9007199254740991\n",
        2,
        9,
        "line 2, column 9 (gaps): expected gaps like \"L-U\" or \"L-U@WL:WU\", \
         found \"1-9007199254740991\" (an inclusive upper time must be below 9007199254740991)",
    );
}

#[test]
fn buffer_check_errors() {
    let gaps = "id,lower,upper,size,gaps\n";
    check_error(
        &format!("{H}a,0,3,-4\n"),
        2,
        7,
        "line 2, column 7 (size): expected a non-negative size, found -4",
    );
    check_error(
        &format!("{H}a,5,3,1\n"),
        2,
        5,
        "line 2, column 5 (upper): expected the lifespan to end at or after its start, found [5, 3)",
    );
    check_error(
        "id,lower,upper,size,alignment\na,0,3,1,0\n",
        2,
        9,
        "line 2, column 9 (alignment): expected an alignment of at least 1, found 0",
    );
    check_error(
        &format!("{gaps}a,0,10,4,8-12\n"),
        2,
        10,
        "line 2, column 10 (gaps): expected each gap forward and inside the lifespan, found [8, 12)",
    );
    check_error(
        &format!("{gaps}a,0,10,4,5-3\n"),
        2,
        10,
        "line 2, column 10 (gaps): expected each gap forward and inside the lifespan, found [5, 3)",
    );
    check_error(
        &format!("{gaps}a,0,10,4,1-4 3-5\n"),
        2,
        10,
        "line 2, column 10 (gaps): expected disjoint gaps, found [1, 4) overlapping [3, 5)",
    );
    check_error(
        &format!("{gaps}a,0,10,4,1-4@2:5\n"),
        2,
        10,
        "line 2, column 10 (gaps): expected each window forward and inside [0, size], found [2, 5)",
    );
    let misaligned = "expected a fixed offset that is non-negative and a multiple of the alignment";
    check_error(
        "id,lower,upper,size,alignment,offset\na,0,1,1,4,6\n",
        2,
        11,
        &format!("line 2, column 11 (offset): {misaligned}, found 6"),
    );
    check_error(
        "id,lower,upper,size,offset\na,0,1,1,0\n\nb,0,1,1,-4\n",
        4,
        9,
        &format!("line 4, column 9 (offset): {misaligned}, found -4"),
    );
    check_error(
        &format!("{H}x,0,1,1\ny,0,1,1\n\n\"x\",0,1,1\n"),
        5,
        1,
        "line 5, column 1 (id): expected a unique id, found \"x\" already used on line 2",
    );
}
