//! The engine benchmark in WebAssembly, timed with the browser's clock.

use smtplab_engine::workload;

use wasm_bindgen::prelude::wasm_bindgen;

fn clock() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen]
pub fn commands_per_second(rounds: u32) -> f64 {
    workload::commands_per_second(rounds, &clock)
}

#[wasm_bindgen]
pub fn data_body_millis(megabytes: u32) -> f64 {
    workload::data_body_millis(megabytes as usize, &clock)
}
