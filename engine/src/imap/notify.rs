//! NOTIFY (RFC 5465) as Dovecot 2.3 serves it: the command as
//! `cmd-notify.c` reads it, the first STATUS replies it sends, and the
//! changes to other mailboxes told as they happen (`imap-notify.c`), found
//! as Dovecot's mailbox list index finds them
//! (`mailbox-list-index-notify.c`): by comparing each mailbox's
//! UIDVALIDITY, UIDNEXT, MESSAGES, UNSEEN and HIGHESTMODSEQ with what was
//! last seen, and the mailbox names and subscriptions likewise.
//!
//! For the selected mailbox, NOTIFY decides what the client is told:
//! without MessageNew, no EXISTS, RECENT or EXPUNGE; without FlagChange, no
//! other session's flag changes. MessageNew may carry FETCH items, fetched
//! for each new message after its EXISTS.

use super::*;
use mailboxes::{mailbox_wire, status_line};
use mailboxes::{HIGHESTMODSEQ_ITEM, MESSAGES_ITEM, UIDNEXT_ITEM, UIDVALIDITY_ITEM, UNSEEN_ITEM};

/// The events by name, each a bit in this order (Dovecot's
/// `imap_notify_event_names`).
const EVENTS: [&str; 8] = [
    "MessageNew",
    "MessageExpunge",
    "FlagChange",
    "AnnotationChange",
    "MailboxName",
    "SubscriptionChange",
    "MailboxMetadataChange",
    "ServerMetadataChange",
];
pub(super) const MESSAGE_NEW: u8 = 1;
const MESSAGE_EXPUNGE: u8 = 2;
pub(super) const FLAG_CHANGE: u8 = 4;
const ANNOTATION_CHANGE: u8 = 8;
const MAILBOX_NAME: u8 = 16;
const SUBSCRIPTION_CHANGE: u8 = 32;
/// AnnotationChange and the METADATA events: refused with `[BADEVENT]`.
const UNSUPPORTED: u8 = ANNOTATION_CHANGE | 64 | 128;
/// The most mailbox names one filter may list (`IMAP_NOTIFY_MAX_NAMES_PER_NS`).
const MAX_NAMES: usize = 100;

/// Which mailboxes a filter covers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Which {
    /// These mailboxes (`mailboxes`).
    Named,
    /// These and those below them (`subtree`; `personal` and `inboxes`
    /// are the subtree of "", everything).
    Subtree,
    /// The subscribed ones.
    Subscribed,
}

/// A mailbox as last seen: its name, and UIDVALIDITY, UIDNEXT, MESSAGES,
/// UNSEEN, HIGHESTMODSEQ and RECENT (not compared: what makes LIST say
/// `\Marked`, mail arrived since the file was last read).
type Seen = (String, [u64; 6]);

#[derive(Clone, Debug, Default)]
pub(super) struct Notify {
    /// Mailboxes other than the selected one: which, by name, and for
    /// which events (filters with the same kind and events share names).
    filters: Vec<(Which, Vec<String>, u8)>,
    /// The events asked for the selected mailbox.
    pub(super) selected: u8,
    /// MessageNew's FETCH items for new messages in the selected mailbox.
    pub(super) fetch: Vec<Arg>,
    /// Every event asked for.
    used: u8,
    /// The mailboxes as last seen, in name order.
    seen: Vec<Seen>,
    subscribed: Vec<String>,
}

fn event_bits(list: &[Arg]) -> Option<u8> {
    let mut bits = 0;
    for event in list {
        let at = EVENTS
            .iter()
            .position(|e| event.atom().is_some_and(|a| a.eq_ignore_ascii_case(e)))?;
        bits |= 1 << at;
    }
    Some(bits)
}

impl Notify {
    /// Whether a filter with any of these events covers the mailbox.
    fn covers(&self, mailbox: &str, wanted: u8) -> bool {
        self.filters.iter().any(|(which, names, events)| {
            events & wanted != 0
                && match which {
                    Which::Subscribed => self.subscribed.iter().any(|s| s == mailbox),
                    Which::Named => names.iter().any(|n| n == mailbox),
                    Which::Subtree => names.iter().any(|n| {
                        n.is_empty()
                            || mailbox
                                .strip_prefix(n.as_str())
                                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                    }),
                }
        })
    }

