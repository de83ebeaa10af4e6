//! Reading a recorded search from the package's objects (what `traceSearch` and
//! `traceInWorker` resolve to), field by field. serde-wasm-bindgen did this before at about
//! 8 KB gzipped of the viewer's `.wasm`, which every page embedding a replay downloads.
//!
//! The reader works on any [`Value`]: JavaScript values in the browser, JSON in the unit
//! tests, so the code the pages run is the code the tests check. Errors name the path of the
//! first bad field, e.g. `trace.events[3].buffer: expected a non-negative integer, found "x"`.

use crate::teach::replay::{Candidate, Counts, Event, Prune, Prunes, Trace, TraceSolution};

/// A value of the package's object shapes, as the reader needs to see it.
pub trait Value: Sized {
    /// The field `key` of an object; `None` when missing, `undefined` or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    fn number(&self) -> Option<f64>;
    fn text(&self) -> Option<String>;
    fn boolean(&self) -> Option<bool>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// A short rendering for messages.
    fn describe(&self) -> String;
}

impl Value for wasm_bindgen::JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        js_sys::Reflect::get(self, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        js_sys::Array::is_array(self).then(|| js_sys::Array::from(self).iter().collect())
    }
    fn describe(&self) -> String {
        if let Some(text) = self.as_string() {
            format!("{text:?}")
        } else if js_sys::Array::is_array(self) {
            "an array".into()
        } else if self.is_object() {
            "an object".into()
        } else {
            String::from(js_sys::JsString::from(self.clone()))
        }
    }
}

/// The trace in `value`; `path` names it in messages (`trace`).
pub fn trace<V: Value>(value: &V, path: &str) -> Result<Trace, String> {
    let r = Reader { value, path };
    Ok(Trace {
        outcome: r.text("outcome")?,
        solution: r
            .optional("solution")
            .map(|s| {
                Ok::<_, String>(TraceSolution {
                    offsets: s.list("offsets", |item| item.int(i64::MIN))?,
                    height: s.int_field("height", 0)?,
                })
            })
            .transpose()?,
        message: r.optional("message").map(|m| m.string()).transpose()?,
        events: r.list("events", event)?,
        counts: r
            .optional("counts")
            .map(|c| counts(c.reader()))
            .transpose()?
            .unwrap_or_default(),
        truncated: r
            .optional("truncated")
            .map(|t| t.bool())
            .transpose()?
            .unwrap_or(false),
        sections: r.list("sections", |item| item.int(i64::MIN))?,
        ordering: r.optional("ordering").map(|o| o.string()).transpose()?,
        nodes: r.count("nodes")?,
        backtracks: r.count("backtracks")?,
    })
}

fn event<V: Value>(r: Reader<'_, V>) -> Result<Event, String> {
    Ok(match r.text("kind")?.as_str() {
        "enter" => Event::Enter {
            first_section: r.int_field("firstSection", 0)? as u32,
            last_section: r.int_field("lastSection", 0)? as u32,
        },
        "candidates" => Event::Candidates {
            candidates: r.list("candidates", candidate)?,
        },
        "place" => Event::Place(candidate(r)?),
        "unplace" => Event::Unplace(candidate(r)?),
        "split" => Event::Split {
            runs: r.list("runs", |run| {
                let ends = run.list_of_self(|end| end.int(0))?;
                match ends[..] {
                    [first, last] => Ok((first as u32, last as u32)),
                    _ => Err(format!("{}: expected [first, last]", run.path)),
                }
            })?,
        },
        "prune" => {
            let opt = |key: &str, min: i64| r.optional_int(key, min);
            Event::Prune(Prune {
                technique: r.text("technique")?,
                rule: r.text("rule")?,
                buffer: opt("buffer", 0)?.map(|b| b as usize),
                offset: opt("offset", i64::MIN)?,
                top: opt("top", i64::MIN)?,
                section: opt("section", 0)?.map(|s| s as u32),
                time: opt("time", i64::MIN)?,
                floor: opt("floor", i64::MIN)?,
                total: opt("total", i64::MIN)?,
                dropped: match r.optional("dropped") {
                    Some(dropped) => dropped.list_of_self(candidate)?,
                    None => Vec::new(),
                },
                skipped: opt("skipped", 0)?.map(|s| s as u32),
            })
        }
        // "backtrack", and any kind a newer package may add: nothing to replay.
        _ => Event::Backtrack,
    })
}

fn candidate<V: Value>(r: Reader<'_, V>) -> Result<Candidate, String> {
    Ok(Candidate {
        buffer: r.int_field("buffer", 0)? as usize,
        offset: r.int_field("offset", i64::MIN)?,
    })
}

