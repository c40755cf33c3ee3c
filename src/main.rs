//! SMTP Lab in the browser: a terminal with a simulated mail server.

// The console is shared by the browser app and its native tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code, unused_imports))]
mod console;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod parameters;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
fn main() {
    components::app_view::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("smtplab-web is the browser app: build it with `make serve` or `make dist`.");
}

// Talc instead of the default dlmalloc: smaller in the module, and fast.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