    /// The events of the selected filter (`cmd_notify_set_selected`).
    fn set_selected(&mut self, events: &[Arg]) -> Result<(), Option<&'static str>> {
        match events {
            [Arg::Atom(none)] if none.eq_ignore_ascii_case("NONE") => return Ok(()),
            [Arg::List(list)] if !list.is_empty() => {
                let mut at = 0;
                while at < list.len() {
                    let bit = event_bits(&list[at..=at]).ok_or(None)?;
                    self.selected |= bit;
                    if let (MESSAGE_NEW, Some(Arg::List(items))) = (bit, list.get(at + 1)) {
                        if items.is_empty() || fetch_items(&list[at + 1]).is_err() {
                            return Err(None);
                        }
                        self.fetch = items.clone();
                        at += 1;
                    }
                    at += 1;
                }
            }
            _ => return Err(None),
        }
        self.used |= self.selected;
        let both = MESSAGE_NEW | MESSAGE_EXPUNGE;
        if self.selected & both != 0 && self.selected & both != both {
            return Err(Some("MessageNew and MessageExpunge must be together"));
        }
        if self.selected & (FLAG_CHANGE | ANNOTATION_CHANGE) != 0
            && self.selected & MESSAGE_EXPUNGE == 0
        {
            return Err(Some("FlagChange requires MessageNew and MessageExpunge"));
        }
        Ok(())
    }

    /// `SET [STATUS] (filter [mailboxes] events) ...` (`cmd_notify_set`);
    /// whether STATUS was asked.
    fn set(&mut self, args: &[Arg]) -> Result<bool, Option<&'static str>> {
        let status = args
            .first()
            .and_then(Arg::atom)
            .is_some_and(|a| a.eq_ignore_ascii_case("STATUS"));
        let mut selected_set = false;
        for group in &args[usize::from(status)..] {
            let group = group.list().ok_or(None)?;
            let filter = group
                .first()
                .and_then(Arg::atom)
                .ok_or(None)?
                .to_ascii_lowercase();
            if filter == "selected" || filter == "selected-delayed" {
                if selected_set {
                    return Err(Some("Duplicate selected filter"));
                }
                selected_set = true;
                self.set_selected(&group[1..])?;
                continue;
            }
            let mut names = vec![String::new()];
            let mut at = 1;
            if filter == "subtree" || filter == "mailboxes" {
                names = match group.get(1).ok_or(None)? {
                    Arg::List(list) if list.is_empty() => return Err(None),
                    Arg::List(list) => list.iter().map(Arg::text).collect::<Option<_>>(),
                    one => one.text().map(|name| vec![name]),
                }
                .ok_or(None)?;
                for name in &mut names {
                    // INBOX in any case is INBOX.
                    let (head, rest) = name.split_at_checked(5).unwrap_or_default();
                    if head.eq_ignore_ascii_case("INBOX")
                        && (rest.is_empty() || rest.starts_with('/'))
                    {
                        name.replace_range(..5, "INBOX");
                    }
                }
                at = 2;
            }
            let events = match group.get(at) {
                Some(Arg::Atom(none)) if none.eq_ignore_ascii_case("NONE") => continue,
                Some(Arg::List(list)) if !list.is_empty() => event_bits(list).ok_or(None)?,
                _ => return Err(None),
            };
            self.used |= events;
            let which = match filter.as_str() {
                "inboxes" | "personal" => Which::Subtree,
                "subscribed" => Which::Subscribed,
                "subtree" => Which::Subtree,
                "mailboxes" => Which::Named,
                _ => return Err(None),
            };
            match self
                .filters
                .iter_mut()
                .find(|(w, _, e)| *w == which && *e == events)
            {
                Some((_, known, _)) => {
                    for name in names {
                        if !known.contains(&name) {
                            known.push(name);
                        }
                    }
                }
                None => self.filters.push((which, names, events)),
            }
        }
        Ok(status)
    }
}

