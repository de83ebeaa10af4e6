//! The wasm-bindgen layer in headless Chromium (wasm-bindgen-test): the functions the
//! package's JavaScript calls, with the shapes, error objects and callbacks it relies on.
//! Run by `.ci/run` through wasm-bindgen-test-runner and chromedriver.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use bufpack_web::{lower_bound, minimize, parse_csv, solve, solve_csv, to_csv, validate};

wasm_bindgen_test_configure!(run_in_browser);

const EXAMPLE: &str = include_str!("../../tests/fixtures/examples/input.12.csv");
const D: &str = include_str!("../../tests/fixtures/challenging/D.1048576.csv");
const K: &str = include_str!("../../tests/fixtures/challenging/K.1048576.csv");

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("an object")
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn string(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn assert_valid(problem: &JsValue, solution: &JsValue) {
    let verdict = validate(problem.clone(), solution.clone()).unwrap();
    assert_eq!(
        get(&verdict, "valid"),
        JsValue::TRUE,
        "{:?}",
        get(&verdict, "message")
    );
}

#[wasm_bindgen_test]
fn parses_solves_validates_and_writes_the_example() {
    let problem = parse_csv(EXAMPLE, Some(12.0)).unwrap();
    assert_eq!(number(&problem, "capacity"), 12.0);
    let solution = solve(problem.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(number(&solution, "height"), 12.0);
    assert_eq!(string(&solution, "status"), "solved");
    assert_eq!(number(&solution, "lowerBound"), 12.0);
    assert_valid(&problem, &solution);
    let csv = to_csv(problem, solution).unwrap();
    assert!(csv.starts_with("id,lower,upper,size,offset\n"), "{csv}");
}

#[wasm_bindgen_test]
fn a_csv_error_carries_code_line_column_and_field() {
    let error = parse_csv("id,lower,upper,size\nb1,0,3,4\nb2,0,3,-4\n", None).unwrap_err();
    assert_eq!(string(&error, "code"), "parse");
    assert_eq!(number(&error, "line"), 3.0);
    assert_eq!(number(&error, "column"), 8.0);
    assert_eq!(string(&error, "field"), "size");
}

#[wasm_bindgen_test]
fn infeasible_and_invalid_inputs_throw_their_codes() {
    let problem = parse_csv(EXAMPLE, Some(11.0)).unwrap();
    let error = solve(problem, JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap_err();
    assert_eq!(string(&error, "code"), "infeasible");
    assert_eq!(string(&get(&error, "reason"), "kind"), "load");

    let problem = parse_csv(EXAMPLE, Some(12.0)).unwrap();
    let params = options(&[("noSuchSwitch", JsValue::TRUE)]);
    let error = solve(problem.clone(), params, JsValue::UNDEFINED).unwrap_err();
    assert_eq!(string(&error, "code"), "invalid");
    assert!(string(&error, "message").contains("noSuchSwitch"));

    let error = solve(
        JsValue::from_str("nope"),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .unwrap_err();
    assert_eq!(string(&error, "code"), "invalid");
}

#[wasm_bindgen_test]
fn a_time_limit_stops_the_search_with_progress_on_the_way() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let on_progress = Closure::<dyn FnMut(JsValue)>::new(move |progress: JsValue| {
        sink.borrow_mut().push(number(&progress, "nodes"));
    });
    let control = options(&[
        ("timeoutSeconds", 0.5.into()),
        (
            "onProgress",
            on_progress
                .as_ref()
                .unchecked_ref::<Function>()
                .clone()
                .into(),
        ),
    ]);
    // At 990000, between D's bound and its best known packing, the search runs for minutes.
    let error = solve_csv(
        D,
        Some(990_000.0),
        false,
        "none",
        JsValue::UNDEFINED,
        control,
    )
    .unwrap_err();
    assert_eq!(string(&error, "code"), "timeout");
    assert!(number(&error, "elapsedSeconds") >= 0.5);
    let seen = seen.borrow();
    assert!(seen.len() >= 2, "{} progress reports", seen.len());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
}

#[wasm_bindgen_test]
fn minimise_proves_k_optimal_at_its_load() {
    let problem = parse_csv(K, None).unwrap();
    let solution = minimize(problem.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(string(&solution, "status"), "optimal");
    assert_eq!(number(&solution, "height"), 1_048_576.0);
    assert_eq!(number(&solution, "gapPercent"), 0.0);
    assert_valid(&problem, &solution);
    let bound = lower_bound(problem).unwrap();
    assert_eq!(number(&bound, "load"), 1_048_576.0);
}

#[wasm_bindgen_test]
fn every_improvement_reaches_the_callback_and_the_last_is_returned() {
    let heights = Rc::new(RefCell::new(Vec::new()));
    let sink = heights.clone();
    let on_improved = Closure::<dyn FnMut(JsValue)>::new(move |improved: JsValue| {
        sink.borrow_mut().push(number(&improved, "height"));
    });
    let control = options(&[
        ("timeoutSeconds", 0.3.into()),
        (
            "onImproved",
            on_improved
                .as_ref()
                .unchecked_ref::<Function>()
                .clone()
                .into(),
        ),
    ]);
    let result = solve_csv(D, None, true, "objects", JsValue::UNDEFINED, control).unwrap();
    let solution = get(&result, "solution");
    assert_valid(&get(&result, "problem"), &solution);
    let heights = heights.borrow();
    assert!(!heights.is_empty());
    assert!(heights.windows(2).all(|w| w[0] > w[1]), "{heights:?}");
    assert_eq!(heights.last().copied(), Some(number(&solution, "height")));
}

#[wasm_bindgen_test]
fn columns_carry_the_problem_and_offsets_as_typed_arrays() {
    let result = solve_csv(
        EXAMPLE,
        Some(12.0),
        false,
        "columns",
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .unwrap();
    let columns = get(&result, "columns");
    let column = |key: &str| js_sys::Float64Array::from(get(&columns, key)).to_vec();
    assert_eq!(column("lower"), [0.0, 3.0, 0.0, 9.0, 0.0]);
    assert_eq!(column("size"), [4.0; 5]);
    assert!(column("fixed").iter().all(|f| f.is_nan()));
    // The offsets travel once, in the columns; the same solve's plain answer has them too.
    let solution = get(&result, "solution");
    assert!(get(&solution, "offsets").is_undefined());
    let plain = solve_csv(
        EXAMPLE,
        Some(12.0),
        false,
        "none",
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .unwrap();
    let offsets: Vec<f64> = js_sys::Array::from(&get(&get(&plain, "solution"), "offsets"))
        .iter()
        .map(|o| o.as_f64().unwrap())
        .collect();
    assert_eq!(column("offsets"), offsets);
    assert_eq!(
        js_sys::Uint32Array::from(get(&columns, "idEnds")).length(),
        5
    );
    let bytes = js_sys::Uint8Array::from(get(&columns, "idBytes")).to_vec();
    assert_eq!(String::from_utf8(bytes).unwrap(), "b1b2b3b4b5");
    let error = solve_csv(
        EXAMPLE,
        Some(12.0),
        false,
        "rows",
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )
    .unwrap_err();
    assert_eq!(string(&error, "code"), "invalid");
}
