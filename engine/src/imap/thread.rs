//! THREAD (RFC 5256) as Dovecot answers it: ORDEREDSUBJECT
//! (`src/imap/cmd-thread.c`), and REFERENCES and REFS from the links that
//! Message-ID, References and In-Reply-To make
//! (`src/lib-storage/index/index-thread-links.c`, `index-thread-finish.c`).
//! The tree is built afresh for each command over the messages the search
//! finds, in UID order: what Dovecot's thread index holds after a rebuild.

use super::message::{split, value};
use super::parse::Arg;
use super::search::{known_charset, matching};
use super::sort::{base_subject_reply, decode_words, sort_key, sorted, Criterion, SortKey};
use super::ImapSession;
use crate::dovecot_texts::ImapText;
use crate::event::Event;

/// A message as THREAD sees it.
struct Threaded {
    /// Its number in the reply (sequence or UID).
    number: u32,
    /// Sent date (Date:, else INTERNALDATE), in Unix seconds.
    date: i64,
    subject: String,
    /// Its subject says it is a reply or a forward.
    reply: bool,
    /// Message-ID, then References (else In-Reply-To's first id).
    id: Option<String>,
    refs: Vec<String>,
}

/// A message id, or a message (`message`, its index among the found).
#[derive(Clone, Copy, Default)]
struct Node {
    message: Option<usize>,
    parent: Option<usize>,
}

/// A thread's top: a node, or a dummy standing for an id no message has.
#[derive(Clone, Copy, Default)]
struct Root {
    node: usize,
    dummy: bool,
    /// Merged into another thread, or a dummy left without children.
    ignore: bool,
    /// Sent date and mailbox order, which threads are sorted by.
    key: (i64, usize),
    /// The root whose subject this one's joins (RFC 5256 step 5).
    joins: Option<usize>,
    reply: bool,
}

impl ImapSession {
    /// THREAD: Dovecot's three algorithms over the messages found.
    pub(super) fn thread(
        &mut self,
        tag: &str,
        uid: bool,
        args: &[Arg],
        out: &mut Vec<Event>,
    ) -> Result<(), String> {
        let (Some(algorithm), Some(charset)) = (
            args.first().and_then(Arg::text),
            args.get(1).and_then(Arg::text),
        ) else {
            return Err("Invalid arguments.".to_string());
        };
        let algorithm = ["ORDEREDSUBJECT", "REFERENCES", "REFS"]
            .iter()
            .position(|name| algorithm.eq_ignore_ascii_case(name))
            .ok_or("Unknown thread algorithm.")?;
        if !known_charset(&charset) {
            self.reply(tag, ImapText::BadCharset, &[], out);
            return Ok(());
        }
        let keys = self.search_keys(&args[2..])?;
        let selected = self.selected.as_ref().ok_or("No mailbox selected.")?;
        let mut messages: Vec<Threaded> = Vec::new();
        for index in matching(&selected.messages, &keys) {
            let message = &selected.messages[index];
            let header = split(&message.text).header;
            let ids = |name: &str| value(header, name).map_or(Vec::new(), |v| message_ids(&v));
            let (subject, reply) = base_subject_reply(
                &value(header, "Subject")
                    .map(|s| decode_words(&s))
                    .unwrap_or_default(),
            );
            let SortKey::Number(date) = sort_key(message, Criterion::Date) else {
                continue;
            };
            let mut refs = ids("References");
            if refs.is_empty() {
                refs = ids("In-Reply-To");
                refs.truncate(1);
            }
            messages.push(Threaded {
                number: if uid { message.uid } else { index as u32 + 1 },
                date,
                subject,
                reply,
                id: ids("Message-ID").into_iter().next(),
                refs,
            });
        }
        out.push(Event::Line(format!(
            "* THREAD {}",
            threads(&messages, algorithm)
        )));
        self.reply(tag, ImapText::ThreadCompleted, &[], out);
        Ok(())
    }
}