impl ImapSession {
    /// NOTIFY NONE, or NOTIFY SET with its filters.
    pub(super) fn notify(
        &mut self,
        tag: &str,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let mut notify = Notify::default();
        let invalid = |error: Option<&str>| error.unwrap_or("Invalid arguments.").to_string();
        let status = match atom_at(args, 0)?.to_ascii_uppercase().as_str() {
            "NONE" => false,
            "SET" => notify.set(&args[1..]).map_err(invalid)?,
            _ => return Err(invalid(None)),
        };
        if notify.used & UNSUPPORTED != 0 {
            let names: Vec<&str> = (0..8)
                .filter(|bit| notify.used & UNSUPPORTED & (1 << bit) != 0)
                .map(|bit| EVENTS[bit])
                .collect();
            self.reply(tag, ImapText::BadEvent, &[&names.join(" ")], out);
            return Ok(());
        }
        if notify
            .filters
            .iter()
            .any(|(_, names, _)| names.len() > MAX_NAMES)
        {
            self.reply(tag, ImapText::NotificationOverflow, &[], out);
            return Ok(());
        }
        let wants_status = |events: u8| events & (MESSAGE_NEW | MESSAGE_EXPUNGE | FLAG_CHANGE) != 0;
        notify.subscribed = subscriptions(&self.store.subscriptions);
        notify.seen = self.mailbox_states(out);
        // NOTIFY SET STATUS: each mailbox a filter covers is told as it
        // is now, but the selected one (`cmd_notify_send_status`).
        if status
            && notify
                .filters
                .iter()
                .any(|(_, _, events)| wants_status(*events))
        {
            let mut items = UIDVALIDITY_ITEM | UIDNEXT_ITEM | MESSAGES_ITEM | UNSEEN_ITEM;
            if notify.used & FLAG_CHANGE != 0 {
                items |= HIGHESTMODSEQ_ITEM;
            }
            let selected = self.selected.as_ref().map(|s| s.name.clone());
            for (name, state) in &notify.seen {
                if Some(name) != selected.as_ref() && notify.covers(name, u8::MAX) {
                    if items & HIGHESTMODSEQ_ITEM != 0 {
                        self.enable_condstore(out);
                    }
                    out.push(Event::Line(seen_status(name, items, state)));
                }
            }
        }
        self.notify = Some(notify);
        self.reply(tag, ImapText::NotifyCompleted, &[], out);
        Ok(())
    }

    /// Every mailbox (INBOX, then the folders that are files, in name
    /// order) with what NOTIFY compares.
    fn mailbox_states(&mut self, out: &mut Vec<Event>) -> Vec<Seen> {
        self.mailbox_names()
            .into_iter()
            .map(|name| {
                let ([messages, recent, next, validity, unseen, highest, _, _], _) =
                    self.status_values(&name, out);
                (name, [validity, next, messages, unseen, highest, recent])
            })
            .collect()
    }

