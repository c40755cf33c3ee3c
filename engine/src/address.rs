//! Reading the address of a MAIL, RCPT, VRFY or EXPN command the way
//! Sendmail's `prescan`/`parseaddr` does, with its error replies.
//!
//! The address keeps two forms: `typed`, exactly as the client wrote it
//! (Sendmail echoes that form: `<a@b>... Sender ok`), and the mailbox it
//! names, with angle brackets, comments and source routes taken away.

use crate::world::World;

/// Sendmail's `MAXNAME`: longer addresses are refused.
pub const MAX_ADDRESS_LENGTH: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressError {
    UnbalancedOpen,
    UnbalancedClose,
    InvalidRoute,
    HostnameRequired,
    UserAddressRequired,
    TooLong,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// The address token as typed (bytes, 8-bit kept).
    pub typed: Vec<u8>,
    /// The mailbox without brackets or route; empty for the null path `<>`.
    pub mailbox: String,
}

/// Where a recipient's mail would go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A local part on this machine.
    Local(String),
    /// Another machine: relaying.
    Remote(String),
}

/// Splits `text` into the address token and what follows it (ESMTP
/// parameters). The token ends at white space outside `<>`, quotes and
/// comments. Errors carry the token so the reply can echo it.
pub fn scan(text: &[u8]) -> (Vec<u8>, &[u8], Option<AddressError>) {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    let mut angle_depth = 0usize;
    let mut comment_depth = 0usize;
    let mut in_quotes = false;
    let mut escaped = false;
    let mut error = None;
    let mut end = text.len();
    for (index, &byte) in text.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match byte {
            b'\\' => escaped = true,
            b'"' if comment_depth == 0 => in_quotes = !in_quotes,
            _ if in_quotes => {}
            b'(' => comment_depth += 1,
            b')' if comment_depth > 0 => comment_depth -= 1,
            _ if comment_depth > 0 => {}
            b'<' => angle_depth += 1,
            b'>' => {
                if angle_depth == 0 {
                    error.get_or_insert(AddressError::UnbalancedClose);
                } else {
                    angle_depth -= 1;
                }
            }
            b' ' | b'\t' if angle_depth == 0 => {
                end = index;
                break;
            }
            _ => {}
        }
    }
    if angle_depth > 0 && error.is_none() {
        error = Some(AddressError::UnbalancedOpen);
    }
    let token = text[..end].to_vec();
    if error.is_none() && token.len() > MAX_ADDRESS_LENGTH {
        error = Some(AddressError::TooLong);
    }
    (token, &text[end..], error)
}

/// Parses an address token (see [`scan`]) into the mailbox it names.
pub fn parse(token: &[u8]) -> Result<Address, AddressError> {
    let text = String::from_utf8_lossy(token);
    let without_comments = strip_comments(&text);
    let inner = innermost_angle(&without_comments).trim().to_string();
    let mailbox = if inner.starts_with('@') {
        match inner.rfind(':') {
            Some(colon) => {
                let route = &inner[..colon];
                if route
                    .split(',')
                    .any(|hop| hop.trim().len() < 2 || !hop.trim().starts_with('@'))
                {
                    return Err(AddressError::InvalidRoute);
                }
                inner[colon + 1..].to_string()
            }
            None => return Err(AddressError::UserAddressRequired),
        }
    } else {
        inner
    };
    if mailbox.is_empty() {
        return Ok(Address {
            typed: token.to_vec(),
            mailbox,
        });
    }
    if mailbox.starts_with('@') {
        return Err(AddressError::UserAddressRequired);
    }
    if mailbox.contains("@@") {
        return Err(AddressError::InvalidRoute);
    }
    if mailbox.ends_with('@') {
        return Err(AddressError::HostnameRequired);
    }
    Ok(Address {
        typed: token.to_vec(),
        mailbox,
    })
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' if depth == 0 => {
                in_quotes = !in_quotes;
                out.push(c);
            }
            '(' if !in_quotes => depth += 1,
            ')' if !in_quotes && depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// `<<a@b>>` and `Name <a@b>` both name `a@b`.
fn innermost_angle(text: &str) -> &str {
    match text.rfind('<') {
        Some(open) => {
            let after = &text[open + 1..];
            match after.find('>') {
                Some(close) => &after[..close],
                None => after,
            }
        }
        None => text,
    }
}

impl Address {
    pub fn is_null(&self) -> bool {
        self.mailbox.is_empty()
    }

