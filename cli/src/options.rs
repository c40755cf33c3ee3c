//! Command-line options of `smtplab`.

use std::net::SocketAddr;
use std::path::PathBuf;

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
            allow_remote: false,
            spool: None,
            max_sessions: 256,
            idle_timeout_seconds: None,
            delays: true,
        };
        let mut rest = arguments.iter();
        options.command = match rest.next().map(String::as_str) {
            None | Some("help") | Some("--help") | Some("-h") => return Ok(options),
            Some("replay") => Command::Replay {
                script: String::new(),
            },
            Some("serve") => Command::Serve,
            Some("personalities") => Command::Personalities,
            Some("explanations") => Command::Explanations,
            Some(other) => return Err(format!("unknown command {other:?}")),
        };
        while let Some(argument) = rest.next() {
            let mut value = |name: &str| {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match argument.as_str() {
                "--personality" => {
                    let id = value("--personality")?;
                    options.personality = Personality::by_id(&id)
                        .ok_or_else(|| format!("unknown personality {id:?}"))?;
                }
                "--world" => {
                    let path = value("--world")?;
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {path}: {e}"))?;
                    options.world = World::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
                }
                "--time" => {
                    let text = value("--time")?;
                    options.time = Some(Timestamp::parse_rfc3339(&text).ok_or_else(|| {
                        format!("--time {text:?} is not like 2013-10-22T05:05:59-04:00")
                    })?);
                }
                "--client-address" => options.client_address = Some(value("--client-address")?),
                "--pid" => {
                    options.process_id = Some(
                        value("--pid")?
                            .parse()
                            .map_err(|_| "--pid needs a number")?,
                    )
                }
                "--sequence" => {
                    let text = value("--sequence")?;
                    options.sequence = Some(
                        smtplab_engine::queue_id::sequence_from_pair(&text)
                            .or_else(|| text.parse().ok())
                            .ok_or(
                                "--sequence needs two queue id characters such as gc, or a number",
                            )?,
                    );
                }
                "--show-mail" => options.show_mail = true,
                "--listen" => {
                    let text = value("--listen")?;
                    options.listen = text
                        .parse()
                        .map_err(|_| format!("--listen {text:?} is not ADDRESS:PORT"))?;
                }
                "--allow-remote" => options.allow_remote = true,
                "--spool" => options.spool = Some(PathBuf::from(value("--spool")?)),
                "--max-sessions" => {
                    options.max_sessions = value("--max-sessions")?
                        .parse()
                        .map_err(|_| "--max-sessions needs a number")?
                }
                "--idle-timeout" => {
                    options.idle_timeout_seconds = Some(
                        value("--idle-timeout")?
                            .parse()
                            .map_err(|_| "--idle-timeout needs seconds")?,
                    )
                }
                "--no-delays" => options.delays = false,
                other if other.starts_with('-') => return Err(format!("unknown option {other}")),
                other => match &mut options.command {
                    Command::Replay { script } if script.is_empty() => *script = other.to_string(),
                    _ => return Err(format!("unexpected argument {other:?}")),
                },
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
