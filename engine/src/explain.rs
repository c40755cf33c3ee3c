//! Plain-words explanations of every reply and command, for learners.
//!
//! Kept beside the reply catalogue: every [`ReplyKey`] has an entry (the
//! `match` is exhaustive, so a new reply cannot be added without one).
//! `{echo}` in a text stands for the address the reply echoes.
//!
//! The browser loads these as data when explain mode is first turned on
//! (`www/explain.json`, written by `smtplab explanations` from
//! [`document`]), so a first visit does not download them.

use crate::catalogue::ReplyKey;
use serde::{Deserialize, Serialize};

/// RFC 5321 online, for section links.
pub const RFC5321: &str = "https://www.rfc-editor.org/rfc/rfc5321";
/// RFC 3463 (enhanced status codes) online.
pub const RFC3463: &str = "https://www.rfc-editor.org/rfc/rfc3463";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Why this server said it here.
    pub why: &'static str,
    /// The RFC 5321 section that covers it.
    pub section: &'static str,
}

const fn e(why: &'static str, section: &'static str) -> Explanation {
    Explanation { why, section }
}

pub fn explain_reply(key: ReplyKey) -> Explanation {
    use ReplyKey::*;
    match key {
        Greeting => e("The server is ready. The greeting names the server and says it speaks ESMTP; Sendmail adds its version and the date, Postfix only its name.", "4.2"),
        GreetingRefused => e("You typed before the server greeted you. Debian's Sendmail waits a second (greet_pause) to catch programs that talk without listening, and now refuses everything except QUIT.", "3.1"),
        Hello => e("The server accepts your greeting. Sendmail names you from your address (the reverse DNS lookup), not from what you typed after HELO; Postfix just gives its own name. After EHLO, the lines that follow list the extensions the server supports.", "4.1.1.1"),
        HelloNeedsDomain => e("HELO and EHLO need your host name after them, for example: HELO myclient.example.", "4.1.1.1"),
        InvalidDomain => e("What followed HELO/EHLO is not a valid host name: only letters, digits, dots, dashes and a few other characters are allowed, with no spaces inside.", "4.1.1.1"),
        ProtocolError => e("You sent more commands together with EHLO, before the server had said it supports PIPELINING. This server treats that as a protocol violation and rejects the rest of the session.", "4.1.1.1"),
        CommandRejected => e("The server has stopped accepting commands in this session (you talked before the greeting or pipelined too early). Only QUIT, RSET, NOOP, HELO and EHLO are still answered.", "3.1"),
        SenderOk => e("The server accepts {echo} as the sender (the envelope return path, where bounces would go). It does not check that you own that address.", "4.1.1.2"),
        RecipientOk => e("{echo} is a mailbox on this server, so the server takes mail for it.", "4.1.1.3"),
        SenderAlreadySpecified => e("A transaction has one sender. Send RSET to start over, or finish this message first.", "4.1.4"),
        PoliteHelo => e("This server wants HELO or EHLO before MAIL (Sendmail's needmailhelo option).", "4.1.4"),
        NeedMailBeforeRcpt => e("You sent RCPT before MAIL. A transaction starts with MAIL FROM, then one or more RCPT TO, then DATA.", "4.1.4"),
        NeedMailCommand => e("You sent DATA before MAIL. Start the transaction with MAIL FROM first.", "4.1.4"),
        NeedRcpt => e("You sent DATA but no recipient has been accepted yet. Add at least one RCPT TO that the server accepts.", "4.1.4"),
        StartData => e("Type the message now: headers (Subject:, From:, To: ...), a blank line, the body, and a line with only a dot to end it.", "4.1.1.4"),
        MessageAccepted => e("The server has taken responsibility for the message and gives you its queue id. The message is now delivered to the recipients' mailboxes (see /var/mail).", "4.1.1.4"),
        ResetState => e("RSET forgets the current sender, recipients and message; the connection and your HELO stay.", "4.1.1.5"),
        Ok => e("NOOP does nothing; the server just says it is still there.", "4.1.1.9"),
        Closing => e("The server says goodbye and closes the connection, as QUIT asks.", "4.1.1.10"),
        UserUnknown => e("{echo} is in one of this server's domains, but no such user or alias exists here.", "4.1.1.3"),
        RelayingDenied => e("{echo} is not in one of this server's domains, and this server does not relay for you: it only takes mail for its own users.", "3.6"),
        NullRecipient => e("<> is the null return path: it can be a sender (for bounces) but never a recipient.", "4.1.1.3"),
        SyntaxErrorScanning => e("The command's argument is not in the form the server expects: MAIL FROM:<address> or RCPT TO:<address>, with the colon.", "4.1.2"),
        UnbalancedOpen => e("The address has a < without its closing >.", "4.1.2"),
        UnbalancedClose => e("The address has a > without an opening <.", "4.1.2"),
        InvalidRouteAddress => e("The address is malformed: two @ signs in a row, or a source route that is not @host,@host:user@domain.", "4.1.2"),
        HostnameRequired => e("The address ends with @ but has no domain after it.", "4.1.2"),
        UserAddressRequired => e("The address has a domain but no user name before the @.", "4.1.2"),
        AddressTooLong => e("The address is longer than this server accepts (256 characters).", "4.5.3.1.3"),
        MissingRecipient => e("RCPT TO needs an address.", "4.1.1.3"),
        UnknownCommand => e("The server does not know this command. Check the spelling; SMTP commands are HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, EXPN, HELP.", "4.2.4"),
        NotImplemented => e("This is an old command from RFC 821 that this server recognises but does not implement.", "4.2.4"),
        TooManyBadCommands => e("Too many unknown commands: the server assumes something is wrong and closes the connection.", "4.2.4"),
        CommandTooLong => e("The command line is longer than the server's limit (2048 bytes), which it treats as an attack, and it closes the connection.", "4.5.3.1.4"),
        OpenProxy => e("The first thing you sent looks like an HTTP or proxy request, not SMTP, so the server closes the connection.", "3.1"),
        LostInput => e("The client went away without QUIT.", "3.8"),
        Timeout => e("You said nothing for too long: the server gives up waiting.", "4.5.3.2"),
        VerifiedLocal => e("VRFY/EXPN: the server confirms the address and shows the user's full name and mailbox. Many servers switch this off because it helps spammers guess addresses.", "3.5"),
        CannotVerify => e("The address is not on this server, so it cannot verify it; it would try to deliver it (if it relayed for you).", "3.5.3"),
        ArgumentRequired => e("VRFY and EXPN need a user name or address after them.", "3.5"),
        IntroduceYourself => e("This server wants HELO or EHLO before VRFY or EXPN (Sendmail's needvrfyhelo and needexpnhelo options).", "3.5"),
        ExpnUnavailable => e("This server does not allow EXPN, to keep its lists private.", "3.5"),
        VerbUnavailable => e("This server does not allow VERB.", "4.2.4"),
        Help => e("The server's own help text.", "4.1.1.8"),
        HelpUnknown => e("There is no help topic with that name. HELP alone lists the topics.", "4.1.1.8"),
        VerboseMode => e("VERB is a Sendmail extension that shows delivery details; the server says it is on.", "4.2.4"),
        EtrnStarted => e("ETRN asks the server to try delivering the mail it holds for that host now.", "4.2.4"),
        EtrnParameterRequired => e("ETRN needs a host name or @domain after it.", "4.2.4"),
        AuthMechanismRequired => e("AUTH needs a mechanism name, one of those the EHLO reply listed after AUTH.", "4.2.4"),
        AuthMechanismUnavailable => e("The server does not offer that authentication mechanism; EHLO lists the ones it does.", "4.2.4"),
        AuthChallenge => e("The server sends a challenge in base64 and waits for your answer (or * to give up).", "4.2.4"),
        AuthAborted => e("You answered the challenge with *, which cancels the authentication.", "4.2.4"),
        AuthCannotDecode => e("The answer to the challenge must be base64; this one is not.", "4.2.4"),
        AuthFailed => e("The answer does not prove you know a password this server accepts.", "4.2.4"),
        AuthAlreadyDone => e("You are already authenticated in this session.", "4.2.4"),
        AuthInTransaction => e("AUTH must come before MAIL, not in the middle of a transaction.", "4.1.4"),
        TlsNotAvailable => e("This server cannot start TLS here.", "4.2.4"),
        TlsNotAvailableAfterStart => e("STARTTLS was asked for, but the server has no certificate configured, so TLS is not available.", "4.2.4"),
        TlsReady => e("The server is ready to encrypt: the client now starts a TLS handshake, and the session continues encrypted.", "4.2.4"),
        TlsNoParameters => e("STARTTLS takes no argument.", "4.1.2"),
        TlsInTransaction => e("STARTTLS must come before MAIL.", "4.1.4"),
        SizeExceedsLimit => e("The SIZE you declared is larger than this server's message size limit, so it refuses before you send the message.", "4.5.3.1"),
        InsufficientDiskSpace => e("The SIZE you declared is more than the server has room for now; try again later (a temporary failure).", "4.5.3.1.10"),
        UnknownBodyType => e("BODY= takes 7BIT or 8BITMIME.", "4.1.2"),
        ParameterUnrecognized => e("The server does not know that MAIL/RCPT parameter; EHLO lists the extensions it supports.", "4.1.2"),
        BadNotify => e("NOTIFY= takes NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY.", "4.1.2"),
        MessageTooBig => e("The message is larger than this server's size limit, so it is refused.", "4.5.3.1.10"),
        BareLinefeed => e("A line in the message ended with LF alone instead of CR LF. This server refuses that (it protects against SMTP smuggling) and drops the connection.", "2.3.8"),
        TooManyRecipients => e("The message has more recipients than the server takes at once; send the rest in another transaction.", "4.5.3.1.8"),
        TooManySessions => e("The server is busy with too many connections; try again later.", "4.2"),
        ParameterNeedsValue => e("This MAIL/RCPT parameter needs a value after =.", "4.1.2"),
        BadRetArgument => e("RET= takes FULL or HDRS.", "4.1.2"),
        DuplicateParameter => e("That parameter was given twice.", "4.1.2"),
        ParameterSyntax => e("The parameter's value has characters that are not allowed (it must be xtext).", "4.1.2"),
        AuthNotEnabled => e("This server offers no authentication here (its EHLO reply lists no AUTH): Debian's Postfix has SASL switched off until the administrator sets it up.", "4.2.4"),
        BadSyntax => e("The line was empty (or only spaces): there is no command to answer. Postfix counts it as an error.", "4.1.1"),
        BadUtf8 => e("The line has bytes that are not valid UTF-8. A server that offers SMTPUTF8 protects itself by refusing such lines.", "2.4"),
        BreakRules => e("What you sent is not SMTP: a web request (GET, POST, CONNECT), a header typed as a command, or a line that does not start with a letter (as when a message is sent without DATA). Postfix takes it as an attack and hangs up.", "4.2.4"),
        MailSyntax => e("MAIL needs FROM: right after it, then the address, for example: MAIL FROM:<you@example.com>. Postfix insists on the colon.", "4.1.1.2"),
        RcptSyntax => e("RCPT needs TO: right after it, then the address, for example: RCPT TO:<mom@example.com>.", "4.1.1.3"),
        BadSenderSyntax => e("The server cannot find one well-formed sender address here: a < without >, two addresses, a space inside, or no domain after the @.", "4.1.2"),
        BadRecipientSyntax => e("The server cannot find one well-formed recipient address here. A recipient cannot be empty (<>), and needs a valid domain after any @.", "4.1.2"),
        VrfySyntax => e("VRFY needs a user name or address after it.", "3.5.3"),
        BadSizeSyntax => e("SIZE= takes a number of bytes, digits only.", "4.1.2"),
        SizeOverflow => e("The SIZE you declared is larger than any file this server could store.", "4.5.3.1"),
        BadEnvid => e("ENVID= must be xtext (printable characters, with + and = written as +2B and +3D) and given once.", "4.1.2"),
        BadOrcpt => e("ORCPT= takes an address type, a semicolon and the address as xtext, for example ORCPT=rfc822;mom@example.com, given once.", "4.1.2"),
        DataSyntax => e("DATA takes no argument: type DATA alone, then the message after the 354 reply.", "4.1.1.4"),
        RsetSyntax => e("RSET takes no argument.", "4.1.1.5"),
        EtrnInvalid => e("ETRN takes a host name, @domain or #queue; this is none of those.", "4.2.4"),
        EtrnInTransaction => e("ETRN cannot be used in the middle of a transaction; finish it or send RSET first.", "4.1.4"),
        EtrnRefused => e("The server keeps no queue for that destination (Postfix's fast flush service serves only the domains it relays for), so there is nothing to send now.", "4.2.4"),
        TlsAlreadyActive => e("The connection is already encrypted; STARTTLS can be used only once.", "4.2.4"),
        BdatSyntax => e("BDAT takes the chunk's size in bytes, and LAST on the final chunk: BDAT 120 LAST. The bytes follow the command line directly.", "4.1.1.4"),
        BdatNull => e("A BDAT chunk of 0 bytes is allowed only as the LAST one.", "4.1.1.4"),
        BdatDiscarded => e("An earlier chunk of this message was refused, so the server reads and throws away the rest until the transaction ends.", "4.1.1.4"),
        ChunkTooBig => e("The message, with this chunk, would be larger than the server's size limit.", "4.5.3.1.10"),
        ChunkAccepted => e("The server has this chunk of the message; send the next one with BDAT, the last one with BDAT n LAST.", "4.1.1.4"),
        ChunkedMessageAccepted => e("The last chunk has arrived: the server has the whole message, tells you its size, and has queued it for delivery.", "4.1.1.4"),
        AfterBdat => e("The message is being sent in chunks with BDAT; only more BDAT (or RSET) may come until the LAST chunk.", "4.1.1.4"),
    }
}

