//! Thin wrappers over the browser (web-sys): storage, the clock, the
//! page's location, fetching files, downloads, the clipboard and focus.
//! Nothing here decides anything; the app's logic is in `app/`.

pub mod storage;

use wasm_bindgen::JsCast;

use smtplab_engine::Timestamp;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn document() -> Option<web_sys::Document> {
    window()?.document()
}

/// Now, in the browser's time zone.
pub fn now() -> Timestamp {
    let date = js_sys::Date::new_0();
    let seconds = (date.get_time() / 1000.0) as i64;
    let offset = -(date.get_timezone_offset() as i32);
    Timestamp::new(seconds, offset)
}

/// A seed for what a real server varies between runs.
pub fn seed() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

/// The page address's query and fragment, as given (`?a=1`, `#b=2`).
pub fn query_and_fragment() -> (String, String) {
    let location = window().map(|w| w.location());
    let search = location.as_ref().and_then(|l| l.search().ok());
    let hash = location.as_ref().and_then(|l| l.hash().ok());
    (search.unwrap_or_default(), hash.unwrap_or_default())
}

/// The page's address without its fragment.
pub fn address_without_fragment() -> String {
    let href = window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    href.split('#').next().unwrap_or("").to_string()
}

/// Puts the keyboard focus in the element matching `selector`.
pub fn focus(selector: &str) {
    let element = document().and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Whether the reader has selected some text (a click then copies rather
/// than moving the focus).
pub fn has_selection() -> bool {
    window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !s.is_collapsed())
}

/// Sets or removes an attribute of the page's root element (the theme).
pub fn set_root_attribute(name: &str, value: Option<&str>) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let _ = match value {
            Some(value) => root.set_attribute(name, value),
            None => root.remove_attribute(name),
        };
    }
}

/// Puts text on the clipboard.
pub fn copy_text(text: &str) {
    if let Some(window) = window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str) {
    let Some(document) = document() else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Fetches a text file from this site.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched (only files from this site can be)"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "the answer was not a response".to_string())?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()));
    }
    let body = response
        .text()
        .map_err(|_| "the body could not be read".to_string())?;
    wasm_bindgen_futures::JsFuture::from(body)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "the body could not be read".to_string())
}

/// Reads a file the person chose.
pub async fn read_file(file: web_sys::File) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| "the file could not be read".to_string())
}

/// Scrolls `element` to its end, unless it is there already (a scroll
/// that moves nothing still makes the browser work out again which blocks
/// are in view).
pub fn scroll_to_end(element: &web_sys::Element) {
    let end = element.scroll_height() - element.client_height();
    if element.scroll_top() < end {
        element.set_scroll_top(end);
    }
}

/// Calls `then` when the page is hidden or left (to save what is not
/// saved yet). Returns the listener, which must be kept while wanted.
pub fn on_hide(then: impl Fn() + 'static) -> Option<HideListener> {
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(then);
    let window = window()?;
    let function = closure.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("pagehide", function);
    if let Some(document) = window.document() {
        let _ = document.add_event_listener_with_callback("visibilitychange", function);
    }
    Some(HideListener { closure })
}

/// A `pagehide`/`visibilitychange` listener; dropping it removes it.
pub struct HideListener {
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for HideListener {
    fn drop(&mut self) {
        if let Some(window) = window() {
            let function = self.closure.as_ref().unchecked_ref();
            let _ = window.remove_event_listener_with_callback("pagehide", function);
            if let Some(document) = window.document() {
                let _ = document.remove_event_listener_with_callback("visibilitychange", function);
            }
        }
    }
}
