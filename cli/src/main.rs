//! `smtplab`: the simulated mail server in a real terminal.
//!
//! - `smtplab replay SCRIPT` plays a client script (corpus format) against
//!   the engine on a simulated clock and prints the `C:`/`S:` transcript.
//! - `smtplab serve` serves the engine over TCP on loopback, one session
//!   per connection, so telnet, nc, swaks or smtplib can talk to it.
//! - `smtplab explanations` prints the explain mode's texts as JSON (the
//!   browser's `www/explain.json`).

mod options;
mod serve;

use std::process::ExitCode;
use std::sync::Arc;

use smtplab_engine::script::{replay, Script};
use smtplab_engine::{Connection, Session};

use options::{Command, Options};

const USAGE: &str = "\
usage:
  smtplab replay SCRIPT [--personality P] [--world FILE] [--time RFC3339]
                        [--client-address A] [--pid N] [--sequence N] [--show-mail]
  smtplab serve [--listen 127.0.0.1:2525] [--personality P] [--world FILE]
                [--pop3 127.0.0.1:2110] [--imap 127.0.0.1:2143] [--spool DIR]
                [--submission 127.0.0.1:2587] [--submissions 127.0.0.1:2465]
                [--pop3s 127.0.0.1:2995] [--imaps 127.0.0.1:2993]
                [--time RFC3339] [--allow-remote] [--max-sessions N]
                [--idle-timeout SECONDS] [--no-delays]
  smtplab personalities    (the servers P can name; the first is the default)
  smtplab explanations     (the explain mode's texts, as the browser loads them)

worlds: JSON files such as worlds/tutorial.json (default) and worlds/corpus.json";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let options = match Options::parse(&arguments) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("smtplab: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match &options.command {
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Command::Personalities => {
            for personality in smtplab_engine::personality::ALL {
                println!("{}\t{}", personality.id, personality.label);
            }
            Ok(())
        }
        Command::Explanations => {
            println!("{}", smtplab_engine::explain::document().to_json());
            Ok(())
        }
        Command::Replay { script } => run_replay(&options, script),
        Command::Serve => serve::run(&options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("smtplab: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_replay(options: &Options, path: &str) -> Result<(), String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let script = Script::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    let world = Arc::new(options.world.clone());
    let client_address = options
        .client_address
        .clone()
        .unwrap_or_else(|| world.client.address.clone());
    let connection = Connection::new(
        &world,
        &client_address,
        options.process_id.unwrap_or_else(std::process::id),
        options.sequence.unwrap_or_else(serve::random_sequence),
    );
    let session = Session::new(options.personality, world.clone(), connection);
    let start = options.time.unwrap_or_else(serve::system_now);
    let result = replay(session, &script, start);
    println!(
        "-- connected from {client_address}:PORT to {}:25",
        world.server_address
    );
    for line in &result.transcript {
        println!("{line}");
    }
    if options.show_mail {
        for copy in result.deliveries.iter().flat_map(|d| &d.copies) {
            println!("== delivered to {}", copy.mailboxes.join(", "));
            print!("{}", String::from_utf8_lossy(&copy.entry));
        }
    }
    Ok(())
}