/// What the first digit of a reply code means (RFC 5321 4.2.1); the last
/// entry, with an empty key, is for anything else.
const CLASSES: &[(&str, &str)] = &[
    ("2", "2xx: success, the command was done."),
    (
        "3",
        "3xx: go on, the server waits for more (the message text, or an answer).",
    ),
    (
        "4",
        "4xx: temporary failure, the same command may work later.",
    ),
    (
        "5",
        "5xx: permanent failure, do not repeat the command as it is.",
    ),
    ("", "not a standard reply code."),
];

/// RFC 3463: the class, subject and detail of an enhanced status code.
const ENHANCED_CLASSES: &[(&str, &str)] = &[
    ("2", "success"),
    ("4", "persistent transient failure"),
    ("5", "permanent failure"),
];
const ENHANCED_SUBJECTS: &[(&str, &str)] = &[
    ("0", "other or undefined"),
    ("1", "addressing"),
    ("2", "mailbox"),
    ("3", "mail system"),
    ("4", "network and routing"),
    ("5", "mail delivery protocol"),
    ("6", "message content"),
    ("7", "security or policy"),
    ("", "unknown subject"),
];
const ENHANCED_DETAILS: &[(&str, &str)] = &[
    ("0.0", "other undefined status"),
    ("1.0", "other address status"),
    ("1.1", "bad destination mailbox address"),
    ("1.3", "bad destination mailbox address syntax"),
    ("1.5", "destination address valid"),
    ("2.3", "message length exceeds administrative limit"),
    ("3.0", "other or undefined mail system status"),
    ("3.3", "system not capable of selected features"),
    ("4.1", "no answer from host"),
    ("4.2", "bad connection"),
    ("4.5", "system congestion"),
    ("5.0", "other or undefined protocol status"),
    ("5.1", "invalid command"),
    ("5.2", "syntax error"),
    ("5.3", "too many recipients"),
    ("5.4", "invalid command arguments"),
    ("7.0", "other or undefined security status"),
    ("7.1", "delivery not authorized, message refused"),
    ("", "detail not described here"),
];

