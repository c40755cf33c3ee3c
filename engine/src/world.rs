//! The simulated world around the server: its name, its users and aliases,
//! which domains are local, who the client is, and the server's limits.
//!
//! A world is plain data, read from JSON (see `worlds/*.json` and the README).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    /// The GECOS full name, shown by VRFY and EXPN.
    #[serde(default)]
    pub full_name: String,
    /// A system account (root, daemon, nobody ...), not a person.
    #[serde(default, skip_serializing_if = "is_false")]
    pub system: bool,
    /// The password POP3 and IMAP logins check; none: no login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Whether a password may be sent in clear over a connection without TLS
/// (Dovecot's `disable_plaintext_auth`). A client on the server's own
/// address counts as secured either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaintextLogin {
    /// Debian's default: only after STARTTLS/STLS.
    #[default]
    TlsOnly,
    /// A teaching lab's setting: always.
    Allowed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub address: String,
    pub name: String,
}

/// A world as its JSON file gives it. Unknown fields are refused, so a
/// typo in a teacher's file does not go unnoticed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The server's own name (`$j`).
    pub hostname: String,
    /// The address the server's name resolves to (what telnet tries).
    #[serde(default = "default_server_address")]
    pub server_address: String,
    /// Domains delivered here; the server's own name always is.
    #[serde(default)]
    pub local_domains: Vec<String>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// The hosts table: how the server names a connecting address.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// The client the simulator's own terminal connects from.
    pub client: Host,
    /// The largest message the server takes, in bytes (0: no fixed
    /// limit); when absent, the server's own default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_size_limit: Option<u64>,
    /// Free space in the queue; a SIZE= declaration above it is refused.
    #[serde(default = "default_free_disk_bytes")]
    pub free_disk_bytes: u64,
    /// POP3 and IMAP: when a password may be sent in clear.
    #[serde(default)]
    pub login_policy: PlaintextLogin,
    /// Whether a TLS certificate is installed (STARTTLS is then offered);
    /// when absent, as the server's package installs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_certificate: Option<bool>,
    /// The machine's own short host name (`uname -n`), which Dovecot puts
    /// in the `From ` line of a message saved with IMAP APPEND; when
    /// absent, the first label of `hostname`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn default_server_address() -> String {
    "127.0.0.1".to_string()
}

fn default_free_disk_bytes() -> u64 {
    50_000_000_000
}

/// What a local part names on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalName<'a> {
    User(&'a User),
    Alias(&'a Alias),
}

/// The largest number of mailboxes one address may expand to, and the
/// deepest alias nesting followed (guards against alias loops).
const MAX_ALIAS_DEPTH: usize = 10;

impl World {
    /// The tutorial's world: `mail.example.com` at 127.0.0.1, the client
    /// `myclient.hostname.example.no` on the same machine.
    pub fn tutorial() -> World {
        World::from_json(TUTORIAL_WORLD).unwrap_or_else(|_| World::minimal())
    }

    /// The recorded corpus's world.
    pub fn corpus() -> World {
        World::from_json(CORPUS_WORLD).unwrap_or_else(|_| World::minimal())
    }

    fn minimal() -> World {
        World {
            hostname: "mail.example.com".into(),
            server_address: default_server_address(),
            local_domains: vec![],
            users: vec![],
            aliases: vec![],
            hosts: vec![],
            client: Host {
                address: "127.0.0.1".into(),
                name: "localhost".into(),
            },
            message_size_limit: None,
            free_disk_bytes: default_free_disk_bytes(),
            login_policy: PlaintextLogin::default(),
            tls_certificate: None,
            machine: None,
        }
    }

    /// Reads a world from JSON and checks it; errors name the field, the
    /// line and the column.
    pub fn from_json(text: &str) -> Result<World, String> {
        let world: World = crate::data_file::parse(text)?;
        world.validate()?;
        Ok(world)
    }

    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and lists cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks the values a person might get wrong, with a message naming
    /// the field.
    pub fn validate(&self) -> Result<(), String> {
        check_host_name("hostname", &self.hostname)?;
        check_host_name("client.name", &self.client.name)?;
        check_address("client.address", &self.client.address)?;
        check_address("server_address", &self.server_address)?;
        for domain in &self.local_domains {
            check_host_name("local_domains", domain)?;
        }
        for user in &self.users {
            check_local_part("users.name", &user.name)?;
        }
        for alias in &self.aliases {
            check_local_part("aliases.name", &alias.name)?;
            if alias.members.is_empty() {
                return Err(format!("aliases: \"{}\" has no members", alias.name));
            }
        }
        for host in &self.hosts {
            check_address("hosts.address", &host.address)?;
            check_host_name("hosts.name", &host.name)?;
        }
        Ok(())
    }

    /// Whether mail for `domain` is delivered here: the local domains, and
    /// what Sendmail puts in its class `w` by itself (its full and short
    /// names, `localhost`, and its address as a literal).
    /// The user whose name (in any case) and password these are: what
    /// POP3, IMAP and SMTP AUTH check.
    pub fn user_with_password(&self, user: &str, password: &str) -> Option<&User> {
        let user = user.to_ascii_lowercase();
        self.users
            .iter()
            .find(|u| u.name == user && u.password.as_deref() == Some(password))
    }

    /// The machine's short host name ([`World::machine`]).
    pub fn machine_name(&self) -> String {
        match &self.machine {
            Some(name) => name.clone(),
            None => self.hostname.split('.').next().unwrap_or("").to_string(),
        }
    }

    pub fn is_local_domain(&self, domain: &str) -> bool {
        let domain = domain.trim_end_matches('.');
        let short = self.hostname.split('.').next().unwrap_or("");
        domain.eq_ignore_ascii_case(&self.hostname)
            || domain.eq_ignore_ascii_case(short)
            || domain.eq_ignore_ascii_case("localhost")
            || domain == format!("[{}]", self.server_address)
            || self
                .local_domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// Looks up a local part: aliases first, as Sendmail does.
    pub fn lookup(&self, local_part: &str) -> Option<LocalName<'_>> {
        if let Some(alias) = self
            .aliases
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(local_part))
        {
            return Some(LocalName::Alias(alias));
        }
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(local_part))
            .map(LocalName::User)
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// The mailboxes a local part delivers to, aliases followed. A
    /// `user+detail` address delivers to the user, as Sendmail's default
    /// rules do.
    pub fn mailboxes_for(&self, local_part: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.expand_into(local_part, 0, &mut out);
        if out.is_empty() {
            if let Some((user, _detail)) = local_part.split_once('+') {
                if !user.is_empty() {
                    self.expand_into(user, 0, &mut out);
                }
            }
        }
        out
    }

    fn expand_into(&self, local_part: &str, depth: usize, out: &mut Vec<String>) {
        if depth > MAX_ALIAS_DEPTH {
            return;
        }
        match self.lookup(local_part) {
            Some(LocalName::User(user)) if !out.contains(&user.name) => {
                out.push(user.name.clone());
            }
            Some(LocalName::User(_)) => {}
            Some(LocalName::Alias(alias)) => {
                for member in &alias.members {
                    let member_local = member.split('@').next().unwrap_or(member);
                    self.expand_into(member_local, depth + 1, out);
                }
            }
            None => {}
        }
    }

    /// How the server names a connecting address (hosts table), or the
    /// address in brackets when it has no name.
    pub fn name_for_address(&self, address: &str) -> String {
        if address == self.client.address {
            return self.client.name.clone();
        }
        self.hosts
            .iter()
            .find(|h| h.address == address)
            .map(|h| h.name.clone())
            .unwrap_or_else(|| format!("[{address}]"))
    }

    /// Every local user's mailbox name, people first.
    pub fn mailbox_names(&self) -> Vec<String> {
        let people = self.users.iter().filter(|u| !u.system);
        let system = self.users.iter().filter(|u| u.system);
        people.chain(system).map(|u| u.name.clone()).collect()
    }
}

