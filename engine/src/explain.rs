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
    /// The RFC 5321 section that covers it, or `RFC:section` of another
    /// RFC (`4954:4`: SMTP AUTH).
    pub section: &'static str,
}

const fn e(why: &'static str, section: &'static str) -> Explanation {
    Explanation { why, section }
}

pub fn explain_reply(key: ReplyKey) -> Explanation {
    use ReplyKey::*;
    match key {
        Greeting => e("The server is ready. The greeting names the server and says it speaks ESMTP; Sendmail and Exim add their version and the date, Postfix only its name.", "4.2"),
        GreetingRefused => e("You typed before the server greeted you. Debian's Sendmail waits a second (greet_pause) to catch programs that talk without listening, and now refuses everything except QUIT.", "3.1"),
        Hello => e("The server accepts your greeting. Sendmail names you from your address (the reverse DNS lookup), not from what you typed after HELO, and so does Exim, adding your address in brackets; Postfix just gives its own name. After EHLO, the lines that follow list the extensions the server supports.", "4.1.1.1"),
        HelloNeedsDomain => e("HELO and EHLO need your host name after them, for example: HELO myclient.example.", "4.1.1.1"),
        InvalidDomain => e("What followed HELO/EHLO is not a valid host name: only letters, digits, dots, dashes (and for Sendmail a few other characters) are allowed, with no spaces inside, or an IP address in brackets. Exim also refuses a HELO with nothing after it this way, and counts it as an error.", "4.1.1.1"),
        ProtocolError => e("You sent more commands before the server had answered one you had to wait for: together with EHLO before PIPELINING was offered (Sendmail then rejects the rest of the session), or, with Exim, behind a command that must end a pipelined group (HELO, EHLO, DATA, NOOP, VRFY ...; MAIL and RCPT too when you said HELO, not EHLO). Exim hangs up.", "3.3"),
        CommandRejected => e("The server has stopped accepting commands in this session (you talked before the greeting or pipelined too early). Only QUIT, RSET, NOOP, HELO and EHLO are still answered.", "3.1"),
        SenderOk => e("The server accepts {echo} as the sender (the envelope return path, where bounces would go). It does not check that you own that address.", "4.1.1.2"),
        RecipientOk => e("{echo} is a mailbox on this server, so the server takes mail for it.", "4.1.1.3"),
        SenderAlreadySpecified => e("A transaction has one sender. Send RSET to start over, or finish this message first.", "4.1.4"),
        PoliteHelo => e("This server wants HELO or EHLO before MAIL (Sendmail's needmailhelo option, Exim's hosts_require_helo).", "4.1.4"),
        NeedMailBeforeRcpt => e("You sent RCPT before MAIL. A transaction starts with MAIL FROM, then one or more RCPT TO, then DATA.", "4.1.4"),
        NeedMailCommand => e("You sent DATA before MAIL. Start the transaction with MAIL FROM first.", "4.1.4"),
        NeedRcpt => e("You sent DATA but no recipient has been accepted yet. Add at least one RCPT TO that the server accepts. Exim counts this as a protocol error; when every RCPT was refused the same way, it repeats that refusal first.", "4.1.4"),
        StartData => e("Type the message now: headers (Subject:, From:, To: ...), a blank line, the body, and a line with only a dot to end it.", "4.1.1.4"),
        MessageAccepted => e("The server has taken responsibility for the message and gives you its queue id (Exim calls it the message id). The message is now delivered to the recipients' mailboxes (see /var/mail).", "4.1.1.4"),
        ResetState => e("RSET forgets the current sender, recipients and message; the connection and your HELO stay.", "4.1.1.5"),
        Ok => e("NOOP does nothing; the server just says it is still there.", "4.1.1.9"),
        Closing => e("The server says goodbye and closes the connection, as QUIT asks.", "4.1.1.10"),
        UserUnknown => e("{echo} is in one of this server's domains, but no such user or alias exists here. Exim says the address cannot be routed: none of its routers (aliases, local users) takes it.", "4.1.1.3"),
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
        UnknownCommand => e("The server does not know this command. Check the spelling; SMTP commands are HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, EXPN, HELP. Exim recognises MAIL FROM: and RCPT TO: only as written, colon included, so MAIL FROM without the colon is unknown to it; it allows three unknown commands.", "4.2.4"),
        NotImplemented => e("This is an old command from RFC 821 that this server recognises but does not implement.", "4.2.4"),
        TooManyBadCommands => e("Too many unknown commands (Exim allows three, Sendmail 25): the server assumes something is wrong and closes the connection.", "4.2.4"),
        CommandTooLong => e("The command line is longer than the server's limit (2048 bytes), which it treats as an attack, and it closes the connection.", "4.5.3.1.4"),
        OpenProxy => e("The first thing you sent looks like an HTTP or proxy request, not SMTP, so the server closes the connection.", "3.1"),
        LostInput => e("The client went away without QUIT.", "3.8"),
        Timeout => e("You said nothing for too long: the server gives up waiting (Sendmail waits an hour, Postfix and Exim five minutes).", "4.5.3.2"),
        VerifiedLocal => e("VRFY/EXPN: the server confirms the address and shows the user's full name and mailbox. Many servers switch this off because it helps spammers guess addresses.", "3.5"),
        CannotVerify => e("The address is not on this server, so it cannot verify it; it would try to deliver it (if it relayed for you).", "3.5.3"),
        ArgumentRequired => e("VRFY and EXPN need a user name or address after them.", "3.5"),
        IntroduceYourself => e("This server wants HELO or EHLO before VRFY or EXPN (Sendmail's needvrfyhelo and needexpnhelo options).", "3.5"),
        ExpnUnavailable => e("This server does not allow EXPN, to keep its lists private (Exim refuses it unless an ACL allows it, and Debian defines none).", "3.5"),
        VerbUnavailable => e("This server does not allow VERB.", "4.2.4"),
        Help => e("The server's own help text; Exim only lists the commands it supports.", "4.1.1.8"),
        HelpUnknown => e("There is no help topic with that name. HELP alone lists the topics.", "4.1.1.8"),
        VerboseMode => e("VERB is a Sendmail extension that shows delivery details; the server says it is on.", "4.2.4"),
        EtrnStarted => e("ETRN asks the server to try delivering the mail it holds for that host now.", "4.2.4"),
        EtrnParameterRequired => e("ETRN needs a host name or @domain after it.", "4.2.4"),
        AuthMechanismRequired => e("AUTH needs a mechanism name, one of those the EHLO reply listed after AUTH: AUTH PLAIN or AUTH LOGIN.", "4954:4"),
        AuthInitialCannotDecode => e("What follows the mechanism name (the initial response) must be base64. For PLAIN it is base64 of NUL, user, NUL, password: printf '\\0mom\\0mom-password' | base64.", "4954:4"),
        AuthSucceeded => e("You are logged in. From now on the server knows who sends, and lets you send to other domains (relay) as well as to its own users.", "4954:6"),
        AuthTemporaryFailure => e("Postfix waited too long for Dovecot, which checks the passwords: after failed logins Dovecot makes the same address wait longer each time (2, 4, 8 then 15 seconds), and Postfix gives up after 10. Wait and try again with the right password.", "4954:6"),
        AuthRequired => e("This port (submission) takes mail only from a logged-in user: AUTH first, then MAIL.", "4954:6"),
        TlsRequired => e("This port needs encryption first: send STARTTLS, let the client do the TLS handshake (openssl s_client -starttls smtp does it for you), then EHLO again. Only EHLO, HELO, STARTTLS, NOOP and QUIT work before.", "3207:4"),
        RecipientAccessDenied => e("Postfix's submission port sends mail only for logged-in users, to any address: log in with AUTH first. Without it every recipient, local or not, is refused.", "4954:6"),
        AuthMechanismUnavailable => e("The server does not offer that authentication mechanism; EHLO lists the ones it does (after TLS, on a submission port).", "4954:4"),
        AuthChallenge => e("The server waits for your next answer, in base64 (or * to give up). With LOGIN, VXNlcm5hbWU6 is base64 for Username: and UGFzc3dvcmQ6 for Password:; with PLAIN an empty 334 asks for the whole answer.", "4954:4"),
        AuthAborted => e("You answered the challenge with *, which cancels the authentication.", "4954:4"),
        AuthCannotDecode => e("The answer to the challenge must be base64; this one is not.", "4954:4"),
        AuthFailed => e("The user name or password is wrong. Check the base64: echo without -n adds a newline, which becomes part of the name (bW9tCg== is mom and a newline); use echo -n or printf.", "4954:6"),
        AuthAlreadyDone => e("You are already authenticated in this session; AUTH works once.", "4954:4"),
        AuthInTransaction => e("AUTH must come before MAIL, not in the middle of a transaction.", "4954:4"),
        TlsNotAvailable => e("This server cannot start TLS here. Exim allows STARTTLS only after an EHLO whose reply offered it.", "4.2.4"),
        TlsNotAvailableAfterStart => e("STARTTLS was asked for, but the server has no certificate configured, so TLS is not available.", "4.2.4"),
        TlsReady => e("The server is ready to encrypt (Exim says: go ahead): the client now starts a TLS handshake, and the session continues encrypted.", "4.2.4"),
        TlsNoParameters => e("STARTTLS takes no argument.", "4.1.2"),
        TlsInTransaction => e("STARTTLS must come before MAIL.", "4.1.4"),
        SizeExceedsLimit => e("The SIZE you declared is larger than this server's message size limit, so it refuses before you send the message.", "4.5.3.1"),
        InsufficientDiskSpace => e("The SIZE you declared is more than the server has room for now; try again later (a temporary failure).", "4.5.3.1.10"),
        UnknownBodyType => e("BODY= takes 7BIT or 8BITMIME. Exim counts this as a syntax error.", "4.1.2"),
        ParameterUnrecognized => e("The server does not know that MAIL/RCPT parameter; EHLO lists the extensions it supports.", "4.1.2"),
        BadNotify => e("NOTIFY= takes NEVER, or a comma-separated list of SUCCESS, FAILURE and DELAY.", "4.1.2"),
        MessageTooBig => e("The message is larger than this server's size limit, so it is refused.", "4.5.3.1.10"),
        BareLinefeed => e("A line in the message ended with LF alone instead of CR LF. This server refuses that (it protects against SMTP smuggling) and drops the connection.", "2.3.8"),
        TooManyRecipients => e("The message has more recipients than the server takes at once; send the rest in another transaction.", "4.5.3.1.8"),
        TooManySessions => e("The server is busy with too many connections; try again later.", "4.2"),
        ParameterNeedsValue => e("This MAIL/RCPT parameter needs a value after =.", "4.1.2"),
        BadRetArgument => e("RET= takes FULL or HDRS.", "4.1.2"),
        DuplicateParameter => e("That parameter was given twice.", "4.1.2"),
        ParameterSyntax => e("The parameter's value has characters that are not allowed (it must be xtext, where + is followed by two hex digits).", "4.1.2"),
        AuthNotEnabled => e("This server offers no authentication here (its EHLO reply lists no AUTH): Debian's Postfix and Exim have none until the administrator sets it up. Exim counts each AUTH as a protocol error.", "4.2.4"),
        BadSyntax => e("The line was empty (or only spaces): there is no command to answer. Postfix counts it as an error.", "4.1.1"),
        BadUtf8 => e("The line has bytes that are not valid UTF-8. A server that offers SMTPUTF8 protects itself by refusing such lines.", "2.4"),
        BreakRules => e("What you sent is not SMTP: a web request (GET, POST, CONNECT), a header typed as a command, or a line that does not start with a letter (as when a message is sent without DATA). Postfix takes it as an attack and hangs up.", "4.2.4"),
        MailSyntax => e("MAIL needs FROM: right after it, then the address, for example: MAIL FROM:<you@example.com>. Postfix insists on the colon; Exim says the address is missing.", "4.1.1.2"),
        RcptSyntax => e("RCPT needs TO: right after it, then the address, for example: RCPT TO:<mom@example.com>. Exim says the address is missing.", "4.1.1.3"),
        BadSenderSyntax => e("The server cannot find one well-formed sender address here: a < without >, two addresses, a space inside, or no domain after the @.", "4.1.2"),
        BadRecipientSyntax => e("The server cannot find one well-formed recipient address here. A recipient cannot be empty (<>), and needs a valid domain after any @.", "4.1.2"),
        VrfySyntax => e("VRFY needs a user name or address after it, one the server can read (Exim says what is wrong with it).", "3.5.3"),
        BadSizeSyntax => e("SIZE= takes a number of bytes, digits only.", "4.1.2"),
        SizeOverflow => e("The SIZE you declared is larger than any file this server could store.", "4.5.3.1"),
        BadEnvid => e("ENVID= must be xtext (printable characters, with + and = written as +2B and +3D) and given once.", "4.1.2"),
        BadOrcpt => e("ORCPT= takes an address type, a semicolon and the address as xtext, for example ORCPT=rfc822;mom@example.com, given once.", "4.1.2"),
        DataSyntax => e("DATA takes no argument: type DATA alone, then the message after the 354 reply.", "4.1.1.4"),
        RsetSyntax => e("RSET takes no argument.", "4.1.1.5"),
        EtrnInvalid => e("ETRN takes a host name, @domain or #queue; this is none of those.", "4.2.4"),
        EtrnInTransaction => e("ETRN cannot be used in the middle of a transaction; finish it or send RSET first.", "4.1.4"),
        EtrnRefused => e("The server will not run its queue for you: Postfix's fast flush service serves only the domains it relays for, and Exim allows ETRN only where an ACL says so (Debian defines none).", "4.2.4"),
        TlsAlreadyActive => e("The connection is already encrypted; STARTTLS can be used only once.", "4.2.4"),
        BdatSyntax => e("BDAT takes the chunk's size in bytes, and LAST on the final chunk: BDAT 120 LAST. The bytes follow the command line directly.", "4.1.1.4"),
        BdatNull => e("A BDAT chunk of 0 bytes is allowed only as the LAST one.", "4.1.1.4"),
        BdatDiscarded => e("An earlier chunk of this message was refused, so the server reads and throws away the rest until the transaction ends.", "4.1.1.4"),
        ChunkTooBig => e("The message, with this chunk, would be larger than the server's size limit.", "4.5.3.1.10"),
        ChunkAccepted => e("The server has this chunk of the message; send the next one with BDAT, the last one with BDAT n LAST.", "4.1.1.4"),
        ChunkedMessageAccepted => e("The last chunk has arrived: the server has the whole message, tells you its size, and has queued it for delivery.", "4.1.1.4"),
        RestrictedCharacters => e("The recipient's local part has a character Debian's Exim refuses there (@ % ! / | ` # & ? or a leading dot): these were once used to route mail through a server, and still are in attacks.", "3.6"),
        TooManyBadRecipients => e("More than ten recipients were tried in this transaction and most were refused, so Debian's Exim refuses the rest: that looks like guessing addresses.", "3.3"),
        TooManySyntaxErrors => e("Exim counts syntax and protocol errors; after three, the fourth ends the session. The line before says what was wrong this time.", "4.2.4"),
        TooManyNonmail => e("Exim allows ten commands outside a mail transaction (NOOP, VRFY, HELP, a second HELO ...) in one session; the eleventh ends it.", "4.2.4"),
        AddressSyntax => e("Exim could not read an address in what you typed; the text after the colon is its parser's own description of the problem (a missing >, a missing domain, something after the address ...).", "4.1.2"),
        SenderNeedsDomain => e("The sender must be a full address with a domain (user@example.com); Exim qualifies bare names only for its own machine's programs.", "4.1.1.2"),
        RecipientNeedsDomain => e("The recipient must be a full address with a domain (mom@example.com); only postmaster may be given alone.", "4.1.1.3"),
        VrfyProhibited => e("VRFY is refused: Exim answers it only where an ACL allows it, and Debian defines none. The code is 252, so a client may still try to send.", "3.5.3"),
        UnexpectedArgument => e("This command takes nothing after it (DATA, QUIT and STARTTLS stand alone). Exim counts this as a syntax error.", "4.1.1"),
        NulCharacter => e("The line contains a NUL byte, which no SMTP command may contain. Exim counts this as a syntax error.", "2.3.8"),
        Utf8NotAdvertised => e("SMTPUTF8 asks for internationalised addresses, but this server did not offer the extension in its EHLO reply.", "4.1.2"),
        LineTooLong => e("A line of the message is longer than 998 characters, the limit of RFC 5322; Debian's Exim refuses the message.", "4.5.3.1.6"),
        HeaderSyntax => e("An address header of the message (From:, To:, Cc:, Reply-To:, Sender:, Bcc:) has an address Exim cannot read, or one without a domain; Debian's Exim refuses such messages.", "4.1.1.4"),
        NeedRcptPipelined => e("No recipient was accepted, so there is nothing to send the message to. The capital V is Exim's sign that it took DATA to be pipelined after refused RCPTs, and did not count it as an error.", "4.1.4"),
        ChunkingNotAdvertised => e("BDAT is for servers that offered CHUNKING in their EHLO reply; say EHLO first.", "4.1.1.4"),
        DataTimeout => e("The message stopped arriving before its final dot, and the server gave up waiting (five minutes for Exim); the message is thrown away.", "4.5.3.2"),
        PrdrStart => e("You asked for PRDR on MAIL and gave more than one recipient: before the final answer, Exim now answers for each recipient in turn (Per-Recipient Data Response, an Internet-Draft).", "4.2"),
        PrdrRecipient => e("PRDR: the message is accepted for this recipient; one line per recipient, in the order of the RCPT commands.", "4.2"),
        PrdrMessageAccepted => e("PRDR's final answer: the message, with its id, for the recipients that accepted it.", "4.1.1.4"),
        OnlyRsetNow => e("After a broken chunked transfer Exim answers only RSET (or QUIT) until the client starts over.", "4.1.1.4"),
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

/// POP3 and IMAP: what a status, a response code or an untagged reply
/// means, filed under a key ([`mail_keys`] finds the keys of a line): the
/// protocol, then the status (`+OK`, `OK`), the code (`[TRYCREATE]`) or
/// the reply (`EXISTS`). With the RFC and section that define it.
const MAIL_REPLIES: &[(&str, &str, &str, &str)] = &[
    ("pop3 +OK", "+OK: the command worked. A greeting, a login, or the answer to STAT, LIST, RETR... Some answers go on over several lines and end with a line holding only a dot.", "1939", "3"),
    ("pop3 -ERR", "-ERR: the command failed (a wrong password, a message number that does not exist, a command the server does not know). The text says why.", "1939", "3"),
    ("pop3 +", "The server waits for the next step of the login you started with AUTH: send the base64 answer (for PLAIN: your user name and password, each after a NUL byte), or * to give up.", "5034", "4"),
    ("pop3 .", "A line with only a dot ends a multi-line answer (the message of RETR, the list of LIST). A line of the message that starts with a dot gets a second dot, which the client removes.", "1939", "3"),
    ("pop3 data", "A line of a multi-line answer: a message (RETR, TOP) or one entry of a list (LIST, UIDL, CAPA).", "1939", "3"),
    ("pop3 [AUTH]", "[AUTH]: the login itself failed (wrong user or password, or a plaintext login refused), not the server.", "3206", "4"),
    ("pop3 [IN-USE]", "[IN-USE]: someone else has this mailbox open (another POP3 session holds the lock); try again later.", "2449", "8.1.1"),
    ("pop3 [SYS/TEMP]", "[SYS/TEMP]: a temporary problem on the server, not your fault; try again later.", "3206", "4"),
    ("pop3 [SYS/PERM]", "[SYS/PERM]: a lasting problem on the server; trying again will not help.", "3206", "4"),
    ("imap OK", "A tagged OK: the command with this tag is done and it worked. Everything the server sent before it with * belongs to it.", "3501", "7.1.1"),
    ("imap NO", "A tagged NO: the command was understood but could not be done (a wrong password, a mailbox that does not exist).", "3501", "7.1.2"),
    ("imap BAD", "A tagged BAD: the server did not understand the command (unknown, wrong arguments, or not allowed in this state, such as FETCH before SELECT).", "3501", "7.1.3"),
    ("imap * OK", "An untagged OK: information from the server, not the end of a command; the code in brackets says what it is about.", "3501", "7.1.1"),
    ("imap * NO", "An untagged NO: a warning from the server.", "3501", "7.1.2"),
    ("imap * BAD", "An untagged BAD: the server could not even find a tag in what you sent (an empty or malformed line).", "3501", "7.1.3"),
    ("imap BYE", "BYE: the server is closing the connection: after LOGOUT, after too many errors, or when it gives up.", "3501", "7.1.5"),
    ("imap +", "A continuation: the server waits for more from you: the bytes of a literal {N} you announced, the answer to AUTHENTICATE, or DONE to end IDLE.", "3501", "7.5"),
    ("imap CAPABILITY", "The extensions this server speaks. Before login Dovecot lists only what login needs; once you are logged in it lists more.", "3501", "7.2.1"),
    ("imap FLAGS", "The flags messages in this mailbox can have: the system flags (\\Seen, \\Deleted ...) and the keywords already used here.", "3501", "7.2.6"),
    ("imap EXISTS", "How many messages the mailbox holds now. Sent at SELECT, and again when new mail arrives.", "3501", "7.3.1"),
    ("imap RECENT", "How many messages are new to this session (\\Recent): no other session has seen them arrive.", "3501", "7.3.2"),
    ("imap EXPUNGE", "The message with this number is gone for good (EXPUNGE, CLOSE, or MOVE removed it); the messages after it move up by one.", "3501", "7.4.1"),
    ("imap FETCH", "Data about one message, the number after * being its sequence number: the items you asked for (FLAGS, UID, BODY[] ...), or its new flags after STORE. Asking for BODY[] sets \\Seen; BODY.PEEK[] does not.", "3501", "7.4.2"),
    ("imap SEARCH", "The numbers of the messages that match (UIDs after UID SEARCH). Nothing after SEARCH means none matched.", "3501", "7.2.5"),
    ("imap SORT", "The numbers of the messages that match, in the order asked for (UIDs after UID SORT).", "5256", "4"),
    ("imap THREAD", "The matching messages as threads: (1 2) is a message and its reply, (3 (4)(5)) one with two replies.", "5256", "4"),
    ("imap LIST", "One mailbox: its attributes (\\HasNoChildren, \\Noselect ...), the hierarchy separator, and its name.", "3501", "7.2.2"),
    ("imap LSUB", "One mailbox you subscribed to.", "3501", "7.2.3"),
    ("imap STATUS", "The counters of a mailbox you asked about, without selecting it.", "3501", "7.2.4"),
    ("imap ENABLED", "The extensions the server turned on for this session.", "5161", "3.2"),
    ("imap ID", "The server says who it is (the ID extension).", "2971", "3.1"),
    ("imap NAMESPACE", "Where the mailboxes live: here all are personal, with / between levels.", "2342", "5"),
    ("imap data", "A line of data inside the answer: the text of a message (a literal {N} announces its size in bytes), sent as the server stores it.", "3501", "4.3"),
    ("imap [ALERT]", "[ALERT]: a warning the client must show to the person. Here Dovecot scolds you for sending a password in clear text.", "3501", "7.1"),
    ("imap [CAPABILITY", "[CAPABILITY ...]: the capability list, given inside the reply so the client need not ask for it.", "3501", "7.1"),
    ("imap [PERMANENTFLAGS", "[PERMANENTFLAGS]: the flags you can change for good; \\* means you may make up new keywords. () means none: the mailbox is read-only.", "3501", "7.1"),
    ("imap [UIDVALIDITY", "[UIDVALIDITY n]: the UIDs of this mailbox are valid with this number. Dovecot takes it from the time it first indexed the mailbox; if it ever changes, clients forget the UIDs they knew.", "3501", "2.3.1.1"),
    ("imap [UIDNEXT", "[UIDNEXT n]: the UID the next message will get.", "3501", "2.3.1.1"),
    ("imap [UNSEEN", "[UNSEEN n]: the first message without \\Seen.", "3501", "7.1"),
    ("imap [READ-WRITE]", "[READ-WRITE]: the mailbox is selected and you may change it (flags, expunge).", "3501", "7.1"),
    ("imap [READ-ONLY]", "[READ-ONLY]: the mailbox is open for reading only (EXAMINE): nothing you do changes it, and reading does not set \\Seen.", "3501", "7.1"),
    ("imap [BADCHARSET", "[BADCHARSET (...)]: the server cannot search text in the charset you named; the list in parentheses says which it can.", "3501", "7.1"),
    ("imap [TRYCREATE]", "[TRYCREATE]: the target mailbox does not exist; CREATE it, then try again.", "3501", "7.1"),
    ("imap [HIGHESTMODSEQ", "[HIGHESTMODSEQ n]: the mod-sequence of the latest change to the mailbox (CONDSTORE); a client that keeps it asks later for what changed since (FETCH ... (CHANGEDSINCE n)).", "7162", "3.1.2.1"),
    ("imap [BADEVENT", "[BADEVENT ...]: NOTIFY was asked for events this server does not watch (Dovecot has no annotations or metadata to report); nothing was changed.", "5465", "5.3"),
    ("imap [NOTIFICATIONOVERFLOW]", "[NOTIFICATIONOVERFLOW]: NOTIFY named more mailboxes than the server will watch at once (Dovecot: 100 per filter); watch a subtree or personal instead.", "5465", "5.8"),
    ("imap [BADURL", "[BADURL url]: a URL that CATENATE was to copy a part from could not be used (no such mailbox, UIDVALIDITY or message); nothing was saved.", "4469", "6"),
    ("imap [APPENDUID", "[APPENDUID validity uid]: the UID the saved message got (UIDPLUS).", "4315", "3"),
    ("imap [COPYUID", "[COPYUID validity old new]: the UIDs the copies got in the target mailbox (UIDPLUS).", "4315", "3"),
    ("imap [AUTHENTICATIONFAILED]", "[AUTHENTICATIONFAILED]: wrong user name or password. Dovecot waits a moment before saying so, to slow down guessing.", "5530", "3"),
    ("imap [PRIVACYREQUIRED]", "[PRIVACYREQUIRED]: this server takes passwords only over an encrypted connection (STARTTLS first); Debian's Dovecot is set up so.", "5530", "3"),
    ("imap [CANNOT]", "[CANNOT]: the server cannot do this, however often you try. Dovecot keeps each mailbox in one mbox file, and a file cannot hold other mailboxes: create a directory (CREATE name/) for them.", "5530", "3"),
    ("imap [CLIENTBUG]", "[CLIENTBUG]: the server did it, but says the client should not have asked that way (STATUS on the mailbox already selected).", "5530", "3"),
];

/// POP3 and IMAP commands: key (protocol and command), syntax, what it
/// does, RFC and section.
const MAIL_COMMANDS: &[(&str, &str, &str, &str, &str)] = &[
    ("pop3 USER", "USER name", "Gives your user name; PASS follows.", "1939", "7"),
    ("pop3 PASS", "PASS password", "Gives your password, in clear text. Then the server opens your mailbox.", "1939", "7"),
    ("pop3 AUTH", "AUTH PLAIN [base64]", "Logs in with SASL; PLAIN sends the user name and password in base64 (not encrypted).", "5034", "4"),
    ("pop3 CAPA", "CAPA", "Lists what this server can do.", "2449", "5"),
    ("pop3 STLS", "STLS", "Asks to switch to an encrypted connection.", "2595", "4"),
    ("pop3 STAT", "STAT", "How many messages, and their total size in bytes.", "1939", "5"),
    ("pop3 LIST", "LIST [n]", "The size of each message (or of message n).", "1939", "5"),
    ("pop3 UIDL", "UIDL [n]", "A unique id for each message, which stays the same across sessions.", "1939", "7"),
    ("pop3 RETR", "RETR n", "Sends message n whole.", "1939", "5"),
    ("pop3 TOP", "TOP n lines", "Sends the header of message n and its first lines.", "1939", "7"),
    ("pop3 DELE", "DELE n", "Marks message n for deletion; it goes when you QUIT.", "1939", "5"),
    ("pop3 RSET", "RSET", "Takes back every DELE of this session.", "1939", "5"),
    ("pop3 NOOP", "NOOP", "Does nothing; checks the connection.", "1939", "5"),
    ("pop3 QUIT", "QUIT", "Ends the session: messages marked with DELE are deleted now, and the mailbox file is rewritten.", "1939", "6"),
    ("pop3 ", "", "Not a POP3 command this server knows.", "1939", "3"),
    ("imap CAPABILITY", "tag CAPABILITY", "Asks what the server can do.", "3501", "6.1.1"),
    ("imap NOOP", "tag NOOP", "Does nothing, but lets the server tell you about new mail.", "3501", "6.1.2"),
    ("imap LOGOUT", "tag LOGOUT", "Ends the session; the server writes what changed into the mailbox file.", "3501", "6.1.3"),
    ("imap STARTTLS", "tag STARTTLS", "Asks to switch to an encrypted connection.", "3501", "6.2.1"),
    ("imap AUTHENTICATE", "tag AUTHENTICATE PLAIN [base64]", "Logs in with SASL.", "3501", "6.2.2"),
    ("imap LOGIN", "tag LOGIN user password", "Logs in with a user name and password in clear text.", "3501", "6.2.3"),
    ("imap SELECT", "tag SELECT mailbox", "Opens a mailbox to read and change it (INBOX is /var/mail/USER).", "3501", "6.3.1"),
    ("imap EXAMINE", "tag EXAMINE mailbox", "Opens a mailbox read-only.", "3501", "6.3.2"),
    ("imap CREATE", "tag CREATE name", "Creates a mailbox (a file in ~/mail).", "3501", "6.3.3"),
    ("imap DELETE", "tag DELETE name", "Deletes a mailbox.", "3501", "6.3.4"),
    ("imap RENAME", "tag RENAME old new", "Renames a mailbox.", "3501", "6.3.5"),
    ("imap SUBSCRIBE", "tag SUBSCRIBE name", "Adds a mailbox to the ones LSUB lists.", "3501", "6.3.6"),
    ("imap UNSUBSCRIBE", "tag UNSUBSCRIBE name", "Takes a mailbox off the list LSUB shows.", "3501", "6.3.7"),
    ("imap LIST", "tag LIST reference pattern", "Lists mailboxes: * matches anything, % anything but the separator.", "3501", "6.3.8"),
    ("imap LSUB", "tag LSUB reference pattern", "Lists the subscribed mailboxes.", "3501", "6.3.9"),
    ("imap STATUS", "tag STATUS mailbox (MESSAGES UNSEEN UIDNEXT ...)", "Counters of a mailbox without selecting it.", "3501", "6.3.10"),
    ("imap APPEND", "tag APPEND mailbox [(flags)] [date] {size}", "Saves a message into a mailbox; the message follows as a literal of size bytes.", "3501", "6.3.11"),
    ("imap CHECK", "tag CHECK", "Asks the server to save its state now.", "3501", "6.4.1"),
    ("imap CLOSE", "tag CLOSE", "Closes the mailbox, removing the messages flagged \\Deleted, silently.", "3501", "6.4.2"),
    ("imap UNSELECT", "tag UNSELECT", "Closes the mailbox without removing anything.", "3691", "2"),
    ("imap EXPUNGE", "tag EXPUNGE", "Removes the messages flagged \\Deleted, and reports each.", "3501", "6.4.3"),
    ("imap SEARCH", "tag SEARCH criteria", "Finds messages: ALL, UNSEEN, FROM text, SUBJECT text, SINCE date ...", "3501", "6.4.4"),
    ("imap THREAD", "tag THREAD ORDEREDSUBJECT charset search", "Finds messages and groups them into threads: ORDEREDSUBJECT groups by base subject, the earliest message first.", "5256", "3"),
    ("imap SORT", "tag SORT (criteria) charset search", "Finds messages and sorts them: ARRIVAL, DATE, FROM, SIZE, SUBJECT (its base, without Re: and Fwd:), TO, CC, DISPLAYFROM, DISPLAYTO; REVERSE before a key reverses it.", "5256", "3"),
    ("imap FETCH", "tag FETCH set items", "Reads messages: FLAGS, UID, RFC822.SIZE, ENVELOPE, BODY[], BODY.PEEK[HEADER] ... A set is 1, 1:3 or 1:* (all).", "3501", "6.4.5"),
    ("imap STORE", "tag STORE set +FLAGS (\\Seen)", "Changes flags: FLAGS replaces, +FLAGS adds, -FLAGS removes; .SILENT skips the answer.", "3501", "6.4.6"),
    ("imap COPY", "tag COPY set mailbox", "Copies messages into another mailbox.", "3501", "6.4.7"),
    ("imap MOVE", "tag MOVE set mailbox", "Moves messages into another mailbox.", "6851", "3.1"),
    ("imap UID", "tag UID FETCH|STORE|SEARCH|COPY|MOVE ...", "The same command with UIDs instead of sequence numbers.", "3501", "6.4.8"),
    ("imap IDLE", "tag IDLE ... DONE", "Waits for the server to announce new mail; DONE ends the wait.", "2177", "3"),
    ("imap ID", "tag ID NIL", "Asks the server who it is.", "2971", "3.1"),
    ("imap ENABLE", "tag ENABLE extension", "Turns on an extension for this session.", "5161", "3.1"),
    ("imap NAMESPACE", "tag NAMESPACE", "Asks where mailboxes live.", "2342", "5"),
    ("imap NOTIFY", "tag NOTIFY SET [STATUS] (filter (events)) ... | tag NOTIFY NONE", "Asks to be told of changes as they happen, without asking again: new mail, expunges and flag changes in other mailboxes (as STATUS), mailboxes created, renamed or deleted (as LIST). The filter says which mailboxes: selected, personal, subscribed, subtree names, mailboxes names; STATUS first tells each as it is now.", "5465", "3"),
    ("imap CANCELUPDATE", "tag CANCELUPDATE \"tag\"", "Stops the updates of a search kept up to date (SEARCH RETURN (UPDATE)): the ADDTO and REMOVEFROM lines tagged so.", "5267", "4.3"),
    ("imap ", "", "Not an IMAP command this server knows. An IMAP command starts with a tag of your choosing, then the command: a1 LOGIN mom mom.", "3501", "6"),
];

/// The keys of [`MAIL_REPLIES`] a server line of `protocol` (`pop3` or
/// `imap`) is explained by: its status, then its response code.
pub fn mail_keys(protocol: &str, line: &str) -> Vec<String> {
    let mut words = line.split(' ');
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let key = |k: &str| format!("{protocol} {k}");
    let mut keys = Vec::new();
    if protocol == "pop3" {
        keys.push(match first {
            "+OK" | "-ERR" | "." => key(first),
            "+" => key("+"),
            _ => key("data"),
        });
    } else {
        let upper = second.to_ascii_uppercase();
        keys.push(match (first, upper.as_str()) {
            ("+", _) => key("+"),
            ("*", "OK" | "NO" | "BAD") => key(&format!("* {upper}")),
            ("*", "BYE") => key("BYE"),
            ("*", _) if upper.bytes().all(|b| b.is_ascii_digit()) && !upper.is_empty() => {
                key(&words.next().unwrap_or("").to_ascii_uppercase())
            }
            ("*", _) => key(&upper),
            (_, "OK" | "NO" | "BAD") => key(&upper),
            _ => key("data"),
        });
    }
    // A response code comes right after the status word.
    let status = [
        "+OK", "-ERR", "OK", "NO", "BAD", "BYE", "* OK", "* NO", "* BAD",
    ]
    .iter()
    .any(|k| keys.first().is_some_and(|first| *first == key(k)));
    let after = if protocol == "pop3" { 1 } else { 2 };
    let code_word = line.split(' ').nth(after).unwrap_or("");
    if status && code_word.starts_with('[') {
        let code: String = code_word.chars().take_while(|&c| c != ']').collect();
        let closed = code_word.ends_with(']') || line.contains(&format!("{code}]"));
        let single = !line[line.find(&code).unwrap_or(0)..]
            .split(']')
            .next()
            .unwrap_or("")
            .contains(' ');
        keys.push(key(&if closed && single {
            format!("{code}]")
        } else {
            code
        }));
    }
    keys
}

/// The explanations as one JSON document, which the browser loads when
/// explain mode is first used: `replies` by reply name, `commands` by verb,
/// and the tables for reply classes and enhanced status codes (an empty key
/// is the entry for anything not listed). Natively it is built from the
/// tables here ([`document`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Document", into = "Document")]
pub struct Explanations {
    replies: Vec<ReplyEntry>,
    commands: Vec<CommandExplanation>,
    classes: Vec<TableEntry>,
    enhanced_classes: Vec<TableEntry>,
    enhanced_subjects: Vec<TableEntry>,
    enhanced_details: Vec<TableEntry>,
    /// POP3 and IMAP replies and commands, by key (`imap [TRYCREATE]`,
    /// `pop3 DELE`).
    mail_replies: Vec<MailExplanation>,
    mail_commands: Vec<MailExplanation>,
}

/// A POP3 or IMAP reply or command: its syntax (commands only), what it
/// means, and the RFC and section that define it. In the document, as
/// the other rows, a list of strings in this order: reading a list is
/// much less code in the page than reading an object's named fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailExplanation {
    pub key: String,
    pub syntax: String,
    pub what: String,
    pub rfc: String,
    pub section: String,
}

/// A reply's explanation, filed under the reply's name. (The tables are
/// lists rather than maps: they are small, and lists are less code in the
/// page.)
#[derive(Clone, Debug, PartialEq, Eq)]
struct ReplyEntry {
    name: String,
    why: String,
    section: String,
}

/// One row of a table: a key (`""` for anything not listed) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandExplanation {
    pub verb: String,
    pub syntax: String,
    pub what: String,
    pub section: String,
}