/// The message ids in a header's value as Dovecot's `message_id_get_next`
/// reads them: `<...>` with an `@` in it, white space taken out. (An id
/// with a quoted or commented part, which Dovecot parses the slow way, is
/// passed over.)
fn message_ids(value: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(value);
    let mut rest: &str = &text;
    let mut ids = Vec::new();
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find(['>', '"', '(']) else {
            break;
        };
        if rest.as_bytes()[end] == b'>' {
            let id = &rest[..end];
            rest = &rest[end + 1..];
            if id.contains('@') {
                ids.push(id.split_whitespace().collect());
            }
        }
    }
    ids
}

/// Links `child` under `parent` unless the child has a parent already or
/// the link would make a loop (`thread_link_reference`).
fn link(nodes: &mut [Node], parent: usize, child: usize) {
    let mut up = Some(parent);
    while let Some(at) = up {
        if at == child {
            return;
        }
        up = nodes[at].parent;
    }
    if nodes[child].parent.is_none() {
        nodes[child].parent = Some(parent);
    }
}

/// The tree that REFERENCES and REFS print.
struct Tree<'a> {
    messages: &'a [Threaded],
    nodes: &'a [Node],
    children: Vec<Vec<usize>>,
}

impl Tree<'_> {
    fn message(&self, node: usize) -> Option<usize> {
        self.nodes.get(node).and_then(|n| n.message)
    }

    /// Sent date, then mailbox order (Dovecot's UID).
    fn key(&self, node: usize) -> (i64, usize) {
        self.message(node)
            .map_or((0, 0), |m| (self.messages[m].date, m + 1))
    }

    fn kids(&self, node: usize) -> Vec<usize> {
        let kids = &self.children[node];
        sorted(kids.len(), &|a, b| {
            self.key(kids[a]).cmp(&self.key(kids[b]))
        })
        .into_iter()
        .map(|at| kids[at])
        .collect()
    }

    fn number(&self, node: usize) -> String {
        self.message(node)
            .map_or(String::new(), |m| self.messages[m].number.to_string())
    }

    /// The threads from these tops, as `imap_thread_write` writes them: a
    /// node's number (none for a dummy), then what is below it, an only
    /// child without parentheses, several each in their own. Written
    /// with a stack of its own, not by recursion: a chain of thousands of
    /// replies must not run out of the page's stack.
    fn write(&self, tops: &[usize], out: &mut String) {
        // (node, enclosed); `CLOSE` stands for a closing parenthesis.
        const CLOSE: usize = usize::MAX;
        let mut stack: Vec<(usize, bool)> = tops.iter().rev().map(|&t| (t, true)).collect();
        while let Some((node, enclosed)) = stack.pop() {
            if node == CLOSE {
                out.push(')');
                continue;
            }
            if enclosed {
                out.push('(');
                stack.push((CLOSE, false));
            }
            let number = self.number(node);
            out.push_str(&number);
            let below = self.kids(node);
            if !below.is_empty() && !number.is_empty() {
                out.push(' ');
            }
            match below[..] {
                [only] => stack.push((only, false)),
                _ => stack.extend(below.iter().rev().map(|&kid| (kid, true))),
            }
        }
    }

    /// Roots by date (Dovecot's `sort_root_nodes`): a dummy with one
    /// child gives way to it, one with more is dated by its first.
    fn sort_roots(&self, roots: &mut Vec<Root>) {
        for root in roots.iter_mut().filter(|r| !r.ignore) {
            if root.dummy {
                match self.kids(root.node)[..] {
                    [] => root.ignore = true,
                    [only] => {
                        *root = Root {
                            node: only,
                            dummy: false,
                            ..*root
                        }
                    }
                    [first, ..] => root.key = self.key(first),
                }
            }
            if !root.dummy {
                root.key = self.key(root.node);
            }
        }
        let order = sorted(roots.len(), &|a, b| roots[a].key.cmp(&roots[b].key));
        *roots = order.iter().map(|&at| roots[at]).collect();
    }
}