fn check_host_name(field: &str, value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63)
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field}: \"{value}\" is not a host name (letters, digits, '-' and '.')"
        ))
    }
}

fn check_address(field: &str, value: &str) -> Result<(), String> {
    let parts: Vec<&str> = value.split('.').collect();
    let ok = parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field}: \"{value}\" is not an IPv4 address like 127.0.0.2"
        ))
    }
}

fn check_local_part(field: &str, value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{field}: \"{value}\" is not a user name (letters, digits, '-', '_', '.', '+')"
        ))
    }
}

/// The tutorial world, also in `worlds/tutorial.json`.
pub const TUTORIAL_WORLD: &str = include_str!("../../worlds/tutorial.json");
/// The corpus world, also in `worlds/corpus.json`.
pub const CORPUS_WORLD: &str = include_str!("../../worlds/corpus.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_worlds_load() {
        let tutorial = World::from_json(TUTORIAL_WORLD).unwrap();
        assert_eq!(tutorial.client.name, "myclient.hostname.example.no");
        assert!(tutorial.lookup("mom").is_some());
        let corpus = World::from_json(CORPUS_WORLD).unwrap();
        assert_eq!(corpus.name_for_address("127.0.0.2"), "client.example.no");
        assert_eq!(corpus.mailboxes_for("postmaster"), vec!["root".to_string()]);
    }

    #[test]
    fn invalid_values_name_the_field() {
        let mut world = World::corpus();
        world.hostname = "bad host".into();
        assert!(world.validate().unwrap_err().starts_with("hostname:"));
        let mut world = World::corpus();
        world.client.address = "300.1.1.1".into();
        assert!(world.validate().unwrap_err().starts_with("client.address:"));
        assert!(World::from_json("{").is_err());
        assert!(World::from_json("{\"hostname\": \"a\", \"clients\": {}}")
            .unwrap_err()
            .contains("unknown field `clients`"));
    }

    #[test]
    fn round_trips_through_json() {
        for world in [World::tutorial(), World::corpus()] {
            assert_eq!(World::from_json(&world.to_json()).unwrap(), world);
        }
    }

    #[test]
    fn sendmail_local_names_and_plus_details() {
        let world = World::corpus();
        for local in [
            "example.com",
            "mail.example.com",
            "MAIL",
            "localhost",
            "[127.0.0.1]",
            "Example.COM.",
        ] {
            assert!(world.is_local_domain(local), "{local}");
        }
        for remote in ["example.org", "mail.example.org", "[127.0.0.2]"] {
            assert!(!world.is_local_domain(remote), "{remote}");
        }
        assert_eq!(world.mailboxes_for("mom+lists"), vec!["mom".to_string()]);
        assert!(world.mailboxes_for("nosuch+x").is_empty());
        assert!(world.mailboxes_for("+x").is_empty());
    }

    #[test]
    fn alias_loops_end() {
        let mut world = World::corpus();
        world.aliases.push(Alias {
            name: "a".into(),
            members: vec!["b".into()],
        });
        world.aliases.push(Alias {
            name: "b".into(),
            members: vec!["a".into(), "mom".into()],
        });
        assert_eq!(world.mailboxes_for("a"), vec!["mom".to_string()]);
    }
}
