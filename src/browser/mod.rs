//! Small helpers for talking to the browser, shared by the page and its
//! tools module (each builds its own copy).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Puts the keyboard focus back in the terminal.
pub fn focus_terminal() {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".keyboard").ok().flatten());
    if let Some(element) = element {
        let _ = element.unchecked_ref::<web_sys::HtmlElement>().focus();
    }
}

/// What to do when a promise settles: with its value, or its rejection.
pub type Settled = Box<dyn FnOnce(Result<JsValue, JsValue>)>;

/// Calls `then` once `promise` settles (a few lines instead of an async
/// runtime, which the page would have to download). The two closures are
/// kept by the browser until then; promises here are few (a module, a
/// file).
pub fn settle(promise: &js_sys::Promise, then: Settled) {
    let slot = Rc::new(RefCell::new(Some(then)));
    let other = Rc::clone(&slot);
    let resolved = Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
        if let Some(then) = slot.borrow_mut().take() {
            then(Ok(value));
        }
    });
    let rejected = Closure::<dyn FnMut(JsValue)>::new(move |error: JsValue| {
        if let Some(then) = other.borrow_mut().take() {
            then(Err(error));
        }
    });
    let _ = promise.then2(&resolved, &rejected);
    resolved.forget();
    rejected.forget();
}

/// Fetches a same-origin text file (the tools module's lessons and
/// explanations).
#[allow(dead_code)]
pub fn fetch_text(url: String, done: Box<dyn FnOnce(Result<String, String>)>) {
    let Some(window) = web_sys::window() else {
        return done(Err("no window".to_string()));
    };
    let request = window.fetch_with_str(&url);
    settle(
        &request,
        Box::new(move |response| {
            let Ok(response) = response else {
                return done(Err(format!(
                    "{url} could not be fetched (only files from this site can be)"
                )));
            };
            let response: web_sys::Response = response.unchecked_into();
            if !response.ok() {
                return done(Err(format!("{url} answered {}", response.status())));
            }
            match response.text() {
                Ok(body) => settle(
                    &body,
                    Box::new(move |text| {
                        done(
                            text.map(|t| t.as_string().unwrap_or_default())
                                .map_err(|_| "the body could not be read".to_string()),
                        )
                    }),
                ),
                Err(_) => done(Err("the body could not be read".to_string())),
            }
        }),
    );
}
