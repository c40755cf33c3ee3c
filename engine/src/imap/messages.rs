//! Message operations: the messages a set names, FETCH, STORE, SEARCH, COPY
//! and MOVE.

use super::*;

impl ImapSession {
    /// The selected mailbox's HIGHESTMODSEQ: the latest change its
    /// messages had, here or in the index (1 when none changed).
    pub(super) fn highest_modseq(&self) -> u64 {
        let Some(selected) = &self.selected else {
            return 1;
        };
        let told = self
            .store
            .flags
            .iter()
            .filter(|f| f.mailbox == selected.name);
        let known = selected.messages.iter().map(|m| m.modseq);
        known.chain(told.map(|f| f.modseq)).fold(1, u64::max)
    }

    /// `* OK [HIGHESTMODSEQ n] Highest`, as SELECT and enabling CONDSTORE
    /// with a mailbox selected say it.
    pub(super) fn tell_highest_modseq(&self, out: &mut Vec<Event>) {
        if self.selected.is_some() {
            let highest = self.highest_modseq();
            out.push(Event::Line(ImapText::HighestModseq.line("*", &[&highest])));
        }
    }

    /// Turns CONDSTORE on (ENABLE, or a command that uses it), telling
    /// HIGHESTMODSEQ when a mailbox is selected (`client_enable`).
    pub(super) fn enable_condstore(&mut self, out: &mut Vec<Event>) {
        if !self.condstore {
            self.condstore = true;
            self.tell_highest_modseq(out);
        }
    }

    /// What a flag change's FETCH adds once CONDSTORE is on: ` MODSEQ (n)`.
    pub(super) fn modseq_part(&self) -> impl Fn(&Message) -> String {
        let on = self.condstore;
        move |m: &Message| {
            if on {
                format!(" MODSEQ ({})", m.modseq)
            } else {
                String::new()
            }
        }
    }

    /// The search keys of SEARCH, SORT and THREAD (all of `args`), with
    /// what they may refer to: the command's time and SAVE's UIDs.
    pub(super) fn search_keys(&self, args: &[Arg]) -> Result<Vec<search::Key>, String> {
        if args.is_empty() {
            return Err("Missing search parameters".to_string());
        }
        let saved = self.saved();
        let given = Given {
            now: self.now_seconds,
            saved: &saved,
        };
        let mut position = 0;
        let mut keys = Vec::new();
        while position < args.len() {
            keys.push(search_key(args, &mut position, given)?);
        }
        Ok(keys)
    }

    /// The UIDs SEARCHRES's `$` stands for (none before a SAVE).
    pub(super) fn saved(&self) -> Vec<u32> {
        self.selected
            .as_ref()
            .map_or(Vec::new(), |s| s.saved.clone())
    }

    /// The messages a sequence or UID set names, as indexes; `$` those
    /// the last SEARCH ... SAVE found.
    pub(super) fn chosen(&self, set: &str, uid: bool) -> Result<Vec<usize>, String> {
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let count = selected.messages.len();
        if set == "$" {
            return Ok(matching(
                &selected.messages,
                &[search::Key::Saved(selected.saved.clone())],
            ));
        }
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

    pub(super) fn fetch(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let set = atom_at(args, 0)?;
        let mut items = fetch_items(args.get(1).ok_or("Invalid arguments.")?)?;
        let mut chosen = self.chosen(set, uid)?;
        // CONDSTORE's `(CHANGEDSINCE n)`: only messages changed since,
        // with their MODSEQ.
        if let Some(modifiers) = args.get(2).and_then(Arg::list) {
            let since = match modifiers {
                [Arg::Atom(word), Arg::Atom(n)] if word.eq_ignore_ascii_case("CHANGEDSINCE") => {
                    n.parse::<u64>().ok()
                }
                _ => None,
            };
            let since = since.ok_or("Invalid arguments.")?;
            if let Some(selected) = &self.selected {
                chosen.retain(|&i| selected.messages[i].modseq > since);
            }
            items.push(Item::ModSeq);
        }
        if items.iter().any(|i| matches!(i, Item::ModSeq)) {
            self.enable_condstore(out);
        }
        if items
            .iter()
            .any(|i| matches!(i, Item::Section { peek: false, .. }))
        {
            self.refresh(&chosen, out);
        }
        let next = self.highest_modseq() + 1;
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
                message.dirty = true;
                message.modseq = next;
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
            out.push(Event::Bytes([line, b"\r\n".to_vec()].concat()));
        }
        self.reply(tag, ImapText::FetchCompleted, &[], out);
        Ok(())
    }