/// Client commands: verb, syntax, what it does, RFC 5321 section. The last
/// entry, with an empty verb, is for anything else.
const COMMANDS: &[(&str, &str, &str, &str)] = &[
    ("HELO", "HELO domain", "Says who the client is. The simplest greeting, for plain SMTP.", "4.1.1.1"),
    ("EHLO", "EHLO domain", "Says who the client is and asks for Extended SMTP: the reply lists the extensions the server supports.", "4.1.1.1"),
    ("MAIL", "MAIL FROM:<reverse-path> [parameters]", "Starts a transaction and gives the sender (where bounces go).", "4.1.1.2"),
    ("RCPT", "RCPT TO:<forward-path> [parameters]", "Adds a recipient. Repeat for each recipient.", "4.1.1.3"),
    ("DATA", "DATA", "Starts the message text. End it with a line holding only a dot; a line that starts with a dot gets an extra dot (dot-stuffing).", "4.1.1.4"),
    ("RSET", "RSET", "Abandons the current transaction.", "4.1.1.5"),
    ("VRFY", "VRFY user-or-address", "Asks whether an address is valid here.", "4.1.1.6"),
    ("EXPN", "EXPN alias", "Asks what a mailing list or alias expands to.", "4.1.1.7"),
    ("HELP", "HELP [topic]", "Asks the server for help.", "4.1.1.8"),
    ("NOOP", "NOOP", "Does nothing; checks the connection.", "4.1.1.9"),
    ("QUIT", "QUIT", "Ends the session; the server replies 221 and closes.", "4.1.1.10"),
    ("VERB", "VERB", "A Sendmail extension: verbose delivery output.", "4.2.4"),
    ("ETRN", "ETRN host", "Asks the server to run its queue for a host (RFC 1985).", "4.2.4"),
    ("AUTH", "AUTH mechanism [initial-response]", "Starts authentication (RFC 4954).", "4.2.4"),
    ("STARTTLS", "STARTTLS", "Asks to switch to an encrypted connection (RFC 3207).", "4.2.4"),
    ("", "", "Not an SMTP command this server knows.", "4.2.4"),
];

