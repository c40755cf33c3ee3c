//! SMTP Lab in the browser: a terminal with a simulated mail server.

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod app;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod teach;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod terminal;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod components;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<components::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("smtplab-web is the browser app: build it with `make serve` or `make dist`.");
}

// Talc instead of the default dlmalloc: smaller in the module, and as fast
// on the 10 MB paste test.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
