//! Conversions between JavaScript values and the core's types, shared by the wasm surface's calls.

use crate::analysis::request::{self, Request};
use crate::error::Error;
use crate::Settings;
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

/// The settings object JavaScript passes (see `docs/wasm-api.md`).
pub(super) fn parse_settings(value: JsValue) -> Result<Settings, JsError> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| JsError::new(&format!("invalid setting: {e}")))
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