/// The explanations as one JSON document, which the browser loads when
/// explain mode is first used: `replies` by reply name, `commands` by verb,
/// and the tables for reply classes and enhanced status codes (an empty key
/// is the entry for anything not listed). Natively it is built from the
/// tables here ([`document`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanations {
    replies: Vec<ReplyEntry>,
    commands: Vec<CommandExplanation>,
    classes: Vec<TableEntry>,
    enhanced_classes: Vec<TableEntry>,
    enhanced_subjects: Vec<TableEntry>,
    enhanced_details: Vec<TableEntry>,
}

/// A reply's explanation, filed under the reply's name. (The tables are
/// lists rather than maps: they are small, and lists are less code in the
/// page.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyEntry {
    name: String,
    why: String,
    section: String,
}

/// One row of a table: a key (`""` for anything not listed) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEntry {
    key: String,
    text: String,
}

/// A reply's explanation: why this server said it here (`{echo}` stands
/// for the address the reply echoes), and the RFC 5321 section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyExplanation {
    pub why: String,
    pub section: String,
}

/// A command's syntax, what it does, and its RFC 5321 section, filed
/// under its verb (`""` for anything else).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandExplanation {
    pub verb: String,
    pub syntax: String,
    pub what: String,
    pub section: String,
}

impl Explanations {
    /// The explanations built into this program.
    pub fn built_in() -> Explanations {
        document()
    }