/// Nodes for ids and messages, linked as Message-ID, References and
/// In-Reply-To say (`mail_thread_add`).
fn links(messages: &[Threaded], nodes: &mut Vec<Node>) {
    // One node per id: every id named, sorted, and the same ids given one
    // node; then a node for each message without an id of its own.
    let mut names: Vec<&str> = Vec::new();
    for message in messages {
        names.extend(message.id.iter().chain(&message.refs).map(String::as_str));
    }
    let order = sorted(names.len(), &|a, b| names[a].cmp(names[b]));
    let mut slot = vec![0; names.len()];
    for (k, &at) in order.iter().enumerate() {
        if k == 0 || names[order[k - 1]] != names[at] {
            nodes.push(Node::default());
        }
        slot[at] = nodes.len() - 1;
    }
    let mut next = 0;
    for (m, message) in messages.iter().enumerate() {
        let mut own = nodes.len();
        if message.id.is_some() {
            own = slot[next];
            next += 1;
        }
        // A second message with one id has a node of its own.
        if own == nodes.len() || nodes[own].message.is_some() {
            own = nodes.len();
            nodes.push(Node::default());
        }
        nodes[own].message = Some(m);
        let refs = &slot[next..next + message.refs.len()];
        next += refs.len();
        for pair in refs.windows(2) {
            link(nodes.as_mut_slice(), pair[0], pair[1]);
        }
        let last = refs.last().copied();
        // The message's own references outweigh what others said of it.
        if nodes[own].parent != last {
            nodes[own].parent = None;
        }
        if let Some(parent) = last {
            link(nodes.as_mut_slice(), parent, own);
        }
    }
}

