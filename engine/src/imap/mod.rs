//! One IMAP session (RFC 3501, with LITERAL+, SASL-IR, UIDPLUS, IDLE and
//! the other extensions Dovecot's recordings use) as a state machine,
//! after Dovecot 2.3's `imap-login` and `imap`.
//!
//! Sans-IO like the POP3 session: [`ImapSession::connect`] and
//! [`ImapSession::receive`] return [`Event`]s. After a login the
//! session asks for the user's mail store ([`Event::Open`]) and the
//! shell hands it to [`ImapSession::opened`]: the INBOX mbox file, the
//! folders under `~/mail` and the subscriptions. Changes go back as
//! [`Event::Save`] (INBOX) and [`Event::Write`] (folders,
//! subscriptions), in Dovecot's mbox format. Limits are data
//! ([`ImapServer`]).
//!
//! This file holds the session's state, its life (connect, receive, the
//! store opened, INBOX changed, disconnected) and the command dispatch;
//! the rest is split along its seams: `wire` (reading lines and literals,
//! tagged replies), `login`, `mailboxes` (the files, SELECT, LIST,
//! STATUS, APPEND, EXPUNGE), `messages` (FETCH, STORE, SEARCH, COPY,
//! MOVE), with `parse`, `fetch`, `search` and `message` beneath them. The
//! session sits behind the engine's host (`crate::host`), which shells
//! drive.

mod fetch;
mod login;
mod mailboxes;
pub mod message;
mod messages;
mod notify;
pub mod parse;
mod search;
mod sort;
mod thread;
mod wire;

use std::sync::Arc;

use crate::dovecot_texts::ImapText;
use crate::event::Event;
use crate::gate::{admit, close_input, Admitted, Gate};
use crate::mbox::{self, Base, MessageState, Plan, DELETED, DRAFT, FLAGGED, SEEN};
use crate::store::{Flags, StorePath};
use crate::time::Timestamp;
use crate::world::{PlaintextLogin, World};
use fetch::{fetch_item, fetch_items, Item};
use mailboxes::{status_items, subscriptions};
use messages::{flag_list_with, parse_flag};
use parse::{arguments, in_set, literal_at_end, sequence_set, valid_tag, Arg};
use search::{matching, search_key, uses_modseq, Given};
use wire::split_word;

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
    /// Flags sessions set that the files do not hold yet.
    pub flags: Vec<Flags>,
    /// The last UIDVALIDITY given to a new mailbox.
    pub last_validity: u32,
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
    /// The envelope sender of its `From ` line.
    pub(super) sender: String,
    /// Its flags changed in this session and the others are not told yet.
    pub(super) dirty: bool,
    /// CONDSTORE's mod-sequence (RFC 7162) of its last flag change.
    pub(super) modseq: u64,
}

#[derive(Clone, Debug)]
struct Selected {
    name: String,
    read_only: bool,
    /// The session's view, in UID order: what it told the client, or is
    /// about to (a message another session removed stays until the
    /// client may be told).
    messages: Vec<Message>,
    uid_validity: u32,
    uid_next: u32,
    keywords: Vec<String>,
    /// The file had been indexed before this SELECT: the session takes
    /// the new messages and marks them seen-arriving (`O`) at close.
    indexed_before: bool,
    /// Messages written back at close are those up to here (exclusive).
    changed_upto: usize,
    /// Messages announced with EXISTS, and the \Recent count told.
    announced: usize,
    announced_recent: usize,
    /// Searches kept up to date (CONTEXT=SEARCH's UPDATE).
    updates: Vec<Update>,
    /// The UIDs the last SEARCH ... SAVE found (SEARCHRES's `$`), if any.
    saved: Vec<u32>,
}

/// A SEARCH RETURN (UPDATE) (RFC 5267): its tag, whether it numbers by
/// UID, its keys and the UIDs it finds, as last told.
#[derive(Clone, Debug)]
struct Update {
    tag: String,
    uid: bool,
    keys: Vec<search::Key>,
    found: Vec<u32>,
}

