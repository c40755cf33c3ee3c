//! SMTP Lab's teaching tools: lessons, sharing and replays, and explain
//! mode's panel. The page loads this second WebAssembly module the first
//! time one of them is used, so a first visit does not download them. It
//! draws its panel into the place the page keeps for it, and asks the page
//! (through `smtplab`, the page's module) for the log of what happened, the
//! session to share, a lesson's world to use, or lines to replay.

#[cfg(target_arch = "wasm32")]
#[path = "../../src/browser.rs"]
mod browser;
#[cfg(target_arch = "wasm32")]
mod console;
#[cfg(target_arch = "wasm32")]
mod explain_panel;
#[cfg(target_arch = "wasm32")]
mod lessons_panel;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
#[allow(dead_code)]
#[path = "../../src/parameters.rs"]
mod parameters;
#[cfg(target_arch = "wasm32")]
mod share_panel;
#[cfg(target_arch = "wasm32")]
#[allow(dead_code)]
#[path = "../../src/view.rs"]
mod view;

#[cfg(target_arch = "wasm32")]
pub use page::update;

// The page's allocator, for the same reasons.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
