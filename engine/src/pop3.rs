//! One POP3 session (RFC 1939, RFC 2449 CAPA, RFC 5034 SASL PLAIN) as a
//! state machine, after Dovecot 2.3's `pop3-login` and `pop3`.
//!
//! Sans-IO like the SMTP session: [`Pop3Session::connect`] and
//! [`Pop3Session::receive`] return [`Event`]s. The mailbox is the
//! shell's: after a login the session asks for it ([`Event::Open`])
//! and the shell hands its bytes to [`Pop3Session::opened`]; at QUIT with
//! messages deleted it hands back the file to write ([`Event::Save`]).
//! The server's texts and limits are data ([`MailServer`]).

use std::sync::Arc;

use crate::dovecot_texts::Pop3Text;
use crate::event::Event;
use crate::gate::{admit, close_input, Admitted, Gate};
use crate::mbox::{self, Mailbox};
use crate::sasl::Plain;
use crate::world::{PlaintextLogin, World};

/// What makes one POP3 server release different, as data.
#[derive(Debug)]
pub struct MailServer {
    pub id: &'static str,
    pub label: &'static str,
    /// The text of the greeting after `+OK `.
    pub greeting: &'static str,
    /// CAPA lines before STLS/USER/SASL.
    pub capabilities: &'static [&'static str],
    pub mechanisms: &'static [&'static str],
    /// The longest command line before login, and after.
    pub login_line_limit: usize,
    pub line_limit: usize,
    /// Unknown or refused commands in a row before the login process
    /// hangs up, and after login (Dovecot allows `limit` and ends at
    /// `limit + 1`).
    pub login_bad_commands: u32,
    pub bad_commands: u32,
    /// The pause before a failed login is answered.
    pub failure_delay_millis: u64,
    /// How long the login process takes before its greeting (it waits
    /// for the auth process); a client may talk first meanwhile.
    pub greeting_delay_millis: u64,
}

/// Debian 12's Dovecot 2.3.19.1.
pub static DOVECOT_2_3_19_DEBIAN: MailServer = MailServer {
    id: "dovecot-2.3.19-debian",
    label: "Dovecot 2.3.19 (Debian 12 defaults)",
    greeting: "Dovecot (Debian) ready.",
    capabilities: &[
        "CAPA",
        "TOP",
        "UIDL",
        "RESP-CODES",
        "PIPELINING",
        "AUTH-RESP-CODE",
    ],
    mechanisms: &["PLAIN"],
    login_line_limit: 4096,
    line_limit: 2048,
    login_bad_commands: 3,
    bad_commands: 20,
    failure_delay_millis: 2000,
    // Long enough that a client which talks first, even on a busy
    // machine, does so before the greeting, as the recordings show.
    greeting_delay_millis: 250,
};

#[derive(Clone, Debug)]
enum State {
    /// Before login (`pop3-login`).
    Authorization {
        user: Option<String>,
    },
    /// `AUTH PLAIN` sent without an initial response: the next line is it.
    SaslResponse,
    /// Logged in; waiting for the shell to hand over the mailbox.
    Opening {
        user: String,
    },
    Transaction(Box<Transaction>),
    TlsHandshake,
    Closed,
}

#[derive(Clone, Debug)]
struct Transaction {
    user: String,
    file: Vec<u8>,
    mailbox: Mailbox,
    uid_validity: u32,
    deleted: Vec<bool>,
    /// Messages sent whole with RETR (they become \\Seen at QUIT).
    seen: Vec<bool>,
}

#[derive(Clone, Debug)]
pub struct Pop3Session {
    server: &'static MailServer,
    world: Arc<World>,
    state: State,
    input: Vec<u8>,
    /// Input that arrived while the mailbox was being opened.
    held: Vec<u8>,
    bad_commands: u32,
    tls: bool,
    /// The client's address is the server's own (Dovecot then counts the
    /// connection as secured).
    local_client: bool,
    now_seconds: i64,
    unread_at_close: bool,
}