fn counts<V: Value>(r: Reader<'_, V>) -> Result<Counts, String> {
    let prunes = match r.optional("prunes") {
        Some(p) => Prunes {
            capacity: p.count("capacity")?,
            canonical: p.count("canonical")?,
            section: p.count("section")?,
            dominance: p.count("dominance")?,
            hatless: p.count("hatless")?,
        },
        None => Prunes::default(),
    };
    Ok(Counts {
        nodes: r.count("nodes")?,
        placements: r.count("placements")?,
        backtracks: r.count("backtracks")?,
        splits: r.count("splits")?,
        prunes,
    })
}

/// A value and its path, for messages.
struct Reader<'a, V> {
    value: &'a V,
    path: &'a str,
}

/// A value read from a field or an item, owning both.
struct Owned<V> {
    value: V,
    path: String,
}

impl<V: Value> Owned<V> {
    fn reader(&self) -> Reader<'_, V> {
        Reader {
            value: &self.value,
            path: &self.path,
        }
    }
}

impl<V: Value> Reader<'_, V> {
    fn expected<T>(&self, what: &str) -> Result<T, String> {
        Err(format!(
            "{}: expected {what}, found {}",
            self.path,
            self.value.describe()
        ))
    }

    fn optional(&self, key: &str) -> Option<Owned<V>> {
        self.value.field(key).map(|value| Owned {
            value,
            path: format!("{}.{key}", self.path),
        })
    }

    fn required(&self, key: &str) -> Result<Owned<V>, String> {
        self.optional(key)
            .ok_or_else(|| format!("{}.{key}: missing", self.path))
    }

    fn string(&self) -> Result<String, String> {
        match self.value.text() {
            Some(text) => Ok(text),
            None => self.expected("a string"),
        }
    }

    fn bool(&self) -> Result<bool, String> {
        match self.value.boolean() {
            Some(flag) => Ok(flag),
            None => self.expected("true or false"),
        }
    }

    /// An integer of at least `min`. Numbers past 2^53 arrive rounded (a capacity prune's
    /// top may, and says only "above the capacity"); they are taken as they are.
    fn int(&self, min: i64) -> Result<i64, String> {
        match self.value.number() {
            Some(n) if n.is_finite() && n.fract() == 0.0 && n >= min as f64 => Ok(n as i64),
            _ if min >= 0 => self.expected("a non-negative integer"),
            _ => self.expected("an integer"),
        }
    }

    fn text(&self, key: &str) -> Result<String, String> {
        self.required(key)?.reader().string()
    }

    fn int_field(&self, key: &str, min: i64) -> Result<i64, String> {
        self.required(key)?.reader().int(min)
    }

    fn optional_int(&self, key: &str, min: i64) -> Result<Option<i64>, String> {
        self.optional(key).map(|v| v.reader().int(min)).transpose()
    }

    /// A count (missing: 0).
    fn count(&self, key: &str) -> Result<u64, String> {
        Ok(self.optional_int(key, 0)?.unwrap_or(0) as u64)
    }

    /// The items of this array, each read by `read`.
    fn list_of_self<T>(
        &self,
        read: impl Fn(Reader<'_, V>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let Some(items) = self.value.items() else {
            return self.expected("an array");
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                let item = Owned {
                    value,
                    path: format!("{}[{i}]", self.path),
                };
                read(item.reader())
            })
            .collect()
    }

    /// The array in field `key`, each item read by `read`.
    fn list<T>(
        &self,
        key: &str,
        read: impl Fn(Reader<'_, V>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.required(key)?.reader().list_of_self(read)
    }
}

