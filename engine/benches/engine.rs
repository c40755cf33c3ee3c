//! Engine throughput, printed as figures (not a timed test):
//! commands per second in short sessions, and the time to take a DATA body
//! of 1, 10 and 100 MB. Run with `make bench`.

use smtplab_engine::workload;

use std::time::Instant;

fn main() {
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
    println!("engine (native, release build)");
    println!(
        "  commands per second: {:.0}",
        workload::commands_per_second(20_000, &clock)
    );
    for megabytes in [1, 10, 100] {
        let millis = workload::data_body_millis(megabytes, &clock);
        println!(
            "  DATA body of {megabytes:>3} MB: {millis:>8.1} ms ({:.0} MB/s)",
            megabytes as f64 * 1000.0 / millis
        );
    }
}
