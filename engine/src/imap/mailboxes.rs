//! Mailbox operations: the mailbox files, SELECT and EXAMINE, EXPUNGE, LIST
//! and LSUB, STATUS, APPEND, and what is written when a mailbox closes.

use super::*;

impl ImapSession {
    /// The canonical name of an existing mailbox (`INBOX` in any case).
    pub(super) fn mailbox_name(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Some("INBOX".to_string());
        }
        // `NAME/` is a directory of the layout, no mailbox.
        (!name.ends_with('/') && self.store.folders.contains_key(name)).then(|| name.to_string())
    }

    /// Whether `name` is a directory of Dovecot's mbox layout: made by
    /// `CREATE name/`, or holding mailboxes. It holds mailboxes but is
    /// none (LIST's `\Noselect`).
    pub(super) fn is_dir(&self, name: &str) -> bool {
        let prefix = format!("{name}/");
        self.store.folders.keys().any(|k| k.starts_with(&prefix))
    }

    pub(super) fn file_of(&self, name: &str) -> Vec<u8> {
        if name == "INBOX" {
            self.store.inbox.clone()
        } else {
            self.store.folders.get(name).cloned().unwrap_or_default()
        }
    }

    pub(super) fn save_file(&mut self, name: &str, file: Vec<u8>, out: &mut Vec<Event>) {
        self.stale = true;
        if name == "INBOX" {
            if self.store.inbox != file {
                self.store.inbox = file.clone();
                out.push(Event::Save {
                    user: self.user.clone(),
                    file,
                });
            }
        } else if self.store.folders.get(name) != Some(&file) {
            self.store.folders.insert(name.to_string(), file.clone());
            out.push(Event::Write {
                user: self.user.clone(),
                path: StorePath::Folder(name.to_string()),
                file: Some(file),
            });
        }
    }

    pub(super) fn now_validity(&self) -> u32 {
        self.now_seconds.clamp(1, i64::from(u32::MAX)) as u32
    }

    /// The UIDVALIDITY of a mailbox new to the index: the time, or one
    /// past the last given if that is later (Dovecot's
    /// `dovecot-uidvalidity` file), so that a mailbox deleted and created
    /// again in the same second gets another.
    /// The new mailbox `name` is given it in the shared index.
    pub(super) fn new_validity(&mut self, name: &str, out: &mut Vec<Event>) -> u32 {
        let validity = self
            .now_validity()
            .max(self.store.last_validity.saturating_add(1));
        self.store.last_validity = validity;
        out.push(Event::Index {
            user: self.user.clone(),
            flags: Vec::new(),
            uid_validity: validity,
        });
        self.remember_validity(name, validity, out);
        validity
    }

    /// Every mailbox: INBOX, then the folders that are files, in name
    /// order.
    pub(super) fn mailbox_names(&self) -> Vec<String> {
        let mut names = vec!["INBOX".to_string()];
        let files = self.store.folders.keys().filter(|k| !k.ends_with('/'));
        names.extend(files.cloned());
        names
    }

    /// Opens a mailbox file as Dovecot does: a file never indexed is
    /// indexed, its UIDs written at once (`eager`: SELECT, LIST, STATUS
    /// ...) or kept in the session until the file is next written (an
    /// APPEND's quick sync). Returns the file and whether the mailbox had
    /// been indexed before (in the file or earlier in this session).
    pub(super) fn indexed(
        &mut self,
        name: &str,
        eager: bool,
        out: &mut Vec<Event>,
    ) -> (Vec<u8>, bool) {
        let file = self.file_of(name);
        let data = mbox::read(&file);
        let in_file = data.uid_validity.is_some();
        let before = in_file || self.indexed.contains_key(name);
        if before {
            return (file, true);
        }
        let validity = match self.known_validity(name) {
            Some(validity) => validity,
            None => self.new_validity(name, out),
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
    pub(super) fn finish(&mut self, out: &mut Vec<Event>) {
        self.close_mailbox(out);
        for (name, validity) in std::mem::take(&mut self.indexed).0 {
            let file = self.file_of(&name);
            if mbox::read(&file).uid_validity.is_none() {
                self.save_file(&name, mbox::index(&file, validity), out);
            }
        }
    }

    pub(super) fn validity_of(&self, name: &str, mailbox: &mbox::Mailbox) -> u32 {
        mailbox
            .uid_validity
            .or_else(|| self.indexed.get(name).copied())
            .or_else(|| self.known_validity(name))
            .unwrap_or_else(|| self.now_validity())
    }

    /// The UIDVALIDITY the index gave a mailbox whose file does not say
    /// it (new, emptied or renamed): every session of the user sees it.
    pub(super) fn known_validity(&self, name: &str) -> Option<u32> {
        let records = self.store.flags.iter().rev();
        records
            .filter(|f| f.mailbox == name)
            .map(|f| f.uid_validity)
            .next()
    }

    /// Records a mailbox's UIDVALIDITY in the index the sessions share,
    /// as a record of no message (UID 0).
    pub(super) fn remember_validity(&mut self, name: &str, validity: u32, out: &mut Vec<Event>) {
        let record = Flags {
            mailbox: name.to_string(),
            uid_validity: validity,
            uid: 0,
            flags_known: false,
            flags: 0,
            keywords: Vec::new(),
            modseq: 0,
        };
        self.store.flags.push(record.clone());
        out.push(Event::Index {
            user: self.user.clone(),
            flags: vec![record],
            uid_validity: 0,
        });
    }

    /// Writes back what the selected mailbox changed, as Dovecot does
    /// when it closes it.
    pub(super) fn close_mailbox(&mut self, out: &mut Vec<Event>) {
        self.flush(out);
        if self.selected.as_ref().is_some_and(|s| !s.read_only) {
            self.write_view(&[], out);
        }
        if let Some(selected) = self.selected.take() {
            if mbox::read(&self.file_of(&selected.name))
                .uid_validity
                .is_some()
            {
                self.indexed.remove(&selected.name);
            }
        }
    }

    /// A mailbox as the sessions see it: its file, with the flags sessions
    /// set that the file does not hold yet.
    pub(super) fn read_mailbox(&self, name: &str) -> mbox::Mailbox {
        let mut data = mbox::read(&self.file_of(name));
        // A file emptied by an expunge no longer says its UIDVALIDITY; the
        // index still does.
        if data.uid_validity.is_none() {
            data.uid_validity = self
                .store
                .flags
                .iter()
                .rev()
                .find(|f| f.mailbox == name)
                .map(|f| f.uid_validity);
        }
        let validity = self.validity_of(name, &data);
        for set in self
            .store
            .flags
            .iter()
            .filter(|f| f.mailbox == name && f.uid_validity == validity)
        {
            if let Some(m) = data.messages.iter_mut().find(|m| m.uid == set.uid) {
                if set.flags_known {
                    m.flags = set.flags;
                    m.keywords = set.keywords.clone();
                }
                m.recent = false;
                m.modseq = m.modseq.max(set.modseq);
            }
            // A UID once given is not given again, though the message is
            // gone and the file with it.
            data.uid_next = data.uid_next.max(set.uid.saturating_add(1));
        }
        data
    }

    /// Takes the flags the store has now for these messages of the view,
    /// so that a change is made to them as they are (Dovecot's log keeps
    /// changes, not states: two sessions' changes to one message both
    /// stand).
    pub(super) fn refresh(&mut self, chosen: &[usize], out: &mut Vec<Event>) {
        let Some(name) = self.selected.as_ref().map(|s| s.name.clone()) else {
            return;
        };
        if !self.stale {
            return;
        }
        let data = self.read_mailbox(&name);
        let Some(selected) = &mut self.selected else {
            return;
        };
        for &i in chosen {
            let message = &mut selected.messages[i];
            if let Ok(at) = data.messages.binary_search_by_key(&message.uid, |m| m.uid) {
                message.flags = data.messages[at].flags;
                message.keywords = data.messages[at].keywords.clone();
            }
        }
        let mut told = Vec::new();
        learn_keywords(selected, &data, &mut told);
        out.extend(told.into_iter().map(Event::Line));
    }

    // ---- After login (`imap`) ----

    /// New messages and a new \Recent count in the selected mailbox,
    /// announced before a reply (Dovecot's `imap_sync_finish`).
    /// NOTIFY without MessageNew leaves them untold; with FETCH items,
    /// the new messages are fetched after them (`imap_client_notify_newmails`).
    pub(super) fn announce(&mut self, out: &mut Vec<Event>) {
        let told = self.told_of(notify::MESSAGE_NEW);
        let Some(selected) = &mut self.selected else {
            return;
        };
        let recent = selected.messages.iter().filter(|m| m.recent).count();
        let known = selected.announced;
        let mut lines = Vec::new();
        if known != selected.messages.len() {
            selected.announced = selected.messages.len();
            lines.push(Event::Line(format!("* {} EXISTS", selected.announced)));
        }
        if selected.announced_recent != recent {
            selected.announced_recent = recent;
            lines.push(Event::Line(format!("* {recent} RECENT")));
        }
        let count = selected.messages.len();
        if told {
            out.extend(lines);
            let fetch = self
                .notify
                .as_ref()
                .map(|n| n.fetch.clone())
                .unwrap_or_default();
            if !fetch.is_empty() && known < count {
                let set = Arg::Atom(format!("{}:{count}", known + 1));
                let mut fetched = Vec::new();
                if self
                    .fetch("", false, &[set, Arg::List(fetch)], &mut fetched)
                    .is_ok()
                {
                    fetched.pop();
                    out.extend(fetched);
                }
            }
        }
    }

    /// Tells the store the flags this session changed in the selected
    /// mailbox (and the \Recent it took), which every session of the
    /// user sees at once, as they would see Dovecot's index.
    pub(super) fn flush(&mut self, out: &mut Vec<Event>) {
        let Some(selected) = &mut self.selected else {
            return;
        };
        let mut flags = Vec::new();
        for message in selected.messages.iter_mut().filter(|m| m.dirty) {
            message.dirty = false;
            flags.push(Flags {
                mailbox: selected.name.clone(),
                uid_validity: selected.uid_validity,
                uid: message.uid,
                flags_known: true,
                flags: message.flags,
                keywords: message.keywords.clone(),
                modseq: message.modseq,
            });
        }
        if flags.is_empty() || selected.read_only {
            return;
        }
        for new in &flags {
            self.store
                .flags
                .retain(|f| !(f.mailbox == new.mailbox && f.uid == new.uid));
        }
        self.store.flags.extend(flags.iter().cloned());
        out.push(Event::Index {
            user: self.user.clone(),
            flags,
            uid_validity: 0,
        });
    }

    /// Writes the selected mailbox's file as Dovecot's mbox sync does,
    /// into the file as it is now (other sessions may have written it
    /// since): messages up to `changed_upto` written with the view's
    /// flags, those `gone` in the view removed, the rest byte for byte.
    pub(super) fn write_view(&mut self, gone: &[bool], out: &mut Vec<Event>) {
        let Some(name) = self.selected.as_ref().map(|s| s.name.clone()) else {
            return;
        };
        // A mailbox another session deleted is not written again.
        if self.mailbox_name(&name).is_none() {
            return;
        }
        let file = self.file_of(&name);
        let Some(selected) = &mut self.selected else {
            return;
        };
        let data = mbox::read(&file);
        let upto = if gone.contains(&true) {
            selected.messages.len()
        } else {
            selected.changed_upto
        };
        let plans: Vec<Plan> = data
            .messages
            .iter()
            .map(|stored| match selected.position(stored.uid) {
                Some(i) if gone.get(i) == Some(&true) => Plan::Expunge,
                Some(i) => {
                    let message = &selected.messages[i];
                    let write = i < upto;
                    Plan::Write {
                        state: MessageState {
                            flags: message.flags,
                            keywords: message.keywords.clone(),
                            // Written back as no longer new; the session had it.
                            recent: !write,
                        },
                        write,
                        uid: message.uid,
                    }
                }
                None => Plan::Write {
                    state: MessageState::of(stored),
                    write: false,
                    uid: 0,
                },
            })
            .collect();
        let mut keywords = data.keywords.clone();
        for k in &selected.keywords {
            if !keywords.contains(k) {
                keywords.push(k.clone());
            }
        }
        let base = Base {
            uid_validity: selected.uid_validity,
            last_uid: selected.uid_next.max(data.uid_next).saturating_sub(1),
            keywords,
        };
        selected.changed_upto = 0;
        self.save_file(&name, mbox::sync(&file, &base, &plans), out);
    }

    /// Brings the selected mailbox up to date with what other sessions
    /// (or a delivery) changed, and tells the client as Dovecot's sync
    /// does: flag changes as FETCH, then EXPUNGE (unless the command
    /// numbers messages by sequence: `expunges` false keeps them for
    /// later), then EXISTS and RECENT. A new message is \Recent in the
    /// first session to see it.
    pub(super) fn sync_view(&mut self, expunges: bool, send_uid: bool, out: &mut Vec<Event>) {
        self.flush(out);
        let Some(name) = self.selected.as_ref().map(|s| s.name.clone()) else {
            return;
        };
        if !self.stale {
            self.announce(out);
            return;
        }
        self.stale = false;
        let data = self.read_mailbox(&name);
        let modseq = self.modseq_part();
        let flags_told = self.told_of(notify::FLAG_CHANGE);
        let counts_told = self.told_of(notify::MESSAGE_NEW);
        let Some(selected) = &mut self.selected else {
            return;
        };
        let mut found = vec![false; selected.messages.len()];
        let mut added = Vec::new();
        let mut lines = Vec::new();
        for stored in &data.messages {
            let Some(i) = selected.position(stored.uid) else {
                let uid = stored.uid.max(selected.uid_next);
                selected.uid_next = uid.saturating_add(1);
                let recent = stored.recent && !selected.read_only;
                let mut message = message_of(stored, uid, recent);
                message.dirty = recent;
                added.push(message);
                continue;
            };
            found[i] = true;
            let message = &mut selected.messages[i];
            message.modseq = message.modseq.max(stored.modseq);
            if (message.flags, &message.keywords) != (stored.flags, &stored.keywords) {
                message.flags = stored.flags;
                message.keywords = stored.keywords.clone();
                if i < selected.announced && flags_told {
                    let uid = if send_uid {
                        format!("UID {} ", message.uid)
                    } else {
                        String::new()
                    };
                    lines.push(format!(
                        "* {} FETCH ({uid}FLAGS ({}){})",
                        i + 1,
                        flag_names(message.flags, message.recent, &message.keywords),
                        modseq(message)
                    ));
                }
            }
        }
        let mut told = Vec::new();
        learn_keywords(selected, &data, &mut told);
        lines.splice(0..0, told);
        // Removed messages not told yet keep the mailbox to be read again.
        self.stale = !expunges && found.contains(&false);
        if expunges {
            for i in (0..found.len()).rev().filter(|&i| !found[i]) {
                selected.messages.remove(i);
                selected.changed_upto = selected.changed_upto.min(selected.messages.len());
                if i < selected.announced {
                    selected.announced -= 1;
                    if counts_told {
                        lines.push(format!("* {} EXPUNGE", i + 1));
                    }
                }
            }
        }
        if !added.is_empty() {
            selected.messages.extend(added);
            // Their UIDs, and that they are no longer new, go into the
            // file when the mailbox closes.
            selected.changed_upto = selected.messages.len();
        }
        self.flush(out);
        out.extend(lines.into_iter().map(Event::Line));
        self.announce(out);
    }

    pub(super) fn select(
        &mut self,
        tag: &str,
        mailbox: &str,
        read_only: bool,
        out: &mut Vec<Event>,
    ) {
        self.close_mailbox(out);
        let Some(name) = self.mailbox_name(mailbox) else {
            // Dovecot looks the name up in its mailbox list, which
            // refreshes (and indexes) INBOX.
            let _ = self.indexed("INBOX", true, out);
            self.reply(tag, ImapText::NoSuchMailbox, &[&mailbox], out);
            return;
        };
        let (_, indexed_before) = self.indexed(&name, true, out);
        let mailbox_data = self.read_mailbox(&name);
        let uid_validity = self.validity_of(&name, &mailbox_data);
        let messages: Vec<Message> = mailbox_data
            .messages
            .iter()
            .map(|m| {
                let mut message = message_of(m, m.uid, m.recent);
                // The first session to open it takes its \Recent.
                message.dirty = m.recent && !read_only;
                message
            })
            .collect();
        let count = messages.len();
        let recent = messages.iter().filter(|m| m.recent).count();
        let changed_upto = if indexed_before && !read_only && recent > 0 {
            messages.iter().rposition(|m| m.recent).map_or(0, |i| i + 1)
        } else {
            0
        };
        let mut selected = Selected {
            name,
            read_only,
            messages,
            uid_validity,
            uid_next: mailbox_data.uid_next,
            keywords: Vec::new(),
            indexed_before,
            changed_upto,
            announced: count,
            announced_recent: recent,
            updates: Vec::new(),
            saved: Vec::new(),
        };
        // The file's keywords and those sessions set since (FLAGS below
        // lists them all).
        learn_keywords(&mut selected, &mailbox_data, &mut Vec::new());
        let keywords = flag_list_with(&selected.keywords);
        out.push(Event::Line(format!(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{keywords})"
        )));
        if read_only {
            out.push(Event::Line(ImapText::ReadOnlyFlags.line("*", &[])));
        } else {
            out.push(Event::Line(
                ImapText::PermanentFlags.line("*", &[&keywords]),
            ));
        }
        out.push(Event::Line(format!("* {count} EXISTS")));
        out.push(Event::Line(format!("* {recent} RECENT")));
        if let Some(first) = selected.messages.iter().position(|m| m.flags & SEEN == 0) {
            out.push(Event::Line(
                ImapText::FirstUnseen.line("*", &[&(first + 1)]),
            ));
        }
        out.push(Event::Line(
            ImapText::UidValidity.line("*", &[&selected.uid_validity]),
        ));
        out.push(Event::Line(
            ImapText::UidNext.line("*", &[&selected.uid_next]),
        ));
        self.selected = Some(selected);
        if self.condstore {
            self.tell_highest_modseq(out);
        }
        if read_only {
            self.reply(tag, ImapText::ExamineCompleted, &[], out);
        } else {
            self.reply(tag, ImapText::SelectCompleted, &[], out);
        }
    }

    /// Removes \Deleted messages (within `uids` if given) from the view
    /// and the file. Returns their sequence numbers as EXPUNGE reports them.
    pub(super) fn expunge(
        &mut self,
        uids: Option<&[(u32, u32)]>,
        out: &mut Vec<Event>,
    ) -> Vec<usize> {
        let Some(selected) = &self.selected else {
            return Vec::new();
        };
        let gone: Vec<bool> = selected
            .messages
            .iter()
            .map(|m| m.flags & DELETED != 0 && uids.is_none_or(|set| in_set(set, m.uid)))
            .collect();
        if selected.read_only || !gone.contains(&true) {
            return Vec::new();
        }
        // Their flags (\Deleted) go to the index first: it keeps their
        // UIDs from being given again.
        self.flush(out);
        self.write_view(&gone, out);
        let mut reported = Vec::new();
        let Some(selected) = &mut self.selected else {
            return reported;
        };
        for (index, _) in gone.iter().enumerate().filter(|(_, &g)| g) {
            reported.push(index + 1 - reported.len());
        }
        let mut index = 0;
        selected.messages.retain(|_| {
            index += 1;
            !gone[index - 1]
        });
        selected.announced -= gone[..selected.announced.min(gone.len())]
            .iter()
            .filter(|&&g| g)
            .count();
        selected.indexed_before = true;
        reported
    }

    /// LIST and LSUB, with LIST-EXTENDED (RFC 5258) as Dovecot reads it
    /// (`cmd-list.c`): `[(selection)] reference pattern|(patterns)
    /// [RETURN (options)]`.
    pub(super) fn list(
        &mut self,
        tag: &str,
        name: &str,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let lsub = name == "LSUB";
        let mut args = args;
        // What is selected, and what is returned, by Dovecot's flags.
        let (mut extended, mut subscribed_only, mut special_only) = (false, lsub, false);
        let (mut recursive, mut tell_subscribed, mut tell_children) = (false, false, false);
        let mut status = 0;
        let atoms = |options: &[Arg]| -> Result<Vec<String>, String> {
            options
                .iter()
                .map(|o| o.atom().map(str::to_ascii_uppercase))
                .collect::<Option<_>>()
                .ok_or_else(|| "List options contains non-atoms.".to_string())
        };
        if let (false, Some(options)) = (lsub, args.first().and_then(Arg::list)) {
            extended = true;
            for option in atoms(options)? {
                match option.as_str() {
                    "SUBSCRIBED" => (subscribed_only, tell_subscribed) = (true, true),
                    "RECURSIVEMATCH" => recursive = true,
                    "SPECIAL-USE" => special_only = true,
                    "REMOTE" => {}
                    _ => return Err("Unknown select options".to_string()),
                }
            }
            if recursive && !subscribed_only && !special_only {
                return Err("RECURSIVEMATCH must not be the only selection.".to_string());
            }
            args = &args[1..];
        }
        let reference = args
            .first()
            .and_then(Arg::text)
            .ok_or("Invalid reference.")?;
        let patterns: Vec<String> = match args.get(1) {
            Some(Arg::List(list)) => {
                extended = true;
                list.iter()
                    .map(Arg::text)
                    .collect::<Option<_>>()
                    .ok_or("Invalid pattern list.")?
            }
            other => vec![other.and_then(Arg::text).ok_or("Invalid pattern.")?],
        };
        args = args.get(2..).unwrap_or_default();
        if let (Some(Arg::Atom(word)), Some(Arg::List(options))) = (args.first(), args.get(1)) {
            if word.eq_ignore_ascii_case("RETURN") {
                extended = true;
                let mut options = options.iter();
                while let Some(option) = options.next() {
                    match atoms(std::slice::from_ref(option))?[0].as_str() {
                        "SUBSCRIBED" => tell_subscribed = true,
                        "CHILDREN" => tell_children = true,
                        "SPECIAL-USE" => {}
                        // STATUS without its list is an unknown option.
                        "STATUS" => {
                            let items = options.next().and_then(Arg::list);
                            status = status_items(items.ok_or("Unknown return options")?)?;
                        }
                        _ => return Err("Unknown return options".to_string()),
                    }
                }
                args = &args[2..];
            }
        }
        if !args.is_empty() {
            return Err("Extra arguments.".to_string());
        }
        let done = if lsub {
            ImapText::LsubCompleted
        } else {
            ImapText::ListCompleted
        };
        if !extended && !lsub && patterns[0].is_empty() {
            out.push(Event::Line("* LIST (\\Noselect) \"/\" \"\"".to_string()));
            self.reply(tag, done, &[], out);
            return Ok(());
        }
        tell_children |= !extended && !lsub;
        let matches = |mailbox: &str| {
            patterns
                .iter()
                .any(|p| list_match(&format!("{reference}{p}"), mailbox))
        };
        let mut names = self.mailbox_names();
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
        // Subscriptions to mailboxes that no longer exist (\NonExistent).
        let existing = names.len();
        if subscribed_only && !lsub {
            names.extend(
                subscribed
                    .iter()
                    .filter(|s| !names.contains(s))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let mut lines = Vec::new();
        for (index, mailbox) in names.iter().enumerate() {
            let is_subscribed = subscribed.contains(mailbox);
            // RECURSIVEMATCH: a subscribed mailbox below this one that
            // the patterns do not list.
            let prefix = format!("{mailbox}/");
            let child_subscribed = recursive
                && subscribed
                    .iter()
                    .any(|s| s.starts_with(&prefix) && !matches(s));
            let special = self.server.special_use.iter().find(|(n, _)| n == mailbox);
            let chosen = (!subscribed_only || is_subscribed || child_subscribed)
                && (!special_only || special.is_some());
            if !matches(mailbox) || !chosen {
                continue;
            }
            if mailbox == "INBOX" {
                let _ = self.indexed("INBOX", true, out);
            }
            let mut flags: Vec<&str> = Vec::new();
            if !lsub {
                if tell_subscribed && is_subscribed {
                    flags.push("\\Subscribed");
                }
                if parents.contains(mailbox) {
                    flags.push("\\Noselect");
                }
                if index >= existing {
                    flags.push("\\NonExistent");
                }
                if tell_children {
                    let children = names[..existing].iter().any(|n| n.starts_with(&prefix));
                    flags.push(if children {
                        "\\HasChildren"
                    } else {
                        "\\HasNoChildren"
                    });
                }
                if let Some((_, special)) = special {
                    flags.push(special);
                }
            }
            let childinfo = if child_subscribed && !lsub {
                " (CHILDINFO (\"SUBSCRIBED\"))"
            } else {
                ""
            };
            lines.push(Event::Line(format!(
                "* {name} ({}) \"/\" {}{childinfo}",
                flags.join(" "),
                mailbox_wire(mailbox)
            )));
            // LIST-STATUS: a STATUS reply for each mailbox that can have one.
            let can_have = index < existing && !parents.contains(mailbox);
            if status != 0 && can_have && (!subscribed_only || is_subscribed) {
                self.status_reply(mailbox, status, &mut lines);
            }
        }
        if lsub {
            // A subscribed mailbox below what `%` reaches shows its
            // unsubscribed parent as \Noselect (RFC 3501 6.3.9).
            let mut parents: Vec<&str> = Vec::new();
            for subscription in subscribed.iter().filter(|s| !matches(s)) {
                for (at, _) in subscription.match_indices('/') {
                    let parent = &subscription[..at];
                    if matches(parent)
                        && !subscribed.iter().any(|s| s == parent)
                        && !parents.contains(&parent)
                    {
                        parents.push(parent);
                        lines.push(Event::Line(format!(
                            "* LSUB (\\Noselect) \"/\" {}",
                            mailbox_wire(parent)
                        )));
                    }
                }
            }
        }
        out.extend(lines);
        self.reply(tag, done, &[], out);
        Ok(())
    }

    /// STATUS: `* STATUS name (items)` in Dovecot's order
    /// (`imap_status_send`), whatever the order asked; HIGHESTMODSEQ
    /// turns CONDSTORE on first (`imap_status_get_result`).
    pub(super) fn status(&mut self, tag: &str, mailbox: &str, items: u8, out: &mut Vec<Event>) {
        let Some(name) = self.mailbox_name(mailbox) else {
            self.reply(tag, ImapText::NoSuchMailbox, &[&mailbox], out);
            return;
        };
        let done = match self.status_reply(&name, items, out) {
            true => ImapText::StatusOnSelected,
            false => ImapText::StatusCompleted,
        };
        self.reply(tag, done, &[], out);
    }

    /// `* STATUS name (items)` of an existing mailbox, as Dovecot's
    /// `imap_status_get` gives it to STATUS and LIST-STATUS:
    /// HIGHESTMODSEQ turns CONDSTORE on first. Whether it is the mailbox
    /// selected.
    fn status_reply(&mut self, name: &str, items: u8, out: &mut Vec<Event>) -> bool {
        if items & HIGHESTMODSEQ_ITEM != 0 {
            self.enable_condstore(out);
        }
        let (values, selected) = self.status_values(name, out);
        out.push(Event::Line(status_line(name, items, &values)));
        selected
    }

    /// What STATUS tells of an existing mailbox, in `STATUS_ITEMS`
    /// order, and whether it is the one selected (then as the session
    /// sees it).
    pub(super) fn status_values(&mut self, name: &str, out: &mut Vec<Event>) -> ([u64; 8], bool) {
        let _ = self.indexed(name, true, out);
        let data = self.read_mailbox(name);
        // CONDSTORE's HIGHESTMODSEQ: the selected view's, or the latest
        // change the index knows.
        let selected = self.selected.as_ref().is_some_and(|s| s.name == name);
        let highest = match selected {
            true => self.highest_modseq(),
            false => data.messages.iter().map(|m| m.modseq).fold(1, u64::max),
        };
        let mut values = [0; 8];
        let mut count = |recent: bool, seen: bool, size: usize| {
            values[0] += 1;
            values[1] += u64::from(recent);
            values[4] += u64::from(!seen);
            values[6] += size as u64;
        };
        let (next, validity) = match self.selected.as_ref().filter(|_| selected) {
            Some(s) => {
                for m in &s.messages {
                    count(m.recent, m.flags & SEEN != 0, m.text.len());
                }
                (s.uid_next, s.uid_validity)
            }
            None => {
                for m in &data.messages {
                    count(m.recent, m.flags & SEEN != 0, m.text.len());
                }
                (data.uid_next, self.validity_of(name, &data))
            }
        };
        values[2] = next.into();
        values[3] = validity.into();
        values[5] = highest;
        values[7] = values[6];
        (values, selected)
    }

    /// APPEND, with MULTIAPPEND's several messages (RFC 3502): each
    /// `[flags] [date] literal` saved in turn, one reply with their UIDs.
    pub(super) fn append(
        &mut self,
        tag: &str,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let mailbox = text_at(args, 0)?;
        let mut rest = &args[1..];
        let mut messages = Vec::new();
        while !rest.is_empty() {
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
            // The message: a literal, or CATENATE's (RFC 4469) texts and
            // URLs of parts, each a piece (`Err` a URL until it is read).
            let mut pieces: Vec<Result<Vec<u8>, String>> = Vec::new();
            let mut parts = rest.get(..1).unwrap_or_default();
            if let (Some(Arg::Atom(word)), Some(Arg::List(list))) = (rest.first(), rest.get(1)) {
                if word.eq_ignore_ascii_case("CATENATE") {
                    parts = list;
                    rest = &rest[1..];
                }
            }
            let mut at = 0;
            while at < parts.len() {
                let kind = match parts.len() {
                    1 => "TEXT".to_string(),
                    _ => {
                        at += 1;
                        parts[at - 1].atom().unwrap_or("").to_ascii_uppercase()
                    }
                };
                pieces.push(match (kind.as_str(), parts.get(at)) {
                    ("TEXT", Some(Arg::Literal(bytes))) => Ok(bytes.clone()),
                    ("TEXT", Some(Arg::Literal8(bytes))) => {
                        Ok(super::message::binary_as_base64(bytes, 0))
                    }
                    ("URL", Some(url)) => Err(url.text().ok_or("Invalid arguments.")?),
                    _ => return Err("Invalid arguments.".to_string()),
                });
                at += 1;
            }
            if pieces.is_empty() {
                return Err("Invalid arguments.".to_string());
            }
            messages.push((flags, keywords, date, pieces));
            rest = rest.get(1..).unwrap_or_default();
        }
        if messages.is_empty() {
            return Err("Invalid arguments.".to_string());
        }
        let Some(name) = self.mailbox_name(&mailbox) else {
            let _ = self.indexed("INBOX", true, out);
            self.reply(tag, ImapText::TryCreate, &[&mailbox], out);
            return Ok(());
        };
        // The URLs read, before anything is saved.
        let mut whole = Vec::new();
        for (flags, keywords, date, pieces) in messages {
            let mut message = Vec::new();
            for piece in pieces {
                match piece {
                    Ok(bytes) => message.extend(bytes),
                    Err(url) => match self.url_part(&url) {
                        Ok(bytes) => message.extend(bytes),
                        Err(why) => {
                            self.reply(tag, ImapText::BadUrl, &[&url, &why], out);
                            return Ok(());
                        }
                    },
                }
            }
            whole.push((flags, keywords, date, message));
        }
        let mut saved = Vec::new();
        let mut validity = 0;
        for (flags, keywords, date, message) in whole {
            let (this_validity, uid) = self.append_one(&name, flags, keywords, date, &message, out);
            validity = this_validity;
            saved.push(uid);
        }
        let uids = match saved.as_slice() {
            [only] => only.to_string(),
            [first, .., last] => format!("{first}:{last}"),
            [] => String::new(),
        };
        self.reply(tag, ImapText::AppendCompleted, &[&validity, &uids], out);
        Ok(())
    }

    /// The octets a CATENATE URL names (RFC 5092, relative: `/mailbox
    /// [;UIDVALIDITY=n]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]`), or why
    /// not, in Dovecot's words (`imap-msgpart-url.c`).
    fn url_part(&mut self, url: &str) -> Result<Vec<u8>, &'static str> {
        let mut pieces = url.strip_prefix('/').ok_or("Invalid IMAP URL")?.split("/;");
        let (mut mailbox, mut validity) = (pieces.next().unwrap_or(""), 0);
        if let Some((name, value)) = mailbox.split_once(';') {
            let value = value
                .get(12..)
                .filter(|_| value[..12].eq_ignore_ascii_case("UIDVALIDITY="));
            validity = value
                .and_then(|v| v.parse().ok())
                .ok_or("Invalid IMAP URL")?;
            mailbox = name;
        }
        let (mut uid, mut section, mut range) = (0u32, String::new(), (0, usize::MAX));
        for piece in pieces {
            let (key, value) = piece.split_once('=').ok_or("Invalid IMAP URL")?;
            let value = percent_decoded(value);
            match key.to_ascii_uppercase().as_str() {
                "UID" => uid = value.parse().map_err(|_| "Invalid IMAP URL")?,
                "SECTION" => section = value.to_ascii_uppercase(),
                "PARTIAL" => {
                    let (offset, length) = value.split_once('.').unwrap_or((&value, ""));
                    let offset = offset.parse().map_err(|_| "Invalid IMAP URL")?;
                    range = (offset, length.parse().unwrap_or(usize::MAX));
                }
                _ => return Err("Invalid IMAP URL"),
            }
        }
        if uid == 0 {
            return Err("Invalid messagepart IMAP URL");
        }
        let name = self
            .mailbox_name(&percent_decoded(mailbox))
            .ok_or("Mailbox doesn't exist")?;
        let data = self.read_mailbox(&name);
        if validity > 0 && validity != self.validity_of(&name, &data) {
            return Err("Invalid UIDVALIDITY");
        }
        let message = data
            .messages
            .iter()
            .find(|m| m.uid == uid)
            .ok_or("Message not found")?;
        let bytes = super::fetch::section_data(&message.text, &section);
        let start = range.0.min(bytes.len());
        Ok(bytes[start..start.saturating_add(range.1).min(bytes.len())].to_vec())
    }

    /// Saves one message at the end of `name`: its UID validity and UID.
    fn append_one(
        &mut self,
        name: &str,
        flags: u8,
        keywords: Vec<String>,
        date: Option<Timestamp>,
        message: &[u8],
        out: &mut Vec<Event>,
    ) -> (u32, u32) {
        let name = name.to_string();
        let (file, _) = self.indexed(&name, false, out);
        let data = self.read_mailbox(&name);
        let validity = self.validity_of(&name, &data);
        // The session's own view takes the message at the command's sync.
        let uid = match &self.selected {
            Some(s) if s.name == name => data.uid_next.max(s.uid_next),
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
        let empty = data.messages.is_empty();
        let base = Base {
            uid_validity: validity,
            last_uid: uid,
            keywords: Vec::new(),
        };
        let new_file = mbox::append(
            &file,
            message,
            &sender,
            &received,
            uid,
            empty.then_some(&base),
            &state,
        );
        self.save_file(&name, new_file, out);
        (validity, uid)
    }
}

/// Keywords the view did not know yet join the mailbox's list, told with
/// FLAGS and PERMANENTFLAGS lines (a client may not see a keyword before
/// FLAGS lists it).
fn learn_keywords(selected: &mut Selected, data: &mbox::Mailbox, told: &mut Vec<String>) {
    let mut new = false;
    for k in data
        .keywords
        .iter()
        .chain(data.messages.iter().flat_map(|m| &m.keywords))
    {
        if !selected.keywords.contains(k) {
            selected.keywords.push(k.clone());
            new = true;
        }
    }
    if new {
        let list = flag_list_with(&selected.keywords);
        told.push(format!(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{list})"
        ));
        told.push(ImapText::PermanentFlags.line("*", &[&list]));
    }
}

/// The session's record of a message of the file.
pub(super) fn message_of(stored: &mbox::StoredMessage, uid: u32, recent: bool) -> Message {
    Message {
        modseq: stored.modseq,
        uid,
        text: Arc::new(stored.text.clone()),
        flags: stored.flags,
        keywords: stored.keywords.clone(),
        recent,
        received: stored.received.clone(),
        sender: stored.sender.clone(),
        dirty: false,
    }
}

/// STATUS's items, in the order Dovecot writes them; X-SIZE is SIZE.
const STATUS_ITEMS: [&str; 8] = [
    "MESSAGES",
    "RECENT",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "HIGHESTMODSEQ",
    "SIZE",
    "X-SIZE",
];
/// Items as bits of `STATUS_ITEMS`.
pub(super) const MESSAGES_ITEM: u8 = 1;
pub(super) const UIDNEXT_ITEM: u8 = 1 << 2;
pub(super) const UIDVALIDITY_ITEM: u8 = 1 << 3;
pub(super) const UNSEEN_ITEM: u8 = 1 << 4;
pub(super) const HIGHESTMODSEQ_ITEM: u8 = 1 << 5;

/// STATUS's item list as bits of `STATUS_ITEMS` (`imap_status_parse_items`).
pub(super) fn status_items(items: &[Arg]) -> Result<u8, String> {
    if items.is_empty() {
        return Err("Empty status list.".to_string());
    }
    let mut bits = 0;
    for item in items {
        let item = item.atom().ok_or("Status list contains non-atoms.")?;
        let item = item.to_ascii_uppercase();
        match STATUS_ITEMS.iter().position(|known| *known == item) {
            Some(at) => bits |= 1 << at,
            None => return Err(format!("Invalid status item {item}")),
        }
    }
    Ok(bits)
}

/// `* STATUS name (ITEM n ...)` with the items of `bits`.
pub(super) fn status_line(name: &str, bits: u8, values: &[u64; 8]) -> String {
    let mut parts = Vec::new();
    for (at, item) in STATUS_ITEMS.iter().enumerate() {
        if bits & (1 << at) != 0 {
            parts.push(format!("{item} {}", values[at]));
        }
    }
    format!("* STATUS {} ({})", mailbox_wire(name), parts.join(" "))
}

pub(super) fn subscriptions(file: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(file);
    let body = text.split_once("\n\n").map_or("", |(_, rest)| rest);
    body.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A mailbox name as LIST writes it: an atom when it can be one.
pub(super) fn mailbox_wire(name: &str) -> String {
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
pub(super) fn list_match(pattern: &str, name: &str) -> bool {
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

/// `%XX` escapes undone (an IMAP URL's mailbox and section).
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
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