/// The document as the page reads it: the eight tables in the order of
/// [`Explanations`]' fields, each a list of rows, each row a list of
/// strings. One type for everything, so the page carries one reader
/// (named fields and a row type per table cost it 2 KB gzip).
type Document = [Vec<Vec<String>>; 8];

impl From<Document> for Explanations {
    fn from(tables: Document) -> Self {
        fn rows<T: From<Vec<String>>>(table: Vec<Vec<String>>) -> Vec<T> {
            table.into_iter().map(T::from).collect()
        }
        let [replies, commands, classes, enhanced_classes, enhanced_subjects, enhanced_details, mail_replies, mail_commands] =
            tables;
        Explanations {
            replies: rows(replies),
            commands: rows(commands),
            classes: rows(classes),
            enhanced_classes: rows(enhanced_classes),
            enhanced_subjects: rows(enhanced_subjects),
            enhanced_details: rows(enhanced_details),
            mail_replies: rows(mail_replies),
            mail_commands: rows(mail_commands),
        }
    }
}

impl From<Explanations> for Document {
    fn from(e: Explanations) -> Self {
        fn rows<T: Into<[String; N]>, const N: usize>(table: Vec<T>) -> Vec<Vec<String>> {
            table.into_iter().map(|row| row.into().to_vec()).collect()
        }
        [
            rows(e.replies),
            rows(e.commands),
            rows(e.classes),
            rows(e.enhanced_classes),
            rows(e.enhanced_subjects),
            rows(e.enhanced_details),
            rows(e.mail_replies),
            rows(e.mail_commands),
        ]
    }
}

