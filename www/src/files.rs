//! Getting text in and files out: reading a dropped or picked file, fetching a built-in
//! example, downloading a string or a data URL, and the share link's fragment.

use js_sys::JsString;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::bridge::Failure;

/// Reads a file the user gave (drop or picker) as text, left a JavaScript string (it goes
/// to the worker as it is).
pub(crate) async fn read_file(file: web_sys::File) -> Result<JsString, Failure> {
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| Failure::new("parse", format!("cannot read {}: {e:?}", file.name())))?;
    text.dyn_into::<JsString>()
        .map_err(|_| Failure::new("parse", format!("{} is not text", file.name())))
}

/// The first 8 bytes of a file (fewer if it is shorter): enough to tell a TensorFlow Lite
/// model (`TFL3` at bytes 4..8) from text without reading the whole file.
pub(crate) async fn read_head(file: &web_sys::File) -> Result<Vec<u8>, Failure> {
    let failed = |e: JsValue| Failure::new("parse", format!("cannot read {}: {e:?}", file.name()));
    let head = file.slice_with_i32_and_i32(0, 8).map_err(failed)?;
    let buffer = JsFuture::from(head.array_buffer()).await.map_err(failed)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads a file as bytes, left in JavaScript's memory.
pub(crate) async fn read_bytes(file: &web_sys::File) -> Result<js_sys::Uint8Array, Failure> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| Failure::new("parse", format!("cannot read {}: {e:?}", file.name())))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// Fetches a built-in example shipped beside the page (`examples/<file>`).
pub(crate) async fn fetch_text(url: &str) -> Result<JsString, Failure> {
    let failed = |e: JsValue| Failure::new("worker", format!("cannot load {url}: {e:?}"));
    let window = web_sys::window().ok_or_else(|| failed(JsValue::NULL))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if !response.ok() {
        return Err(Failure::new(
            "worker",
            format!("cannot load {url}: HTTP {}", response.status()),
        ));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(text
        .dyn_into::<JsString>()
        .unwrap_or_else(|_| JsString::from("")))
}

/// Offers `text` as a download named `name`.
pub(crate) fn download_text(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
        download_url(name, &url);
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// Offers `bytes` as a download named `name`.
pub(crate) fn download_bytes(name: &str, mime: &str, bytes: &js_sys::Uint8Array) {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
        download_url(name, &url);
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// Offers the resource at `url` (an object or data URL) as a download named `name`.
pub(crate) fn download_url(name: &str, url: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(anchor) = document.create_element("a") else {
        return;
    };
    let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
}

/// Problems up to this many bytes of CSV fit in a share link.
pub(crate) const SHARE_LIMIT: usize = 8 * 1024;

/// `#csv=<base64url>[&capacity=N]`: the problem travels in the fragment, which browsers
/// never send to a server.
pub(crate) fn share_fragment(csv: &JsString, capacity: Option<i64>) -> Option<String> {
    // UTF-16 units: at least the bytes of an ASCII text, which is all a link carries.
    if csv.length() as usize > SHARE_LIMIT {
        return None;
    }
    let csv = String::from(csv);
    if !csv.is_ascii() {
        return None;
    }
    let encoded = web_sys::window()?.btoa(&csv).ok()?;
    let encoded = encoded
        .replace('+', "-")
        .replace('/', "_")
        .trim_end_matches('=')
        .to_string();
    Some(match capacity {
        Some(c) => format!("#csv={encoded}&capacity={c}"),
        None => format!("#csv={encoded}"),
    })
}

/// The problem a share link carries, if the page was opened with one.
pub(crate) fn shared_problem() -> Option<(String, Option<i64>)> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let fields = hash.strip_prefix('#')?;
    let mut csv = None;
    let mut capacity = None;
    for pair in fields.split('&') {
        match pair.split_once('=') {
            Some(("csv", value)) => {
                let mut standard = value.replace('-', "+").replace('_', "/");
                while standard.len() % 4 != 0 {
                    standard.push('=');
                }
                csv = window.atob(&standard).ok();
            }
            Some(("capacity", value)) => capacity = value.parse().ok(),
            _ => {}
        }
    }
    Some((csv?, capacity))
}