impl<V: Value> Owned<V> {
    fn list<T>(
        &self,
        key: &str,
        read: impl Fn(Reader<'_, V>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.reader().list(key, read)
    }
    fn int_field(&self, key: &str, min: i64) -> Result<i64, String> {
        self.reader().int_field(key, min)
    }
    fn string(&self) -> Result<String, String> {
        self.reader().string()
    }
    fn bool(&self) -> Result<bool, String> {
        self.reader().bool()
    }
    fn count(&self, key: &str) -> Result<u64, String> {
        self.reader().count(key)
    }
    fn list_of_self<T>(
        &self,
        read: impl Fn(Reader<'_, V>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.reader().list_of_self(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Value for serde_json::Value {
        fn field(&self, key: &str) -> Option<Self> {
            self.get(key).filter(|v| !v.is_null()).cloned()
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn text(&self) -> Option<String> {
            self.as_str().map(String::from)
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<Self>> {
            self.as_array().cloned()
        }
        fn describe(&self) -> String {
            self.to_string()
        }
    }

    fn read(json: &str) -> Result<Trace, String> {
        trace(
            &serde_json::from_str::<serde_json::Value>(json).unwrap(),
            "trace",
        )
    }

    const EVENTS: &str = r#"[{"kind":"enter","firstSection":0,"lastSection":3},
        {"kind":"candidates","candidates":[{"buffer":1,"offset":0},{"buffer":2,"offset":4}]},
        {"kind":"place","buffer":1,"offset":0},
        {"kind":"prune","technique":"section","rule":"section","section":2,"time":6,"floor":5,"total":4},
        {"kind":"prune","technique":"dominance","rule":"dominance","top":9007199254740993,"dropped":[{"buffer":2,"offset":4}]},
        {"kind":"split","runs":[[0,1],[2,3]]},{"kind":"unplace","buffer":1,"offset":0},
        {"kind":"backtrack"},{"kind":"a-kind-from-a-newer-package"}]"#;

    #[test]
    fn a_trace_reads_from_the_packages_shapes() {
        let json = format!(
            r#"{{"outcome":"solved","solution":{{"offsets":[0,4,0],"height":8,"status":"solved"}},
            "events":{EVENTS},"counts":{{"nodes":3,"placements":1,"unplacements":1,"splits":1,
            "backtracks":1,"prunes":{{"capacity":0,"canonical":0,"section":1,"dominance":1,"hatless":0}}}},
            "truncated":false,"sections":[3,6,9,12],"ordering":"WAT","nodes":3,"backtracks":1,
            "elapsedSeconds":0.001}}"#
        );
        let trace = read(&json).expect("a valid trace");
        assert_eq!(trace.outcome, "solved");
        assert_eq!(trace.solution.as_ref().map(|s| s.height), Some(8));
        assert_eq!(trace.sections, vec![3, 6, 9, 12]);
        assert_eq!((trace.nodes, trace.backtracks), (3, 1));
        assert_eq!(trace.counts.prunes.section, 1);
        assert_eq!(trace.ordering.as_deref(), Some("WAT"));
        let events = &trace.events;
        assert_eq!(events.len(), 9);
        assert_eq!(
            events[0],
            Event::Enter {
                first_section: 0,
                last_section: 3
            }
        );
        assert_eq!(
            events[1],
            Event::Candidates {
                candidates: vec![
                    Candidate {
                        buffer: 1,
                        offset: 0
                    },
                    Candidate {
                        buffer: 2,
                        offset: 4
                    }
                ]
            }
        );
        let Event::Prune(prune) = &events[3] else {
            panic!("a prune")
        };
        assert_eq!(
            (prune.section, prune.time, prune.floor, prune.total),
            (Some(2), Some(6), Some(5), Some(4))
        );
        let Event::Prune(dominance) = &events[4] else {
            panic!("a prune")
        };
        // Past 2^53 a top arrives rounded, and is taken as it is.
        assert!(dominance.top.is_some_and(|top| top > 9_007_199_254_740_991));
        assert_eq!(dominance.dropped.len(), 1);
        assert_eq!(
            events[5],
            Event::Split {
                runs: vec![(0, 1), (2, 3)]
            }
        );
        assert_eq!(events[7], Event::Backtrack);
        assert_eq!(events[8], Event::Backtrack);
    }

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        let bad = |events: &str| {
            read(&format!(
                r#"{{"outcome":"stopped","events":{events},"sections":[]}}"#
            ))
            .unwrap_err()
        };
        assert_eq!(
            bad(r#"[{"kind":"place","buffer":"x","offset":0}]"#),
            r#"trace.events[0].buffer: expected a non-negative integer, found "x""#
        );
        assert_eq!(
            bad(r#"[{"kind":"enter"},{"kind":"place","buffer":1}]"#),
            "trace.events[0].firstSection: missing"
        );
        assert_eq!(
            bad(r#"[{"kind":"split","runs":[[0,1,2]]}]"#),
            "trace.events[0].runs[0]: expected [first, last]"
        );
        assert_eq!(
            bad(r#"[{"kind":"place","buffer":1.5,"offset":0}]"#),
            "trace.events[0].buffer: expected a non-negative integer, found 1.5"
        );
        assert_eq!(
            bad(r#"{"a":1}"#),
            r#"trace.events: expected an array, found {"a":1}"#
        );
        assert_eq!(
            read(r#"{"events":[],"sections":[]}"#).unwrap_err(),
            "trace.outcome: missing"
        );
        assert_eq!(
            read(r#"{"outcome":"solved","events":[]}"#).unwrap_err(),
            "trace.sections: missing"
        );
    }

    /// Optional parts may be absent: a trace written by hand needs only what it replays.
    #[test]
    fn optional_parts_default() {
        let trace = read(r#"{"outcome":"stopped","events":[],"sections":[]}"#).unwrap();
        assert_eq!(trace.counts, Counts::default());
        assert!(!trace.truncated && trace.solution.is_none() && trace.message.is_none());
    }
}