/// A row of the document as `N` strings (a missing one empty). Every row
/// is read as the same type, `Vec<String>`, so the page carries one
/// reader for them all rather than one per row type.
fn row<const N: usize>(strings: Vec<String>) -> [String; N] {
    let mut strings = strings.into_iter();
    std::array::from_fn(|_| strings.next().unwrap_or_default())
}

impl From<Vec<String>> for MailExplanation {
    fn from(strings: Vec<String>) -> Self {
        row::<5>(strings).into()
    }
}

impl From<Vec<String>> for ReplyEntry {
    fn from(strings: Vec<String>) -> Self {
        row::<3>(strings).into()
    }
}

impl From<Vec<String>> for TableEntry {
    fn from(strings: Vec<String>) -> Self {
        row::<2>(strings).into()
    }
}

impl From<Vec<String>> for CommandExplanation {
    fn from(strings: Vec<String>) -> Self {
        row::<4>(strings).into()
    }
}

/// The rows of the document as lists of strings, field by field.
impl From<[String; 5]> for MailExplanation {
    fn from([key, syntax, what, rfc, section]: [String; 5]) -> Self {
        MailExplanation {
            key,
            syntax,
            what,
            rfc,
            section,
        }
    }
}

impl From<MailExplanation> for [String; 5] {
    fn from(e: MailExplanation) -> Self {
        [e.key, e.syntax, e.what, e.rfc, e.section]
    }
}