impl Selected {
    /// Where the message with this UID is in the view.
    fn position(&self, uid: u32) -> Option<usize> {
        self.messages.binary_search_by_key(&uid, |m| m.uid).ok()
    }
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
    /// Mailboxes indexed in this session whose files do not say so yet
    /// (Dovecot writes its UIDs lazily, when it closes them), with their
    /// UIDVALIDITY.
    indexed: ByName<u32>,
    /// Where the line still waiting for its end starts, when the last look
    /// at the input stopped there: bytes without a line end then only
    /// need counting, not another scan of everything before them.
    unterminated: Option<usize>,
    /// The store changed since the selected mailbox was last compared with
    /// it (another session wrote, or this one wrote a file), or messages
    /// another session removed are still to be told: the next sync reads
    /// the mailbox again; otherwise it need not.
    stale: bool,
    /// CAPABILITY was asked before login without TLS: Dovecot then takes
    /// the client for one that ignores the capability code of the login
    /// reply, and lists them untagged.
    asked_capability: bool,
    /// CONDSTORE is enabled (RFC 7162): MODSEQ goes with flag changes and
    /// SELECT tells HIGHESTMODSEQ.
    condstore: bool,
    /// What NOTIFY asked to be told, once it has been.
    notify: Option<notify::Notify>,
}

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
            condstore: false,
            notify: None,
            tls: false,
            local_client,
            now_seconds: 0,
            unread_at_close: false,
            user: String::new(),
            store: UserStore::default(),
            selected: None,
            indexed: ByName::default(),
            unterminated: None,
            stale: false,
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

    /// Whether the selected mailbox's changes of this kind are told:
    /// always, unless NOTIFY left them out (`notify_count_changes`,
    /// `notify_flag_changes`).
    fn told_of(&self, event: u8) -> bool {
        self.notify.as_ref().is_none_or(|n| n.selected & event != 0)
    }

    fn logged_in(&self) -> bool {
        matches!(self.state, State::Authenticated | State::Idle { .. })
    }

    pub fn connect(&mut self, now_seconds: i64) -> Vec<Event> {
        self.now_seconds = now_seconds;
        vec![
            Event::Pause {
                millis: self.server.greeting_delay_millis,
            },
            Event::Line(
                ImapText::Greeting.line("*", &[&self.login_capability(), &self.server.greeting]),
            ),
        ]
    }

    /// The service speaks TLS from the first byte (POP3S, IMAPS): the
    /// session begins inside it. Call before `connect`.
    pub fn start_in_tls(&mut self) {
        self.tls = true;
    }

    pub fn tls_started(&mut self) {
        if matches!(self.state, State::TlsHandshake) {
            self.tls = true;
            self.state = State::NotAuthenticated;
            self.input.clear();
            self.unterminated = None;
        }
    }

    fn close(&mut self, out: &mut Vec<Event>) {
        self.unterminated = None;
        self.state = State::Closed;
        close_input(&mut self.input, &mut self.unread_at_close, out);
    }

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
    pub fn opened(&mut self, store: UserStore) -> Vec<Event> {
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
            out.push(Event::Line(format!("* CAPABILITY {}", self.capability())));
            out.push(Event::Line(ImapText::LoggedIn.line(&tag, &[])));
        } else {
            out.push(Event::Line(
                ImapText::LoggedInWithCapabilities.line(&tag, &[&self.capability()]),
            ));
        }
        let held = std::mem::take(&mut self.held);
        self.input.extend_from_slice(&held);
        self.process(&mut out);
        out
    }

    /// The user's mail changed outside the session (another session, a
    /// delivery): the session reads it again; the selected mailbox's
    /// changes are told with the next command that syncs, or at once to
    /// a client in IDLE.
    pub fn store_changed(&mut self, store: UserStore) -> Vec<Event> {
        let mut out = Vec::new();
        self.store = store;
        self.stale = true;
        if matches!(self.state, State::Idle { .. }) {
            self.sync_view(true, false, &mut out);
        }
        if self.logged_in() {
            self.notify_changes(&mut out);
        }
        out
    }

    fn command(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        let line = bytes
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(bytes);
        let (tag_bytes, rest) = split_word(line);
        let tag = String::from_utf8_lossy(tag_bytes).into_owned();
        if !valid_tag(tag_bytes) {
            let text = if self.logged_in() {
                ImapText::TagError.status_and_text(&[&"Invalid tag."]).1
            } else {
                String::new()
            };
            self.tagged_error("*", &text, out);
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
            self.command_error(&tag, &name, "Unknown command.", out);
            return;
        }
        let args = match arguments(rest) {
            Ok(args) => args,
            Err(error) => {
                self.command_error(&tag, &name, &error, out);
                return;
            }
        };
        let start = out.len();
        // The view's UIDs before the command, which the search updates
        // number expunged messages by: taken only when there are updates
        // (one this command starts has seen no expunge yet).
        let before: Vec<u32> = self
            .selected
            .iter()
            .filter(|s| !s.updates.is_empty())
            .flat_map(|s| s.messages.iter().map(|m| m.uid))
            .collect();
        match self.run(&tag, &name, &args, out) {
            Ok(()) => self.bad_commands = 0,
            Err(reason) => self.command_error(&tag, &name, &reason, out),
        }
        // Commands that sync (Dovecot's `cmd_sync`) tell what changed in
        // the selected mailbox before their tagged reply; a command that
        // numbers messages by sequence is not told of expunges.
        let by_sequence = matches!(
            name.as_str(),
            "FETCH" | "STORE" | "SEARCH" | "SORT" | "THREAD"
        );
        if by_sequence || SYNCING.contains(&name.as_str()) {
            let mut told = Vec::new();
            let send_uid = name == "UID STORE"
                && !rest.to_ascii_uppercase().windows(6).any(|w| w == b"SILENT");
            self.sync_view(!by_sequence, send_uid, &mut told);
            let tagged = out[start..]
                .iter()
                .rposition(|e| matches!(e, Event::Line(l) if l.starts_with(&format!("{tag} "))))
                .map_or(out.len(), |i| start + i);
            let told_count = told.len();
            out.splice(tagged..tagged, told);
            self.search_updates(&before, start, tagged + told_count, out);
        }
        self.flush(out);
        if self.logged_in() {
            self.notify_changes(out);
        }
    }

    // ---- Before login (`imap-login`) ----

    /// The client went away: what a closing session writes.
    pub fn disconnected(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        if self.logged_in() || matches!(self.state, State::Closed) {
            self.finish(&mut out);
        }
        out.retain(|a| {
            matches!(
                a,
                Event::Save { .. } | Event::Write { .. } | Event::Index { .. }
            )
        });
        out
    }

    fn run(
        &mut self,
        tag: &str,
        name: &str,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        if needs_selected(name) && self.selected.is_none() {
            self.reply(tag, ImapText::NoMailboxSelected, &[], out);
            return Ok(());
        }
        let text = |a: usize| args.get(a).and_then(Arg::text);
        match name {
            "CAPABILITY" => {
                out.push(Event::Line(format!("* CAPABILITY {}", self.capability())));
                self.reply(tag, ImapText::CapabilityCompleted, &[], out);
            }
            "NOOP" | "CHECK" => {
                let done = if name == "NOOP" {
                    ImapText::NoopCompleted
                } else {
                    ImapText::CheckCompleted
                };
                self.reply(tag, done, &[], out);
            }
            "LOGOUT" => {
                out.push(Event::Line(ImapText::ByeLoggingOut.line("*", &[])));
                self.finish(out);
                self.reply(tag, ImapText::LogoutCompleted, &[], out);
                self.close(out);
            }
            "ID" => {
                out.push(Event::Line("* ID (\"name\" \"Dovecot\")".to_string()));
                self.reply(tag, ImapText::IdCompleted, &[], out);
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
                if !known.is_empty() {
                    self.enable_condstore(out);
                }
                out.push(Event::Line(
                    format!("* ENABLED {}", known.join(" "))
                        .trim_end()
                        .to_string(),
                ));
                self.reply(tag, ImapText::Enabled, &[], out);
            }
            "NAMESPACE" => {
                out.push(Event::Line(
                    "* NAMESPACE ((\"\" \"/\")) NIL NIL".to_string(),
                ));
                self.reply(tag, ImapText::NamespaceCompleted, &[], out);
            }
            "IDLE" => {
                out.push(Event::Line(ImapText::Idling.line("+", &[])));
                self.state = State::Idle {
                    tag: tag.to_string(),
                };
            }
            "SELECT" | "EXAMINE" => {
                let Some(mailbox) = text(0) else {
                    return Err("Invalid arguments.".to_string());
                };
                // SELECT name (CONDSTORE): RFC 7162's select parameter.
                let condstore = args.get(1).and_then(Arg::list).unwrap_or_default();
                if condstore.iter().any(|a| {
                    a.atom()
                        .is_some_and(|a| a.eq_ignore_ascii_case("CONDSTORE"))
                }) {
                    self.condstore = true;
                }
                self.select(tag, &mailbox, name == "EXAMINE", out);
            }
            "CLOSE" | "UNSELECT" => {
                if name == "CLOSE" {
                    // Removes \Deleted messages without a word.
                    let _ = self.expunge(None, out);
                }
                self.close_mailbox(out);
                let done = if name == "CLOSE" {
                    ImapText::CloseCompleted
                } else {
                    ImapText::UnselectCompleted
                };
                self.reply(tag, done, &[], out);
            }
            "EXPUNGE" | "UID EXPUNGE" => {
                let limit = if name == "UID EXPUNGE" {
                    let set = text_at(args, 0)?;
                    Some(sequence_set(&set, u32::MAX).ok_or("Invalid uidset")?)
                } else {
                    None
                };
                let told = self.told_of(notify::MESSAGE_NEW);
                for sequence in self.expunge(limit.as_deref(), out) {
                    if told {
                        out.push(Event::Line(format!("* {sequence} EXPUNGE")));
                    }
                }
                self.reply(tag, ImapText::ExpungeCompleted, &[], out);
            }
            "CREATE" => {
                let given = text_at(args, 0)?;
                let mailbox = given.trim_end_matches('/').to_string();
                // In Dovecot's mbox layout a mailbox is a file, so it
                // holds no mailboxes; `NAME/` makes a directory that does.
                let under_file = mailbox
                    .match_indices('/')
                    .any(|(at, _)| self.store.folders.contains_key(&mailbox[..at]));
                if self.mailbox_name(&mailbox).is_some() || self.is_dir(&mailbox) {
                    self.reply(tag, ImapText::MailboxExists, &[], out);
                } else if mailbox.is_empty() || mailbox.starts_with('/') || mailbox.contains("//") {
                    self.reply(tag, ImapText::InvalidMailboxName, &[], out);
                } else if under_file {
                    self.reply(tag, ImapText::NoInferiors, &[], out);
                } else if mailbox.len() < given.len() {
                    self.save_file(&format!("{mailbox}/"), Vec::new(), out);
                    self.reply(tag, ImapText::CreateCompleted, &[], out);
                } else {
                    self.new_validity(&mailbox, out);
                    self.save_file(&mailbox, Vec::new(), out);
                    self.reply(tag, ImapText::CreateCompleted, &[], out);
                }
            }
            "DELETE" => {
                let mailbox = text_at(args, 0)?;
                match self.mailbox_name(&mailbox) {
                    Some(found) if found == "INBOX" => {
                        self.reply(tag, ImapText::InboxNotDeletable, &[], out)
                    }
                    Some(found) => {
                        // Deleting the selected mailbox closes it first, and
                        // then the session (Dovecot's `cmd_delete`).
                        let selected = self.selected.as_ref().is_some_and(|s| s.name == found);
                        if selected {
                            self.selected = None;
                        }
                        self.store.folders.remove(&found);
                        out.push(Event::Write {
                            user: self.user.clone(),
                            path: StorePath::Folder(found),
                            file: None,
                        });
                        self.reply(tag, ImapText::DeleteCompleted, &[], out);
                        if selected {
                            out.push(Event::Line(ImapText::SelectedDeleted.line("*", &[])));
                            self.finish(out);
                            self.close(out);
                        }
                    }
                    // A directory goes when it holds no mailbox.
                    None if self.is_dir(&mailbox) => {
                        let dir = format!("{mailbox}/");
                        if self
                            .store
                            .folders
                            .keys()
                            .any(|k| k.starts_with(&dir) && *k != dir)
                        {
                            self.reply(tag, ImapText::HasChildren, &[], out);
                        } else {
                            self.store.folders.remove(&dir);
                            out.push(Event::Write {
                                user: self.user.clone(),
                                path: StorePath::Folder(dir),
                                file: None,
                            });
                            self.reply(tag, ImapText::DeleteCompleted, &[], out);
                        }
                    }
                    None => self.reply(tag, ImapText::NoSuchMailbox, &[&mailbox], out),
                }
            }
            "RENAME" => {
                let (from, to) = (text_at(args, 0)?, text_at(args, 1)?);
                match self.mailbox_name(&from) {
                    None => self.reply(tag, ImapText::NoSuchMailbox, &[&from], out),
                    Some(_) if self.mailbox_name(&to).is_some() => {
                        self.reply(tag, ImapText::TargetExists, &[], out)
                    }
                    Some(found) if found == "INBOX" => {
                        self.reply(tag, ImapText::InboxNotRenamable, &[], out)
                    }
                    Some(found) => {
                        // The index goes with the mailbox: its UIDVALIDITY
                        // stays, though the file may not say it yet.
                        let validity = self.known_validity(&found);
                        let file = self.store.folders.remove(&found).unwrap_or_default();
                        out.push(Event::Write {
                            user: self.user.clone(),
                            path: StorePath::Folder(found),
                            file: None,
                        });
                        if let Some(validity) = validity {
                            self.remember_validity(&to, validity, out);
                        }
                        self.save_file(&to, file, out);
                        self.reply(tag, ImapText::RenameCompleted, &[], out);
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
                out.push(Event::Write {
                    user: self.user.clone(),
                    path: StorePath::Subscriptions,
                    file: Some(file),
                });
                let done = if name == "SUBSCRIBE" {
                    ImapText::SubscribeCompleted
                } else {
                    ImapText::UnsubscribeCompleted
                };
                self.reply(tag, done, &[], out);
            }
            "LIST" | "LSUB" => self.list(tag, name, args, out)?,
            "NOTIFY" => self.notify(tag, args, out)?,
            "STATUS" => {
                let mailbox = text_at(args, 0)?;
                let items = args
                    .get(1)
                    .and_then(Arg::list)
                    .ok_or("Invalid arguments.")?;
                self.status(tag, &mailbox, status_items(items)?, out);
            }
            "APPEND" => self.append(tag, args, out)?,
            "FETCH" | "UID FETCH" => self.fetch(tag, name == "UID FETCH", args, out)?,
            "STORE" | "UID STORE" => self.store_flags(tag, name == "UID STORE", args, out)?,
            "SEARCH" | "UID SEARCH" => self.search(tag, name == "UID SEARCH", args, out)?,
            "SORT" | "UID SORT" => self.sort(tag, name == "UID SORT", args, out)?,
            "THREAD" | "UID THREAD" => self.thread(tag, name == "UID THREAD", args, out)?,
            "COPY" | "UID COPY" | "MOVE" | "UID MOVE" => self.copy(tag, name, args, out)?,
            "CANCELUPDATE" => {
                let tags: Vec<&[u8]> = args
                    .iter()
                    .map_while(|a| match a {
                        Arg::Quoted(tag) => Some(&tag[..]),
                        _ => None,
                    })
                    .collect();
                if tags.is_empty() || tags.len() < args.len() {
                    return Err("Invalid parameters.".to_string());
                }
                let mut none = Vec::new();
                let updates = self.selected.as_mut().map_or(&mut none, |s| &mut s.updates);
                let mut done = ImapText::UpdatesCancelled;
                for cancel in tags {
                    match updates.iter().position(|u| u.tag.as_bytes() == cancel) {
                        Some(at) => drop(updates.remove(at)),
                        None => {
                            done = ImapText::UnknownTag;
                            break;
                        }
                    }
                }
                self.reply(tag, done, &[], out);
            }
            _ => return Err("Unknown command.".to_string()),
        }
        Ok(())
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
    ("SORT", true),
    ("THREAD", true),
    ("FETCH", true),
    ("STORE", true),
    ("COPY", true),
    ("MOVE", true),
    ("UID FETCH", true),
    ("UID STORE", true),
    ("UID SEARCH", true),
    ("UID SORT", true),
    ("UID THREAD", true),
    ("UID COPY", true),
    ("UID MOVE", true),
    ("UID EXPUNGE", true),
    ("CANCELUPDATE", false),
    ("NOTIFY", false),
];

/// The commands besides FETCH, STORE, SEARCH, SORT and THREAD that tell
/// the client of changes in the selected mailbox, expunges too.
const SYNCING: &[&str] = &[
    "NOOP",
    "CHECK",
    "APPEND",
    "EXPUNGE",
    "UID EXPUNGE",
    "COPY",
    "UID COPY",
    "MOVE",
    "UID MOVE",
    "UID FETCH",
    "UID STORE",
    "UID SEARCH",
    "UID SORT",
    "UID THREAD",
    "NOTIFY",
];

/// The commands `imap` knows after login, for the tests.
#[cfg(test)]
pub(crate) fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(name, _)| *name)
}

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
