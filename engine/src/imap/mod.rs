//! One IMAP session (RFC 3501, with LITERAL+, SASL-IR, UIDPLUS, IDLE and
//! the other extensions Dovecot's recordings use) as a state machine,
//! after Dovecot 2.3's `imap-login` and `imap`.
//!
//! Sans-IO like the POP3 session: [`ImapSession::connect`] and
//! [`ImapSession::receive`] return [`MailAction`]s. After a login the
//! session asks for the user's mail store ([`MailAction::Open`]) and the
//! shell hands it to [`ImapSession::opened`]: the INBOX mbox file, the
//! folders under `~/mail` and the subscriptions. Changes go back as
//! [`MailAction::Save`] (INBOX) and [`MailAction::Write`] (folders,
//! subscriptions), in Dovecot's mbox format. Texts and limits are data
//! ([`ImapServer`]).

mod fetch;
pub mod message;
pub mod parse;
mod search;

use std::sync::Arc;

use base64::Engine as _;

use crate::mail_actions::{admit, close_input, Admitted, Gate, MailAction, StorePath};
use crate::mbox::{self, Base, MessageState, Plan, DELETED, DRAFT, FLAGGED, SEEN};
use crate::time::Timestamp;
use crate::world::{PlaintextLogin, World};
use fetch::{fetch_item, fetch_items, Item};
use parse::{arguments, in_set, literal_at_end, sequence_set, valid_tag, Arg};
use search::{search_key, SearchContext};

/// What makes one IMAP server release different, as data.
#[derive(Debug)]
pub struct ImapServer {
    pub id: &'static str,
    pub label: &'static str,
    /// The greeting's text after the capability code.
    pub greeting: &'static str,
    /// Capabilities before login, before STARTTLS and the AUTH= list.
    pub login_capabilities: &'static [&'static str],
    /// Capabilities once logged in.
    pub capabilities: &'static [&'static str],
    pub mechanisms: &'static [&'static str],
    /// The login process's input buffer: a command that does not fit
    /// ends the connection.
    pub login_buffer: usize,
    /// The longest command line after login.
    pub line_limit: usize,
    /// Invalid commands before the login process hangs up (the last one
    /// gets no BAD), and after login (the last one gets its BAD first).
    pub login_bad_commands: u32,
    pub bad_commands: u32,
    pub failure_delay_millis: u64,
    pub greeting_delay_millis: u64,
    /// Folders that carry a special-use flag when they exist.
    pub special_use: &'static [(&'static str, &'static str)],
}

/// Debian 12's Dovecot 2.3.19.1 (`imap-login` and `imap`).
pub static DOVECOT_IMAP_2_3_19_DEBIAN: ImapServer = ImapServer {
    id: "dovecot-2.3.19-debian",
    label: "Dovecot 2.3.19 (Debian 12 defaults)",
    greeting: "Dovecot (Debian) ready.",
    login_capabilities: &[
        "IMAP4rev1",
        "SASL-IR",
        "LOGIN-REFERRALS",
        "ID",
        "ENABLE",
        "IDLE",
        "LITERAL+",
    ],
    capabilities: &[
        "IMAP4rev1",
        "SASL-IR",
        "LOGIN-REFERRALS",
        "ID",
        "ENABLE",
        "IDLE",
        "SORT",
        "SORT=DISPLAY",
        "THREAD=REFERENCES",
        "THREAD=REFS",
        "THREAD=ORDEREDSUBJECT",
        "MULTIAPPEND",
        "URL-PARTIAL",
        "CATENATE",
        "UNSELECT",
        "CHILDREN",
        "NAMESPACE",
        "UIDPLUS",
        "LIST-EXTENDED",
        "I18NLEVEL=1",
        "CONDSTORE",
        "QRESYNC",
        "ESEARCH",
        "ESORT",
        "SEARCHRES",
        "WITHIN",
        "CONTEXT=SEARCH",
        "LIST-STATUS",
        "BINARY",
        "MOVE",
        "SNIPPET=FUZZY",
        "PREVIEW=FUZZY",
        "PREVIEW",
        "STATUS=SIZE",
        "SAVEDATE",
        "LITERAL+",
        "NOTIFY",
        "SPECIAL-USE",
    ],
    mechanisms: &["PLAIN"],
    // MASTER_AUTH_MAX_DATA_SIZE less the prefix and session id room.
    login_buffer: 1026,
    line_limit: 65536,
    login_bad_commands: 3,
    bad_commands: 20,
    failure_delay_millis: 2000,
    greeting_delay_millis: 250,
    special_use: &[
        ("Drafts", "\\Drafts"),
        ("Junk", "\\Junk"),
        ("Trash", "\\Trash"),
        ("Sent", "\\Sent"),
    ],
};

/// A few values by name, in name order: a sorted list rather than a
/// `BTreeMap`, which costs the page several kilobytes more for the
/// handful of folders a learner makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByName<T>(Vec<(String, T)>);

impl<T> Default for ByName<T> {
    fn default() -> ByName<T> {
        ByName(Vec::new())
    }
}

impl<T> ByName<T> {
    fn at(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.at(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.at(name).is_ok()
    }

    pub fn insert(&mut self, name: String, value: T) {
        match self.at(&name) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<T> {
        self.at(name).ok().map(|i| self.0.remove(i).1)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(n, _)| n)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, T)> {
        self.0.iter()
    }
}

impl<T> FromIterator<(String, T)> for ByName<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(items: I) -> ByName<T> {
        let mut out = ByName::default();
        for (name, value) in items {
            out.insert(name, value);
        }
        out
    }
}

/// A user's mail as the shell keeps it: INBOX (`/var/mail/USER`), the
/// folders in `~/mail` by name, and the subscription list file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserStore {
    pub inbox: Vec<u8>,
    pub folders: ByName<Vec<u8>>,
    pub subscriptions: Vec<u8>,
}

/// What a mailbox file holds in the session's view.
#[derive(Clone, Debug)]
struct Message {
    pub(super) uid: u32,
    pub(super) text: Arc<Vec<u8>>,
    pub(super) flags: u8,
    pub(super) keywords: Vec<String>,
    /// \Recent in this session.
    pub(super) recent: bool,
    pub(super) received: String,
}

#[derive(Clone, Debug)]
struct Selected {
    name: String,
    read_only: bool,
    file: Vec<u8>,
    messages: Vec<Message>,
    uid_validity: u32,
    uid_next: u32,
    keywords: Vec<String>,
    /// The file had been indexed before this SELECT: the session takes
    /// the new messages and marks them seen-arriving (`O`) at close.
    indexed_before: bool,
    /// Messages written back at close are those up to here (exclusive).
    changed_upto: usize,
    /// Messages announced with EXISTS.
    announced: usize,
}

#[derive(Clone, Debug)]
enum State {
    NotAuthenticated,
    /// AUTHENTICATE PLAIN without an initial response: the next line is it.
    SaslResponse {
        tag: String,
    },
    /// Logged in; waiting for the shell to hand over the store.
    Opening {
        tag: String,
        user: String,
    },
    Authenticated,
    Idle {
        tag: String,
    },
    TlsHandshake,
    Closed,
}