    pub fn from_json(text: &str) -> Result<Explanations, String> {
        crate::data_file::parse(text)
    }

    pub fn to_json(&self) -> String {
        // Maps of strings always serialize.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// What `table` files under `key`, or under "" (the entry for anything
    /// else) when `fallback`.
    fn text<'a>(table: &'a [TableEntry], key: &str, fallback: bool) -> Option<&'a str> {
        let find = |key: &str| table.iter().find(|e| e.key == key);
        find(key)
            .or_else(|| find("").filter(|_| fallback))
            .map(|e| e.text.as_str())
    }

    pub fn reply(&self, key: ReplyKey, echo: Option<&str>) -> Option<ReplyExplanation> {
        let entry = self.replies.iter().find(|e| e.name == key.name())?;
        Some(ReplyExplanation {
            why: entry.why.replace("{echo}", echo.unwrap_or("the address")),
            section: entry.section.clone(),
        })
    }

    /// Syntax, purpose and section of the command on a client line.
    pub fn command(&self, line: &str) -> Option<&CommandExplanation> {
        let verb = line.split_whitespace().next()?.to_ascii_uppercase();
        let verb = verb.split(':').next().unwrap_or("");
        let find = |verb: &str| self.commands.iter().find(|c| c.verb == verb);
        find(verb).or_else(|| find(""))
    }

    /// What the first digit of a reply code means (RFC 5321 4.2.1).
    pub fn code_class(&self, code: u16) -> &str {
        Self::text(&self.classes, &(code / 100).to_string(), true).unwrap_or("")
    }

    /// What an enhanced status code (`5.1.1`) means (RFC 3463).
    pub fn enhanced(&self, code: &str) -> Option<String> {
        let mut parts = code.split('.');
        let (class, subject, detail) = (parts.next()?, parts.next()?, parts.next()?);
        let class_text = Self::text(&self.enhanced_classes, class, false)?;
        let subject_text = Self::text(&self.enhanced_subjects, subject, true)?;
        let detail_text = Self::text(&self.enhanced_details, &format!("{subject}.{detail}"), true)?;
        Some(format!(
            "{code}: {class_text}; {subject_text}; {detail_text}."
        ))
    }
}