    /// The changes to other mailboxes since they were last seen, told as
    /// Dovecot's NOTIFY tells them: mailboxes deleted, renamed and
    /// created, subscriptions, then STATUS of the mailboxes that changed.
    pub(super) fn notify_changes(&mut self, out: &mut Vec<Event>) {
        let Some(mut notify) = self.notify.take() else {
            return;
        };
        let now = self.mailbox_states(out);
        let was = std::mem::replace(&mut notify.seen, now);
        let subscribed = subscriptions(&self.store.subscriptions);
        let was_subscribed = std::mem::replace(&mut notify.subscribed, subscribed);
        let (now, subscribed) = (&notify.seen, &notify.subscribed);
        // A mailbox file holds no mailboxes; it is marked when mail came
        // since it was last read (`STAT_GET_MARKED_FILE`).
        let flags = |name: &str| match in_list(now, name) {
            None => "\\NonExistent",
            Some(state) if state[5] > 0 => "\\NoInferiors \\Marked",
            Some(_) => "\\NoInferiors \\UnMarked",
        };
        let mut lines = Vec::new();
        for (old, state) in &was {
            if in_list(now, old).is_none() {
                match renamed(&was, now, state[0]) {
                    Some(new) if notify.covers(new, MAILBOX_NAME) => lines.push(format!(
                        "{} (\"OLDNAME\" ({}))",
                        list_line(flags(new), new),
                        mailbox_wire(old)
                    )),
                    None if notify.covers(old, MAILBOX_NAME) => {
                        lines.push(list_line(flags(old), old))
                    }
                    _ => {}
                }
            }
        }
        for (new, state) in now {
            let created = in_list(&was, new).is_none() && renamed(now, &was, state[0]).is_none();
            if created && notify.covers(new, MAILBOX_NAME) {
                lines.push(list_line(flags(new), new));
            }
        }
        let (added, removed) = (subscribed, &was_subscribed);
        for (name, flag) in added
            .iter()
            .filter(|s| !removed.contains(s))
            .map(|s| (s, "\\Subscribed "))
            .chain(
                removed
                    .iter()
                    .filter(|s| !added.contains(s))
                    .map(|s| (s, "")),
            )
        {
            if notify.covers(name, SUBSCRIPTION_CHANGE) {
                lines.push(list_line(&format!("{flag}{}", flags(name)), name));
            }
        }
        let selected = self.selected.as_ref().map(|s| s.name.as_str());
        for (name, state) in now {
            let Some(was) = in_list(&was, name).filter(|_| Some(name.as_str()) != selected) else {
                continue;
            };
            // Which changes (`mailbox_list_index_get_changed_events`), who
            // wants them, and what they tell (`imap_notify_status`).
            let mut wanted = 0;
            let mut items = if self.condstore {
                HIGHESTMODSEQ_ITEM
            } else {
                0
            };
            if state[0] != was[0] {
                wanted |= MESSAGE_NEW | MESSAGE_EXPUNGE | FLAG_CHANGE;
                items |= UIDVALIDITY_ITEM | UIDNEXT_ITEM | MESSAGES_ITEM | UNSEEN_ITEM;
            }
            if state[1] != was[1] {
                wanted |= MESSAGE_NEW;
                items |= UIDNEXT_ITEM | MESSAGES_ITEM | UNSEEN_ITEM;
            }
            if state[2] < was[2] {
                wanted |= MESSAGE_EXPUNGE;
                items |= UIDNEXT_ITEM | MESSAGES_ITEM | UNSEEN_ITEM;
            }
            if state[3] != was[3] {
                wanted |= FLAG_CHANGE;
                items |= UNSEEN_ITEM;
            }
            if state[4] > was[4] {
                wanted |= FLAG_CHANGE;
            }
            if items != 0 && notify.covers(name, wanted) {
                lines.push(seen_status(name, items, state));
            }
        }
        self.notify = Some(notify);
        out.extend(lines.into_iter().map(Event::Line));
    }
}

/// `* LIST (flags) "/" name`, as NOTIFY tells a mailbox's change.
fn list_line(flags: &str, name: &str) -> String {
    format!("* LIST ({flags}) \"/\" {}", mailbox_wire(name))
}

/// `* STATUS name (...)` with `items` of what was seen of a mailbox.
fn seen_status(name: &str, items: u8, state: &[u64; 6]) -> String {
    let [validity, next, messages, unseen, highest, recent] = *state;
    let values = [messages, recent, next, validity, unseen, highest, 0, 0];
    status_line(name, items, &values)
}

fn in_list(list: &[Seen], name: &str) -> Option<[u64; 6]> {
    list.iter().find(|(n, _)| n == name).map(|s| s.1)
}

/// A mailbox gone and one new with its UIDVALIDITY: renamed. The name in
/// `to` that is not in `from` with this UIDVALIDITY.
fn renamed<'a>(from: &[Seen], to: &'a [Seen], validity: u64) -> Option<&'a str> {
    to.iter()
        .find(|(n, s)| s[0] == validity && in_list(from, n).is_none())
        .map(|(n, _)| n.as_str())
}
