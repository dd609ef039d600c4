//! Conversions between JavaScript values and the core's types, shared by the wasm surface's calls.

use crate::analysis::request::{self, Request};
use crate::error::Error;
use crate::settings::{self, Settings};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(super) fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Builds a plain JS object from key/value pairs.
pub(super) fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

pub(super) fn strings(items: impl IntoIterator<Item = String>) -> Array {
    items.into_iter().map(|s| JsValue::from_str(&s)).collect()
}

/// The settings object JavaScript passes (see `docs/wasm-api.md`), read field by field: a missing, mistyped or
/// unknown field is refused by name. (serde's derived reader ignored unknown fields.)
pub(super) fn parse_settings(value: JsValue) -> Result<Settings, JsError> {
    if !value.is_object() {
        return Err(invalid_setting("the settings must be an object"));
    }
    let object: &Object = value.unchecked_ref();
    for key in Object::keys(object).iter().filter_map(|k| k.as_string()) {
        if !settings::FIELDS.contains(&key.as_str()) {
            return Err(invalid_setting(&format!(
                "unknown field `{key}` (the fields: {})",
                settings::FIELDS.join(", ")
            )));
        }
    }
    for key in settings::REQUIRED {
        if setting(&value, key).is_none() {
            return Err(invalid_setting(&format!("missing field `{key}`")));
        }
    }
    let text = |key| setting_text(&value, key);
    let whole = |key| setting_whole(&value, key);
    let float = |key| Ok::<_, JsError>(setting_number(&value, key)?.map(|x| x as f32));
    Ok(Settings {
        cell: text("cell")?.unwrap_or_default(),
        nonlinearity: text("nonlinearity")?,
        hidden: whole("hidden")?.unwrap_or_default() as usize,
        layers: whole("layers")?.unwrap_or_default() as usize,
        seq_len: whole("seqLen")?.unwrap_or_default() as usize,
        batch: whole("batch")?.unwrap_or_default() as usize,
        optimizer: text("optimizer")?.unwrap_or_default(),
        lr: float("lr")?.unwrap_or_default(),
        clip: float("clip")?.unwrap_or_default(),
        seed: whole("seed")?.unwrap_or_default(),
        val_fraction: float("valFraction")?.unwrap_or_default(),
        weight_decay: float("weightDecay")?,
        schedule: text("schedule")?,
        warmup: whole("warmup")?,
        schedule_steps: whole("scheduleSteps")?,
        min_lr: float("minLr")?,
        gamma: float("gamma")?,
        dropout: float("dropout")?,
        corpus: text("corpus")?,
    })
}

fn invalid_setting(e: &str) -> JsError {
    JsError::new(&format!("invalid setting: {e}"))
}

/// Setting `key`, where absent, undefined and null all mean "not given".
fn setting(value: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(value, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn setting_text(value: &JsValue, key: &str) -> Result<Option<String>, JsError> {
    match setting(value, key) {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid_setting(&format!("`{key}` must be a string"))),
    }
}

fn setting_number(value: &JsValue, key: &str) -> Result<Option<f64>, JsError> {
    match setting(value, key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| invalid_setting(&format!("`{key}` must be a number"))),
    }
}

fn setting_whole(value: &JsValue, key: &str) -> Result<Option<u64>, JsError> {
    match setting_number(value, key)? {
        None => Ok(None),
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 => {
            Ok(Some(x as u64))
        }
        Some(x) => Err(invalid_setting(&format!(
            "`{key}` must be a whole number ≥ 0, not {x}"
        ))),
    }
}

/// An analysis request as the page writes it, `{kind, text, …}`, read as serde's externally tagged
/// `{[kind]: {text, …}}`: the internally tagged form buffers every field to find the tag first, and its code was
/// 28 KB of the module. serde-wasm-bindgen reads only the fields a struct declares, so the fields are checked
/// against [`request::FIELDS`] here, and an unknown one is refused instead of ignored.
pub(super) fn request_from(request: JsValue) -> Result<Request, JsError> {
    let invalid = |e: &str| JsError::new(&format!("invalid analysis request: {e}"));
    let kind_key = JsValue::from_str("kind");
    let kind = Reflect::get(&request, &kind_key)
        .ok()
        .and_then(|k| k.as_string())
        .ok_or_else(|| invalid("it needs a \"kind\" (a string)"))?;
    let (_, known) = request::FIELDS
        .iter()
        .find(|(k, _)| *k == kind)
        .ok_or_else(|| {
            let kinds = request::FIELDS.map(|(k, _)| k).join(", ");
            invalid(&format!("unknown kind {kind:?} (one of {kinds})"))
        })?;
    let fields = Object::assign(&Object::new(), request.unchecked_ref());
    Reflect::delete_property(&fields, &kind_key).map_err(|_| invalid("its fields"))?;
    for key in Object::keys(&fields).iter().filter_map(|k| k.as_string()) {
        if !known.contains(&key.as_str()) {
            return Err(invalid(&format!(
                "unknown field `{key}` of a {kind} request (its fields: {})",
                known.join(", ")
            )));
        }
    }
    serde_wasm_bindgen::from_value(object(&[(&kind, fields.into())]).into())
        .map_err(|e| invalid(&e.to_string()))
}
