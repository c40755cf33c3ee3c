//! The world settings form: its fields as typed, and turning them into a
//! world, with a message for each field that is not valid. Changes apply
//! to the next connection.

use smtplab_engine::world::{Alias, User};
use smtplab_engine::{Personality, World};

/// A field of the form, by what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Hostname,
    Personality,
    LocalDomains,
    Users,
    Aliases,
    ClientName,
    ClientAddress,
    Timing,
}

impl Field {
    /// The name errors are filed under (and the page's `error-NAME` ids).
    pub fn name(self) -> &'static str {
        match self {
            Field::Hostname => "hostname",
            Field::Personality => "personality",
            Field::LocalDomains => "local_domains",
            Field::Users => "users",
            Field::Aliases => "aliases",
            Field::ClientName => "client_name",
            Field::ClientAddress => "client_address",
            Field::Timing => "timing",
        }
    }
}

/// A field's message: (field, what is wrong).
pub type FieldError = (Field, String);

/// The servers the form offers: each personality's id and label.
pub fn personalities() -> impl Iterator<Item = (&'static str, &'static str)> {
    smtplab_engine::personality::ALL
        .iter()
        .map(|p| (p.id, p.label))
}

/// The form's fields, as typed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Form {
    pub hostname: String,
    pub personality: String,
    pub local_domains: String,
    pub users: String,
    pub aliases: String,
    pub client_name: String,
    pub client_address: String,
    pub timing: bool,
}

