//! The mail a simulated host keeps: each user's INBOX (`/var/mail/USER`,
//! as the mbox entries delivered into it), and the rest of the user's mail
//! that IMAP writes (the folders in `~/mail` and the subscription list).
//! SMTP delivers into it; POP3 and IMAP read and rewrite it. The page
//! shows it; the native server mirrors it into files.

use std::sync::Arc;

use crate::imap::{ByName, UserStore};

/// A delivered message as the mbox holds it: its `From ` line, headers,
/// body and the blank line after. Shared, not copied, between the store
/// and whoever keeps a record of the delivery.
pub type Entry = Arc<[u8]>;

/// Every user's mail, by user name in order.
#[derive(Clone, Debug, Default)]
pub struct MailStore {
    inboxes: Vec<(String, Vec<Entry>)>,
    /// The users' other mail files, by user and path, in order.
    others: Vec<(String, StorePath, Vec<u8>)>,
    /// Flags IMAP sessions set, by user, not yet in the mailbox files.
    flags: Vec<(String, Flags)>,
    /// The last UIDVALIDITY given to a mailbox of each user.
    validities: Vec<(String, u32)>,
    /// Counts changes, so a view can tell when to read the store again.
    version: u64,
}

/// A message's flags as an IMAP session left them (its \Recent taken):
/// Dovecot keeps them in its index, which every session of the user
/// reads, and writes the mbox file only when a session closes the
/// mailbox. A record stands until the mailbox is removed or POP3
/// rewrites it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flags {
    pub mailbox: String,
    /// The mailbox's UIDVALIDITY then (a mailbox created again under the
    /// name is another).
    pub uid_validity: u32,
    pub uid: u32,
    /// False once POP3 rewrote the file (with the flags it knew): then
    /// only that the message's \Recent was taken still holds.
    pub flags_known: bool,
    pub flags: u8,
    pub keywords: Vec<String>,
    /// CONDSTORE's mod-sequence of the message's last change (1 for one
    /// never changed).
    pub modseq: u64,
}

/// Two stores are equal when they hold the same mail, however they came to.
impl PartialEq for MailStore {
    fn eq(&self, other: &MailStore) -> bool {
        self.inboxes == other.inboxes && self.others == other.others
    }
}

impl Eq for MailStore {}