    pub(super) fn store_flags(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<Event>,
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
            // NIL here is an atom like any keyword (imaptest's `nil`).
            let flag = match flag {
                Arg::Nil => "NIL",
                other => other.atom().ok_or("Invalid arguments.")?,
            };
            parse_flag(flag, &mut flags, &mut keywords)?;
        }
        let chosen = self.chosen(set, uid)?;
        self.refresh(&chosen, out);
        // One mod-sequence for the messages this command changes.
        let next = self.highest_modseq() + 1;
        let modseq = self.modseq_part();
        let selected = self.selected.as_mut().ok_or("No mailbox selected.")?;
        if selected.read_only {
            self.reply(tag, ImapText::ReadOnlyMailbox, &[], out);
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
            out.push(Event::Line(format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft{list})"
            )));
            out.push(Event::Line(ImapText::PermanentFlags.line("*", &[&list])));
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
                message.dirty = true;
                message.modseq = next;
                selected.changed_upto = selected.changed_upto.max(index + 1);
            }
            if !silent {
                let uid_part = if uid {
                    format!("UID {} ", message.uid)
                } else {
                    String::new()
                };
                out.push(Event::Line(format!(
                    "* {} FETCH ({uid_part}FLAGS ({}){})",
                    index + 1,
                    flag_names(message.flags, message.recent, &message.keywords),
                    modseq(message)
                )));
            }
        }
        self.reply(tag, ImapText::StoreCompleted, &[], out);
        Ok(())
    }

    /// CONTEXT=SEARCH's updates after a command (Dovecot's
    /// `imap_sync_send_search_updates`): messages a search had found that
    /// are expunged, by their numbers before (`before`, the view's UIDs
    /// when the command began), ahead of the EXPUNGE replies; then what
    /// each search finds now that it did not, or no longer finds, ahead
    /// of the tagged reply (at `tagged`).
    pub(super) fn search_updates(
        &mut self,
        before: &[u32],
        start: usize,
        tagged: usize,
        out: &mut Vec<Event>,
    ) {
        let Some(selected) = self.selected.as_mut().filter(|s| !s.updates.is_empty()) else {
            return;
        };
        let current: Vec<u32> = selected.messages.iter().map(|m| m.uid).collect();
        let (mut first, mut later) = (Vec::new(), Vec::new());
        for update in &mut selected.updates {
            let now: Vec<u32> = matching(&selected.messages, &update.keys)
                .into_iter()
                .map(|i| current[i])
                .collect();
            let number = |uid: u32, view: &[u32]| match update.uid {
                true => Some(uid as usize),
                false => view.binary_search(&uid).ok().map(|i| i + 1),
            };
            let (mut gone, mut removed, mut added) = (Vec::new(), Vec::new(), Vec::new());
            for &uid in &update.found {
                if current.binary_search(&uid).is_err() {
                    gone.extend(number(uid, before));
                } else if now.binary_search(&uid).is_err() {
                    removed.extend(number(uid, &current));
                }
            }
            for &uid in &now {
                if update.found.binary_search(&uid).is_err() {
                    added.extend(number(uid, &current));
                }
            }
            update.found = now;
            let line = |removed: &[usize], added: &[usize]| {
                let mut line = format!("* ESEARCH (TAG \"{}\")", update.tag);
                if update.uid {
                    line.push_str(" UID");
                }
                for (name, set) in [("REMOVEFROM", removed), ("ADDTO", added)] {
                    if !set.is_empty() {
                        line.push_str(&format!(" {name} (0 {})", compressed(set)));
                    }
                }
                Event::Line(line)
            };
            if !gone.is_empty() {
                first.push(line(&gone, &[]));
            }
            if !removed.is_empty() || !added.is_empty() {
                later.push(line(&removed, &added));
            }
        }
        let tagged = tagged.min(out.len());
        let expunges = out[start..tagged]
            .iter()
            .position(|e| matches!(e, Event::Line(l) if l.ends_with(" EXPUNGE")))
            .map_or(tagged, |i| start + i);
        out.splice(tagged..tagged, later);
        out.splice(expunges..expunges, first);
    }

    pub(super) fn search(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<Event>,
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
            if !search::known_charset(&charset) {
                self.reply(tag, ImapText::BadCharset, &[], out);
                return Ok(());
            }
            args = &args[2..];
        }
        let (returns, rest) = return_options(args)?;
        args = rest;
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let keys = self.search_keys(args)?;
        let indexes = matching(&selected.messages, &keys);
        let uids: Vec<u32> = indexes.iter().map(|&i| selected.messages[i].uid).collect();
        let found: Vec<usize> = if uid {
            uids.iter().map(|&u| u as usize).collect()
        } else {
            indexes.iter().map(|i| i + 1).collect()
        };
        // With a MODSEQ key, the highest mod-sequence of what is returned
        // (of MIN and MAX alone when only they are asked).
        // What MIN and MAX alone return (RFC 5182 2.4: and what SAVE keeps
        // then); with a MODSEQ key, the highest mod-sequence of it.
        let asked = |name: &str| returns.iter().flatten().any(|w| w == name);
        let mut shown = indexes.clone();
        if (asked("MIN") || asked("MAX")) && !asked("ALL") && !asked("COUNT") {
            let ends = [
                asked("MIN").then(|| indexes.first()),
                asked("MAX").then(|| indexes.last()),
            ];
            shown = ends.into_iter().flatten().flatten().copied().collect();
            shown.dedup();
        }
        let highest = shown
            .iter()
            .map(|&i| selected.messages[i].modseq)
            .max()
            .unwrap_or(0);
        let shown: Vec<u32> = shown.iter().map(|&i| selected.messages[i].uid).collect();
        let modseq = uses_modseq(&keys) && highest > 0;
        if uses_modseq(&keys) {
            self.enable_condstore(out);
        }
        if let Some(wanted) = returns {
            let has = |name: &str| wanted.iter().any(|w| w == name);
            if has("SAVE") {
                let kept: Vec<u32> = if let (Some(at), false) =
                    (wanted.iter().position(|w| w == "PARTIAL"), has("COUNT"))
                {
                    // With PARTIAL, the part returned (all with COUNT).
                    let (low, high) = partial_range(&wanted[at + 1]).unwrap_or((1, 1));
                    let part = uids
                        .iter()
                        .skip(low as usize - 1)
                        .take((high - low) as usize + 1);
                    part.copied().collect()
                } else {
                    shown
                };
                if let Some(selected) = self.selected.as_mut() {
                    selected.saved = kept;
                }
                if wanted.len() == 1 {
                    // Only SAVE: no ESEARCH reply.
                    self.reply(tag, ImapText::SearchCompleted, &[], out);
                    return Ok(());
                }
            }
            if has("UPDATE") {
                // CONTEXT=SEARCH (RFC 5267): kept up to date until
                // CANCELUPDATE or the mailbox closes.
                let updates = &mut self
                    .selected
                    .as_mut()
                    .ok_or("No mailbox selected.")?
                    .updates;
                if updates.iter().any(|u| u.tag == tag) {
                    return Err("Duplicate search update tag".to_string());
                }
                updates.push(Update {
                    tag: tag.to_string(),
                    uid,
                    keys,
                    found: uids,
                });
            }
            let mut line = esearch_line(tag, uid, &wanted, &found);
            if modseq {
                line.push_str(&format!(" MODSEQ {highest}"));
            }
            out.push(Event::Line(line));
            self.reply(tag, ImapText::SearchCompleted, &[], out);
            return Ok(());
        }
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        let mut line = format!("* SEARCH {}", list.join(" "))
            .trim_end()
            .to_string();
        if modseq {
            line.push_str(&format!(" (MODSEQ {highest})"));
        }
        out.push(Event::Line(line));
        self.reply(tag, ImapText::SearchCompleted, &[], out);
        Ok(())
    }

    pub(super) fn copy(
        &mut self,
        tag: &str,
        name: &str,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let uid = name.starts_with("UID ");
        let moving = name.ends_with("MOVE");
        let set = atom_at(args, 0)?;
        let target = text_at(args, 1)?;
        let chosen = self.chosen(set, uid)?;
        let Some(destination) = self.mailbox_name(&target) else {
            self.reply(tag, ImapText::TryCreate, &[&target], out);
            return Ok(());
        };
        let (mut file, _) = self.indexed(&destination, false, out);
        let data = self.read_mailbox(&destination);
        let validity = self.validity_of(&destination, &data);
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let mut next = data.uid_next;
        if selected.name == destination {
            next = next.max(selected.uid_next);
        }
        let mut source_uids = Vec::new();
        let mut new_uids = Vec::new();
        for &index in &chosen {
            let message = &selected.messages[index];
            let sender = &message.sender;
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
                sender,
                &message.received,
                next,
                empty.then_some(&base),
                &state,
            );
            source_uids.push(message.uid);
            new_uids.push(next);
            next = next.saturating_add(1);
        }
        if chosen.is_empty() {
            self.reply(tag, ImapText::NoMessagesFound, &[], out);
            return Ok(());
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
                    selected.messages[index].dirty = true;
                }
            }
            let set: Vec<(u32, u32)> = source_uids.iter().map(|&u| (u, u)).collect();
            out.push(Event::Line(ImapText::MovedUids.line("*", &[&code])));
            for sequence in self.expunge(Some(&set), out) {
                out.push(Event::Line(format!("* {sequence} EXPUNGE")));
            }
            self.reply(tag, ImapText::MoveCompleted, &[], out);
        } else {
            self.reply(tag, ImapText::CopyCompleted, &[&code], out);
        }
        Ok(())
    }
}

