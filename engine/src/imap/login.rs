//! Logging in: the capabilities offered before and after, LOGIN,
//! AUTHENTICATE PLAIN and its SASL answer, and a failed login.

use super::*;
use crate::sasl::Plain;

impl ImapSession {
    pub(super) fn plaintext_allowed(&self) -> bool {
        self.world.login_policy == PlaintextLogin::Allowed || self.tls || self.local_client
    }

    pub(super) fn login_capability(&self) -> String {
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

    pub(super) fn capability(&self) -> String {
        self.server.capabilities.join(" ")
    }

    pub(super) fn login_command(
        &mut self,
        tag: &str,
        name: &str,
        rest: &[u8],
        out: &mut Vec<Event>,
    ) {
        let args = arguments(rest);
        let good = match (name, &args) {
            ("CAPABILITY", Ok(_)) => {
                self.asked_capability |= !self.tls;
                out.push(Event::Line(format!(
                    "* CAPABILITY {}",
                    self.login_capability()
                )));
                out.push(Event::Line(ImapText::CapabilityPreLogin.line(tag, &[])));
                true
            }
            ("NOOP", Ok(_)) => {
                out.push(Event::Line(ImapText::NoopCompleted.line(tag, &[])));
                true
            }
            ("LOGOUT", Ok(_)) => {
                out.push(Event::Line(ImapText::ByeLoggingOut.line("*", &[])));
                out.push(Event::Line(ImapText::LogoutCompleted.line(tag, &[])));
                self.close(out);
                true
            }
            ("ID", Ok(_)) => {
                out.push(Event::Line("* ID NIL".to_string()));
                out.push(Event::Line(ImapText::IdCompleted.line(tag, &[])));
                true
            }
            ("ENABLE", Ok(_)) => {
                out.push(Event::Line("* ENABLED".to_string()));
                out.push(Event::Line(ImapText::EnableIgnored.line(tag, &[])));
                true
            }
            ("STARTTLS", Ok(_)) => {
                if self.tls {
                    out.push(Event::Line(ImapText::TlsActive.line(tag, &[])));
                } else {
                    out.push(Event::Line(ImapText::BeginTls.line(tag, &[])));
                    out.push(Event::StartTls);
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
                            out.push(Event::Line(ImapText::PlaintextAlert.line("*", &[])));
                            out.push(Event::Line(ImapText::PlaintextDisallowed.line(tag, &[])));
                        } else {
                            self.log_in(tag, &user, &password, out);
                        }
                        true
                    }
                    _ => {
                        out.push(Event::Line(ImapText::InvalidArguments.line(tag, &[])));
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
                    out.push(Event::Line(ImapText::UnsupportedMechanism.line(tag, &[])));
                } else if !self.plaintext_allowed() {
                    out.push(Event::Line(ImapText::PlaintextDisabled.line(tag, &[])));
                } else if let Some(initial) = args.get(1).and_then(Arg::text) {
                    self.plain_response(tag, &initial, out);
                } else {
                    out.push(Event::Line("+ ".to_string()));
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

    pub(super) fn sasl_response(&mut self, tag: &str, line: &str, out: &mut Vec<Event>) {
        self.state = State::NotAuthenticated;
        if line == "*" {
            out.push(Event::Line(ImapText::AuthenticationAborted.line(tag, &[])));
            return;
        }
        self.plain_response(tag, line, out);
    }

    pub(super) fn plain_response(&mut self, tag: &str, encoded: &str, out: &mut Vec<Event>) {
        match crate::sasl::plain(encoded) {
            Plain::BadBase64 => out.push(Event::Line(ImapText::InvalidBase64.line(tag, &[]))),
            Plain::Credentials { user, password } => self.log_in(tag, &user, &password, out),
            Plain::Refused => self.fail_login(tag, out),
        }
    }

    pub(super) fn fail_login(&mut self, tag: &str, out: &mut Vec<Event>) {
        out.push(Event::Pause {
            millis: self.server.failure_delay_millis,
        });
        out.push(Event::Line(ImapText::AuthenticationFailed.line(tag, &[])));
    }

    pub(super) fn log_in(&mut self, tag: &str, user: &str, password: &str, out: &mut Vec<Event>) {
        let known = self.world.user_with_password(user, password);
        match known {
            Some(found) => {
                let name = found.name.clone();
                self.state = State::Opening {
                    tag: tag.to_string(),
                    user: name.clone(),
                };
                out.push(Event::Open { user: name });
            }
            None => self.fail_login(tag, out),
        }
    }

    // ---- The store ----
}