    /// The local part and the domain (after the last `@`), quotes removed
    /// from the local part.
    pub fn parts(&self) -> (String, Option<String>) {
        match self.mailbox.rfind('@') {
            Some(at) => (
                unquote(&self.mailbox[..at]),
                Some(self.mailbox[at + 1..].trim_end_matches('.').to_string()),
            ),
            None => (unquote(&self.mailbox), None),
        }
    }

    /// Where mail for this address goes in `world`. `%` and `!` in a local
    /// part are the old relaying syntaxes, and relay like a remote domain.
    pub fn destination(&self, world: &World) -> Destination {
        let (local, domain) = self.parts();
        if let Some(domain) = &domain {
            if !world.is_local_domain(domain) {
                return Destination::Remote(domain.clone());
            }
        }
        if let Some(percent) = local.rfind('%') {
            let host = &local[percent + 1..];
            if !world.is_local_domain(host) {
                return Destination::Remote(host.to_string());
            }
            return Destination::Local(local[..percent].to_string());
        }
        if let Some(bang) = local.find('!') {
            return Destination::Remote(local[..bang].to_string());
        }
        Destination::Local(local)
    }

    /// The address as Sendmail writes it in `Return-Path:` and the mbox
    /// `From ` line: unqualified names get the server's name.
    pub fn qualified(&self, hostname: &str) -> String {
        if self.is_null() {
            "MAILER-DAEMON".to_string()
        } else if self.mailbox.contains('@') {
            self.mailbox.clone()
        } else {
            format!("{}@{}", self.mailbox, hostname)
        }
    }
}

fn unquote(local: &str) -> String {
    if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local[1..local.len() - 1].to_string()
    } else {
        local.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_tokens_and_errors() {
        let cases: &[(&str, &str, &str, Option<AddressError>)] = &[
            ("<a@b> SIZE=1", "<a@b>", " SIZE=1", None),
            (" a@b", "a@b", "", None),
            ("<a b@c>", "<a b@c>", "", None),
            ("<<a@b>>", "<<a@b>>", "", None),
            ("<a@b", "<a@b", "", Some(AddressError::UnbalancedOpen)),
            ("a@b>", "a@b>", "", Some(AddressError::UnbalancedClose)),
            ("\"x y\"@b rest", "\"x y\"@b", " rest", None),
            ("<>", "<>", "", None),
        ];
        for (input, token, rest, error) in cases {
            let (t, r, e) = scan(input.as_bytes());
            assert_eq!(
                (t.as_slice(), r, e),
                (token.as_bytes(), rest.as_bytes(), *error),
                "{input}"
            );
        }
        let long = format!("<{}@example.com>", "x".repeat(300));
        assert_eq!(scan(long.as_bytes()).2, Some(AddressError::TooLong));
    }

    #[test]
    fn parses_mailboxes() {
        let cases: &[(&str, Result<&str, AddressError>)] = &[
            ("<a@b>", Ok("a@b")),
            ("<<a@b>>", Ok("a@b")),
            ("<>", Ok("")),
            ("<@x.example:bob@y.example>", Ok("bob@y.example")),
            ("<a@@b>", Err(AddressError::InvalidRoute)),
            ("<a@>", Err(AddressError::HostnameRequired)),
            ("<@b>", Err(AddressError::UserAddressRequired)),
            ("Mom(mother)@example.com", Ok("Mom@example.com")),
        ];
        for (input, expected) in cases {
            let got = parse(input.as_bytes()).map(|a| a.mailbox);
            assert_eq!(got.as_deref().map_err(|e| *e), *expected, "{input}");
        }
    }

    #[test]
    fn classifies_destinations() {
        let world = World::corpus();
        let dest = |s: &str| parse(s.as_bytes()).unwrap().destination(&world);
        assert_eq!(dest("<mom@example.com>"), Destination::Local("mom".into()));
        assert_eq!(dest("mom"), Destination::Local("mom".into()));
        assert_eq!(
            dest("<bob@elsewhere.test>"),
            Destination::Remote("elsewhere.test".into())
        );
        assert_eq!(
            dest("<bob%elsewhere.test@example.com>"),
            Destination::Remote("elsewhere.test".into())
        );
        assert_eq!(
            dest("<elsewhere.test!bob>"),
            Destination::Remote("elsewhere.test".into())
        );
        assert_eq!(
            dest("<MOM@Mail.Example.COM.>"),
            Destination::Local("MOM".into())
        );
    }
}