pub(super) fn uid_list(uids: &[u32]) -> String {
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

pub(super) fn flag_list_with(keywords: &[String]) -> String {
    keywords.iter().map(|k| format!(" {k}")).collect()
}

pub(super) fn parse_flag(
    flag: &str,
    flags: &mut u8,
    keywords: &mut Vec<String>,
) -> Result<(), String> {
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

/// Ascending numbers as a sequence set: runs as `first:last`.
fn compressed(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut start = 0;
    while start < numbers.len() {
        let mut end = start;
        while end + 1 < numbers.len() && numbers[end + 1] == numbers[end] + 1 {
            end += 1;
        }
        parts.push(if end > start {
            format!("{}:{}", numbers[start], numbers[end])
        } else {
            numbers[start].to_string()
        });
        start = end + 1;
    }
    parts.join(",")
}

/// ESEARCH's `RETURN (MIN MAX ALL COUNT)` before the search keys (RFC
/// 4731; `()` means ALL), and the arguments after it.
pub(super) fn return_options(args: &[Arg]) -> Result<(Option<Vec<String>>, &[Arg]), String> {
    let is_return = args
        .first()
        .and_then(Arg::atom)
        .is_some_and(|a| a.eq_ignore_ascii_case("RETURN"));
    if !is_return {
        return Ok((None, args));
    }
    let options = args
        .get(1)
        .and_then(Arg::list)
        .ok_or("Invalid arguments.")?;
    let mut wanted = Vec::new();
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let name = option
            .atom()
            .ok_or("SEARCH return options contain non-atoms.")?
            .to_ascii_uppercase();
        if name == "PARTIAL" {
            // RFC 5267's range of results, `low:high` either way round.
            let range = options
                .next()
                .and_then(Arg::atom)
                .ok_or("PARTIAL range missing.")?;
            let (a, b) = partial_range(range).ok_or("PARTIAL range broken.")?;
            wanted.push(name);
            wanted.push(format!("{}:{}", a.min(b), a.max(b)));
            continue;
        }
        if !matches!(
            name.as_str(),
            "MIN" | "MAX" | "ALL" | "COUNT" | "UPDATE" | "SAVE"
        ) {
            return Err("Unknown SEARCH return option".to_string());
        }
        wanted.push(name);
    }
    if wanted.contains(&"ALL".to_string()) && wanted.contains(&"PARTIAL".to_string()) {
        return Err("PARTIAL conflicts with ALL".to_string());
    }
    if wanted.is_empty() {
        wanted.push("ALL".to_string());
    }
    Ok((Some(wanted), &args[2..]))
}

/// A PARTIAL range `a:b`, both numbers above 0.
fn partial_range(range: &str) -> Option<(u32, u32)> {
    let (a, b) = range.split_once(':')?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    (a > 0 && b > 0).then_some((a, b))
}

/// The ESEARCH line for `found` in its order (ascending for SEARCH, the
/// sort order for SORT): MIN the first, MAX the last, ALL as a set (left
/// out when nothing matched), COUNT, in Dovecot's order.
pub(super) fn esearch_line(tag: &str, uid: bool, wanted: &[String], found: &[usize]) -> String {
    let mut line = format!("* ESEARCH (TAG \"{tag}\")");
    if uid {
        line.push_str(" UID");
    }
    let has = |name: &str| wanted.iter().any(|w| w == name);
    if let (true, Some(min)) = (has("MIN"), found.first()) {
        line.push_str(&format!(" MIN {min}"));
    }
    if let (true, Some(max)) = (has("MAX"), found.last()) {
        line.push_str(&format!(" MAX {max}"));
    }
    if has("ALL") && !found.is_empty() {
        line.push_str(&format!(" ALL {}", compressed(found)));
    }
    if let Some(at) = wanted.iter().position(|w| w == "PARTIAL") {
        let range = &wanted[at + 1];
        let (low, high) = partial_range(range).unwrap_or((1, 1));
        let part: Vec<usize> = found
            .iter()
            .copied()
            .skip(low as usize - 1)
            .take((high - low) as usize + 1)
            .collect();
        let part = if part.is_empty() {
            "NIL".to_string()
        } else {
            compressed(&part)
        };
        line.push_str(&format!(" PARTIAL ({range} {part})"));
    }
    if has("COUNT") {
        line.push_str(&format!(" COUNT {}", found.len()));
    }
    line
}
