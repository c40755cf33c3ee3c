//! SMTP AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, as each server's
//! SASL library answers it: Cyrus behind Sendmail, Dovecot's auth service
//! behind Postfix, Exim's own `plaintext` authenticators. The credentials
//! are the world's users and passwords, the ones POP3 and IMAP check.
//!
//! Sendmail's CRAM-MD5 and DIGEST-MD5 send their challenge; the simulated
//! server keeps no SASL secrets, so any answer fails, as a wrong one does.

use base64::Engine as _;

use crate::ascii::is_space;
use crate::catalogue::ReplyKey;
use crate::personality::{Sasl, Syntax};
use crate::sasl::{self, Plain};
use crate::time::Timestamp;

use super::{Event, Phase, Session};

/// Base64 as SASL carries it (RFC 4648 section 4, padded). Like Sendmail's
/// decoder, leftover bits in the last character are not an error.
pub(super) const SASL_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

/// LOGIN's prompts, `Username:` and `Password:` in base64, as every server
/// sends them.
const USERNAME_PROMPT: &str = "VXNlcm5hbWU6";
const PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

/// Dovecot's `auth_failure_delay`.
const DOVECOT_FAILURE_DELAY_MILLIS: u64 = 2_000;
/// How long Postfix waits for Dovecot's answer before it gives up on the
/// request (`454 ... Connection lost to authentication server`).
const POSTFIX_AUTH_WAIT_MILLIS: u64 = 10_000;
/// Dovecot's `auth_username_chars` default: a user name with another
/// character fails at once.
const DOVECOT_USERNAME_CHARS: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@";

/// Where an AUTH dialogue is, between the server's 334 and the client's
/// next line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) enum AuthStep {
    #[default]
    None,
    /// CRAM-MD5 or DIGEST-MD5 sent its challenge.
    Challenge,
    /// PLAIN asked for its answer (`334 ` and nothing).
    Plain,
    /// LOGIN asked for the user name.
    LoginUser,
    /// LOGIN asked for the password of this user.
    LoginPassword(Vec<u8>),
}

/// What the SASL library made of the client's answers.
enum Outcome {
    Success(String),
    Failure,
}

/// Dovecot's penalty for a client address with `failures` failed logins:
/// `auth_penalty_to_secs` (2 s doubled each time, at most 15 s; none
/// before the first failure).
fn dovecot_penalty_millis(failures: u32) -> u64 {
    if failures == 0 {
        return 0;
    }
    let seconds = 2u64 << failures.min(4);
    seconds.min(15) * 1000
}

impl Session {
    /// Whether AUTH is offered now (in EHLO, and taken).
    pub(super) fn auth_offered(&self) -> bool {
        !self.personality.auth_mechanisms.is_empty()
            && (self.tls_active || !self.personality.auth_needs_tls)
    }

    /// Whether the client may send to other domains.
    pub(super) fn may_relay(&self) -> bool {
        self.auth_user.is_some()
            && self.personality.relay != crate::personality::Relay::LocalDomains
    }

