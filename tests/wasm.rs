//! The core and its JavaScript surface, run as WebAssembly: in Node (`wasm-pack test --node`) and in a
//! dedicated worker of headless Chromium (`WASM_BINDGEN_USE_DEDICATED_WORKER=1 wasm-pack test --headless
//! --chrome`), the environment the browser app trains in.
#![cfg(target_arch = "wasm32")]

mod common;

use common::gradient;
use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use rnnscope::tape::Tape;
use rnnscope::wasm::{Session, Stepper};
use rnnscope::{model_file, CellKind, Model, State, Vocab};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).expect("property")
}

fn num(o: &JsValue, key: &str) -> f64 {
    get(o, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn settings(cell: &str, seed: u32) -> JsValue {
    let json = format!(
        r#"{{"cell":"{cell}","hidden":16,"layers":2,"seqLen":8,"batch":2,"optimizer":"adam","lr":0.01,"clip":5,"seed":{seed},"valFraction":0.1}}"#
    );
    js_sys::JSON::parse(&json).expect("valid JSON")
}

fn error_message(e: wasm_bindgen::JsError) -> String {
    let v = JsValue::from(e);
    get(&v, "message")
        .as_string()
        .expect("an Error with a message")
}

/// Finite differences on every parameter of a 2-layer model, 6 steps, 2 streams, in wasm arithmetic
/// (SIMD128, no FMA), without and with clamped units: the gradients the browser trains with are right.
#[wasm_bindgen_test]
fn gradient_check_in_wasm() {
    use rnnscope::clamp::{Clamp, ClampedTensor};
    let cells = [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(rnnscope::cell::Activation::Tanh),
    ];
    let clamped = |cell: CellKind| {
        let mut c = vec![Clamp {
            layer: 1,
            tensor: ClampedTensor::H,
            unit: 2,
            value: 0.6,
        }];
        if cell == CellKind::Lstm {
            c.push(Clamp::ablate(0, ClampedTensor::C, 1));
        }
        c
    };
    for (cell, clamps) in cells
        .iter()
        .flat_map(|&cell| [(cell, Vec::new()), (cell, clamped(cell))])
    {
        let mut model = Model::new(cell, 4, 2, Vocab::from_text("abcd").unwrap(), 3).unwrap();
        for p in &mut model.params {
            *p *= 2.5;
        }
        let mut tape = Tape::new(&model.config, 6, 2).unwrap();
        tape.set_clamps(&clamps).unwrap();
        for r in 0..12 {
            tape.inputs[r] = (r * 7 % 4) as u32;
            tape.targets[r] = (r * 5 % 4) as u32;
        }
        let loss =
            |m: &Model, tape: &mut Tape| tape.forward(m, &mut State::zeros(&m.config, 2), 6).loss;
        let fwd = tape.forward(&model, &mut State::zeros(&model.config, 2), 6);
        let mut grads = vec![0.0; model.params.len()];
        tape.backward(&model, fwd, &mut grads);
        let worst = gradient::check(4e-3, &grads, |i, delta| {
            let orig = model.params[i];
            model.params[i] = orig + delta;
            let l = loss(&model, &mut tape);
            model.params[i] = orig;
            l
        });
        assert!(worst.ok(), "{cell:?} {clamps:?} parameter {worst:?}");
    }
}

/// Connectivity in wasm arithmetic: the gradient of one score with respect to each one-hot input, against
/// finite differences (moving input `t` from `e_x` by `δ·e_j` is moving column `x` of `W_ih` by `δ` times
/// column `j`, as the characters are distinct).
#[wasm_bindgen_test]
fn connectivity_gradient_in_wasm() {
    for cell in [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(rnnscope::cell::Activation::Tanh),
    ] {
        let mut model = Model::new(cell, 5, 2, Vocab::from_text("abcdef").unwrap(), 4).unwrap();
        for p in &mut model.params {
            *p *= 2.5;
        }
        let ids = [3u32, 0, 5, 1, 4];
        let (v, gh) = (6, cell.gates() * 5);
        let score = |m: &Model| {
            let mut tape = Tape::new(&m.config, 5, 1).unwrap();
            tape.inputs[..5].copy_from_slice(&ids);
            let _ = tape.forward(m, &mut State::zeros(&m.config, 1), 5);
            tape.logits(4, 0)[2]
        };
        let mut tape = Tape::new(&model.config, 5, 1).unwrap();
        tape.inputs[..5].copy_from_slice(&ids);
        let fwd = tape.forward(&model, &mut State::zeros(&model.config, 1), 5);
        let mut grads = vec![0.0; model.params.len()];
        tape.backward_score(&model, fwd, 4, 0, 2, &mut grads);
        let mut analytic = vec![0.0; 5 * v];
        tape.input_grads(&model, 5, &mut analytic);
        let w = model.layout.get("rnn.weight_ih_l0").unwrap().range.clone();
        let worst = gradient::check(2e-3, &analytic, |k, delta| {
            let (t, j) = (k / v, k % v);
            let mut m = model.clone();
            let x = ids[t] as usize;
            for row in 0..gh {
                let add = delta * m.params[w.start + row * v + j];
                m.params[w.start + row * v + x] += add;
            }
            score(&m)
        });
        assert!(
            worst.ok(),
            "{cell:?} input (t, j) = ({}, {}): {worst:?}",
            worst.index / v,
            worst.index % v
        );
    }
}

/// The instruments through the JavaScript surface: `analyse` returns plain objects, refuses bad requests with
/// a message, and `setClamps` changes what the probe and the sampler see.
#[wasm_bindgen_test]
fn instruments_through_the_session() {
    let text = "(ab (ba \"ab\") ab) [a] {b (a)}\n".repeat(8);
    let mut s = Session::new(settings("lstm", 3), text.clone()).unwrap();
    s.train(20).unwrap();
    let request = |json: &str| js_sys::JSON::parse(json).expect("valid JSON");
    let short = "(ab \"ba\") [a]";
    let cells = s
        .analyse(request(&format!(
            r#"{{"kind":"cells","text":{:?},"top":2,"matched":[{{"pattern":"a+","ranges":[[1,2],[6,7]]}}]}}"#,
            short
        )))
        .unwrap();
    assert_eq!(get(&cells, "kind").as_string().unwrap(), "cells");
    assert_eq!(num(&cells, "units"), 2.0 * 6.0 * 16.0);
    let features = js_sys::Array::from(&get(&cells, "features"));
    let last = features.get(features.length() - 1);
    assert_eq!(get(&last, "feature").as_string().unwrap(), "match:a+");
    let errors = s
        .analyse(request(&format!(
            r#"{{"kind":"errors","text":{:?}}}"#,
            short
        )))
        .unwrap();
    let counts = js_sys::Array::from(&get(&errors, "counts"));
    let total: f64 = counts.iter().map(|c| num(&c, "count")).sum();
    assert_eq!(total, num(&errors, "errors"));
    let conn = s
        .analyse(request(&format!(
            r#"{{"kind":"connectivity","text":{:?},"position":8,"window":4}}"#,
            short
        )))
        .unwrap();
    assert_eq!(num(&conn, "from"), 5.0);
    assert_eq!(js_sys::Array::from(&get(&conn, "norms")).length(), 4);
    let abl = s
        .analyse(request(&format!(
            r#"{{"kind":"ablation","text":{:?},"clamps":[{{"layer":1,"tensor":"h","unit":3}}]}}"#,
            short
        )))
        .unwrap();
    assert_eq!(js_sys::Array::from(&get(&abl, "clamped")).length(), 12);
    let sat = s
        .analyse(request(&format!(
            r#"{{"kind":"saturation","text":{:?}}}"#,
            short
        )))
        .unwrap();
    assert_eq!(js_sys::Array::from(&get(&sat, "gates")).length(), 2 * 3);

    for (bad, needle) in [
        (
            r#"{"kind":"nonsense","text":"ab"}"#,
            "invalid analysis request",
        ),
        (r#"{"kind":"cells"}"#, "invalid analysis request"),
        (r#"{"text":"ab"}"#, "needs a \"kind\""),
        (
            r#"{"kind":"cells","text":"ab","position":1}"#,
            "unknown field `position`",
        ),
        (r#"{"kind":"cells","text":""}"#, "empty"),
        (r#"{"kind":"cells","text":"ab","top":0}"#, "top 0"),
        (
            r#"{"kind":"cells","text":"ab","regex":["a"]}"#,
            "no regular-expression engine",
        ),
        (
            r#"{"kind":"cells","text":"ab","matched":[{"pattern":"a","ranges":[[1,3]]}]}"#,
            "outside the text",
        ),
        (
            r#"{"kind":"connectivity","text":"ab","position":1}"#,
            "no next character",
        ),
        (
            r#"{"kind":"ablation","text":"ab","clamps":[]}"#,
            "at least one unit",
        ),
        (
            r#"{"kind":"ablation","text":"ab","clamps":[{"layer":5,"tensor":"h","unit":0}]}"#,
            "layer",
        ),
    ] {
        let msg = error_message(s.analyse(request(bad)).unwrap_err());
        assert!(msg.contains(needle), "{bad}: {msg}");
    }
    let huge = format!(r#"{{"kind":"saturation","text":{:?}}}"#, "a".repeat(20_001));
    assert!(error_message(s.analyse(request(&huge)).unwrap_err()).contains("at most"));

    // Clamps: the probe shows the held value, the sampler writes other text, bad clamps change nothing.
    s.sample_begin("(a", 1.0, 0, 7).unwrap();
    let free = s.sample_next(60).unwrap();
    s.set_clamps(request(r#"[{"layer":0,"tensor":"h","unit":4,"value":1}]"#))
        .unwrap();
    let p = s.probe(short);
    let h = Float32Array::from(get(&p, "h")).to_vec();
    assert!(
        (0..12).all(|t| h[t * 2 * 16 + 4] == 1.0),
        "h[0][4] held at 1"
    );
    s.sample_begin("(a", 1.0, 0, 7).unwrap();
    assert_ne!(s.sample_next(60).unwrap(), free);
    let msg = error_message(
        s.set_clamps(request(r#"[{"layer":0,"tensor":"h","unit":99}]"#))
            .unwrap_err(),
    );
    assert!(msg.contains("units"), "{msg}");
    s.set_clamps(request("[]")).unwrap();
    s.sample_begin("(a", 1.0, 0, 7).unwrap();
    assert_eq!(s.sample_next(60).unwrap(), free);
}

#[wasm_bindgen_test]
fn model_file_round_trip_is_bit_exact() {
    let model = Model::new(
        CellKind::Lstm,
        8,
        2,
        Vocab::from_text("héllo wörld\n").unwrap(),
        9,
    )
    .unwrap();
    let bytes = model_file::to_bytes(&model, &BTreeMap::new());
    let (back, _) = model_file::from_bytes(&bytes).unwrap();
    assert_eq!(back.vocab, model.vocab);
    assert_eq!(back.config, model.config);
    let bits = |m: &Model| m.params.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back), bits(&model));
}

#[wasm_bindgen_test]
fn session_trains_and_round_trips_through_bytes() {
    let text = rnnscope::corpus::get("hello").unwrap();
    let mut a = Session::new(settings("lstm", 7), text.clone()).unwrap();
    let first = a.train(1).unwrap();
    let later = a.train(150).unwrap();
    assert!(
        num(&later, "loss") < num(&first, "loss") * 0.5,
        "training on hello lowers the loss"
    );
    assert_eq!(num(&later, "step"), 151.0);
    assert_eq!(Float32Array::from(get(&later, "losses")).length(), 150);

    let bytes: Uint8Array = a.model_bytes(None);
    let b = Session::from_model(&bytes.to_vec(), settings("lstm", 1), text).unwrap();
    assert_eq!(num(&b.info(), "step"), 151.0);
    let mut b = b;
    let probs = |s: &mut Session| Float32Array::from(get(&s.probe("hel"), "probs")).to_vec();
    assert_eq!(
        probs(&mut a),
        probs(&mut b),
        "identical predictions after a byte round trip"
    );
}

/// The page's settings are read field by field: regularisation and schedules reach the trainer (dropout changes
/// the losses, a run with it is reproducible), and a misspelt, mistyped or out-of-range field is refused by name.
#[wasm_bindgen_test]
fn settings_with_dropout_and_a_schedule_train_and_bad_ones_are_refused() {
    let text = rnnscope::corpus::get("about").unwrap();
    let with = |extra: &str| {
        let json = format!(
            r#"{{"cell":"lstm","hidden":16,"layers":2,"seqLen":8,"batch":2,"optimizer":"adamw","lr":0.01,"clip":5,"seed":3,"valFraction":0.1{extra}}}"#
        );
        js_sys::JSON::parse(&json).expect("valid JSON")
    };
    let losses = |extra: &str| {
        let mut s = Session::new(with(extra), text.clone()).unwrap();
        Float32Array::from(get(&s.train(5).unwrap(), "losses")).to_vec()
    };
    let plain = losses("");
    let regular =
        r#","dropout":0.3,"schedule":"cosine","warmup":2,"scheduleSteps":50,"weightDecay":0.1"#;
    let dropped = losses(regular);
    for one in [
        r#","dropout":0.3"#,
        r#","warmup":2"#,
        r#","weightDecay":0.5"#,
    ] {
        assert_ne!(plain, losses(one), "{one} changes training");
    }
    assert_eq!(
        dropped,
        losses(regular),
        "and a run with them repeats exactly"
    );
    assert_eq!(plain, losses(r#","dropout":0"#), "p = 0 is no dropout");

    let s = Session::new(with(regular), text.clone()).unwrap();
    let config = r#"{"cell":"lstm","dropout":0.3,"schedule":"cosine"}"#;
    let bytes = s.model_bytes(Some(config.to_string())).to_vec();
    let (_, extra) = rnnscope::model_file::from_bytes(&bytes).unwrap();
    assert_eq!(extra.get("train_config").map(String::as_str), Some(config));

    for (bad, needle) in [
        (r#","dropuot":0.2"#, "unknown field `dropuot`"),
        (r#","dropout":"0.2""#, "`dropout` must be a number"),
        (r#","warmup":1.5"#, "`warmup` must be a whole number"),
        (r#","dropout":1.5"#, "dropout"),
        (r#","schedule":"linear""#, "linear"),
    ] {
        let e = error_message(Session::new(with(bad), text.clone()).err().expect(bad));
        assert!(e.contains(needle), "{bad}: {e}");
    }
}

/// The autosave path: model bytes plus training state bring a run back exactly; a state for other weights is
/// refused with the reason and changes nothing.
#[wasm_bindgen_test]
fn a_session_resumed_from_its_training_state_goes_on_exactly() {
    let text = rnnscope::corpus::get("brackets").unwrap();
    let text: String = text.chars().take(3000).collect();
    let mut a = Session::new(settings("gru", 3), text.clone()).unwrap();
    a.train(30).unwrap();
    let model = a.model_bytes(None).to_vec();
    let state = a.training_state().to_vec();
    let want = Float32Array::from(get(&a.train(20).unwrap(), "losses")).to_vec();

    let mut b = Session::from_model(&model, settings("gru", 3), text.clone()).unwrap();
    let resumed = b.resume(&state).unwrap();
    assert_eq!(get(&resumed, "exact").as_bool(), Some(true));
    let got = Float32Array::from(get(&b.train(20).unwrap(), "losses")).to_vec();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&want), "the same 20 losses after a resume");
    assert_eq!(a.model_bytes(None).to_vec(), b.model_bytes(None).to_vec());

    // The state of 50 steps does not belong to the weights of 30.
    let mut c = Session::from_model(&model, settings("gru", 3), text).unwrap();
    let message = error_message(c.resume(&a.training_state().to_vec()).unwrap_err());
    assert!(message.contains("other weights"), "{message}");
    assert_eq!(num(&c.info(), "step"), 30.0);
}

#[wasm_bindgen_test]
fn probe_is_incremental() {
    let mut s = Session::new(
        settings("gru", 2),
        "abcabcabcabcabcabcabcabcabcabcabc".into(),
    )
    .unwrap();
    let first = s.probe("abc");
    assert_eq!((num(&first, "from"), num(&first, "steps")), (0.0, 3.0));
    let next = s.probe("abca");
    assert_eq!((num(&next, "from"), num(&next, "steps")), (3.0, 1.0));
    assert_eq!(Float32Array::from(get(&next, "gate")).length(), 2 * 3 * 16);
    let unknown = s.probe("abcaZ");
    assert_eq!(
        js_sys::Int32Array::from(get(&unknown, "input")).to_vec(),
        vec![-1]
    );
}

#[wasm_bindgen_test]
fn probe_keep_answers_from_no_further_than_the_page_holds() {
    let mut s = Session::new(
        settings("gru", 2),
        "abcabcabcabcabcabcabcabcabcabcabc".into(),
    )
    .unwrap();
    let whole = s.probe("abcabc");
    // The page deleted three characters itself: the next probe starts where its copy ends, with the same numbers.
    s.probe_keep(3);
    let next = s.probe("abcabcab");
    assert_eq!((num(&next, "from"), num(&next, "steps")), (3.0, 5.0));
    let h = |o: &Object| Float32Array::from(get(o, "h")).to_vec();
    assert_eq!(h(&next)[..3 * 2 * 16], h(&whole)[3 * 2 * 16..]);
    // Keeping more than there is changes nothing.
    s.probe_keep(100);
    let same = s.probe("abcabcabc");
    assert_eq!((num(&same, "from"), num(&same, "steps")), (8.0, 1.0));
}

#[wasm_bindgen_test]
fn a_fresh_probe_is_built_in_slices_from_a_snapshot_and_swapped_in() {
    let text = "abcabcabcabcabcabcabcabcabcabcabc";
    let floats = |o: &Object, key: &str| Float32Array::from(get(o, key)).to_vec();
    let mut s = Session::new(settings("lstm", 4), text.into()).unwrap();
    s.probe("abcab");
    s.probe_fresh_begin().unwrap();
    assert!(!s.probe_fresh_advance("abcabca", 3).unwrap());
    let early = error_message(s.probe_fresh_swap().unwrap_err());
    assert!(early.contains("not reached the end"), "{early}");
    // Training moves the weights on; the fresh probe keeps the snapshot, and a keystroke is answered from the
    // probe shown, one character.
    s.train(3).unwrap();
    let key = s.probe("abcabc");
    assert_eq!((num(&key, "from"), num(&key, "steps")), (5.0, 1.0));
    // The text grew while the fresh probe was on its way: it goes on towards the new text.
    assert!(!s.probe_fresh_advance("abcabca", 3).unwrap());
    assert!(s.probe_fresh_advance("abcabca", 3).unwrap());
    let swapped = s.probe_fresh_swap().unwrap();
    assert_eq!((num(&swapped, "from"), num(&swapped, "steps")), (0.0, 7.0));
    // Exactly what a probe from scratch with the weights of the snapshot says.
    let mut untrained = Session::new(settings("lstm", 4), text.into()).unwrap();
    let whole = untrained.probe("abcabca");
    for key in ["h", "c", "gate", "logits", "probs", "params"] {
        assert_eq!(floats(&swapped, key), floats(&whole, key), "{key}");
    }
    // Keystrokes go on from the swapped-in probe; nothing is left to swap.
    let next = s.probe("abcabcab");
    assert_eq!((num(&next, "from"), num(&next, "steps")), (7.0, 1.0));
    assert!(error_message(s.probe_fresh_swap().unwrap_err()).contains("no fresh probe"));
    assert!(error_message(s.probe_fresh_advance("abc", 1).unwrap_err()).contains("no fresh probe"));
}

#[wasm_bindgen_test]
fn a_stepper_goes_on_from_a_probe_with_its_weights_exactly() {
    // The page computes a keystroke itself (src/wasm/stepper.rs) from an answer from position 0, which carries the
    // weights, and the state at its last character: the numbers are the engine's own.
    let text = "abcabcabcabcabcabcabcabcabcabcabc";
    let floats = |o: &Object, key: &str| Float32Array::from(get(o, key)).to_vec();
    for cell in ["rnn", "lstm", "gru"] {
        let mut s = Session::new(settings(cell, 5), text.into()).unwrap();
        s.train(2).unwrap();
        let shown = s.probe("abcab");
        let params = floats(&shown, "params");
        let info = s.info();
        assert_eq!(params.len() as f64, num(&info, "params"), "{cell}");
        let vocab: String = js_sys::Array::from(&get(&info, "vocab"))
            .iter()
            .map(|c| c.as_string().unwrap())
            .collect();
        let mut stepper =
            Stepper::new(cell, Some("tanh".into()), 16, 2, &vocab, params.clone()).unwrap();
        let h = floats(&shown, "h");
        let c = if get(&shown, "c").is_null() {
            vec![]
        } else {
            floats(&shown, "c")
        };
        let n = 2 * 16;
        let c_last = if c.is_empty() {
            vec![]
        } else {
            c[4 * n..].to_vec()
        };
        let typed = stepper.step(&h[4 * n..], &c_last, "caZ", 5).unwrap();
        let engine = s.probe("abcabcaZ");
        assert!(
            get(&engine, "params").is_null(),
            "{cell}: only an answer from 0 carries the weights"
        );
        assert_eq!(
            (num(&typed, "from"), num(&typed, "steps")),
            (5.0, 3.0),
            "{cell}"
        );
        for key in ["h", "c", "gate", "logits", "probs"] {
            if get(&engine, key).is_null() {
                assert!(get(&typed, key).is_null(), "{cell} {key}");
                continue;
            }
            assert_eq!(floats(&typed, key), floats(&engine, key), "{cell} {key}");
        }
        assert_eq!(
            js_sys::Int32Array::from(get(&typed, "input")).to_vec(),
            js_sys::Int32Array::from(get(&engine, "input")).to_vec()
        );
        // New weights of the same shape; refusals keep what it had.
        let mut other = params.clone();
        other[0] = f32::NAN;
        assert!(error_message(stepper.set_params(&other).unwrap_err()).contains("not finite"));
        assert!(
            error_message(stepper.set_params(&params[1..]).unwrap_err()).contains("weights given")
        );
        assert!(
            error_message(stepper.step(&h[..3], &c_last, "a", 5).unwrap_err()).contains("hidden")
        );
        let again = stepper.step(&h[4 * n..], &c_last, "caZ", 5).unwrap();
        assert_eq!(
            floats(&again, "h"),
            floats(&engine, "h"),
            "{cell}: unchanged by the refusals"
        );
        let wrong = Stepper::new(cell, None, 16, 2, &vocab, params[1..].to_vec());
        assert!(
            error_message(wrong.err().unwrap()).contains("parameters"),
            "{cell}"
        );
    }
    assert!(Stepper::new("lstm", Some("relu".into()), 16, 2, "ab", vec![]).is_err());
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let text = rnnscope::corpus::get("hello").unwrap();
    let e = Session::new(settings("lstm", 1), String::new())
        .err()
        .expect("empty text refused");
    assert!(error_message(e).contains("empty"));
    let huge = js_sys::JSON::parse(r#"{"cell":"lstm","hidden":1000000000,"layers":1,"seqLen":8,"batch":2,"optimizer":"adam","lr":0.01,"clip":5,"seed":1,"valFraction":0}"#).unwrap();
    let e = Session::new(huge, text.clone())
        .err()
        .expect("absurd size refused");
    assert!(error_message(e).contains("hidden size"));
    let bad_cell = js_sys::JSON::parse(r#"{"cell":"transformer","hidden":8,"layers":1,"seqLen":8,"batch":2,"optimizer":"adam","lr":0.01,"clip":5,"seed":1,"valFraction":0}"#).unwrap();
    assert!(
        error_message(Session::new(bad_cell, text.clone()).err().unwrap()).contains("unknown cell")
    );

    let Err(e) = Session::from_model(b"definitely not a model", settings("rnn", 1), text.clone())
    else {
        panic!("a corrupt file was accepted");
    };
    assert!(error_message(e).contains("bad model file"));
    let mut s = Session::new(settings("rnn", 1), text.clone()).unwrap();
    let Err(e) = s.set_text("hello, world".into()) else {
        panic!("characters outside the vocabulary were accepted");
    };
    assert!(error_message(e).contains("','"));
    assert!(s.set_learning_rate(f32::NAN).is_err());
    assert!(s.sample_begin("hel", f32::NAN, 0, 1).is_err());
    s.sample_begin("hel", 0.0, 0, 1).unwrap();
    assert_eq!(s.sample_next(5).unwrap().chars().count(), 5);
}

/// The figure view's weight editor: parameters() lists every tensor by its PyTorch name and shape, as copies;
/// setParameter changes what the next probe computes (from the first character on) and refuses bad edits with
/// the reason, changing nothing.
#[wasm_bindgen_test]
fn parameters_are_listed_and_one_can_be_edited() {
    let text = rnnscope::corpus::get("hello").unwrap(); // vocabulary e, h, l, o
    let mut s = Session::new(settings("lstm", 4), text).unwrap();
    let params = s.parameters();
    let names: Vec<String> = params
        .iter()
        .map(|p| get(&p, "name").as_string().unwrap())
        .collect();
    let expected = [
        "rnn.weight_ih_l0",
        "rnn.weight_hh_l0",
        "rnn.bias_ih_l0",
        "rnn.bias_hh_l0",
        "rnn.weight_ih_l1",
        "rnn.weight_hh_l1",
        "rnn.bias_ih_l1",
        "rnn.bias_hh_l1",
        "decoder.weight",
        "decoder.bias",
    ];
    assert_eq!(names, expected);
    let shape = |i: u32| -> Vec<u32> {
        js_sys::Array::from(&get(&params.get(i), "shape"))
            .iter()
            .map(|n| n.as_f64().unwrap() as u32)
            .collect()
    };
    assert_eq!(shape(0), [64, 4]);
    assert_eq!(shape(1), [64, 16]);
    assert_eq!(shape(2), [64]);
    assert_eq!(shape(4), [64, 16]);
    assert_eq!(shape(8), [4, 16]);
    assert_eq!(shape(9), [4]);
    let data = |i: u32| Float32Array::from(get(&params.get(i), "data"));
    let total: u32 = (0..params.length()).map(|i| data(i).length()).sum();
    assert_eq!(f64::from(total), num(&s.info(), "params"));

    let probs =
        |s: &mut Session, text: &str| Float32Array::from(get(&s.probe(text), "probs")).to_vec();
    let before = probs(&mut s, "hell");
    let old = data(9).get_index(2);
    s.set_parameter("decoder.bias", 2.0, 3.5).unwrap();
    // The same text again: without the cache reset this would answer from the old weights.
    let after = s.probe("hell");
    assert_eq!((num(&after, "from"), num(&after, "steps")), (0.0, 4.0));
    let after = Float32Array::from(get(&after, "probs")).to_vec();
    assert_ne!(before, after);
    assert!(after[2] > before[2], "a larger bias for 'l' raises p('l')");
    let now = Float32Array::from(get(&s.parameters().get(9), "data"));
    assert_eq!(
        (now.get_index(2), old),
        (3.5, data(9).get_index(2)),
        "parameters() copies, not views"
    );

    let refused = |s: &mut Session, name: &str, index: f64, value: f64| {
        error_message(s.set_parameter(name, index, value).unwrap_err())
    };
    let bytes = s.model_bytes(None).to_vec();
    let e = refused(&mut s, "rnn.weight_xx_l0", 0.0, 1.0);
    assert!(e.contains("no tensor named \"rnn.weight_xx_l0\""), "{e}");
    let e = refused(&mut s, "decoder.bias", 4.0, 1.0);
    assert!(e.contains("index 4 is outside decoder.bias"), "{e}");
    for index in [-1.0, 1.5, f64::NAN] {
        let e = refused(&mut s, "decoder.bias", index, 1.0);
        assert!(e.contains("not a whole number"), "{index}: {e}");
    }
    let e = refused(&mut s, "decoder.bias", 0.0, f64::NAN);
    assert!(e.contains("must be a finite number"), "{e}");
    let e = refused(&mut s, "decoder.bias", 0.0, 1e300);
    assert!(e.contains("32-bit float"), "{e}");
    assert_eq!(
        s.model_bytes(None).to_vec(),
        bytes,
        "refused edits change nothing"
    );
    let again = s.probe("hell");
    assert_eq!(
        num(&again, "steps"),
        0.0,
        "a refused edit keeps the probe cache"
    );
    s.probe_reset();
    assert_eq!(probs(&mut s, "hell"), after);

    // Training goes on from the edited weight.
    s.train(1).unwrap();
    let trained = Float32Array::from(get(&s.parameters().get(9), "data")).get_index(2);
    assert!((trained - 3.5).abs() < 0.02 && trained != 3.5, "{trained}");
}

/// `trainFor`: at least one step, at most `max_steps`, stopping once the time is up by the global clock; a time
/// that is not a number ≥ 0 is refused.
#[wasm_bindgen_test]
fn train_for_keeps_its_own_time() {
    let text = "hello world, hello wasm. ".repeat(20);
    let mut s = Session::new(settings("gru", 5), text).unwrap();
    let steps = |r: &js_sys::Object| js_sys::Float32Array::from(get(r, "losses")).length();
    assert_eq!(
        steps(&s.train_for(0.0, 50).unwrap()),
        1,
        "time up at once: one step"
    );
    assert_eq!(
        steps(&s.train_for(1e9, 3).unwrap()),
        3,
        "plenty of time: the step limit"
    );
    let r = s.train_for(30.0, 100_000).unwrap();
    assert!(steps(&r) >= 1 && steps(&r) < 100_000);
    assert_eq!(num(&r, "step") as u32, 4 + steps(&r));
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(error_message(s.train_for(bad, 1).unwrap_err()).contains("trainFor"));
    }
}

/// Two Web Workers, as the page trains a batch: the session shares each step with `StepHelper`s (here in the same
/// instance; in the page in other workers, sent the same arrays), computing the first part itself or not. The run is the session's own two-group
/// run bit for bit, and agrees with one worker to float rounding: every step's loss within 1e-5 relative, the
/// weights after 20 Adam steps within 2e-4 (the products are the same, summed in another order).
#[wasm_bindgen_test]
fn two_workers_repeat_the_two_group_run_and_agree_with_one() {
    use rnnscope::wasm::StepHelper;
    let text: String = rnnscope::corpus::get("brackets")
        .unwrap()
        .chars()
        .take(2000)
        .collect();
    let config = |cell: &str| {
        js_sys::JSON::parse(&format!(
            r#"{{"cell":"{cell}","hidden":24,"layers":2,"seqLen":16,"batch":12,"optimizer":"adam","lr":0.003,"clip":5,"seed":4,"valFraction":0.1}}"#
        ))
        .unwrap()
    };
    let losses = |r: &js_sys::Object| Float32Array::from(get(r, "losses")).to_vec();
    for cell in ["lstm", "gru", "rnn"] {
        let mut one = Session::new(config(cell), text.clone()).unwrap();
        let mut grouped = Session::new(config(cell), text.clone()).unwrap();
        let mut shared = Session::new(config(cell), text.clone()).unwrap();
        assert_eq!(one.workers(), 1);
        assert_eq!(grouped.set_workers(2).unwrap(), 2);
        assert_eq!(shared.set_workers(2).unwrap(), 2);
        let bytes = shared.model_bytes(None).to_vec();
        let mut helpers = [
            StepHelper::new(&bytes).unwrap(),
            StepHelper::new(&bytes).unwrap(),
        ];
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..20 {
            a.extend(losses(&one.train(1).unwrap()));
            b.extend(losses(&grouped.train(1).unwrap()));
            let begun = shared.share_begin().unwrap();
            let params = Float32Array::from(get(&begun, "params")).to_vec();
            let parts = js_sys::Array::from(&get(&begun, "parts"));
            assert_eq!(parts.length(), 2, "a part per group");
            // Every other step the session's own worker computes the first part; the others, helpers do both.
            let here = k % 2;
            let answers: js_sys::Array = (here..2)
                .map(|i| JsValue::from(helpers[i as usize].run(&params, parts.get(i)).unwrap()))
                .collect();
            if here == 1 {
                shared.share_run_first().unwrap();
            }
            c.extend(losses(&shared.share_finish(answers).unwrap()));
        }
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&b),
            bits(&c),
            "{cell}: shared steps vs two groups here"
        );
        assert_eq!(
            grouped.model_bytes(None).to_vec(),
            shared.model_bytes(None).to_vec(),
            "{cell}: the same weights, bit for bit"
        );
        for (k, (x, y)) in a.iter().zip(&c).enumerate() {
            assert!(
                (x - y).abs() <= 1e-5 * x.abs(),
                "{cell} step {}: one worker {x}, two {y}",
                k + 1
            );
        }
        let weights = |s: &Session| -> Vec<f32> {
            js_sys::Array::from(&s.parameters())
                .iter()
                .flat_map(|t| Float32Array::from(get(&t, "data")).to_vec())
                .collect()
        };
        let worst = weights(&one)
            .iter()
            .zip(weights(&shared))
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 2e-4, "{cell}: weights differ by {worst}");
        assert_ne!(bits(&a), bits(&c), "{cell}: the split did not run");
    }
}

/// A shared step is dropped by a change made while it is in flight (the page's worker may take a new text or a
/// weight edit between the parts), and a helper refuses parts that do not fit; nothing panics.
#[wasm_bindgen_test]
fn a_shared_step_survives_changes_and_bad_answers() {
    use rnnscope::wasm::StepHelper;
    let text = rnnscope::corpus::get("hello").unwrap();
    let mut s = Session::new(settings("lstm", 3), text.clone()).unwrap();
    assert!(error_message(s.share_begin().unwrap_err()).contains("not split"));
    s.set_workers(2).unwrap();
    let begun = s.share_begin().unwrap();
    let params = Float32Array::from(get(&begun, "params")).to_vec();
    let part = js_sys::Array::from(&get(&begun, "parts")).get(1);
    let mut helper = StepHelper::new(&s.model_bytes(None).to_vec()).unwrap();
    let answer = JsValue::from(helper.run(&params, part.clone()).unwrap());
    assert!(
        error_message(helper.run(&params[1..], part.clone()).unwrap_err()).contains("does not fit")
    );
    assert!(
        error_message(helper.run(&params, JsValue::from_f64(1.0)).unwrap_err())
            .contains("\"streams\"")
    );
    assert!(StepHelper::new(b"not a model").is_err());
    assert!(s.share_in_flight());
    s.set_text(text.clone()).unwrap();
    assert!(!s.share_in_flight(), "a new text drops the step in flight");
    let answers = js_sys::Array::of1(&answer);
    assert!(error_message(s.share_finish(answers.clone()).unwrap_err()).contains("no shared step"));
    s.share_begin().unwrap();
    s.share_run_first().unwrap();
    assert!(error_message(
        s.share_finish(js_sys::Array::of1(&JsValue::NULL))
            .unwrap_err()
    )
    .contains("part of a step"));
    assert_eq!(num(&s.share_finish(answers).unwrap(), "step"), 1.0);
    assert!(s.set_workers(0).is_err());
    assert_eq!(
        s.set_workers(64).unwrap(),
        2,
        "never more groups than streams"
    );
}

/// PyTorch parity of whole training steps in wasm arithmetic (this build's kernels), on one worker and shared with
/// a second: every optimizer's losses within 1e-5 relative and gradient norms within 1e-4 of PyTorch's.
#[wasm_bindgen_test]
fn training_steps_match_pytorch_on_one_and_two_workers() {
    use rnnscope::trainer::parallel::PartRunner;
    use rnnscope::{OptimizerKind, TrainConfig, Trainer};
    let (model, _) = model_file::from_bytes(include_bytes!("fixtures/lstm_1.safetensors")).unwrap();
    let case: serde_json::Value =
        serde_json::from_slice(include_bytes!("fixtures/lstm_1.json")).unwrap();
    let text = case["text"].as_str().unwrap();
    let references: [(OptimizerKind, &[u8]); 4] = [
        (
            OptimizerKind::Adam,
            include_bytes!("fixtures/train_adam.json"),
        ),
        (
            OptimizerKind::RmsProp,
            include_bytes!("fixtures/train_rmsprop.json"),
        ),
        (
            OptimizerKind::Adagrad,
            include_bytes!("fixtures/train_adagrad.json"),
        ),
        (
            OptimizerKind::Sgd { momentum: 0.9 },
            include_bytes!("fixtures/train_sgd.json"),
        ),
    ];
    for (optimizer, json) in references {
        let reference: serde_json::Value = serde_json::from_slice(json).unwrap();
        assert_eq!(reference["case"], "lstm_1");
        let cfg = TrainConfig {
            seq_len: reference["seq_len"].as_u64().unwrap() as usize,
            batch: reference["batch"].as_u64().unwrap() as usize,
            optimizer,
            lr: reference["lr"].as_f64().unwrap() as f32,
            clip: reference["clip"].as_f64().unwrap() as f32,
            val_fraction: 0.0,
            ..TrainConfig::default()
        };
        for workers in [1, 2] {
            let mut t = Trainer::new(model.clone(), text, cfg).unwrap();
            t.set_threads(workers).unwrap();
            let mut helper = PartRunner::new(model.clone());
            for (k, expected) in reference["steps"].as_array().unwrap().iter().enumerate() {
                let r = if workers == 1 {
                    t.step().unwrap()
                } else {
                    let works = t.begin_shared_step().unwrap();
                    let params = t.model().params.clone();
                    let done = helper.run(&params, &works[1]).unwrap();
                    t.run_first_part().unwrap();
                    t.finish_shared_step(&[done]).unwrap()
                };
                let (loss, norm) = (
                    expected["loss"].as_f64().unwrap(),
                    expected["grad_norm"].as_f64().unwrap(),
                );
                assert!(
                    (f64::from(r.loss) - loss).abs() <= 1e-5 * loss,
                    "{optimizer:?}, {workers} worker(s), step {}: loss {} vs PyTorch {loss}",
                    k + 1,
                    r.loss
                );
                assert!(
                    (f64::from(r.grad_norm) - norm).abs() <= 1e-4 * norm,
                    "{optimizer:?}, {workers} worker(s), step {}: gradient norm {} vs PyTorch {norm}",
                    k + 1,
                    r.grad_norm
                );
            }
        }
    }
}