impl From<[String; 3]> for ReplyEntry {
    fn from([name, why, section]: [String; 3]) -> Self {
        ReplyEntry { name, why, section }
    }
}

impl From<ReplyEntry> for [String; 3] {
    fn from(e: ReplyEntry) -> Self {
        [e.name, e.why, e.section]
    }
}

impl From<[String; 2]> for TableEntry {
    fn from([key, text]: [String; 2]) -> Self {
        TableEntry { key, text }
    }
}

impl From<TableEntry> for [String; 2] {
    fn from(e: TableEntry) -> Self {
        [e.key, e.text]
    }
}

impl From<[String; 4]> for CommandExplanation {
    fn from([verb, syntax, what, section]: [String; 4]) -> Self {
        CommandExplanation {
            verb,
            syntax,
            what,
            section,
        }
    }
}

impl From<CommandExplanation> for [String; 4] {
    fn from(e: CommandExplanation) -> Self {
        [e.verb, e.syntax, e.what, e.section]
    }
}

impl Explanations {
    /// The explanations built into this program.
    pub fn built_in() -> Explanations {
        document()
    }

    /// Reads the texts the page downloads. They are this program's own
    /// output, not a file people write, so serde_json's plain errors do
    /// (the page is smaller without a field path for each type here).
    pub fn from_json(text: &str) -> Result<Explanations, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
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

