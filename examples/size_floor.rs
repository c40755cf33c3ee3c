//! The least the page can weigh: the engine and the terminal model with a
//! bare `<pre>` around them, no toolbar, panels, lessons or saving.
//! `make size-floor` builds it the way `make dist` builds the app and
//! prints its size, to show how much of a first visit is the simulator
//! itself and how much is the page around it.

#[cfg(target_arch = "wasm32")]
#[allow(dead_code, unused_imports)]
#[path = "../src/console/mod.rs"]
mod console;

// The app's allocator, so the two compare.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(screen), Some(body)) = (document.create_element("pre"), document.body()) else {
        return;
    };
    let _ = body.append_child(&screen);
    let terminal = Rc::new(RefCell::new(console::Terminal::new(
        smtplab_engine::World::tutorial(),
        &smtplab_engine::personality::SENDMAIL_8_13_8,
        1,
    )));
    let on_key =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let key = e.key();
            let key = match key.as_str() {
                "Enter" => console::Key::Enter,
                "Backspace" => console::Key::Backspace,
                _ => match key.chars().next() {
                    Some(c) if key.chars().count() == 1 => console::Key::Char(c),
                    _ => return,
                },
            };
            let now = smtplab_engine::Timestamp::new((js_sys::Date::now() / 1000.0) as i64, 0);
            let mut terminal = terminal.borrow_mut();
            terminal.press(key, now);
            screen.set_text_content(Some(&terminal.scrollback.to_text()));
        });
    let _ = document.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_key.forget();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("size_floor is a WebAssembly example: run `make size-floor`.");
}