impl Form {
    /// A field's new value, as typed (`true`/`false` for the check box).
    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Hostname => self.hostname = value,
            Field::Personality => self.personality = value,
            Field::LocalDomains => self.local_domains = value,
            Field::Users => self.users = value,
            Field::Aliases => self.aliases = value,
            Field::ClientName => self.client_name = value,
            Field::ClientAddress => self.client_address = value,
            Field::Timing => self.timing = value == "true",
        }
    }

    /// A text field's value.
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Hostname => &self.hostname,
            Field::Personality => &self.personality,
            Field::LocalDomains => &self.local_domains,
            Field::Users => &self.users,
            Field::Aliases => &self.aliases,
            Field::ClientName => &self.client_name,
            Field::ClientAddress => &self.client_address,
            Field::Timing => "",
        }
    }

    pub fn from_world(world: &World, personality: &Personality, timing: bool) -> Form {
        Form {
            hostname: world.hostname.clone(),
            personality: personality.id.to_string(),
            local_domains: world.local_domains.join(", "),
            users: world
                .users
                .iter()
                .filter(|u| !u.system)
                .map(|u| match &u.password {
                    Some(password) => format!("{}: {}, password {password}", u.name, u.full_name),
                    None => format!("{}: {}", u.name, u.full_name),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            aliases: world
                .aliases
                .iter()
                .map(|a| format!("{}: {}", a.name, a.members.join(", ")))
                .collect::<Vec<_>>()
                .join("\n"),
            client_name: world.client.name.clone(),
            client_address: world.client.address.clone(),
            timing,
        }
    }

    /// The world these fields describe, or (field, message) errors.
    pub fn to_world(&self, base: &World) -> Result<(World, &'static Personality), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut world = base.clone();
        world.hostname = self.hostname.trim().to_string();
        world.local_domains = split_list(&self.local_domains);
        let mut users: Vec<User> = base.users.iter().filter(|u| u.system).cloned().collect();
        for line in self.users.lines().filter(|l| !l.trim().is_empty()) {
            let (name, full_name) = line.split_once(':').unwrap_or((line, ""));
            // `mom: Mom Smith, password mom`: the password (for POP3 and
            // IMAP) after the full name.
            let (full_name, password) = match full_name.rsplit_once(", password ") {
                Some((full_name, password)) => (full_name, Some(password.trim().to_string())),
                None => (full_name, None),
            };
            users.insert(
                users.iter().filter(|u| !u.system).count(),
                User {
                    name: name.trim().to_string(),
                    full_name: full_name.trim().to_string(),
                    system: false,
                    password: password.filter(|p| !p.is_empty()),
                },
            );
        }
        world.users = users;
        world.aliases = Vec::new();
        for line in self.aliases.lines().filter(|l| !l.trim().is_empty()) {
            match line.split_once(':') {
                Some((name, members)) => world.aliases.push(Alias {
                    name: name.trim().to_string(),
                    members: split_list(members),
                }),
                None => errors.push((
                    Field::Aliases,
                    format!("\"{line}\" needs the form alias: member, member"),
                )),
            }
        }
        world.client.name = self.client_name.trim().to_string();
        world.client.address = self.client_address.trim().to_string();
        if let Some(host) = world
            .hosts
            .iter_mut()
            .find(|h| h.address == world.client.address)
        {
            host.name = world.client.name.clone();
        }
        if let Err(message) = world.validate() {
            let field = message.split(':').next().unwrap_or("");
            let field = match field {
                "local_domains" => Field::LocalDomains,
                "users.name" => Field::Users,
                "aliases" | "aliases.name" => Field::Aliases,
                "client.name" => Field::ClientName,
                "client.address" => Field::ClientAddress,
                _ => Field::Hostname,
            };
            errors.push((field, message));
        }
        let personality = Personality::by_id(&self.personality);
        if personality.is_none() {
            errors.push((Field::Personality, "choose a personality".to_string()));
        }
        match (errors.is_empty(), personality) {
            (true, Some(personality)) => Ok((world, personality)),
            _ => Err(errors),
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtplab_engine::personality::SENDMAIL_8_13_8;

    fn form() -> Form {
        Form::from_world(&World::tutorial(), &SENDMAIL_8_13_8, true)
    }

    #[test]
    fn the_tutorial_form_gives_the_tutorial_world() {
        let (world, personality) = form().to_world(&World::tutorial()).unwrap();
        assert_eq!(world, World::tutorial());
        assert_eq!(personality.id, SENDMAIL_8_13_8.id);
    }

    #[test]
    fn each_bad_value_is_filed_under_its_field() {
        // (field, value typed, field with the error, words in the message)
        let cases: &[(Field, &str, Field, &str)] = &[
            (
                Field::Hostname,
                "bad host name",
                Field::Hostname,
                "not a host name",
            ),
            (Field::Hostname, "", Field::Hostname, "not a host name"),
            (
                Field::LocalDomains,
                "example.com, bad/domain",
                Field::LocalDomains,
                "not a host name",
            ),
            (
                Field::Users,
                "mom: Mom\nbad user: X",
                Field::Users,
                "not a user name",
            ),
            (
                Field::Aliases,
                "staff mom",
                Field::Aliases,
                "needs the form",
            ),
            (Field::Aliases, "staff:", Field::Aliases, "has no members"),
            (
                Field::ClientName,
                "no spaces allowed",
                Field::ClientName,
                "not a host name",
            ),
            (
                Field::ClientAddress,
                "300.1.1.1",
                Field::ClientAddress,
                "not an IPv4 address",
            ),
            (
                Field::Personality,
                "exim",
                Field::Personality,
                "choose a personality",
            ),
        ];
        for (field, value, wanted, words) in cases {
            let mut form = form();
            form.set(*field, value.to_string());
            let errors = form.to_world(&World::tutorial()).unwrap_err();
            assert!(
                errors.iter().any(|(f, m)| f == wanted && m.contains(words)),
                "{field:?} = {value:?}: {errors:?}"
            );
        }
    }

    #[test]
    fn good_values_apply() {
        let mut form = form();
        form.set(Field::Hostname, " mx.example.org ".into());
        form.set(Field::Personality, "sendmail-8.17.1.9-debian".into());
        form.set(Field::Users, "mom: Mom\nkid: The Kid".into());
        form.set(Field::Timing, "false".into());
        assert!(!form.timing);
        let (world, personality) = form.to_world(&World::tutorial()).unwrap();
        assert_eq!(world.hostname, "mx.example.org");
        assert_eq!(personality.id, "sendmail-8.17.1.9-debian");
        assert_eq!(world.user("kid").unwrap().full_name, "The Kid");
        // System accounts are kept, after the people.
        assert!(world.users.last().unwrap().system);
    }
}