impl Pop3Session {
    pub fn new(
        server: &'static MailServer,
        world: Arc<World>,
        client_address: &str,
    ) -> Pop3Session {
        let local_client = client_address == world.server_address;
        Pop3Session {
            server,
            world,
            state: State::Authorization { user: None },
            input: Vec::new(),
            held: Vec::new(),
            bad_commands: 0,
            tls: false,
            local_client,
            now_seconds: 0,
            unread_at_close: false,
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the session ended with client input it never read.
    pub fn closed_with_unread_input(&self) -> bool {
        self.unread_at_close
    }

    /// The greeting.
    pub fn connect(&mut self, now_seconds: i64) -> Vec<Event> {
        self.now_seconds = now_seconds;
        vec![
            Event::Pause {
                millis: self.server.greeting_delay_millis,
            },
            Event::Line(Pop3Text::OkWith.with(&[&self.server.greeting])),
        ]
    }

    /// The shell finished the TLS handshake after `+OK Begin TLS`.
    /// The service speaks TLS from the first byte (POP3S, IMAPS): the
    /// session begins inside it. Call before `connect`.
    pub fn start_in_tls(&mut self) {
        self.tls = true;
    }

    pub fn tls_started(&mut self) {
        if matches!(self.state, State::TlsHandshake) {
            self.tls = true;
            self.state = State::Authorization { user: None };
            self.input.clear();
        }
    }

    fn close(&mut self, out: &mut Vec<Event>) {
        self.state = State::Closed;
        close_input(&mut self.input, &mut self.unread_at_close, out);
    }

    /// A line longer than the input buffer: Dovecot says so and hangs up.
    fn line_too_long(&mut self, out: &mut Vec<Event>) {
        let text = match self.state {
            State::Transaction(_) => Pop3Text::InputLineTooLong,
            _ => Pop3Text::InputBufferFull,
        };
        out.push(Event::Line(text.text()));
        self.close(out);
    }

    /// Bytes from the client.
    pub fn receive(&mut self, bytes: &[u8], now_seconds: i64) -> Vec<Event> {
        self.now_seconds = now_seconds;
        let mut out = Vec::new();
        let gate = match self.state {
            State::Closed => Gate::Closed,
            State::TlsHandshake => Gate::TlsHandshake,
            State::Opening { .. } => Gate::Opening,
            _ => Gate::Reading,
        };
        match admit(gate, bytes, &mut self.input, &mut self.held) {
            Admitted::Read => self.process(&mut out),
            Admitted::EndsSession => self.close(&mut out),
            Admitted::Dropped | Admitted::Held => {}
        }
        out
    }

    /// The shell hands over the mailbox file of the user who logged in.
    pub fn opened(&mut self, file: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        let State::Opening { user } = &self.state else {
            return out;
        };
        let user = user.clone();
        // Dovecot indexes the mailbox as it opens it, writing its UIDs into
        // the file.
        let now = self.now_seconds.clamp(1, i64::from(u32::MAX)) as u32;
        let indexed = mbox::index(file, now);
        if indexed != file {
            out.push(Event::Save {
                user: user.clone(),
                file: indexed.clone(),
            });
        }
        let mailbox = mbox::read(&indexed);
        let uid_validity = mailbox.uid_validity.unwrap_or(now);
        let count = mailbox.messages.len();
        self.state = State::Transaction(Box::new(Transaction {
            user,
            file: indexed,
            mailbox,
            uid_validity,
            deleted: vec![false; count],
            seen: vec![false; count],
        }));
        out.push(Event::Line(Pop3Text::LoggedIn.text()));
        let held = std::mem::take(&mut self.held);
        self.input.extend_from_slice(&held);
        self.process(&mut out);
        out
    }

    fn line_limit(&self) -> usize {
        match self.state {
            State::Transaction(_) => self.server.line_limit,
            _ => self.server.login_line_limit,
        }
    }

    fn process(&mut self, out: &mut Vec<Event>) {
        loop {
            if matches!(
                self.state,
                State::Closed | State::TlsHandshake | State::Opening { .. }
            ) {
                return;
            }
            let Some(newline) = self.input.iter().position(|&b| b == b'\n') else {
                if self.input.len() >= self.line_limit() {
                    self.line_too_long(out);
                }
                return;
            };
            if newline + 1 > self.line_limit() {
                self.line_too_long(out);
                return;
            }
            let line: Vec<u8> = self.input.drain(..=newline).collect();
            let line = line.strip_suffix(b"\n").unwrap_or(&line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = String::from_utf8_lossy(line).into_owned();
            match self.state {
                State::SaslResponse => self.sasl_response(&line, out),
                State::Transaction(_) => self.transaction_command(&line, out),
                _ => self.login_command(&line, out),
            }
        }
    }

    fn plaintext_allowed(&self) -> bool {
        self.world.login_policy == PlaintextLogin::Allowed || self.tls || self.local_client
    }

    fn refuse(&mut self, text: Pop3Text, out: &mut Vec<Event>) {
        out.push(Event::Line(text.text()));
    }

    /// A command before login; a refused or unknown one counts as bad.
    fn login_command(&mut self, line: &str, out: &mut Vec<Event>) {
        let (word, args) = line.split_once(' ').unwrap_or((line, ""));
        let verb = word.to_ascii_uppercase();
        let good = match verb.as_str() {
            "CAPA" => {
                let mut lines = vec![Pop3Text::Ok.text()];
                lines.extend(self.server.capabilities.iter().map(|c| c.to_string()));
                if !self.tls && self.world.tls_certificate != Some(false) {
                    lines.push("STLS".to_string());
                }
                if self.plaintext_allowed() {
                    lines.push("USER".to_string());
                }
                lines.push(format!("SASL {}", self.server.mechanisms.join(" ")));
                lines.push(".".to_string());
                out.extend(lines.into_iter().map(Event::Line));
                true
            }
            "USER" => {
                if self.plaintext_allowed() {
                    self.state = State::Authorization {
                        user: Some(args.to_string()),
                    };
                    out.push(Event::Line(Pop3Text::Ok.text()));
                } else {
                    self.refuse(Pop3Text::PlaintextDisallowed, out);
                }
                true
            }
            "PASS" => {
                let user = match &mut self.state {
                    State::Authorization { user } => user.take(),
                    _ => None,
                };
                match user {
                    _ if !self.plaintext_allowed() => {
                        self.refuse(Pop3Text::PlaintextDisallowed, out)
                    }
                    None => self.refuse(Pop3Text::NoUsername, out),
                    Some(user) => self.log_in(&user, args, out),
                }
                true
            }
            "AUTH" => {
                self.auth(args, out);
                true
            }
            "STLS" => {
                if self.tls {
                    self.refuse(Pop3Text::TlsActive, out);
                } else {
                    out.push(Event::Line(Pop3Text::BeginTls.text()));
                    out.push(Event::StartTls);
                    self.state = State::TlsHandshake;
                }
                true
            }
            "QUIT" => {
                out.push(Event::Line(Pop3Text::LoggingOutBeforeLogin.text()));
                self.close(out);
                true
            }
            _ => {
                self.refuse(Pop3Text::UnknownCommand, out);
                false
            }
        };
        if good {
            self.bad_commands = 0;
        } else {
            self.bad_commands += 1;
            if self.bad_commands >= self.server.login_bad_commands {
                out.push(Event::Line(Pop3Text::TooManyBadCommandsBeforeLogin.text()));
                self.close(out);
            }
        }
    }

    fn auth(&mut self, args: &str, out: &mut Vec<Event>) {
        if args.is_empty() {
            out.push(Event::Line(Pop3Text::Ok.text()));
            for mechanism in self.server.mechanisms {
                out.push(Event::Line(mechanism.to_string()));
            }
            out.push(Event::Line(".".to_string()));
            return;
        }
        let (mechanism, initial) = args.split_once(' ').unwrap_or((args, ""));
        if !self
            .server
            .mechanisms
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mechanism))
        {
            self.refuse(Pop3Text::UnsupportedMechanism, out);
            return;
        }
        if !self.plaintext_allowed() {
            self.refuse(Pop3Text::PlaintextDisabled, out);
            return;
        }
        if initial.is_empty() {
            out.push(Event::Line("+ ".to_string()));
            self.state = State::SaslResponse;
            return;
        }
        self.plain_response(initial, out);
    }

    fn sasl_response(&mut self, line: &str, out: &mut Vec<Event>) {
        self.state = State::Authorization { user: None };
        if line == "*" {
            self.refuse(Pop3Text::AuthenticationAborted, out);
            return;
        }
        self.plain_response(line, out);
    }

    /// RFC 4616: authorization id, NUL, user, NUL, password, in base64.
    fn plain_response(&mut self, encoded: &str, out: &mut Vec<Event>) {
        match crate::sasl::plain(encoded) {
            Plain::BadBase64 => self.refuse(Pop3Text::InvalidBase64, out),
            Plain::Credentials { user, password } => self.log_in(&user, &password, out),
            Plain::Refused => self.fail_login(out),
        }
    }

    fn fail_login(&mut self, out: &mut Vec<Event>) {
        out.push(Event::Pause {
            millis: self.server.failure_delay_millis,
        });
        self.refuse(Pop3Text::AuthenticationFailed, out);
    }

    fn log_in(&mut self, user: &str, password: &str, out: &mut Vec<Event>) {
        let known = self.world.user_with_password(user, password);
        match known {
            Some(found) => {
                let name = found.name.clone();
                self.state = State::Opening { user: name.clone() };
                out.push(Event::Open { user: name });
            }
            None => self.fail_login(out),
        }
    }

    /// A message number argument; the error line when it is not one of
    /// the messages (Dovecot's `get_msgnum`).
    fn message_number(
        transaction: &Transaction,
        args: &str,
        then_space: bool,
    ) -> Result<(usize, String), String> {
        if !args.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(Pop3Text::InvalidMessageNumber.with(&[&args]));
        }
        let digits = args.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &args[digits..];
        let Ok(number) = args[..digits].parse::<u32>() else {
            return Err(Pop3Text::MessageNumberTooLarge.with(&[&rest]));
        };
        let expected_end = if then_space {
            rest.starts_with(' ')
        } else {
            rest.is_empty()
        };
        if !expected_end {
            return Err(Pop3Text::NoiseAfterNumber.with(&[&rest]));
        }
        let count = transaction.mailbox.messages.len();
        if number == 0 || number as usize > count {
            return Err(Pop3Text::NoSuchMessage.with(&[&number]));
        }
        let index = number as usize - 1;
        if transaction.deleted[index] {
            return Err(Pop3Text::MessageDeleted.text());
        }
        Ok((index, rest.trim_start_matches(' ').to_string()))
    }