impl MailStore {
    /// The entries of a user's INBOX, oldest first.
    pub fn get(&self, user: &str) -> Option<&[Entry]> {
        self.inboxes
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, entries)| entries.as_slice())
    }

    /// The user's INBOX file as `cat /var/mail/USER` shows it.
    pub fn file(&self, user: &str) -> Option<Vec<u8>> {
        self.get(user).map(|entries| entries.concat())
    }

    /// How many messages the user's INBOX holds.
    pub fn count(&self, user: &str) -> usize {
        self.get(user).map_or(0, <[Entry]>::len)
    }

    /// Changes whenever the store may have changed.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn contains_key(&self, user: &str) -> bool {
        self.get(user).is_some()
    }

    /// The users with an INBOX, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.inboxes.iter().map(|(u, _)| u)
    }

    /// Appends an entry to the user's INBOX, creating it if needed.
    pub fn deliver(&mut self, user: &str, entry: Entry) {
        self.version += 1;
        match self.inbox_at(user) {
            Ok(index) => self.inboxes[index].1.push(entry),
            Err(index) => self.inboxes.insert(index, (user.to_string(), vec![entry])),
        }
    }

    /// Puts back an INBOX file (a saved session, a file on disk): its
    /// entries are found by their `From ` lines and added.
    pub fn restore(&mut self, user: &str, file: &[u8]) {
        for entry in split_entries(file) {
            self.deliver(user, Arc::from(entry));
        }
    }

    /// The user's INBOX file is now `file` (a POP3 or IMAP server
    /// rewrote it).
    pub fn replace(&mut self, user: &str, file: &[u8]) {
        self.version += 1;
        let entries: Vec<Entry> = split_entries(file).into_iter().map(Arc::from).collect();
        match self.inbox_at(user) {
            Ok(index) => self.inboxes[index].1 = entries,
            Err(index) => self.inboxes.insert(index, (user.to_string(), entries)),
        }
    }

    fn inbox_at(&self, user: &str) -> Result<usize, usize> {
        self.inboxes.binary_search_by(|(u, _)| u.as_str().cmp(user))
    }

    pub fn clear(&mut self) {
        self.version += 1;
        self.inboxes.clear();
        self.others.clear();
        self.flags.clear();
    }

    /// Records flags an IMAP session set (see [`Flags`]) and the last
    /// UIDVALIDITY it gave (unless 0).
    pub fn set_index(&mut self, user: &str, flags: Vec<Flags>, uid_validity: u32) {
        self.version += 1;
        if uid_validity != 0 {
            self.validities.retain(|(u, _)| u != user);
            self.validities.push((user.to_string(), uid_validity));
        }
        for new in flags {
            self.flags
                .retain(|(u, f)| !(u == user && f.mailbox == new.mailbox && f.uid == new.uid));
            self.flags.push((user.to_string(), new));
        }
    }

    /// Forgets the flags recorded for one of the user's mailboxes: all of
    /// it when the mailbox was removed; when POP3 rewrote it, the flags
    /// (the file has its own now) but not which \Recent were taken.
    pub fn forget_flags(&mut self, user: &str, mailbox: &str, removed: bool) {
        self.flags
            .retain(|(u, f)| !(removed && u == user && f.mailbox == mailbox));
        for (_, f) in self
            .flags
            .iter_mut()
            .filter(|(u, f)| u == user && f.mailbox == mailbox)
        {
            f.flags_known = false;
        }
    }

    /// Writes (or with `None` removes) one of the user's other mail files.
    pub fn write(&mut self, user: &str, path: &StorePath, file: Option<Vec<u8>>) {
        self.version += 1;
        if file.is_none() {
            self.forget_flags(user, path.file_name(), true);
        }
        self.others.retain(|(u, p, _)| !(u == user && p == path));
        if let Some(file) = file {
            // Kept in order, so two stores with the same files are equal.
            let at = self
                .others
                .partition_point(|(u, p, _)| (u.as_str(), p) < (user, path));
            self.others
                .insert(at, (user.to_string(), path.clone(), file));
        }
    }

    /// One of the user's other mail files.
    pub fn other(&self, user: &str, path: &StorePath) -> Option<&[u8]> {
        self.others
            .iter()
            .find(|(u, p, _)| u == user && p == path)
            .map(|(_, _, file)| file.as_slice())
    }

    /// Every other mail file, as `(USER/NAME, bytes)` (`NAME` is
    /// `.subscriptions` for the subscription list), for saving.
    pub fn other_files(&self) -> Vec<(String, Vec<u8>)> {
        self.others
            .iter()
            .map(|(user, path, file)| (format!("{user}/{}", path.file_name()), file.clone()))
            .collect()
    }

    /// Puts back a file [`MailStore::other_files`] listed.
    pub fn restore_other(&mut self, key: &str, file: &[u8]) {
        let Some((user, name)) = key.split_once('/') else {
            return;
        };
        self.write(user, &StorePath::from_file_name(name), Some(file.to_vec()));
    }

    /// The user's IMAP folders, by name.
    pub fn folders(&self, user: &str) -> ByName<Vec<u8>> {
        self.others
            .iter()
            .filter_map(|(u, path, file)| match path {
                StorePath::Folder(name) if u == user => Some((name.clone(), file.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn subscriptions(&self, user: &str) -> Vec<u8> {
        self.other(user, &StorePath::Subscriptions)
            .unwrap_or_default()
            .to_vec()
    }

    /// All of a user's mail, as an IMAP session reads it.
    pub fn user_store(&self, user: &str) -> UserStore {
        UserStore {
            inbox: self.file(user).unwrap_or_default(),
            folders: self.folders(user),
            subscriptions: self.subscriptions(user),
            last_validity: self
                .validities
                .iter()
                .find(|(u, _)| u == user)
                .map_or(0, |(_, v)| *v),
            flags: self
                .flags
                .iter()
                .filter(|(u, _)| u == user)
                .map(|(_, f)| f.clone())
                .collect(),
        }
    }
}

/// Splits an mbox file at its `From ` lines (a body line starting so is
/// written `>From ` on delivery, so it never splits a message).
pub fn split_entries(file: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at < file.len() {
        if file[at..].starts_with(b"From ") {
            starts.push(at);
        }
        match file[at..].iter().position(|&b| b == b'\n') {
            Some(newline) => at += newline + 1,
            None => break,
        }
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let mut entries = Vec::new();
    for (index, &start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(file.len());
        if end > start {
            entries.push(&file[start..end]);
        }
    }
    entries
}

/// A file of a user's mail besides INBOX.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StorePath {
    /// `~/mail/NAME` (a name may hold `/` for a folder in a folder).
    Folder(String),
    /// `~/mail/.subscriptions`.
    Subscriptions,
}

impl StorePath {
    /// Its name under `~/mail`.
    pub fn file_name(&self) -> &str {
        match self {
            StorePath::Folder(name) => name,
            StorePath::Subscriptions => ".subscriptions",
        }
    }

    /// The path a name under `~/mail` stands for.
    pub fn from_file_name(name: &str) -> StorePath {
        if name == ".subscriptions" {
            StorePath::Subscriptions
        } else {
            StorePath::Folder(name.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivers_replaces_and_writes() {
        let mut store = MailStore::default();
        store.deliver(
            "mom",
            Arc::from(&b"From a  Sat Nov 28 13:08:26 2026\nx\n\n"[..]),
        );
        store.deliver(
            "alice",
            Arc::from(&b"From b  Sat Nov 28 13:08:27 2026\ny\n\n"[..]),
        );
        store.deliver(
            "mom",
            Arc::from(&b"From c  Sat Nov 28 13:08:28 2026\nz\n\n"[..]),
        );
        assert_eq!(store.keys().collect::<Vec<_>>(), ["alice", "mom"]);
        assert_eq!(store.count("mom"), 2);
        let file = store.file("mom").unwrap();
        let mut copy = MailStore::default();
        copy.restore("alice", &store.file("alice").unwrap());
        copy.restore("mom", &file);
        assert_eq!(copy, store);
        store.replace("mom", b"");
        assert_eq!(store.count("mom"), 0);
        let version = store.version();
        store.write(
            "mom",
            &StorePath::Folder("Archive".into()),
            Some(b"a".to_vec()),
        );
        store.write(
            "mom",
            &StorePath::Subscriptions,
            Some(b"Archive\n".to_vec()),
        );
        assert!(store.version() > version);
        assert_eq!(store.folders("mom").get("Archive"), Some(&b"a".to_vec()));
        assert_eq!(store.subscriptions("mom"), b"Archive\n");
        let files = store.other_files();
        assert_eq!(files[0].0, "mom/Archive");
        assert_eq!(files[1].0, "mom/.subscriptions");
        let mut again = MailStore::default();
        again.replace("alice", &store.file("alice").unwrap());
        again.replace("mom", b"");
        for (key, file) in &files {
            again.restore_other(key, file);
        }
        assert_eq!(again, store);
        store.write("mom", &StorePath::Folder("Archive".into()), None);
        assert!(store.folders("mom").get("Archive").is_none());
    }

    #[test]
    fn splits_at_from_lines_only() {
        let file = b"From a  x\nbody\n>From quoted\n\nFrom b  y\nmore\n";
        assert_eq!(
            split_entries(file),
            [
                &b"From a  x\nbody\n>From quoted\n\n"[..],
                &b"From b  y\nmore\n"[..]
            ]
        );
        assert!(split_entries(b"").is_empty());
    }
}