/// The threads of `algorithm`: 0 ORDEREDSUBJECT (RFC 5256 section 4:
/// messages with one base subject form a thread, the earliest the parent
/// of the others), 1 REFERENCES (as Dovecot builds it), 2 REFS (no
/// threads joined by subject, threads ordered by their newest message).
fn threads(messages: &[Threaded], algorithm: usize) -> String {
    let mut nodes: Vec<Node> = Vec::new();
    if algorithm == 0 {
        let key = |m: usize| (&messages[m].subject, messages[m].date, m);
        let order = sorted(messages.len(), &|a, b| key(a).cmp(&key(b)));
        let mut head = 0;
        nodes = vec![Node::default(); messages.len()];
        for (k, &at) in order.iter().enumerate() {
            nodes[at].message = Some(at);
            if k == 0 || messages[head].subject != messages[at].subject {
                head = at;
            } else {
                nodes[at].parent = Some(head);
            }
        }
    } else {
        links(messages, &mut nodes);
    }
    // Roots, and each message under its nearest ancestor that is a
    // message (or the dummy at the top).
    let mut tree = Tree {
        messages,
        nodes: &nodes,
        children: vec![Vec::new(); nodes.len()],
    };
    let mut roots: Vec<Root> = Vec::new();
    for (at, node) in nodes.iter().enumerate() {
        let Some(mut parent) = node.parent else {
            roots.push(Root {
                node: at,
                dummy: node.message.is_none(),
                ..Root::default()
            });
            continue;
        };
        if node.message.is_none() {
            continue;
        }
        while let (None, Some(up)) = (nodes[parent].message, nodes[parent].parent) {
            parent = up;
        }
        tree.children[parent].push(at);
    }
    if algorithm == 2 {
        let mut newest = vec![0; nodes.len()];
        for (at, node) in nodes.iter().enumerate() {
            if let Some(m) = node.message {
                let mut top = at;
                while let Some(up) = nodes[top].parent {
                    top = up;
                }
                newest[top] = newest[top].max(messages[m].date);
            }
        }
        for root in &mut roots {
            root.ignore = root.dummy && tree.children[root.node].is_empty();
            root.key = (newest[root.node], tree.key(root.node).1);
        }
        let order = sorted(roots.len(), &|a, b| roots[a].key.cmp(&roots[b].key));
        roots = order.iter().map(|&at| roots[at]).collect();
    } else {
        tree.sort_roots(&mut roots);
    }
    if algorithm == 1 {
        // Step 5: threads whose tops share a base subject are joined.
        let mut table: Vec<(&str, usize)> = Vec::new();
        for at in 0..roots.len() {
            let root = roots[at];
            // A dummy's subject is its first child's.
            let top = if root.dummy {
                tree.kids(root.node).first().copied()
            } else {
                Some(root.node)
            };
            let Some(m) = top.and_then(|t| tree.message(t)).filter(|_| !root.ignore) else {
                continue;
            };
            let (subject, reply) = (&messages[m].subject, messages[m].reply);
            if subject.is_empty() {
                continue;
            }
            match table.iter_mut().find(|(s, _)| s == subject) {
                None => table.push((subject, at)),
                Some((_, held)) => {
                    let other = roots[*held];
                    if !other.dummy && (root.dummy || (other.reply && !reply)) {
                        roots[*held].joins = Some(at);
                        *held = at;
                    } else {
                        roots[at].joins = Some(*held);
                    }
                }
            }
            roots[at].reply = reply;
        }
        let mut joined = false;
        for at in 0..roots.len() {
            let current = roots[at];
            if current.joins.is_none() || current.ignore {
                continue;
            }
            joined = true;
            let mut top = at;
            while let Some(up) = roots[top].joins {
                top = up;
            }
            let held = roots[top];
            roots[at].ignore = true;
            if current.dummy {
                let moved = std::mem::take(&mut tree.children[current.node]);
                tree.children[held.node].extend(moved);
            } else if held.dummy || (current.reply && !held.reply) {
                tree.children[held.node].push(current.node);
            } else {
                tree.children.push(vec![held.node, current.node]);
                roots[top].joins = Some(roots.len());
                roots[top].ignore = true;
                roots.push(Root {
                    node: tree.children.len() - 1,
                    dummy: true,
                    ..Root::default()
                });
            }
        }
        if joined {
            tree.sort_roots(&mut roots);
        }
    }
    let tops: Vec<usize> = roots.iter().filter(|r| !r.ignore).map(|r| r.node).collect();
    let mut line = String::new();
    tree.write(&tops, &mut line);
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of replies thousands deep is written without recursion
    /// (the page's stack is 1 MB): `(1 2 3 ... n)`.
    #[test]
    fn a_long_chain_of_replies() {
        let count = 20_000;
        let messages: Vec<Threaded> = (0..count)
            .map(|i| Threaded {
                number: i + 1,
                date: 0,
                subject: String::new(),
                reply: false,
                id: Some(format!("{i}@x")),
                refs: if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("{}@x", i - 1)]
                },
            })
            .collect();
        let numbers: Vec<String> = (1..=count).map(|n| n.to_string()).collect();
        let want = format!("({})", numbers.join(" "));
        assert_eq!(threads(&messages, 1), want);
        assert_eq!(threads(&messages, 2), want);
    }

    #[test]
    fn message_ids_as_dovecot_reads_them() {
        let table: &[(&str, &[&str])] = &[
            ("<a@b>", &["a@b"]),
            ("<a@b> <c@d>\t<e@f>", &["a@b", "c@d", "e@f"]),
            ("<no-at> <x @ y>", &["x@y"]),
            ("junk <a@b", &[]),
            ("<\"quoted\"@b> <c@d>", &["c@d"]),
            // Dovecot's quick scan takes a second `<` as part of the id.
            ("<<a@b>", &["<a@b"]),
        ];
        for (value, want) in table {
            assert_eq!(message_ids(value.as_bytes()), *want, "{value}");
        }
    }
}