    fn transaction_command(&mut self, line: &str, out: &mut Vec<Event>) {
        let (word, args) = line.split_once(' ').unwrap_or((line, ""));
        let State::Transaction(transaction) = &mut self.state else {
            return;
        };
        let verb = word.to_ascii_uppercase();
        let mut send = |text: String| out.push(Event::Line(text));
        let good = match verb.as_str() {
            "" => {
                send(Pop3Text::UnknownCommand.text());
                false
            }
            "CAPA" => {
                send(Pop3Text::Ok.text());
                for capability in self.server.capabilities {
                    send(capability.to_string());
                }
                send(".".to_string());
                true
            }
            "NOOP" => {
                send(Pop3Text::Ok.text());
                true
            }
            "STAT" => {
                let (count, size) = live(transaction);
                send(Pop3Text::Stat.with(&[&count, &size]));
                true
            }
            "LIST" | "UIDL" => {
                let uidl = verb == "UIDL";
                let show = |t: &Transaction, index: usize| {
                    if uidl {
                        format!(
                            "{} {:08x}{:08x}",
                            index + 1,
                            t.mailbox.messages[index].uid,
                            t.uid_validity
                        )
                    } else {
                        format!("{} {}", index + 1, t.mailbox.messages[index].size())
                    }
                };
                if args.is_empty() {
                    let (count, _) = live(transaction);
                    send(if uidl {
                        Pop3Text::Ok.text()
                    } else {
                        Pop3Text::ListHead.with(&[&count])
                    });
                    for index in 0..transaction.mailbox.messages.len() {
                        if !transaction.deleted[index] {
                            send(show(transaction, index));
                        }
                    }
                    send(".".to_string());
                    true
                } else {
                    match Self::message_number(transaction, args, false) {
                        Ok((index, _)) => {
                            send(Pop3Text::OkWith.with(&[&show(transaction, index)]));
                            true
                        }
                        Err(error) => {
                            send(error);
                            false
                        }
                    }
                }
            }
            "RETR" | "TOP" => {
                let top = verb == "TOP";
                match Self::message_number(transaction, args, top) {
                    Ok((index, rest)) => {
                        let message = &transaction.mailbox.messages[index];
                        let lines = if top {
                            rest.parse::<usize>().ok()
                        } else {
                            None
                        };
                        if top && lines.is_none() {
                            send(Pop3Text::InvalidSize.with(&[&rest]));
                            false
                        } else {
                            let text = match lines {
                                Some(count) => {
                                    let mut text = message.header().to_vec();
                                    for line in
                                        message.body().split_inclusive(|&b| b == b'\n').take(count)
                                    {
                                        text.extend_from_slice(line);
                                    }
                                    text
                                }
                                None => message.text.clone(),
                            };
                            if top {
                                send(Pop3Text::Ok.text());
                            } else {
                                send(Pop3Text::Octets.with(&[&message.size()]));
                                transaction.seen[index] = true;
                            }
                            out.push(Event::Bytes(dot_stuff(&text)));
                            out.push(Event::Line(".".to_string()));
                            true
                        }
                    }
                    Err(error) => {
                        send(error);
                        false
                    }
                }
            }
            "DELE" => match Self::message_number(transaction, args, false) {
                Ok((index, _)) => {
                    transaction.deleted[index] = true;
                    send(Pop3Text::MarkedDeleted.text());
                    true
                }
                Err(error) => {
                    send(error);
                    false
                }
            },
            "RSET" => {
                transaction.deleted.iter_mut().for_each(|d| *d = false);
                transaction.seen.iter_mut().for_each(|d| *d = false);
                send(Pop3Text::Ok.text());
                true
            }
            "QUIT" => {
                let deleted = transaction.deleted.iter().any(|&d| d);
                let file = mbox::update(&transaction.file, &transaction.seen, &transaction.deleted);
                if file != transaction.file {
                    out.push(Event::Save {
                        user: transaction.user.clone(),
                        file,
                    });
                }
                out.push(Event::Line(
                    if deleted {
                        Pop3Text::LoggingOutDeleted
                    } else {
                        Pop3Text::LoggingOut
                    }
                    .text(),
                ));
                self.close(out);
                return;
            }
            _ => {
                send(Pop3Text::UnknownCommandNamed.with(&[&verb]));
                false
            }
        };
        if good {
            self.bad_commands = 0;
        } else {
            self.bad_commands += 1;
            if self.bad_commands > self.server.bad_commands {
                out.push(Event::Line(Pop3Text::TooManyBadCommands.text()));
                self.close(out);
            }
        }
    }
}

/// The messages not marked deleted, and their size.
fn live(transaction: &Transaction) -> (usize, usize) {
    transaction
        .mailbox
        .messages
        .iter()
        .zip(&transaction.deleted)
        .filter(|(_, deleted)| !**deleted)
        .fold((0, 0), |(count, size), (message, _)| {
            (count + 1, size + message.size())
        })
}

/// A message as POP3 sends it: a dot before every line that starts with
/// one; the terminating `.` is sent apart.
fn dot_stuff(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    for line in text.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    out
}