    /// What a POP3 or IMAP server line means: an entry per key of
    /// [`mail_keys`] that has one.
    pub fn mail_reply(&self, protocol: &str, line: &str) -> Vec<&MailExplanation> {
        mail_keys(protocol, line)
            .iter()
            .filter_map(|key| self.mail_replies.iter().find(|e| e.key == *key))
            .collect()
    }

    /// A POP3 or IMAP command line (an IMAP one after its tag).
    pub fn mail_command(&self, protocol: &str, line: &str) -> Option<&MailExplanation> {
        let mut words = line.split_whitespace();
        if protocol == "imap" {
            words.next();
        }
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let find = |verb: &str| {
            let key = format!("{protocol} {verb}");
            self.mail_commands.iter().find(|c| c.key == key)
        };
        find(&verb).or_else(|| find(""))
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
        mail_replies: MAIL_REPLIES
            .iter()
            .map(|(key, what, rfc, section)| MailExplanation {
                key: key.to_string(),
                syntax: String::new(),
                what: what.to_string(),
                rfc: rfc.to_string(),
                section: section.to_string(),
            })
            .collect(),
        mail_commands: MAIL_COMMANDS
            .iter()
            .map(|(key, syntax, what, rfc, section)| MailExplanation {
                key: key.to_string(),
                syntax: syntax.to_string(),
                what: what.to_string(),
                rfc: rfc.to_string(),
                section: section.to_string(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One recorded POP3 or IMAP transcript, line by line: each server
    /// line with whether it is data (inside a multi-line answer or a
    /// literal, where only the data entry applies), and each client command
    /// line (not a literal's bytes or a SASL answer) with whether the
    /// server answered it as an unknown command.
    struct Recorded {
        server: Vec<(String, bool)>,
        commands: Vec<(String, bool)>,
    }

    /// `{N}` or `{N+}` at the end of a line: a literal of N bytes follows.
    fn literal_size(line: &str) -> usize {
        line.strip_suffix('}')
            .and_then(|l| l.rsplit_once('{'))
            .and_then(|(_, n)| n.trim_end_matches('+').parse().ok())
            .unwrap_or(0)
    }

    fn recorded(protocol: &str, text: &str) -> Recorded {
        let mut server = Vec::new();
        let mut commands: Vec<(String, bool)> = Vec::new();
        // POP3: commands waiting for their status line, in order.
        let mut waiting: std::collections::VecDeque<String> = Default::default();
        let (mut greeted, mut multi_line, mut sasl) = (false, false, false);
        // IMAP: bytes left of the server's and the client's literal, and
        // whether the line after one is the rest of its response.
        let (mut literal, mut client_literal, mut rest) = (0usize, 0usize, false);
        for line in text.lines() {
            if let Some(line) = line.strip_prefix("C: ") {
                // The driver writes a line that ended in a bare LF with `\n`.
                let line = line.strip_suffix("\\n").unwrap_or(line);
                if client_literal > 0 {
                    client_literal = client_literal.saturating_sub(line.len() + 2);
                    if client_literal == 0 {
                        client_literal = literal_size(line);
                    }
                } else if std::mem::take(&mut sasl) {
                    // The answer to a SASL challenge, not a command.
                } else {
                    commands.push((line.to_string(), false));
                    waiting.push_back(line.to_ascii_uppercase());
                    client_literal = literal_size(line);
                }
                continue;
            }
            let Some(line) = line.strip_prefix("S: ") else {
                continue;
            };
            if protocol == "pop3" {
                let data = multi_line && line != ".";
                if multi_line && line == "." {
                    multi_line = false;
                } else if !multi_line && (line.starts_with("+OK") || line.starts_with("-ERR")) {
                    if std::mem::replace(&mut greeted, true) {
                        let command = waiting.pop_front().unwrap_or_default();
                        let mut words = command.split_whitespace();
                        let verb = words.next().unwrap_or("");
                        let argument = words.next().is_some();
                        multi_line = line.starts_with("+OK")
                            && (matches!(verb, "RETR" | "TOP" | "CAPA")
                                || (matches!(verb, "LIST" | "UIDL" | "AUTH") && !argument));
                        if line.starts_with("-ERR Unknown command") {
                            if let Some(answered) = commands
                                .iter_mut()
                                .rev()
                                .find(|(c, _)| c.to_ascii_uppercase() == command)
                            {
                                answered.1 = true;
                            }
                        }
                    }
                } else if !multi_line && line.starts_with('+') {
                    sasl = true;
                }
                server.push((line.to_string(), data));
            } else {
                // A synchronizing literal the server refused is not sent.
                if !line.starts_with('+') {
                    client_literal = 0;
                }
                let data = literal > 0 || std::mem::take(&mut rest);
                if literal > 0 {
                    literal = literal.saturating_sub(line.len() + 2);
                    rest = literal == 0;
                }
                if literal == 0 {
                    literal = literal_size(line);
                    rest = rest && literal == 0;
                }
                if !data && line.starts_with("+ ") && client_literal == 0 {
                    sasl = commands
                        .last()
                        .is_some_and(|(c, _)| c.to_ascii_uppercase().contains(" AUTHENTICATE "));
                }
                // Logged in, Dovecot names the unknown command; before
                // login it says only that the command was not understood.
                if line.contains(": Unknown command")
                    || line.contains(" BAD Error in IMAP command received by server.")
                {
                    let tag = line.split(' ').next().unwrap_or("");
                    for command in commands.iter_mut() {
                        if command.0.split(' ').next() == Some(tag) {
                            command.1 = true;
                        }
                    }
                }
                server.push((line.to_string(), data));
            }
        }
        Recorded { server, commands }
    }

    /// Every POP3 and IMAP line the recordings show is explained by an
    /// entry of its own: a status or reply (and its response code) by
    /// theirs, data by the data entry only where it is data, a command by
    /// its verb's entry, and by the "not a command this server knows" one
    /// only where the server said so too (or the line is empty).
    #[test]
    fn every_recorded_pop3_and_imap_line_is_explained() {
        let all = Explanations::built_in();
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus/dovecot-2.3");
        let (mut seen, mut data, mut commands, mut unknown) = (0, 0, 0, 0);
        for mode in ["lab", "debian-default"] {
            for protocol in ["pop3", "imap"] {
                let folder = format!("{corpus}/{mode}/{protocol}");
                for entry in std::fs::read_dir(folder).unwrap() {
                    let path = entry.unwrap().path();
                    let text = std::fs::read_to_string(&path).unwrap();
                    let name = path.file_name().unwrap().to_string_lossy().to_string();
                    let recorded = recorded(protocol, &text);
                    let data_key = format!("{protocol} data");
                    for (line, is_data) in &recorded.server {
                        let keys = mail_keys(protocol, line);
                        let found = all.mail_reply(protocol, line);
                        assert_eq!(found.len(), keys.len(), "{name}: {line:?} ({keys:?})");
                        if *is_data {
                            assert_eq!(keys, std::slice::from_ref(&data_key), "{name}: {line:?}");
                            data += 1;
                        } else {
                            assert!(!keys.contains(&data_key), "{name}: {line:?} is not data");
                        }
                        seen += 1;
                    }
                    for (line, answered_unknown) in &recorded.commands {
                        let explained = all.mail_command(protocol, line).unwrap();
                        let fallback = explained.key == format!("{protocol} ");
                        if fallback {
                            let empty =
                                line.split_whitespace().count() <= usize::from(protocol == "imap");
                            assert!(
                                *answered_unknown || empty,
                                "{name}: {line:?} is explained as an unknown command"
                            );
                            unknown += 1;
                        } else {
                            let mut words = line.split_whitespace();
                            if protocol == "imap" {
                                words.next();
                            }
                            let verb = words.next().unwrap_or("").to_ascii_uppercase();
                            assert_eq!(explained.key, format!("{protocol} {verb}"), "{name}");
                        }
                        commands += 1;
                    }
                }
            }
        }
        // Enough of each kind that the classification above is not empty.
        assert!(seen > 500, "{seen} lines");
        // (900 server lines, 175 of them data; 378 commands, 55 of them
        // unknown or empty, when this was written.)
        assert!(data > 150, "{data} data lines");
        assert!(commands > 300, "{commands} commands");
        assert!((40..80).contains(&unknown), "{unknown} unknown commands");
        let table: &[(&str, &str, &[&str])] = &[
            (
                "imap",
                "a2 NO [TRYCREATE] Mailbox doesn't exist: Nosuch",
                &["imap NO", "imap [TRYCREATE]"],
            ),
            ("imap", "* 3 EXISTS", &["imap EXISTS"]),
            (
                "imap",
                "* OK [UIDVALIDITY 1795980089] UIDs valid",
                &["imap * OK", "imap [UIDVALIDITY"],
            ),
            (
                "pop3",
                "-ERR [AUTH] Authentication failed.",
                &["pop3 -ERR", "pop3 [AUTH]"],
            ),
            ("pop3", "Subject: hello", &["pop3 data"]),
        ];
        for (protocol, line, keys) in table {
            assert_eq!(&mail_keys(protocol, line), keys, "{line}");
        }
    }

    /// `4.2.4` (RFC 5321) or `4954:4` (another RFC).
    fn section_is_valid(section: &str) -> bool {
        let (rfc, section) = section.split_once(':').unwrap_or(("5321", section));
        rfc.parse::<u32>().is_ok() && section.split('.').all(|p| p.parse::<u32>().is_ok())
    }

    #[test]
    fn every_reply_is_explained() {
        for key in ReplyKey::ALL {
            let explanation = explain_reply(*key);
            assert!(explanation.why.len() > 20, "{key:?}");
            assert!(
                section_is_valid(explanation.section),
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
        // The document is a list of eight tables.
        let refused = Explanations::from_json("{}").unwrap_err();
        assert!(
            refused.contains("expected an array of length 8"),
            "{refused}"
        );
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
                    section_is_valid(&explained.section),
                    "{key:?}: section {}",
                    explained.section
                );
            }
        }
    }

    #[test]
    fn every_imap_command_is_explained() {
        let all = Explanations::built_in();
        for name in crate::imap::command_names() {
            let line = format!("a1 {name}");
            let found = all.mail_command("imap", &line).map(|c| c.key.clone());
            let verb = name.split(' ').next().unwrap_or(name);
            assert_eq!(found, Some(format!("imap {verb}")), "{name}");
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