/// Every explanation, from the tables in this file.
pub fn document() -> Explanations {
    let table = |rows: &[(&str, &str)]| {
        rows.iter()
            .map(|(key, text)| TableEntry {
                key: key.to_string(),
                text: text.to_string(),
            })
            .collect()
    };
    Explanations {
        replies: ReplyKey::ALL
            .iter()
            .map(|key| {
                let e = explain_reply(*key);
                ReplyEntry {
                    name: key.name().to_string(),
                    why: e.why.to_string(),
                    section: e.section.to_string(),
                }
            })
            .collect(),
        commands: COMMANDS
            .iter()
            .map(|(verb, syntax, what, section)| CommandExplanation {
                verb: verb.to_string(),
                syntax: syntax.to_string(),
                what: what.to_string(),
                section: section.to_string(),
            })
            .collect(),
        classes: table(CLASSES),
        enhanced_classes: table(ENHANCED_CLASSES),
        enhanced_subjects: table(ENHANCED_SUBJECTS),
        enhanced_details: table(ENHANCED_DETAILS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_is_explained() {
        for key in ReplyKey::ALL {
            let explanation = explain_reply(*key);
            assert!(explanation.why.len() > 20, "{key:?}");
            assert!(
                explanation
                    .section
                    .split('.')
                    .all(|p| p.parse::<u32>().is_ok()),
                "{key:?}: section {}",
                explanation.section
            );
        }
    }

    #[test]
    fn enhanced_codes_and_classes() {
        let all = Explanations::built_in();
        let enhanced_meaning = |code| all.enhanced(code);
        let code_class = |code| all.code_class(code).to_string();
        let explain_command = |line| {
            all.command(line)
                .map(|c| (c.syntax.clone(), c.what.clone(), c.section.clone()))
        };
        assert_eq!(
            enhanced_meaning("5.7.1").as_deref(),
            Some("5.7.1: permanent failure; security or policy; delivery not authorized, message refused.")
        );
        assert_eq!(enhanced_meaning("bogus"), None);
        assert!(code_class(354).starts_with("3xx"));
        assert_eq!(
            explain_command("mail from:<a@b>").unwrap().0,
            "MAIL FROM:<reverse-path> [parameters]"
        );
        assert_eq!(
            explain_command("FROB x").unwrap().1,
            "Not an SMTP command this server knows."
        );
        assert_eq!(explain_command("   "), None);
        assert_eq!(code_class(999), "not a standard reply code.");
        assert_eq!(
            enhanced_meaning("4.9.9").as_deref(),
            Some(
                "4.9.9: persistent transient failure; unknown subject; detail not described here."
            )
        );
        assert_eq!(enhanced_meaning("3.0.0"), None);
        let reply = all
            .reply(ReplyKey::RecipientOk, Some("<mom@example.com>"))
            .unwrap();
        assert!(
            reply.why.starts_with("<mom@example.com> is a mailbox"),
            "{}",
            reply.why
        );
        assert_eq!(reply.section, "4.1.1.3");
        let shipped = Explanations::from_json(include_str!("../../www/explain.json")).unwrap();
        assert_eq!(shipped, all);
        assert!(Explanations::from_json("{}")
            .unwrap_err()
            .contains("missing field `replies`"));
    }

    /// Every reply every personality can send is explained in the shipped
    /// document the page loads, with an RFC 5321 section, and the address
    /// it echoes is put in.
    #[test]
    fn every_reply_of_every_personality_is_explained() {
        let shipped: Explanations =
            serde_json::from_str(include_str!("../../www/explain.json")).unwrap();
        for personality in crate::personality::ALL {
            for (key, _) in personality
                .replies
                .iter()
                .chain(personality.reply_overrides)
            {
                let explained = shipped
                    .reply(*key, Some("<mom@example.com>"))
                    .unwrap_or_else(|| panic!("{}: {key:?} is not explained", personality.id));
                assert!(explained.why.len() > 20, "{key:?}");
                assert!(!explained.why.contains("{echo}"), "{key:?}");
                assert!(
                    explained
                        .section
                        .split('.')
                        .all(|p| p.parse::<u32>().is_ok()),
                    "{key:?}: section {}",
                    explained.section
                );
            }
        }
    }

    #[test]
    fn the_shipped_document_is_current() {
        // The browser's copy; `smtplab explanations > www/explain.json`
        // writes it again after a change here.
        let shipped = include_str!("../../www/explain.json");
        assert_eq!(
            shipped,
            document().to_json() + "\n",
            "www/explain.json is out of date: run `cargo run -p smtplab -- explanations > www/explain.json`"
        );
    }
}