    /// AUTH's mechanism as typed, whether the server offers it, and where
    /// the initial response begins.
    pub(super) fn mechanism(&self, argument: &[u8]) -> (String, bool, usize) {
        let end = argument
            .iter()
            .position(|&b| is_space(b))
            .unwrap_or(argument.len());
        let mechanism = String::from_utf8_lossy(&argument[..end]).into_owned();
        let offered = self
            .personality
            .auth_mechanisms
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&mechanism));
        (mechanism, offered, end)
    }

    pub(super) fn auth(&mut self, argument: &[u8], now: Timestamp, out: &mut Vec<Event>) {
        if !self.auth_offered() {
            out.push(self.reply(ReplyKey::AuthNotEnabled));
            return;
        }
        // Postfix looks at the transaction first; Sendmail and Exim at
        // the login.
        let in_transaction = self.transaction.is_some();
        if in_transaction && self.personality.syntax == Syntax::Postfix {
            out.push(self.reply(ReplyKey::AuthInTransaction));
            return;
        }
        if self.auth_user.is_some() {
            out.push(self.reply(ReplyKey::AuthAlreadyDone));
            return;
        }
        if in_transaction {
            out.push(self.reply(ReplyKey::AuthInTransaction));
            return;
        }
        let (mechanism, offered, mechanism_end) = self.mechanism(argument);
        if mechanism.is_empty() {
            out.push(self.reply(ReplyKey::AuthMechanismRequired));
            return;
        }
        if !offered {
            let shown: String = mechanism.chars().take(32).collect();
            out.push(self.reply_arg(ReplyKey::AuthMechanismUnavailable, &shown));
            return;
        }
        let initial = super::commands::trim_start(&argument[mechanism_end..]);
        let mechanism = mechanism.to_ascii_uppercase();
        if self.personality.sasl == Sasl::Dovecot {
            // Dovecot makes a client with failures wait before it answers.
            Self::pause(out, dovecot_penalty_millis(self.auth_failures));
        }
        // RFC 4954: `=` is an empty initial response.
        let initial: Option<Vec<u8>> = match initial {
            [] => None,
            b"=" => Some(Vec::new()),
            encoded => match SASL_BASE64.decode(encoded) {
                Ok(decoded) => Some(decoded),
                Err(_) => {
                    let shown = String::from_utf8_lossy(encoded).into_owned();
                    self.auth_failed_reply(ReplyKey::AuthInitialCannotDecode, &shown, out);
                    return;
                }
            },
        };
        match (mechanism.as_str(), initial) {
            ("PLAIN", Some(answer)) => self.plain_answer(&answer, now, out),
            ("PLAIN", None) => self.ask(AuthStep::Plain, "", out),
            ("LOGIN", Some(user)) => self.login_user(user, out),
            ("LOGIN", None) => self.ask(AuthStep::LoginUser, USERNAME_PROMPT, out),
            (_, Some(_)) => {
                // CRAM-MD5 and DIGEST-MD5 take no initial response.
                self.auth_failed(out);
            }
            (_, None) => {
                let challenge = if mechanism == "CRAM-MD5" {
                    format!(
                        "<{}.{}@{}>",
                        u64::from(self.connection.process_id) * 7919
                            + u64::from(self.next_sequence),
                        self.connection.process_id,
                        self.world.hostname
                    )
                } else {
                    format!(
                        "nonce=\"{:x}{:x}\",realm=\"{}\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
                        self.connection.process_id, self.next_sequence, self.world.hostname
                    )
                };
                let encoded = SASL_BASE64.encode(challenge.as_bytes());
                self.ask(AuthStep::Challenge, &encoded, out);
            }
        }
    }

    fn ask(&mut self, step: AuthStep, challenge: &str, out: &mut Vec<Event>) {
        out.push(self.reply_arg(ReplyKey::AuthChallenge, challenge));
        self.auth_step = step;
        self.phase = Phase::AuthResponse;
    }

    /// A line from the client after a 334.
    pub(super) fn auth_response(&mut self, content: &[u8], now: Timestamp, out: &mut Vec<Event>) {
        self.phase = Phase::Commands;
        let step = std::mem::take(&mut self.auth_step);
        if content == b"*" {
            out.push(self.reply(ReplyKey::AuthAborted));
            return;
        }
        let Ok(answer) = SASL_BASE64.decode(content) else {
            let shown = String::from_utf8_lossy(content).into_owned();
            self.auth_failed_reply(ReplyKey::AuthCannotDecode, &shown, out);
            return;
        };
        match step {
            AuthStep::Plain => self.plain_answer(&answer, now, out),
            AuthStep::LoginUser => self.login_user(answer, out),
            AuthStep::LoginPassword(user) => {
                let outcome = self.check(&user, &answer);
                self.finish(outcome, out);
            }
            AuthStep::Challenge | AuthStep::None => self.auth_failed(out),
        }
    }

    fn plain_answer(&mut self, answer: &[u8], _now: Timestamp, out: &mut Vec<Event>) {
        let encoded = SASL_BASE64.encode(answer);
        let outcome = match sasl::plain(&encoded) {
            Plain::Credentials { user, password } => {
                self.check(user.as_bytes(), password.as_bytes())
            }
            Plain::BadBase64 | Plain::Refused => Outcome::Failure,
        };
        self.finish(outcome, out);
    }

    /// LOGIN's user name: Dovecot checks it at once; the others ask for
    /// the password whatever it is.
    fn login_user(&mut self, user: Vec<u8>, out: &mut Vec<Event>) {
        if self.personality.sasl == Sasl::Dovecot && !dovecot_username_ok(&user) {
            self.auth_failed(out);
            return;
        }
        self.ask(AuthStep::LoginPassword(user), PASSWORD_PROMPT, out);
    }

    /// The world's users and passwords, as the SASL library finds them.
    fn check(&self, user: &[u8], password: &[u8]) -> Outcome {
        if self.personality.sasl == Sasl::Dovecot && !dovecot_username_ok(user) {
            return Outcome::Failure;
        }
        let (Ok(user), Ok(password)) = (std::str::from_utf8(user), std::str::from_utf8(password))
        else {
            return Outcome::Failure;
        };
        match self.world.user_with_password(user, password) {
            Some(found) => Outcome::Success(found.name.clone()),
            None => Outcome::Failure,
        }
    }

    fn finish(&mut self, outcome: Outcome, out: &mut Vec<Event>) {
        match outcome {
            Outcome::Success(user) => {
                self.auth_user = Some(user);
                out.push(self.reply(ReplyKey::AuthSucceeded));
            }
            Outcome::Failure => self.auth_failed(out),
        }
    }

    fn auth_failed(&mut self, out: &mut Vec<Event>) {
        self.auth_failed_reply(ReplyKey::AuthFailed, "", out);
    }

    /// A failed login, after the library's delay: Dovecot waits its
    /// `auth_failure_delay` on top of the client's penalty, and a wait
    /// that reaches Postfix's limit becomes a temporary failure (the
    /// request is dropped, so the penalty does not grow).
    fn auth_failed_reply(&mut self, key: ReplyKey, shown: &str, out: &mut Vec<Event>) {
        if self.personality.sasl == Sasl::Dovecot {
            let waited = dovecot_penalty_millis(self.auth_failures) + DOVECOT_FAILURE_DELAY_MILLIS;
            if waited >= POSTFIX_AUTH_WAIT_MILLIS {
                Self::pause(
                    out,
                    POSTFIX_AUTH_WAIT_MILLIS - dovecot_penalty_millis(self.auth_failures),
                );
                out.push(self.reply(ReplyKey::AuthTemporaryFailure));
                return;
            }
            Self::pause(out, DOVECOT_FAILURE_DELAY_MILLIS);
            self.auth_failures += 1;
        }
        out.push(self.reply_arg(key, shown));
    }
}

fn dovecot_username_ok(user: &[u8]) -> bool {
    !user.is_empty()
        && user
            .iter()
            .all(|&b| DOVECOT_USERNAME_CHARS.as_bytes().contains(&b))
}