#[derive(Clone, Debug)]
pub struct ImapSession {
    server: &'static ImapServer,
    world: Arc<World>,
    state: State,
    input: Vec<u8>,
    held: Vec<u8>,
    /// Synchronizing literals of the command being read that got `+ OK`.
    acknowledged: usize,
    /// Skip input up to the next line end (after a refused literal).
    skip_line: bool,
    bad_commands: u32,
    tls: bool,
    local_client: bool,
    now_seconds: i64,
    unread_at_close: bool,
    user: String,
    store: UserStore,
    selected: Option<Selected>,
    /// UIDVALIDITY of folders created in this session, still empty.
    folder_validity: ByName<u32>,
    /// Mailboxes indexed in this session whose files do not say so yet
    /// (Dovecot writes its UIDs lazily, when it closes them), with their
    /// UIDVALIDITY.
    indexed: ByName<u32>,
    /// Where the line still waiting for its end starts, when the last look
    /// at the input stopped there: bytes without a line end then only
    /// need counting, not another scan of everything before them.
    unterminated: Option<usize>,
    /// CAPABILITY was asked before login without TLS: Dovecot then takes
    /// the client for one that ignores the capability code of the login
    /// reply, and lists them untagged.
    asked_capability: bool,
}

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The timing Dovecot adds to tagged replies after login (masked by the
/// corpus's normalizer; a fast server's figures).
const TIMING: &str = "(0.001 + 0.000 secs)";

pub(super) fn flag_names(flags: u8, recent: bool, keywords: &[String]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (bit, name) in SYSTEM_FLAGS {
        if flags & bit != 0 {
            names.push(name);
        }
    }
    if recent {
        names.push("\\Recent");
    }
    names.extend(keywords.iter().map(String::as_str));
    names.join(" ")
}

const SYSTEM_FLAGS: [(u8, &str); 5] = [
    (mbox::ANSWERED, "\\Answered"),
    (FLAGGED, "\\Flagged"),
    (DELETED, "\\Deleted"),
    (SEEN, "\\Seen"),
    (DRAFT, "\\Draft"),
];

enum Scan {
    /// A whole command: its bytes end here.
    Complete(usize),
    /// The line ending here announces a synchronizing literal not yet
    /// acknowledged.
    NeedsContinuation(usize),
    /// A line longer than the buffer, ending here (or not yet ended).
    TooLong(Option<usize>),
    Incomplete,
}

/// The atom at `index` of a command's arguments, or Dovecot's complaint.
fn atom_at(args: &[Arg], index: usize) -> Result<&str, String> {
    args.get(index)
        .and_then(Arg::atom)
        .ok_or_else(|| "Invalid arguments.".to_string())
}

/// The astring at `index` as text, or Dovecot's complaint.
fn text_at(args: &[Arg], index: usize) -> Result<String, String> {
    args.get(index)
        .and_then(Arg::text)
        .ok_or_else(|| "Invalid arguments.".to_string())
}

impl ImapSession {
    pub fn new(
        server: &'static ImapServer,
        world: Arc<World>,
        client_address: &str,
    ) -> ImapSession {
        let local_client = client_address == world.server_address;
        ImapSession {
            server,
            world,
            state: State::NotAuthenticated,
            input: Vec::new(),
            held: Vec::new(),
            acknowledged: 0,
            skip_line: false,
            bad_commands: 0,
            tls: false,
            local_client,
            now_seconds: 0,
            unread_at_close: false,
            user: String::new(),
            store: UserStore::default(),
            selected: None,
            folder_validity: ByName::default(),
            indexed: ByName::default(),
            unterminated: None,
            asked_capability: false,
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    pub fn closed_with_unread_input(&self) -> bool {
        self.unread_at_close
    }

    /// Whether a user is logged in (the store is open).
    pub fn is_logged_in(&self) -> bool {
        self.logged_in()
    }

    /// The user logged in, or empty.
    pub fn user(&self) -> &str {
        &self.user
    }

    fn logged_in(&self) -> bool {
        matches!(self.state, State::Authenticated | State::Idle { .. })
    }

    fn plaintext_allowed(&self) -> bool {
        self.world.login_policy == PlaintextLogin::Allowed || self.tls || self.local_client
    }

    fn login_capability(&self) -> String {
        let mut list: Vec<&str> = self.server.login_capabilities.to_vec();
        if !self.tls && self.world.tls_certificate != Some(false) {
            list.push("STARTTLS");
        }
        let auth: Vec<String> = self
            .server
            .mechanisms
            .iter()
            .map(|m| format!("AUTH={m}"))
            .collect();
        if self.plaintext_allowed() {
            list.extend(auth.iter().map(String::as_str));
            list.join(" ")
        } else {
            list.push("LOGINDISABLED");
            list.join(" ")
        }
    }

    fn capability(&self) -> String {
        self.server.capabilities.join(" ")
    }

    pub fn connect(&mut self, now_seconds: i64) -> Vec<MailAction> {
        self.now_seconds = now_seconds;
        vec![
            MailAction::Pause {
                millis: self.server.greeting_delay_millis,
            },
            MailAction::Send(format!(
                "* OK [CAPABILITY {}] {}",
                self.login_capability(),
                self.server.greeting
            )),
        ]
    }

    pub fn tls_started(&mut self) {
        if matches!(self.state, State::TlsHandshake) {
            self.tls = true;
            self.state = State::NotAuthenticated;
            self.input.clear();
            self.unterminated = None;
        }
    }

    fn close(&mut self, out: &mut Vec<MailAction>) {
        self.unterminated = None;
        self.state = State::Closed;
        close_input(&mut self.input, &mut self.unread_at_close, out);
    }

    pub fn receive(&mut self, bytes: &[u8], now_seconds: i64) -> Vec<MailAction> {
        self.now_seconds = now_seconds;
        let mut out = Vec::new();
        let gate = match self.state {
            State::Closed => Gate::Closed,
            State::TlsHandshake => Gate::TlsHandshake,
            State::Opening { .. } => Gate::Opening,
            _ => Gate::Reading,
        };
        match admit(gate, bytes, &mut self.input, &mut self.held) {
            Admitted::Read => {}
            Admitted::EndsSession => {
                self.close(&mut out);
                return out;
            }
            Admitted::Dropped | Admitted::Held => return out,
        }
        // More of a line still without its end: nothing can complete, and
        // only its length matters (a line sent a byte at a time must not
        // be scanned again with every byte).
        if let Some(start) = self.unterminated.filter(|&start| start <= self.input.len()) {
            let still_open = !bytes.contains(&b'\n')
                && self.input.len() - start < self.line_limit()
                && matches!(self.state, State::NotAuthenticated | State::Authenticated)
                && !self.skip_line;
            if still_open {
                return out;
            }
        }
        self.process(&mut out);
        out
    }

    /// The shell hands over the store of the user who logged in.
    pub fn opened(&mut self, store: UserStore) -> Vec<MailAction> {
        let mut out = Vec::new();
        let State::Opening { tag, user } = &self.state else {
            return out;
        };
        let (tag, user) = (tag.clone(), user.clone());
        self.user = user;
        self.store = store;
        self.state = State::Authenticated;
        self.bad_commands = 0;
        if self.asked_capability {
            out.push(MailAction::Send(format!(
                "* CAPABILITY {}",
                self.capability()
            )));
            out.push(MailAction::Send(format!("{tag} OK Logged in")));
        } else {
            out.push(MailAction::Send(format!(
                "{tag} OK [CAPABILITY {}] Logged in",
                self.capability()
            )));
        }
        let held = std::mem::take(&mut self.held);
        self.input.extend_from_slice(&held);
        self.process(&mut out);
        out
    }

    /// INBOX changed outside the session (a delivery): new messages are
    /// announced with the next reply, as Dovecot notices them, or at once
    /// to a client in IDLE (the actions returned).
    pub fn inbox_changed(&mut self, file: &[u8]) -> Vec<MailAction> {
        let mut out = Vec::new();
        if self.store.inbox == file {
            return out;
        }
        self.store.inbox = file.to_vec();
        let Some(selected) = &mut self.selected else {
            return out;
        };
        if selected.name != "INBOX" || file == selected.file.as_slice() {
            return out;
        }
        let mailbox = mbox::read(file);
        if mailbox.messages.len() <= selected.messages.len() {
            return out;
        }
        for stored in &mailbox.messages[selected.messages.len()..] {
            let uid = selected.uid_next.max(stored.uid);
            selected.uid_next = uid.saturating_add(1);
            selected.messages.push(Message {
                uid,
                text: Arc::new(stored.text.clone()),
                flags: stored.flags,
                keywords: stored.keywords.clone(),
                recent: !selected.read_only,
                received: stored.received.clone(),
            });
        }
        selected.file = file.to_vec();
        selected.changed_upto = selected.messages.len();
        if matches!(self.state, State::Idle { .. }) {
            self.announce(&mut out, "IDLE");
        }
        out
    }

    fn line_limit(&self) -> usize {
        if self.logged_in() {
            self.server.line_limit
        } else {
            self.server.login_buffer
        }
    }

    /// Finds where the command at the start of the input ends. A line
    /// of it (between literals) longer than the server's buffer is
    /// [`Scan::TooLong`], however the input arrived.
    fn scan(&mut self) -> Scan {
        self.unterminated = None;
        let limit = self.line_limit();
        let mut at = 0;
        let mut literal = 0;
        loop {
            let Some(newline) = self.input[at..].iter().position(|&b| b == b'\n') else {
                if self.input.len() - at >= limit {
                    return Scan::TooLong(None);
                }
                self.unterminated = Some(at);
                return Scan::Incomplete;
            };
            let end = at + newline + 1;
            if end - at > limit {
                return Scan::TooLong(Some(end));
            }
            match literal_at_end(&self.input[at..end]) {
                None => return Scan::Complete(end),
                Some((size, plus)) => {
                    if !plus && literal >= self.acknowledged {
                        return Scan::NeedsContinuation(end);
                    }
                    let Some(after) = usize::try_from(size).ok().and_then(|s| end.checked_add(s))
                    else {
                        return Scan::Incomplete;
                    };
                    if after > self.input.len() {
                        return Scan::Incomplete;
                    }
                    at = after;
                    literal += 1;
                }
            }
        }
    }

    fn process(&mut self, out: &mut Vec<MailAction>) {
        loop {
            match self.state {
                State::Closed | State::TlsHandshake | State::Opening { .. } => return,
                State::SaslResponse { .. } | State::Idle { .. } => {
                    let Some(newline) = self.input.iter().position(|&b| b == b'\n') else {
                        return;
                    };
                    let line: Vec<u8> = self.input.drain(..=newline).collect();
                    let line = String::from_utf8_lossy(line.trim_ascii_end()).into_owned();
                    match std::mem::replace(&mut self.state, State::NotAuthenticated) {
                        State::SaslResponse { tag } => self.sasl_response(&tag, &line, out),
                        State::Idle { tag } => {
                            self.state = State::Authenticated;
                            if line.eq_ignore_ascii_case("DONE") {
                                self.tagged(&tag, "OK", "Idle completed.", out);
                            } else {
                                self.tagged(&tag, "BAD", "Expected DONE.", out);
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                _ => {}
            }
            if self.skip_line {
                let Some(newline) = self.input.iter().position(|&b| b == b'\n') else {
                    self.input.clear();
                    return;
                };
                self.input.drain(..=newline);
                self.skip_line = false;
                continue;
            }
            match self.scan() {
                Scan::Incomplete => return,
                Scan::TooLong(end) => {
                    if !self.logged_in() {
                        out.push(MailAction::Send(
                            "* BYE Input buffer full, aborting".to_string(),
                        ));
                        self.close(out);
                        return;
                    }
                    // The command is dropped up to the end of that line.
                    match end {
                        Some(end) => {
                            self.input.drain(..end);
                        }
                        None => {
                            self.input.clear();
                            self.skip_line = true;
                        }
                    }
                    self.acknowledged = 0;
                    self.tagged_error("*", "Error in IMAP tag: Too long argument.", out);
                }
                Scan::NeedsContinuation(line_end) => {
                    match self.before_literal(line_end) {
                        Ok(()) => {
                            self.acknowledged += 1;
                            out.push(MailAction::Send("+ OK".to_string()));
                        }
                        Err((tag, status, text)) => {
                            self.input.drain(..line_end);
                            if status == "NO" {
                                // Dovecot looked the mailbox up in its list,
                                // which refreshes INBOX.
                                let _ = self.indexed("INBOX", true, out);
                            }
                            self.acknowledged = 0;
                            self.tagged(&tag, status, &text, out);
                        }
                    }
                }
                Scan::Complete(end) => {
                    let command: Vec<u8> = self.input.drain(..end).collect();
                    self.acknowledged = 0;
                    self.command(&command, out);
                }
            }
        }
    }

    /// Before `+ OK` for a literal: a command the server refuses before
    /// reading its literal gets its answer now: (tag, status, text).
    fn before_literal(&self, line_end: usize) -> Result<(), (String, &'static str, String)> {
        let line = &self.input[..line_end];
        let (tag, rest) = split_word(line);
        let (name, rest) = split_word(rest);
        let tag = String::from_utf8_lossy(tag).into_owned();
        let name = String::from_utf8_lossy(name).to_ascii_uppercase();
        if !self.logged_in() || !valid_tag(tag.as_bytes()) {
            return Ok(());
        }
        if !is_command(&name) {
            return Err((
                tag,
                "BAD",
                format!("Error in IMAP command {name}: Unknown command."),
            ));
        }
        if name == "APPEND" {
            // The mailbox is checked before the message is read.
            let announced = rest.iter().rposition(|&b| b == b'{').unwrap_or(rest.len());
            let Ok(args) = arguments(&rest[..announced]) else {
                return Ok(());
            };
            if let Some(mailbox) = args.first().and_then(Arg::text) {
                if self.mailbox_name(&mailbox).is_none() {
                    return Err((
                        tag,
                        "NO",
                        format!("[TRYCREATE] Mailbox doesn't exist: {mailbox}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A tagged reply; after login with Dovecot's timing.
    fn tagged(&self, tag: &str, status: &str, text: &str, out: &mut Vec<MailAction>) {
        let text =
            if self.logged_in() || matches!(self.state, State::Closed) && !self.user.is_empty() {
                format!("{} {TIMING}.", text.strip_suffix('.').unwrap_or(text))
            } else {
                text.to_string()
            };
        out.push(MailAction::Send(format!("{tag} {status} {text}")));
    }

    /// A BAD for a command that could not be parsed; too many in a row end
    /// the session.
    fn tagged_error(&mut self, tag: &str, text: &str, out: &mut Vec<MailAction>) {
        if self.logged_in() {
            self.tagged(tag, "BAD", text, out);
            self.bad_commands += 1;
            if self.bad_commands >= self.server.bad_commands {
                out.push(MailAction::Send(
                    "* BYE Too many invalid IMAP commands.".to_string(),
                ));
                self.finish(out);
                self.close(out);
            }
        } else {
            self.bad_commands += 1;
            if self.bad_commands >= self.server.login_bad_commands {
                out.push(MailAction::Send(
                    "* BYE Too many invalid IMAP commands.".to_string(),
                ));
                self.close(out);
                return;
            }
            out.push(MailAction::Send(format!(
                "{tag} BAD Error in IMAP command received by server."
            )));
        }
    }

    fn command(&mut self, bytes: &[u8], out: &mut Vec<MailAction>) {
        let line = bytes
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(bytes);
        let (tag_bytes, rest) = split_word(line);
        let tag = String::from_utf8_lossy(tag_bytes).into_owned();
        if !valid_tag(tag_bytes) {
            let text = if self.logged_in() {
                "Error in IMAP tag: Invalid tag."
            } else {
                ""
            };
            self.tagged_error("*", text, out);
            return;
        }
        let (name_bytes, mut rest) = split_word(rest);
        let mut name = String::from_utf8_lossy(name_bytes).to_ascii_uppercase();
        if self.logged_in() && name == "UID" {
            let (sub, after) = split_word(rest);
            name = format!("UID {}", String::from_utf8_lossy(sub).to_ascii_uppercase());
            rest = after;
        }
        if !self.logged_in() {
            self.login_command(&tag, &name, rest, out);
            return;
        }
        if !is_command(&name) {
            self.tagged_error(
                &tag,
                &format!("Error in IMAP command {name}: Unknown command."),
                out,
            );
            return;
        }
        let args = match arguments(rest) {
            Ok(args) => args,
            Err(error) => {
                self.tagged_error(&tag, &format!("Error in IMAP command {name}: {error}"), out);
                return;
            }
        };
        match self.run(&tag, &name, &args, out) {
            Ok(()) => self.bad_commands = 0,
            Err(text) => {
                self.tagged_error(&tag, &format!("Error in IMAP command {name}: {text}"), out)
            }
        }
    }

    // ---- Before login (`imap-login`) ----

    fn login_command(&mut self, tag: &str, name: &str, rest: &[u8], out: &mut Vec<MailAction>) {
        let args = arguments(rest);
        let good = match (name, &args) {
            ("CAPABILITY", Ok(_)) => {
                self.asked_capability |= !self.tls;
                out.push(MailAction::Send(format!(
                    "* CAPABILITY {}",
                    self.login_capability()
                )));
                out.push(MailAction::Send(format!(
                    "{tag} OK Pre-login capabilities listed, post-login capabilities have more."
                )));
                true
            }
            ("NOOP", Ok(_)) => {
                out.push(MailAction::Send(format!("{tag} OK NOOP completed.")));
                true
            }
            ("LOGOUT", Ok(_)) => {
                out.push(MailAction::Send("* BYE Logging out".to_string()));
                out.push(MailAction::Send(format!("{tag} OK Logout completed.")));
                self.close(out);
                true
            }
            ("ID", Ok(_)) => {
                out.push(MailAction::Send("* ID NIL".to_string()));
                out.push(MailAction::Send(format!("{tag} OK ID completed.")));
                true
            }
            ("ENABLE", Ok(_)) => {
                out.push(MailAction::Send("* ENABLED".to_string()));
                out.push(MailAction::Send(format!(
                    "{tag} OK ENABLE ignored in non-authenticated state."
                )));
                true
            }
            ("STARTTLS", Ok(_)) => {
                if self.tls {
                    out.push(MailAction::Send(format!(
                        "{tag} BAD TLS is already active."
                    )));
                } else {
                    out.push(MailAction::Send(format!(
                        "{tag} OK Begin TLS negotiation now."
                    )));
                    out.push(MailAction::StartTls);
                    self.state = State::TlsHandshake;
                    // What was pipelined after STARTTLS is not read as TLS.
                    self.input.clear();
                }
                true
            }
            ("LOGIN", Ok(args)) => {
                match (
                    args.first().and_then(Arg::text),
                    args.get(1).and_then(Arg::text),
                ) {
                    (Some(user), Some(password)) if args.len() == 2 => {
                        if !self.plaintext_allowed() {
                            out.push(MailAction::Send(
                                "* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your client did it anyway. If anyone was listening, the password was exposed."
                                    .to_string(),
                            ));
                            out.push(MailAction::Send(format!(
                                "{tag} NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
                            )));
                        } else {
                            self.log_in(tag, &user, &password, out);
                        }
                        true
                    }
                    _ => {
                        out.push(MailAction::Send(format!("{tag} BAD Invalid arguments.")));
                        true
                    }
                }
            }
            ("AUTHENTICATE", Ok(args)) => {
                let mechanism = args.first().and_then(Arg::text).unwrap_or_default();
                if !self
                    .server
                    .mechanisms
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&mechanism))
                {
                    out.push(MailAction::Send(format!(
                        "{tag} NO Unsupported authentication mechanism."
                    )));
                } else if !self.plaintext_allowed() {
                    out.push(MailAction::Send(format!(
                        "{tag} NO [PRIVACYREQUIRED] Plaintext authentication disabled."
                    )));
                } else if let Some(initial) = args.get(1).and_then(Arg::text) {
                    self.plain_response(tag, &initial, out);
                } else {
                    out.push(MailAction::Send("+ ".to_string()));
                    self.state = State::SaslResponse {
                        tag: tag.to_string(),
                    };
                }
                true
            }
            _ => false,
        };
        if good {
            self.bad_commands = 0;
        } else {
            self.tagged_error(tag, "", out);
        }
    }

    fn sasl_response(&mut self, tag: &str, line: &str, out: &mut Vec<MailAction>) {
        self.state = State::NotAuthenticated;
        if line == "*" {
            out.push(MailAction::Send(format!(
                "{tag} BAD Authentication aborted by client."
            )));
            return;
        }
        self.plain_response(tag, line, out);
    }

    fn plain_response(&mut self, tag: &str, encoded: &str, out: &mut Vec<MailAction>) {
        let Ok(decoded) = BASE64.decode(encoded.trim()) else {
            out.push(MailAction::Send(format!(
                "{tag} BAD Invalid base64 data in continued response"
            )));
            return;
        };
        let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
        match parts.as_slice() {
            [authz, user, password] if authz.is_empty() || authz == user => {
                let user = String::from_utf8_lossy(user).into_owned();
                let password = String::from_utf8_lossy(password).into_owned();
                self.log_in(tag, &user, &password, out);
            }
            _ => self.fail_login(tag, out),
        }
    }

    fn fail_login(&mut self, tag: &str, out: &mut Vec<MailAction>) {
        out.push(MailAction::Pause {
            millis: self.server.failure_delay_millis,
        });
        out.push(MailAction::Send(format!(
            "{tag} NO [AUTHENTICATIONFAILED] Authentication failed."
        )));
    }

    fn log_in(&mut self, tag: &str, user: &str, password: &str, out: &mut Vec<MailAction>) {
        let known = self.world.users.iter().find(|u| {
            u.name == user.to_ascii_lowercase() && u.password.as_deref() == Some(password)
        });
        match known {
            Some(found) => {
                let name = found.name.clone();
                self.state = State::Opening {
                    tag: tag.to_string(),
                    user: name.clone(),
                };
                out.push(MailAction::Open { user: name });
            }
            None => self.fail_login(tag, out),
        }
    }

    // ---- The store ----

    /// The canonical name of an existing mailbox (`INBOX` in any case).
    fn mailbox_name(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Some("INBOX".to_string());
        }
        self.store
            .folders
            .contains_key(name)
            .then(|| name.to_string())
    }

    fn file_of(&self, name: &str) -> Vec<u8> {
        if name == "INBOX" {
            self.store.inbox.clone()
        } else {
            self.store.folders.get(name).cloned().unwrap_or_default()
        }
    }

    fn save_file(&mut self, name: &str, file: Vec<u8>, out: &mut Vec<MailAction>) {
        if name == "INBOX" {
            if self.store.inbox != file {
                self.store.inbox = file.clone();
                out.push(MailAction::Save {
                    user: self.user.clone(),
                    file,
                });
            }
        } else if self.store.folders.get(name) != Some(&file) {
            self.store.folders.insert(name.to_string(), file.clone());
            out.push(MailAction::Write {
                user: self.user.clone(),
                path: StorePath::Folder(name.to_string()),
                file: Some(file),
            });
        }
    }

    fn now_validity(&self) -> u32 {
        self.now_seconds.clamp(1, i64::from(u32::MAX)) as u32
    }

    /// Opens a mailbox file as Dovecot does: a file never indexed is
    /// indexed, its UIDs written at once (`eager`: SELECT, LIST, STATUS
    /// ...) or kept in the session until the file is next written (an
    /// APPEND's quick sync). Returns the file and whether the mailbox had
    /// been indexed before (in the file or earlier in this session).
    fn indexed(&mut self, name: &str, eager: bool, out: &mut Vec<MailAction>) -> (Vec<u8>, bool) {
        let file = self.file_of(name);
        let data = mbox::read(&file);
        let in_file = data.uid_validity.is_some();
        let before = in_file || self.indexed.contains_key(name);
        if before {
            return (file, true);
        }
        let validity = match self.folder_validity.get(name) {
            Some(&validity) => validity,
            None => {
                let now = self.now_validity();
                self.folder_validity.insert(name.to_string(), now);
                now
            }
        };
        if data.messages.is_empty() {
            return (file, false);
        }
        if eager {
            let indexed = mbox::index(&file, validity);
            self.save_file(name, indexed.clone(), out);
            (indexed, false)
        } else {
            self.indexed.insert(name.to_string(), validity);
            (file, false)
        }
    }

    /// Writes the UIDs of mailboxes indexed but never written, as Dovecot
    /// does when the session ends.
    fn finish(&mut self, out: &mut Vec<MailAction>) {
        self.close_mailbox(out);
        for (name, validity) in std::mem::take(&mut self.indexed).0 {
            let file = self.file_of(&name);
            if mbox::read(&file).uid_validity.is_none() {
                self.save_file(&name, mbox::index(&file, validity), out);
            }
        }
    }

    /// The client went away: what a closing session writes.
    pub fn disconnected(&mut self) -> Vec<MailAction> {
        let mut out = Vec::new();
        if self.logged_in() || matches!(self.state, State::Closed) {
            self.finish(&mut out);
        }
        out.retain(|a| matches!(a, MailAction::Save { .. } | MailAction::Write { .. }));
        out
    }

    fn validity_of(&self, name: &str, mailbox: &mbox::Mailbox) -> u32 {
        mailbox
            .uid_validity
            .or_else(|| self.indexed.get(name).copied())
            .or_else(|| self.folder_validity.get(name).copied())
            .unwrap_or_else(|| self.now_validity())
    }

    /// Writes back what the selected mailbox changed, as Dovecot does
    /// when it closes it.
    fn close_mailbox(&mut self, out: &mut Vec<MailAction>) {
        let Some(selected) = self.selected.take() else {
            return;
        };
        if selected.read_only {
            return;
        }
        let file = sync_file(&selected, &[]);
        if mbox::read(&file).uid_validity.is_some() {
            self.indexed.remove(&selected.name);
        }
        self.save_file(&selected.name, file, out);
    }

    // ---- After login (`imap`) ----

    fn run(
        &mut self,
        tag: &str,
        name: &str,
        args: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        if needs_selected(name) && self.selected.is_none() {
            self.tagged(tag, "BAD", "No mailbox selected.", out);
            return Ok(());
        }
        self.announce(out, name);
        let text = |a: usize| args.get(a).and_then(Arg::text);
        match name {
            "CAPABILITY" => {
                out.push(MailAction::Send(format!(
                    "* CAPABILITY {}",
                    self.capability()
                )));
                self.tagged(tag, "OK", "Capability completed.", out);
            }
            "NOOP" | "CHECK" => {
                let done = if name == "NOOP" {
                    "NOOP completed."
                } else {
                    "Check completed."
                };
                self.tagged(tag, "OK", done, out);
            }
            "LOGOUT" => {
                out.push(MailAction::Send("* BYE Logging out".to_string()));
                self.finish(out);
                self.tagged(tag, "OK", "Logout completed.", out);
                self.close(out);
            }
            "ID" => {
                out.push(MailAction::Send("* ID (\"name\" \"Dovecot\")".to_string()));
                self.tagged(tag, "OK", "ID completed.", out);
            }
            "ENABLE" => {
                let known: Vec<String> = args
                    .iter()
                    .filter_map(Arg::atom)
                    .map(str::to_ascii_uppercase)
                    .filter(|a| matches!(a.as_str(), "CONDSTORE" | "QRESYNC"))
                    .collect();
                if args.is_empty() {
                    return Err("Invalid arguments.".to_string());
                }
                out.push(MailAction::Send(
                    format!("* ENABLED {}", known.join(" "))
                        .trim_end()
                        .to_string(),
                ));
                self.tagged(tag, "OK", "Enabled.", out);
            }
            "NAMESPACE" => {
                out.push(MailAction::Send(
                    "* NAMESPACE ((\"\" \"/\")) NIL NIL".to_string(),
                ));
                self.tagged(tag, "OK", "Namespace completed.", out);
            }
            "IDLE" => {
                out.push(MailAction::Send("+ idling".to_string()));
                self.state = State::Idle {
                    tag: tag.to_string(),
                };
            }
            "SELECT" | "EXAMINE" => {
                let Some(mailbox) = text(0) else {
                    return Err("Invalid arguments.".to_string());
                };
                self.select(tag, &mailbox, name == "EXAMINE", out);
            }
            "CLOSE" | "UNSELECT" => {
                if name == "CLOSE" {
                    // Removes \Deleted messages without a word.
                    let _ = self.expunge(None);
                }
                self.close_mailbox(out);
                let done = if name == "CLOSE" {
                    "Close completed."
                } else {
                    "Unselect completed."
                };
                self.tagged(tag, "OK", done, out);
            }
            "EXPUNGE" | "UID EXPUNGE" => {
                let limit = if name == "UID EXPUNGE" {
                    let set = text_at(args, 0)?;
                    Some(sequence_set(&set, u32::MAX).ok_or("Invalid uidset")?)
                } else {
                    None
                };
                let (removed, file) = self.expunge(limit.as_deref());
                for sequence in removed {
                    out.push(MailAction::Send(format!("* {sequence} EXPUNGE")));
                }
                if let (Some(file), Some(name)) =
                    (file, self.selected.as_ref().map(|s| s.name.clone()))
                {
                    self.save_file(&name, file, out);
                }
                self.tagged(tag, "OK", "Expunge completed.", out);
            }
            "CREATE" => {
                let mailbox = text_at(args, 0)?;
                let mailbox = mailbox.trim_end_matches('/').to_string();
                if self.mailbox_name(&mailbox).is_some() {
                    self.tagged(tag, "NO", "Mailbox already exists", out);
                } else if mailbox.is_empty() || mailbox.starts_with('/') || mailbox.contains("//") {
                    self.tagged(tag, "NO", "Invalid mailbox name", out);
                } else {
                    self.folder_validity
                        .insert(mailbox.clone(), self.now_validity());
                    self.save_file(&mailbox, Vec::new(), out);
                    self.tagged(tag, "OK", "Create completed.", out);
                }
            }
            "DELETE" => {
                let mailbox = text_at(args, 0)?;
                match self.mailbox_name(&mailbox) {
                    Some(found) if found == "INBOX" => {
                        self.tagged(tag, "NO", "INBOX can't be deleted.", out)
                    }
                    Some(found) => {
                        if self.selected.as_ref().is_some_and(|s| s.name == found) {
                            self.selected = None;
                        }
                        self.store.folders.remove(&found);
                        out.push(MailAction::Write {
                            user: self.user.clone(),
                            path: StorePath::Folder(found),
                            file: None,
                        });
                        self.tagged(tag, "OK", "Delete completed.", out);
                    }
                    None => {
                        self.tagged(tag, "NO", &format!("Mailbox doesn't exist: {mailbox}"), out)
                    }
                }
            }
            "RENAME" => {
                let (from, to) = (text_at(args, 0)?, text_at(args, 1)?);
                match self.mailbox_name(&from) {
                    None => self.tagged(tag, "NO", &format!("Mailbox doesn't exist: {from}"), out),
                    Some(_) if self.mailbox_name(&to).is_some() => {
                        self.tagged(tag, "NO", "Target mailbox already exists", out)
                    }
                    Some(found) if found == "INBOX" => {
                        self.tagged(tag, "NO", "Renaming INBOX isn't supported.", out)
                    }
                    Some(found) => {
                        let file = self.store.folders.remove(&found).unwrap_or_default();
                        out.push(MailAction::Write {
                            user: self.user.clone(),
                            path: StorePath::Folder(found),
                            file: None,
                        });
                        self.save_file(&to, file, out);
                        self.tagged(tag, "OK", "Rename completed.", out);
                    }
                }
            }
            "SUBSCRIBE" | "UNSUBSCRIBE" => {
                let mailbox = text_at(args, 0)?;
                let mut names = subscriptions(&self.store.subscriptions);
                let canonical = if mailbox.eq_ignore_ascii_case("INBOX") {
                    "INBOX".to_string()
                } else {
                    mailbox.clone()
                };
                if name == "SUBSCRIBE" {
                    if canonical == "INBOX" {
                        let _ = self.indexed("INBOX", true, out);
                    }
                    if !names.contains(&canonical) {
                        names.push(canonical);
                    }
                } else {
                    names.retain(|n| *n != canonical);
                }
                let mut file = b"V\t2\n\n".to_vec();
                for n in &names {
                    file.extend_from_slice(n.as_bytes());
                    file.push(b'\n');
                }
                self.store.subscriptions = file.clone();
                out.push(MailAction::Write {
                    user: self.user.clone(),
                    path: StorePath::Subscriptions,
                    file: Some(file),
                });
                let done = if name == "SUBSCRIBE" {
                    "Subscribe completed."
                } else {
                    "Unsubscribe completed."
                };
                self.tagged(tag, "OK", done, out);
            }
            "LIST" | "LSUB" => {
                let (reference, pattern) = (text_at(args, 0)?, text_at(args, 1)?);
                self.list(tag, name, &reference, &pattern, out);
            }
            "STATUS" => {
                let mailbox = text_at(args, 0)?;
                let items = args
                    .get(1)
                    .and_then(Arg::list)
                    .ok_or("Invalid arguments.")?;
                self.status(tag, &mailbox, items, out)?;
            }
            "APPEND" => self.append(tag, args, out)?,
            "FETCH" | "UID FETCH" => self.fetch(tag, name == "UID FETCH", args, out)?,
            "STORE" | "UID STORE" => self.store_flags(tag, name == "UID STORE", args, out)?,
            "SEARCH" | "UID SEARCH" => self.search(tag, name == "UID SEARCH", args, out)?,
            "COPY" | "UID COPY" | "MOVE" | "UID MOVE" => self.copy(tag, name, args, out)?,
            _ => return Err("Unknown command.".to_string()),
        }
        Ok(())
    }

    /// New messages in the selected mailbox, announced before a reply.
    fn announce(&mut self, out: &mut Vec<MailAction>, name: &str) {
        if matches!(name, "SELECT" | "EXAMINE" | "LOGOUT") {
            return;
        }
        if let Some(selected) = &mut self.selected {
            if selected.announced < selected.messages.len() {
                selected.announced = selected.messages.len();
                let recent = selected.messages.iter().filter(|m| m.recent).count();
                out.push(MailAction::Send(format!(
                    "* {} EXISTS",
                    selected.messages.len()
                )));
                out.push(MailAction::Send(format!("* {recent} RECENT")));
            }
        }
    }

    fn select(&mut self, tag: &str, mailbox: &str, read_only: bool, out: &mut Vec<MailAction>) {
        self.close_mailbox(out);
        let Some(name) = self.mailbox_name(mailbox) else {
            // Dovecot looks the name up in its mailbox list, which
            // refreshes (and indexes) INBOX.
            let _ = self.indexed("INBOX", true, out);
            self.tagged(tag, "NO", &format!("Mailbox doesn't exist: {mailbox}"), out);
            return;
        };
        let (file, indexed_before) = self.indexed(&name, true, out);
        let mailbox_data = mbox::read(&file);
        let uid_validity = self.validity_of(&name, &mailbox_data);
        let messages: Vec<Message> = mailbox_data
            .messages
            .iter()
            .map(|m| Message {
                uid: m.uid,
                text: Arc::new(m.text.clone()),
                flags: m.flags,
                keywords: m.keywords.clone(),
                recent: m.recent,
                received: m.received.clone(),
            })
            .collect();
        let count = messages.len();
        let recent = messages.iter().filter(|m| m.recent).count();
        let changed_upto = if indexed_before && !read_only && recent > 0 {
            messages.iter().rposition(|m| m.recent).map_or(0, |i| i + 1)
        } else {
            0
        };
        let selected = Selected {
            name,
            read_only,
            file,
            messages,
            uid_validity,
            uid_next: mailbox_data.uid_next,
            keywords: mailbox_data.keywords.clone(),
            indexed_before,
            changed_upto,
            announced: count,
        };
        let keywords = flag_list_with(&selected.keywords);
        out.push(MailAction::Send(format!(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{keywords})"
        )));
        if read_only {
            out.push(MailAction::Send(
                "* OK [PERMANENTFLAGS ()] Read-only mailbox.".to_string(),
            ));
        } else {
            out.push(MailAction::Send(format!(
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{keywords} \\*)] Flags permitted."
            )));
        }
        out.push(MailAction::Send(format!("* {count} EXISTS")));
        out.push(MailAction::Send(format!("* {recent} RECENT")));
        if let Some(first) = selected.messages.iter().position(|m| m.flags & SEEN == 0) {
            out.push(MailAction::Send(format!(
                "* OK [UNSEEN {}] First unseen.",
                first + 1
            )));
        }
        out.push(MailAction::Send(format!(
            "* OK [UIDVALIDITY {}] UIDs valid",
            selected.uid_validity
        )));
        out.push(MailAction::Send(format!(
            "* OK [UIDNEXT {}] Predicted next UID",
            selected.uid_next
        )));
        self.selected = Some(selected);
        if read_only {
            self.tagged(tag, "OK", "[READ-ONLY] Examine completed.", out);
        } else {
            self.tagged(tag, "OK", "[READ-WRITE] Select completed.", out);
        }
    }

    /// Removes \Deleted messages (within `uids` if given). Returns their
    /// sequence numbers as EXPUNGE reports them, and the new file.
    fn expunge(&mut self, uids: Option<&[(u32, u32)]>) -> (Vec<usize>, Option<Vec<u8>>) {
        let Some(selected) = &mut self.selected else {
            return (Vec::new(), None);
        };
        if selected.read_only {
            return (Vec::new(), None);
        }
        let gone: Vec<bool> = selected
            .messages
            .iter()
            .map(|m| m.flags & DELETED != 0 && uids.is_none_or(|set| in_set(set, m.uid)))
            .collect();
        if !gone.iter().any(|&g| g) {
            return (Vec::new(), None);
        }
        let file = sync_file(selected, &gone);
        let mut reported = Vec::new();
        let mut removed = 0;
        for (index, &g) in gone.iter().enumerate() {
            if g {
                reported.push(index + 1 - removed);
                removed += 1;
            }
        }
        let mut index = 0;
        selected.messages.retain(|_| {
            let keep = !gone[index];
            index += 1;
            keep
        });
        selected.announced = selected.messages.len();
        selected.changed_upto = 0;
        selected.indexed_before = true;
        selected.file = file.clone();
        (reported, Some(file))
    }

    fn list(
        &mut self,
        tag: &str,
        name: &str,
        reference: &str,
        pattern: &str,
        out: &mut Vec<MailAction>,
    ) {
        let done = if name == "LIST" {
            "List completed."
        } else {
            "Lsub completed."
        };
        if name == "LIST" && pattern.is_empty() {
            out.push(MailAction::Send(
                "* LIST (\\Noselect) \"/\" \"\"".to_string(),
            ));
            self.tagged(tag, "OK", done, out);
            return;
        }
        let full = format!("{reference}{pattern}");
        let mut names: Vec<String> = vec!["INBOX".to_string()];
        names.extend(self.store.folders.keys().cloned());
        // Folders in folders: the directories above them are listed too,
        // as places that hold mailboxes but are none.
        let mut parents: Vec<String> = Vec::new();
        for folder in self.store.folders.keys() {
            let mut at = 0;
            while let Some(slash) = folder[at..].find('/') {
                let parent = folder[..at + slash].to_string();
                if !names.contains(&parent) && !parents.contains(&parent) {
                    parents.push(parent);
                }
                at += slash + 1;
            }
        }
        // In name order, INBOX first.
        for parent in &parents {
            let at = names[1..]
                .iter()
                .position(|n| n > parent)
                .map_or(names.len(), |i| i + 1);
            names.insert(at, parent.clone());
        }
        let subscribed = subscriptions(&self.store.subscriptions);
        let mut lines = Vec::new();
        for mailbox in &names {
            if !list_match(&full, mailbox) {
                continue;
            }
            if name == "LSUB" && !subscribed.contains(mailbox) {
                continue;
            }
            if mailbox == "INBOX" {
                let _ = self.indexed("INBOX", true, out);
            }
            let mut flags: Vec<&str> = Vec::new();
            if name == "LIST" {
                let prefix = format!("{mailbox}/");
                let children = names.iter().any(|n| n.starts_with(&prefix));
                if parents.contains(mailbox) {
                    flags.push("\\Noselect");
                }
                flags.push(if children {
                    "\\HasChildren"
                } else {
                    "\\HasNoChildren"
                });
                if let Some((_, special)) =
                    self.server.special_use.iter().find(|(n, _)| n == mailbox)
                {
                    flags.push(special);
                }
            }
            lines.push(format!(
                "* {name} ({}) \"/\" {}",
                flags.join(" "),
                mailbox_wire(mailbox)
            ));
        }
        out.extend(lines.into_iter().map(MailAction::Send));
        self.tagged(tag, "OK", done, out);
    }

    fn status(
        &mut self,
        tag: &str,
        mailbox: &str,
        items: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        let Some(name) = self.mailbox_name(mailbox) else {
            self.tagged(tag, "NO", &format!("Mailbox doesn't exist: {mailbox}"), out);
            return Ok(());
        };
        let (file, _) = self.indexed(&name, true, out);
        let data = mbox::read(&file);
        let selected_here = self.selected.as_ref().filter(|s| s.name == name);
        let (count, recent, unseen, next, validity, size) = match selected_here {
            Some(s) => (
                s.messages.len(),
                s.messages.iter().filter(|m| m.recent).count(),
                s.messages.iter().filter(|m| m.flags & SEEN == 0).count(),
                s.uid_next,
                s.uid_validity,
                s.messages.iter().map(|m| m.text.len()).sum::<usize>(),
            ),
            None => (
                data.messages.len(),
                data.messages.iter().filter(|m| m.recent).count(),
                data.messages.iter().filter(|m| m.flags & SEEN == 0).count(),
                data.uid_next,
                self.validity_of(&name, &data),
                data.messages.iter().map(|m| m.text.len()).sum::<usize>(),
            ),
        };
        let mut parts = Vec::new();
        for item in items {
            let item = item.atom().map(str::to_ascii_uppercase).unwrap_or_default();
            let value = match item.as_str() {
                "MESSAGES" => count.to_string(),
                "RECENT" => recent.to_string(),
                "UNSEEN" => unseen.to_string(),
                "UIDNEXT" => next.to_string(),
                "UIDVALIDITY" => validity.to_string(),
                "SIZE" => size.to_string(),
                _ => return Err(format!("Invalid status item {item}")),
            };
            parts.push(format!("{item} {value}"));
        }
        out.push(MailAction::Send(format!(
            "* STATUS {} ({})",
            mailbox_wire(&name),
            parts.join(" ")
        )));
        if selected_here.is_some() {
            self.tagged(
                tag,
                "OK",
                "[CLIENTBUG] Status on selected mailbox completed.",
                out,
            );
        } else {
            self.tagged(tag, "OK", "Status completed.", out);
        }
        Ok(())
    }

    fn append(&mut self, tag: &str, args: &[Arg], out: &mut Vec<MailAction>) -> Result<(), String> {
        let mailbox = text_at(args, 0)?;
        let mut rest = &args[1..];
        let mut flags = 0u8;
        let mut keywords = Vec::new();
        if let Some(list) = rest.first().and_then(Arg::list) {
            for flag in list {
                let flag = flag.atom().ok_or("Invalid arguments.")?;
                parse_flag(flag, &mut flags, &mut keywords)?;
            }
            rest = &rest[1..];
        }
        let mut date: Option<Timestamp> = None;
        if let Some(Arg::Quoted(text)) = rest.first() {
            let text = String::from_utf8_lossy(text);
            date = Some(Timestamp::parse_imap_date(&text).ok_or("Invalid internal date.")?);
            rest = &rest[1..];
        }
        let message = match rest {
            [Arg::Literal(bytes)] => bytes.clone(),
            _ => return Err("Invalid arguments.".to_string()),
        };
        let Some(name) = self.mailbox_name(&mailbox) else {
            let _ = self.indexed("INBOX", true, out);
            self.tagged(
                tag,
                "NO",
                &format!("[TRYCREATE] Mailbox doesn't exist: {mailbox}"),
                out,
            );
            return Ok(());
        };
        let (file, _) = self.indexed(&name, false, out);
        let data = mbox::read(&file);
        let validity = self.validity_of(&name, &data);
        let selected_here = self.selected.as_ref().is_some_and(|s| s.name == name);
        let current_file = match (&self.selected, selected_here) {
            (Some(s), true) => s.file.clone(),
            _ => file,
        };
        let uid = match (&self.selected, selected_here) {
            (Some(s), true) => s.uid_next,
            _ => data.uid_next,
        };
        let received = date.unwrap_or_else(|| Timestamp::new(self.now_seconds, 0));
        let received = Timestamp::new(received.unix_seconds, 0).ctime();
        let sender = format!("{}@{}", self.user, self.world.machine_name());
        let state = MessageState {
            flags,
            keywords: keywords.clone(),
            recent: true,
        };
        let empty = mbox::read(&current_file).messages.is_empty();
        let base = Base {
            uid_validity: validity,
            last_uid: uid,
            keywords: Vec::new(),
        };
        let new_file = mbox::append(
            &current_file,
            &message,
            &sender,
            &received,
            uid,
            empty.then_some(&base),
            &state,
        );
        if let Some(selected) = self.selected.as_mut().filter(|s| s.name == name) {
            let stored = mbox::read(&new_file);
            let text = stored
                .messages
                .last()
                .map(|m| m.text.clone())
                .unwrap_or_default();
            selected.messages.push(Message {
                uid,
                text: Arc::new(text),
                flags,
                keywords,
                recent: true,
                received,
            });
            selected.uid_next = uid.saturating_add(1);
            selected.file = new_file.clone();
            selected.changed_upto = selected.messages.len();
        }
        self.save_file(&name, new_file, out);
        self.announce(out, "APPEND");
        self.tagged(
            tag,
            "OK",
            &format!("[APPENDUID {validity} {uid}] Append completed."),
            out,
        );
        Ok(())
    }

    /// The messages a sequence or UID set names, as indexes.
    fn chosen(&self, set: &str, uid: bool) -> Result<Vec<usize>, String> {
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let count = selected.messages.len();
        if uid {
            let largest = selected.messages.last().map_or(0, |m| m.uid);
            let ranges = sequence_set(set, largest.max(1)).ok_or("Invalid uidset")?;
            return Ok((0..count)
                .filter(|&i| in_set(&ranges, selected.messages[i].uid))
                .collect());
        }
        let ranges = sequence_set(set, count as u32).ok_or("Invalid messageset")?;
        if count == 0 || ranges.iter().any(|&(_, high)| high as usize > count) {
            return Err("Invalid messageset".to_string());
        }
        Ok((0..count)
            .filter(|&i| in_set(&ranges, i as u32 + 1))
            .collect())
    }

    fn fetch(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        let set = atom_at(args, 0)?;
        let items = fetch_items(args.get(1).ok_or("Invalid arguments.")?)?;
        let chosen = self.chosen(set, uid)?;
        let selected = self.selected.as_mut().ok_or("No mailbox selected.")?;
        for index in chosen {
            let mut parts: Vec<Vec<u8>> = Vec::new();
            let mut items = items.clone();
            if uid && !items.iter().any(|i| matches!(i, Item::Uid)) {
                items.insert(0, Item::Uid);
            }
            let sets_seen = !selected.read_only
                && items
                    .iter()
                    .any(|i| matches!(i, Item::Section { peek: false, .. }));
            let message = &mut selected.messages[index];
            if sets_seen && message.flags & SEEN == 0 {
                message.flags |= SEEN;
                selected.changed_upto = selected.changed_upto.max(index + 1);
                if !items.iter().any(|i| matches!(i, Item::Flags)) {
                    let at = usize::from(matches!(items.first(), Some(Item::Uid)));
                    items.insert(at, Item::Flags);
                }
            }
            let message = &selected.messages[index];
            for item in &items {
                parts.push(fetch_item(message, item));
            }
            let mut line = format!("* {} FETCH (", index + 1).into_bytes();
            line.extend(parts.join(&b' '));
            line.push(b')');
            out.push(MailAction::SendBytes([line, b"\r\n".to_vec()].concat()));
        }
        self.tagged(tag, "OK", "Fetch completed.", out);
        Ok(())
    }

    fn store_flags(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        let set = atom_at(args, 0)?;
        let operation = atom_at(args, 1)?.to_ascii_uppercase();
        let (mode, silent) = match operation.as_str() {
            "FLAGS" => ('=', false),
            "FLAGS.SILENT" => ('=', true),
            "+FLAGS" => ('+', false),
            "+FLAGS.SILENT" => ('+', true),
            "-FLAGS" => ('-', false),
            "-FLAGS.SILENT" => ('-', true),
            _ => return Err("Invalid arguments.".to_string()),
        };
        let flag_args: Vec<Arg> = match args.get(2) {
            Some(Arg::List(items)) => items.clone(),
            Some(_) => args[2..].to_vec(),
            None => return Err("Invalid arguments.".to_string()),
        };
        let mut flags = 0u8;
        let mut keywords: Vec<String> = Vec::new();
        for flag in &flag_args {
            let flag = flag.atom().ok_or("Invalid arguments.")?;
            parse_flag(flag, &mut flags, &mut keywords)?;
        }
        let chosen = self.chosen(set, uid)?;
        let selected = self.selected.as_mut().ok_or("No mailbox selected.")?;
        if selected.read_only {
            self.tagged(tag, "NO", "Mailbox is read-only.", out);
            return Ok(());
        }
        let new_keywords: Vec<String> = keywords
            .iter()
            .filter(|k| mode != '-' && !selected.keywords.contains(k))
            .cloned()
            .collect();
        if !new_keywords.is_empty() {
            selected.keywords.extend(new_keywords);
            let list = flag_list_with(&selected.keywords);
            out.push(MailAction::Send(format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{list})"
            )));
            out.push(MailAction::Send(format!(
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{list} \\*)] Flags permitted."
            )));
        }
        for index in chosen {
            let message = &mut selected.messages[index];
            let before = (message.flags, message.keywords.clone());
            match mode {
                '=' => {
                    message.flags = flags;
                    message.keywords = keywords.clone();
                }
                '+' => {
                    message.flags |= flags;
                    for k in &keywords {
                        if !message.keywords.contains(k) {
                            message.keywords.push(k.clone());
                        }
                    }
                }
                _ => {
                    message.flags &= !flags;
                    message.keywords.retain(|k| !keywords.contains(k));
                }
            }
            // Keywords keep the mailbox's order.
            let order = &selected.keywords;
            message.keywords = order
                .iter()
                .filter(|k| message.keywords.contains(k))
                .cloned()
                .collect();
            if (message.flags, &message.keywords) != (before.0, &before.1) {
                selected.changed_upto = selected.changed_upto.max(index + 1);
            }
            if !silent {
                let uid_part = if uid {
                    format!("UID {} ", message.uid)
                } else {
                    String::new()
                };
                out.push(MailAction::Send(format!(
                    "* {} FETCH ({uid_part}FLAGS ({}))",
                    index + 1,
                    flag_names(message.flags, message.recent, &message.keywords)
                )));
            }
        }
        self.tagged(tag, "OK", "Store completed.", out);
        Ok(())
    }

    fn search(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        let mut args = args;
        if args
            .first()
            .and_then(Arg::atom)
            .is_some_and(|a| a.eq_ignore_ascii_case("CHARSET"))
        {
            let charset = args
                .get(1)
                .and_then(Arg::text)
                .ok_or("Missing search parameters")?;
            if !charset.eq_ignore_ascii_case("UTF-8") && !charset.eq_ignore_ascii_case("US-ASCII") {
                self.tagged(
                    tag,
                    "NO",
                    "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset",
                    out,
                );
                return Ok(());
            }
            args = &args[2..];
        }
        if args.is_empty() {
            return Err("Missing search parameters".to_string());
        }
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let mut position = 0;
        let mut keys = Vec::new();
        while position < args.len() {
            keys.push(search_key(args, &mut position)?);
        }
        let mut found = Vec::new();
        for (index, message) in selected.messages.iter().enumerate() {
            let context = SearchContext {
                index,
                count: selected.messages.len(),
                largest_uid: selected.messages.last().map_or(0, |m| m.uid),
                message,
            };
            if keys.iter().all(|k| k.matches(&context)) {
                found.push(if uid { message.uid as usize } else { index + 1 });
            }
        }
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        out.push(MailAction::Send(
            format!("* SEARCH {}", list.join(" "))
                .trim_end()
                .to_string(),
        ));
        self.tagged(tag, "OK", "Search completed.", out);
        Ok(())
    }

    fn copy(
        &mut self,
        tag: &str,
        name: &str,
        args: &[Arg],
        out: &mut Vec<MailAction>,
    ) -> Result<(), String> {
        let uid = name.starts_with("UID ");
        let moving = name.ends_with("MOVE");
        let set = atom_at(args, 0)?;
        let target = text_at(args, 1)?;
        let chosen = self.chosen(set, uid)?;
        let Some(destination) = self.mailbox_name(&target) else {
            self.tagged(
                tag,
                "NO",
                &format!("[TRYCREATE] Mailbox doesn't exist: {target}"),
                out,
            );
            return Ok(());
        };
        let (mut file, _) = self.indexed(&destination, false, out);
        let data = mbox::read(&file);
        let validity = self.validity_of(&destination, &data);
        let mut next = data.uid_next;
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let same = selected.name == destination;
        if same {
            file = selected.file.clone();
            next = selected.uid_next;
        }
        let mut source_uids = Vec::new();
        let mut new_uids = Vec::new();
        let mut copies = Vec::new();
        for &index in &chosen {
            let message = &selected.messages[index];
            let sender = envelope_sender(&selected.file, index)
                .unwrap_or_else(|| "MAILER-DAEMON".to_string());
            let empty = mbox::read(&file).messages.is_empty();
            let base = Base {
                uid_validity: validity,
                last_uid: next,
                keywords: Vec::new(),
            };
            let state = MessageState {
                flags: message.flags,
                keywords: message.keywords.clone(),
                recent: true,
            };
            file = mbox::append(
                &file,
                &message.text,
                &sender,
                &message.received,
                next,
                empty.then_some(&base),
                &state,
            );
            copies.push((next, message.clone()));
            source_uids.push(message.uid);
            new_uids.push(next);
            next = next.saturating_add(1);
        }
        if chosen.is_empty() {
            self.tagged(tag, "OK", "No messages found.", out);
            return Ok(());
        }
        if same {
            if let Some(selected) = &mut self.selected {
                for (new_uid, mut message) in copies {
                    message.uid = new_uid;
                    message.recent = true;
                    selected.messages.push(message);
                }
                selected.uid_next = next;
                selected.file = file.clone();
                selected.changed_upto = selected.messages.len();
            }
        }
        self.save_file(&destination, file, out);
        let code = format!(
            "COPYUID {validity} {} {}",
            uid_list(&source_uids),
            uid_list(&new_uids)
        );
        if moving {
            if let Some(selected) = &mut self.selected {
                for &index in &chosen {
                    selected.messages[index].flags |= DELETED;
                }
            }
            let set: Vec<(u32, u32)> = source_uids.iter().map(|&u| (u, u)).collect();
            out.push(MailAction::Send(format!("* OK [{code}] Moved UIDs.")));
            let (removed, file) = self.expunge(Some(&set));
            for sequence in removed {
                out.push(MailAction::Send(format!("* {sequence} EXPUNGE")));
            }
            if let (Some(file), Some(name)) = (file, self.selected.as_ref().map(|s| s.name.clone()))
            {
                self.save_file(&name, file, out);
            }
            self.tagged(tag, "OK", "Move completed.", out);
        } else {
            self.announce(out, name);
            self.tagged(tag, "OK", &format!("[{code}] Copy completed."), out);
        }
        Ok(())
    }
}

/// The file of a selected mailbox with its changes written, `gone`
/// marking messages to remove.
fn sync_file(selected: &Selected, gone: &[bool]) -> Vec<u8> {
    let changed_upto = if gone.iter().any(|&g| g) {
        selected.messages.len()
    } else {
        selected.changed_upto
    };
    let plans: Vec<Plan> = selected
        .messages
        .iter()
        .enumerate()
        .map(|(index, message)| {
            if gone.get(index).copied().unwrap_or(false) {
                return Plan::Expunge;
            }
            let write = index < changed_upto;
            Plan::Write {
                state: MessageState {
                    flags: message.flags,
                    keywords: message.keywords.clone(),
                    // Written back as no longer new; the session had it.
                    recent: !write,
                },
                write,
            }
        })
        .collect();
    let base = Base {
        uid_validity: selected.uid_validity,
        last_uid: selected.uid_next.saturating_sub(1),
        keywords: selected.keywords.clone(),
    };
    mbox::sync(&selected.file, &base, &plans)
}

fn envelope_sender(file: &[u8], index: usize) -> Option<String> {
    let line = file
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"From "))
        .nth(index)?;
    let text = String::from_utf8_lossy(line);
    text.split_whitespace().nth(1).map(str::to_string)
}

fn uid_list(uids: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0;
    while index < uids.len() {
        let start = uids[index];
        let mut end = start;
        while index + 1 < uids.len() && uids[index + 1] == end + 1 {
            index += 1;
            end += 1;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
        index += 1;
    }
    parts.join(",")
}

fn flag_list_with(keywords: &[String]) -> String {
    keywords.iter().map(|k| format!(" {k}")).collect()
}

fn parse_flag(flag: &str, flags: &mut u8, keywords: &mut Vec<String>) -> Result<(), String> {
    if let Some(name) = flag.strip_prefix('\\') {
        let bit = SYSTEM_FLAGS
            .iter()
            .find(|(_, n)| n[1..].eq_ignore_ascii_case(name))
            .map(|(bit, _)| *bit)
            .ok_or_else(|| format!("Invalid system flag {}", flag.to_ascii_uppercase()))?;
        *flags |= bit;
    } else if !keywords.iter().any(|k| k == flag) {
        keywords.push(flag.to_string());
    }
    Ok(())
}

fn split_word(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes
        .iter()
        .position(|&b| b == b' ' || b == b'\r' || b == b'\n')
    {
        Some(at) if bytes[at] == b' ' => (&bytes[..at], &bytes[at + 1..]),
        Some(at) => (&bytes[..at], &bytes[at..]),
        None => (bytes, &[]),
    }
}

/// The commands `imap` knows after login (Dovecot's `imap_commands`, less
/// those not simulated), and whether each needs a selected mailbox.
const COMMANDS: &[(&str, bool)] = &[
    ("CAPABILITY", false),
    ("NOOP", false),
    ("LOGOUT", false),
    ("ID", false),
    ("ENABLE", false),
    ("NAMESPACE", false),
    ("IDLE", false),
    ("SELECT", false),
    ("EXAMINE", false),
    ("CREATE", false),
    ("DELETE", false),
    ("RENAME", false),
    ("SUBSCRIBE", false),
    ("UNSUBSCRIBE", false),
    ("LIST", false),
    ("LSUB", false),
    ("STATUS", false),
    ("APPEND", false),
    ("CHECK", true),
    ("CLOSE", true),
    ("UNSELECT", true),
    ("EXPUNGE", true),
    ("SEARCH", true),
    ("FETCH", true),
    ("STORE", true),
    ("COPY", true),
    ("MOVE", true),
    ("UID FETCH", true),
    ("UID STORE", true),
    ("UID SEARCH", true),
    ("UID COPY", true),
    ("UID MOVE", true),
    ("UID EXPUNGE", true),
];

/// Whether `imap` knows the command (the name in capitals).
fn is_command(name: &str) -> bool {
    COMMANDS.iter().any(|(known, _)| *known == name)
}

/// Whether the command needs a selected mailbox.
fn needs_selected(name: &str) -> bool {
    COMMANDS
        .iter()
        .any(|(known, selected)| *known == name && *selected)
}

fn subscriptions(file: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(file);
    let body = text.split_once("\n\n").map_or("", |(_, rest)| rest);
    body.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A mailbox name as LIST writes it: an atom when it can be one.
fn mailbox_wire(name: &str) -> String {
    let atom = !name.is_empty()
        && name.bytes().all(|b| {
            b > b' ' && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'"' | b'\\' | b'%' | b'*')
        });
    if atom {
        name.to_string()
    } else {
        String::from_utf8_lossy(&message::string(name.as_bytes())).into_owned()
    }
}

/// LIST's wildcards: `*` matches anything, `%` anything but `/`.
fn list_match(pattern: &str, name: &str) -> bool {
    if name == "INBOX" && pattern.eq_ignore_ascii_case("INBOX") {
        return true;
    }
    // Row by row over the pattern: which prefixes of the name the pattern
    // so far matches. Linear in each, however many wildcards a client
    // sends (trying every split instead is exponential in them).
    let name = name.as_bytes();
    let mut matches = vec![false; name.len() + 1];
    matches[0] = true;
    for &p in pattern.as_bytes() {
        let mut next = vec![false; name.len() + 1];
        match p {
            b'*' | b'%' => {
                let mut reachable = false;
                for i in 0..=name.len() {
                    if p == b'%' && i > 0 && name[i - 1] == b'/' {
                        reachable = false;
                    }
                    reachable |= matches[i];
                    next[i] = reachable;
                }
            }
            _ => {
                for i in 0..name.len() {
                    next[i + 1] = matches[i] && name[i] == p;
                }
            }
        }
        matches = next;
    }
    matches[name.len()]
}

#[cfg(test)]
mod tests {
    use super::list_match;

    #[test]
    fn list_patterns() {
        let table = [
            ("*", "INBOX", true),
            ("%", "Old/2026", false),
            ("%", "Old", true),
            ("Old/%", "Old/2026", true),
            ("O*6", "Old/2026", true),
            ("O%6", "Old/2026", false),
            ("inbox", "INBOX", true),
            ("Drafts", "drafts", false),
            ("", "INBOX", false),
            ("**********x", "INBOX", false),
            (
                "*%*%*%*%*%*%*%*%*%*%*%",
                "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s",
                true,
            ),
        ];
        for (pattern, name, want) in table {
            assert_eq!(list_match(pattern, name), want, "{pattern} {name}");
        }
    }
}
