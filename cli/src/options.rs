//! Command-line options of `smtplab`.

use std::net::SocketAddr;
use std::path::PathBuf;

use lexopt::prelude::*;
use smtplab_engine::personality::{Personality, SENDMAIL_8_13_8};
use smtplab_engine::{Timestamp, World};

pub enum Command {
    Replay { script: String },
    Serve,
    Personalities,
    Explanations,
    Help,
}

pub struct Options {
    pub command: Command,
    pub personality: &'static Personality,
    pub world: World,
    pub time: Option<Timestamp>,
    pub client_address: Option<String>,
    pub process_id: Option<u32>,
    pub sequence: Option<u32>,
    pub show_mail: bool,
    pub listen: SocketAddr,
    /// Also serve POP3 here (Dovecot), over the same spool.
    pub pop3: Option<SocketAddr>,
    /// Also serve IMAP here (Dovecot), over the same spool.
    pub imap: Option<SocketAddr>,
    /// Also serve the host's other ports here: submission (587),
    /// submissions (465), POP3S (995), IMAPS (993); each address with the
    /// port it stands for.
    pub more: Vec<(SocketAddr, u16)>,
    pub allow_remote: bool,
    pub spool: Option<PathBuf>,
    pub max_sessions: usize,
    pub idle_timeout_seconds: Option<u64>,
    pub delays: bool,
}

impl Options {
    pub fn parse(arguments: &[String]) -> Result<Options, String> {
        let mut options = Options {
            command: Command::Help,
            personality: &SENDMAIL_8_13_8,
            world: World::tutorial(),
            time: None,
            client_address: None,
            process_id: None,
            sequence: None,
            show_mail: false,
            listen: "127.0.0.1:2525"
                .parse()
                .map_err(|_| "bad default address")?,
            pop3: None,
            imap: None,
            more: Vec::new(),
            allow_remote: false,
            spool: None,
            max_sessions: 256,
            idle_timeout_seconds: None,
            delays: true,
        };
        let mut parser = lexopt::Parser::from_args(arguments);
        let first = parser.next().map_err(|e| e.to_string())?;
        options.command = match first {
            None | Some(Short('h')) | Some(Long("help")) => return Ok(options),
            Some(Value(command)) => match command.to_string_lossy().as_ref() {
                "help" => return Ok(options),
                "replay" => Command::Replay {
                    script: String::new(),
                },
                "serve" => Command::Serve,
                "personalities" => Command::Personalities,
                "explanations" => Command::Explanations,
                other => return Err(format!("unknown command {other:?}")),
            },
            Some(other) => return Err(other.unexpected().to_string()),
        };
        while let Some(argument) = parser.next().map_err(|e| e.to_string())? {
            match argument {
                Long("personality") => {
                    let id = text(&mut parser)?;
                    options.personality = Personality::by_id(&id)
                        .ok_or_else(|| format!("unknown personality {id:?}"))?;
                }
                Long("world") => {
                    let path = text(&mut parser)?;
                    let content = std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {path}: {e}"))?;
                    options.world =
                        World::from_json(&content).map_err(|e| format!("{path}: {e}"))?;
                }
                Long("time") => {
                    let value = text(&mut parser)?;
                    options.time = Some(Timestamp::parse_rfc3339(&value).ok_or_else(|| {
                        format!("--time {value:?} is not like 2013-10-22T05:05:59-04:00")
                    })?);
                }
                Long("client-address") => options.client_address = Some(text(&mut parser)?),
                Long("pid") => options.process_id = Some(number(&mut parser, "--pid")?),
                Long("sequence") => {
                    let value = text(&mut parser)?;
                    options.sequence = Some(
                        smtplab_engine::queue_id::sequence_from_pair(&value)
                            .or_else(|| value.parse().ok())
                            .ok_or(
                                "--sequence needs two queue id characters such as gc, or a number",
                            )?,
                    );
                }
                Long("show-mail") => options.show_mail = true,
                Long("listen") => options.listen = address(&mut parser, "--listen")?,
                Long("pop3") => options.pop3 = Some(address(&mut parser, "--pop3")?),
                Long("imap") => options.imap = Some(address(&mut parser, "--imap")?),
                Long("submission") => options
                    .more
                    .push((address(&mut parser, "--submission")?, 587)),
                Long("submissions") => options
                    .more
                    .push((address(&mut parser, "--submissions")?, 465)),
                Long("pop3s") => options.more.push((address(&mut parser, "--pop3s")?, 995)),
                Long("imaps") => options.more.push((address(&mut parser, "--imaps")?, 993)),
                Long("allow-remote") => options.allow_remote = true,
                Long("spool") => {
                    options.spool = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?))
                }
                Long("max-sessions") => {
                    options.max_sessions = number(&mut parser, "--max-sessions")?
                }
                Long("idle-timeout") => {
                    options.idle_timeout_seconds = Some(number(&mut parser, "--idle-timeout")?)
                }
                Long("no-delays") => options.delays = false,
                Value(value) => match &mut options.command {
                    Command::Replay { script } if script.is_empty() => {
                        *script = value.to_string_lossy().into_owned()
                    }
                    _ => return Err(format!("unexpected argument {value:?}")),
                },
                other => return Err(other.unexpected().to_string()),
            }
        }
        if let Command::Replay { script } = &options.command {
            if script.is_empty() {
                return Err("replay needs a SCRIPT".to_string());
            }
        }
        Ok(options)
    }
}

/// The value of the option just read, as text.
fn text(parser: &mut lexopt::Parser) -> Result<String, String> {
    let value = parser.value().map_err(|e| e.to_string())?;
    value
        .into_string()
        .map_err(|v| format!("{v:?} is not valid text"))
}

/// The value of the option just read, as a number.
fn number<T: std::str::FromStr>(parser: &mut lexopt::Parser, name: &str) -> Result<T, String> {
    let value = text(parser)?;
    value
        .parse()
        .map_err(|_| format!("{name} needs a number, not {value:?}"))
}

/// The value of the option just read, as an address and port.
fn address(parser: &mut lexopt::Parser, name: &str) -> Result<SocketAddr, String> {
    let value = text(parser)?;
    value
        .parse()
        .map_err(|_| format!("{name} {value:?} is not ADDRESS:PORT"))
}
