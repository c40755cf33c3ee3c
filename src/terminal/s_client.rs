//! `openssl s_client` as OpenSSL 3.0 behaves in a terminal: its options,
//! the STARTTLS exchange it does by itself (hidden, as `-starttls smtp`
//! hides its own EHLO), what it prints of the handshake (chain,
//! certificate, verification, session, the tickets), the line it prints
//! after a STARTTLS upgrade, and its one-letter commands at the start of a
//! typed line (`Q` quits, `R` renegotiates, `K` updates keys). The TLS is
//! simulated: the server's session is told TLS started, and the values a
//! real handshake makes up come from [`Varied`].
//!
//! The texts are OpenSSL's (`apps/s_client.c`, `print_stuff`), as the
//! recordings under `tests/corpus/submission/clients/` show them.

use smtplab_engine::catalogue::fill;
use smtplab_engine::tls::{
    TlsProfile, CERTIFICATE_KEY, CERTIFICATE_NOT_AFTER, CERTIFICATE_NOT_BEFORE, CERTIFICATE_PEM,
};

use super::scrollback::LineKind;
use super::tools::{Step, Varied};

/// The protocols `-starttls` speaks here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartTls {
    Smtp,
    Pop3,
    Imap,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub host: String,
    pub port: String,
    pub starttls: Option<StartTls>,
    pub crlf: bool,
    pub quiet: bool,
    pub brief: bool,
    pub ign_eof: bool,
    pub showcerts: bool,
    pub nocommands: bool,
    /// `-name`: what the EHLO of `-starttls smtp` says.
    pub name: String,
}

/// The prefix OpenSSL puts on an error line (the thread's id), fixed here.
const ERROR_PREFIX: &str = "40370ACA1F7F0000";

/// What an option does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    Connect,
    Host,
    Port,
    StartTls,
    Crlf,
    Quiet,
    Brief,
    IgnEof,
    NoIgnEof,
    ShowCerts,
    NoCommands,
    Name,
    /// Takes a value this simulation has no use for.
    Value,
    /// A switch this simulation has no use for.
    Switch,
}

/// The options of OpenSSL 3.0's s_client that people type, and a few it
/// takes without a visible difference here.
const OPTIONS: &[(&str, Opt)] = &[
    ("connect", Opt::Connect),
    ("host", Opt::Host),
    ("port", Opt::Port),
    ("starttls", Opt::StartTls),
    ("crlf", Opt::Crlf),
    ("quiet", Opt::Quiet),
    ("brief", Opt::Brief),
    ("ign_eof", Opt::IgnEof),
    ("no_ign_eof", Opt::NoIgnEof),
    ("showcerts", Opt::ShowCerts),
    ("nocommands", Opt::NoCommands),
    ("name", Opt::Name),
    ("xmpphost", Opt::Name),
    ("servername", Opt::Value),
    ("verify_hostname", Opt::Value),
    ("CAfile", Opt::Value),
    ("CApath", Opt::Value),
    ("cipher", Opt::Value),
    ("ciphersuites", Opt::Value),
    ("alpn", Opt::Value),
    ("verify", Opt::Value),
    ("4", Opt::Switch),
    ("6", Opt::Switch),
    ("tls1_2", Opt::Switch),
    ("tls1_3", Opt::Switch),
    ("noservername", Opt::Switch),
    ("debug", Opt::Switch),
    ("msg", Opt::Switch),
    ("state", Opt::Switch),
    ("prexit", Opt::Switch),
    ("verify_quiet", Opt::Switch),
];

/// Reads `s_client`'s options (after `openssl s_client`); an error gives
/// the lines OpenSSL prints.
pub fn parse(arguments: &[String]) -> Result<Options, Vec<String>> {
    let mut options = Options {
        host: "localhost".to_string(),
        port: "4433".to_string(),
        starttls: None,
        crlf: false,
        quiet: false,
        brief: false,
        ign_eof: false,
        showcerts: false,
        nocommands: false,
        name: "mail.example.com".to_string(),
    };
    let usage = |message: String| vec![message, "s_client: Use -help for summary.".to_string()];
    let mut words = arguments.iter();
    while let Some(word) = words.next() {
        let Some(name) = word.strip_prefix('-') else {
            // OpenSSL 3 takes the host:port as a lone argument too.
            set_address(&mut options, word);
            continue;
        };
        let Some(&(_, option)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(usage(format!("s_client: Unknown option: -{name}")));
        };
        let needs_value = matches!(
            option,
            Opt::Connect | Opt::Host | Opt::Port | Opt::StartTls | Opt::Name | Opt::Value
        );
        let value = if needs_value {
            words
                .next()
                .cloned()
                .ok_or_else(|| usage(format!("s_client: Option -{name} needs a value")))?
        } else {
            String::new()
        };
        match option {
            Opt::Connect => set_address(&mut options, &value),
            Opt::Host => options.host = value,
            Opt::Port => options.port = value,
            Opt::StartTls => {
                options.starttls = Some(match value.as_str() {
                    "smtp" => StartTls::Smtp,
                    "pop3" => StartTls::Pop3,
                    "imap" => StartTls::Imap,
                    other => {
                        return Err(usage(format!(
                            "s_client: Invalid value \"{other}\" for option -starttls (this lab speaks smtp, pop3 and imap)"
                        )))
                    }
                })
            }
            Opt::Crlf => options.crlf = true,
            Opt::Quiet => {
                options.quiet = true;
                options.ign_eof = true;
            }
            Opt::Brief => options.brief = true,
            Opt::IgnEof => options.ign_eof = true,
            Opt::NoIgnEof => options.ign_eof = false,
            Opt::ShowCerts => options.showcerts = true,
            Opt::NoCommands => options.nocommands = true,
            Opt::Name => options.name = value,
            Opt::Value | Opt::Switch => {}
        }
    }
    Ok(options)
}

fn set_address(options: &mut Options, address: &str) {
    match address.rsplit_once(':') {
        Some((host, port)) => {
            options.host = host.trim_matches(|c| c == '[' || c == ']').to_string();
            options.port = port.to_string();
        }
        None => options.host = address.to_string(),
    }
}

/// Where the STARTTLS exchange is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Greeting,
    Ehlo,
    /// IMAP: reading the CAPABILITY answer.
    Capability,
    /// The STARTTLS (STLS) command is sent; its answer is awaited.
    StartTls,
    /// In TLS: lines go to the screen.
    Session,
}

pub struct SClient {
    options: Options,
    phase: Phase,
    /// The certificate's name (the world's host name).
    common_name: String,
    tls: &'static TlsProfile,
    varied: Varied,
    /// Unix seconds of the connection (`Start Time:`).
    start: i64,
    /// Plain text read and written before the handshake.
    read: u32,
    written: u32,
    found_starttls: bool,
    /// The last line of the EHLO reply before TLS, which s_client prints
    /// after the handshake.
    last_ehlo_line: String,
    /// What the STARTTLS exchange answered last (no TLS without `+OK`/
    /// `220`/`. OK`).
    accepted: bool,
}

impl SClient {
    pub fn new(
        options: Options,
        common_name: &str,
        tls: &'static TlsProfile,
        start: i64,
    ) -> SClient {
        SClient {
            options,
            phase: Phase::Greeting,
            common_name: common_name.to_string(),
            tls,
            varied: Varied::new(start as u64 ^ 0x05c1_1e47),
            start,
            read: 0,
            written: 0,
            found_starttls: false,
            last_ehlo_line: String::new(),
            accepted: false,
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The TCP connection is up: what s_client does first. `tls_at_once`:
    /// the port speaks TLS from the first byte.
    pub fn connected(&mut self, tls_at_once: bool) -> Vec<Step> {
        let mut steps = Vec::new();
        if !self.options.brief && !self.options.quiet {
            steps.push(show("CONNECTED(00000003)"));
        }
        match (self.options.starttls, tls_at_once) {
            (None, true) => {
                self.phase = Phase::Session;
                steps.extend(self.handshake_output());
                steps.extend(self.tickets());
            }
            (None, false) => steps.extend(self.failed_handshake()),
            // A STARTTLS client waits for a greeting that a TLS port never
            // sends in the clear; the server gives up on it.
            (Some(_), true) => steps.extend(self.failed_handshake()),
            (Some(_), false) => {}
        }
        steps
    }

    /// A reply (SMTP) or line (POP3, IMAP) from the server.
    pub fn server_line(&mut self, lines: &[String]) -> Vec<Step> {
        if self.phase == Phase::Session {
            return vec![Step::Server("")];
        }
        self.read += lines.iter().map(|l| l.len() as u32 + 2).sum::<u32>();
        let first = lines.first().map(String::as_str).unwrap_or("");
        let last = lines.last().map(String::as_str).unwrap_or("");
        match (self.phase, self.options.starttls) {
            (Phase::Greeting, Some(StartTls::Smtp)) => {
                self.phase = Phase::Ehlo;
                vec![self.send(format!("EHLO {}", self.options.name))]
            }
            (Phase::Greeting, Some(StartTls::Pop3)) => {
                self.phase = Phase::StartTls;
                vec![self.send("STLS".to_string())]
            }
            (Phase::Greeting, Some(StartTls::Imap)) => {
                self.phase = Phase::Capability;
                vec![self.send(". CAPABILITY".to_string())]
            }
            (Phase::Ehlo, _) => {
                self.found_starttls = lines.iter().any(|l| l.contains("STARTTLS"));
                self.last_ehlo_line = last.to_string();
                self.phase = Phase::StartTls;
                let mut steps = self.not_found();
                steps.push(self.send("STARTTLS".to_string()));
                steps
            }
            (Phase::Capability, _) => {
                self.found_starttls |= first.contains("STARTTLS");
                if !first.starts_with(". ") {
                    return Vec::new();
                }
                self.phase = Phase::StartTls;
                let mut steps = self.not_found();
                steps.push(self.send(". STARTTLS".to_string()));
                steps
            }
            (Phase::StartTls, _) => {
                self.accepted = first.starts_with("220")
                    || first.starts_with("+OK")
                    || first.starts_with(". OK");
                if self.accepted {
                    Vec::new()
                } else {
                    // The server said no; the ClientHello meets a server
                    // that reads commands.
                    self.failed_handshake()
                }
            }
            _ => Vec::new(),
        }
    }

    fn not_found(&self) -> Vec<Step> {
        if self.found_starttls {
            Vec::new()
        } else {
            vec![Step::Show(
                LineKind::Error,
                "Didn't find STARTTLS in server response, trying anyway...".to_string(),
            )]
        }
    }

    fn send(&mut self, line: String) -> Step {
        self.written += line.len() as u32 + 2;
        Step::Send {
            bytes: format!("{line}\r\n").into_bytes(),
            shown: None,
        }
    }

    /// The server is ready for the handshake (its 220 to STARTTLS).
    pub fn start_tls(&mut self) -> Vec<Step> {
        if self.phase != Phase::StartTls || !self.accepted {
            return Vec::new();
        }
        self.phase = Phase::Session;
        let mut steps = vec![Step::Handshake];
        steps.extend(self.handshake_output());
        if self.options.starttls == Some(StartTls::Smtp) {
            steps.push(show(&self.last_ehlo_line.clone()));
        }
        steps.extend(self.tickets());
        steps
    }

    /// A line typed at the terminal (already echoed there).
    pub fn typed(&mut self, line: &str) -> Vec<Step> {
        let commands = !self.options.ign_eof && !self.options.nocommands;
        match line.chars().next() {
            Some('Q') if commands => vec![show("DONE"), Step::Exit],
            Some('R') if commands => vec![
                show("RENEGOTIATING"),
                Step::Show(
                    LineKind::Error,
                    format!("{ERROR_PREFIX}:error:0A00010A:SSL routines:can_renegotiate:wrong ssl version:../ssl/ssl_lib.c:2287:"),
                ),
                Step::Exit,
            ],
            Some('K' | 'k') if commands => {
                vec![Step::Show(LineKind::Error, "KEYUPDATE".to_string())]
            }
            _ => {
                let end = if self.options.crlf { "\r\n" } else { "\n" };
                vec![Step::Send {
                    bytes: format!("{line}{end}").into_bytes(),
                    shown: None,
                }]
            }
        }
    }

    /// End of input (Ctrl+D).
    pub fn end_of_input(&self) -> Vec<Step> {
        if self.options.ign_eof {
            Vec::new()
        } else {
            vec![Step::Show(LineKind::Error, "DONE".to_string()), Step::Exit]
        }
    }

    /// The server closed the connection.
    pub fn closed(&mut self) -> Vec<Step> {
        if self.phase != Phase::Session {
            return self.failed_handshake();
        }
        if self.options.quiet {
            vec![Step::Exit]
        } else {
            vec![show("closed"), Step::Exit]
        }
    }

    fn handshake_output(&mut self) -> Vec<Step> {
        let (read, written) = self.tls.handshake_bytes;
        let read = (read + self.read).to_string();
        let written = (written + self.written).to_string();
        let (chain_pem, pem) = if self.options.showcerts {
            (CERTIFICATE_PEM, "")
        } else {
            ("", CERTIFICATE_PEM)
        };
        let values = [
            ("cn", self.common_name.as_str()),
            ("key", CERTIFICATE_KEY),
            ("before", CERTIFICATE_NOT_BEFORE),
            ("after", CERTIFICATE_NOT_AFTER),
            ("chain_pem", chain_pem),
            ("pem", pem),
            ("signature", self.tls.signature_type),
            ("temp_key", self.tls.temp_key),
            ("read", &read),
            ("written", &written),
        ];
        let (verify, text) = if self.options.brief {
            (VERIFY_BRIEF, BRIEF)
        } else if self.options.quiet {
            (VERIFY, "")
        } else {
            (VERIFY, FULL)
        };
        let mut steps = lines(LineKind::Error, &fill(verify, &values));
        // -brief writes its summary where the verify lines go.
        let kind = if self.options.brief {
            LineKind::Error
        } else {
            LineKind::Output
        };
        steps.extend(lines(kind, &fill(text, &values)));
        steps
    }

    /// The session tickets a TLS 1.3 server sends after the handshake,
    /// each followed by `read R BLOCK` (only in the full output).
    fn tickets(&mut self) -> Vec<Step> {
        if self.options.quiet || self.options.brief {
            return Vec::new();
        }
        let mut steps = Vec::new();
        for _ in 0..self.tls.tickets {
            let id = hex_upper(&self.varied.bytes(32));
            let psk = hex_upper(&self.varied.bytes(48));
            let dump = hex_dump(&self.varied.bytes(208));
            let lifetime = self.tls.ticket_lifetime_seconds.to_string();
            let start = self.start.to_string();
            let values = [
                ("id", id.as_str()),
                ("psk", &psk),
                ("lifetime", &lifetime),
                ("dump", &dump),
                ("start", &start),
            ];
            steps.extend(lines(LineKind::Output, &fill(TICKET, &values)));
        }
        steps
    }

    /// The ClientHello met a server speaking plain text: OpenSSL reads its
    /// text as a TLS record and gives up.
    fn failed_handshake(&mut self) -> Vec<Step> {
        self.phase = Phase::Session;
        let mut steps = vec![Step::Show(
            LineKind::Error,
            format!("{ERROR_PREFIX}:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:354:"),
        )];
        if !self.options.quiet && !self.options.brief {
            let read = (self.read + 5).to_string();
            let written = (self.written + 299).to_string();
            steps.extend(lines(
                LineKind::Output,
                &fill(NO_HANDSHAKE, &[("read", &read), ("written", &written)]),
            ));
        }
        steps.push(Step::Exit);
        steps
    }
}

/// What OpenSSL prints when the host does not resolve, or refuses.
pub fn connect_error(refused: bool) -> Vec<String> {
    if refused {
        vec![
            format!("{ERROR_PREFIX}:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:125:calling connect()"),
            format!("{ERROR_PREFIX}:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:127:"),
            "connect:errno=111".to_string(),
        ]
    } else {
        vec![
            format!("{ERROR_PREFIX}:error:10080002:BIO routines:BIO_lookup_ex:system lib:../crypto/bio/bio_addr.c:738:Name or service not known"),
            "connect:errno=0".to_string(),
        ]
    }
}

// What OpenSSL prints: `print_stuff` (FULL, NO_HANDSHAKE), the verify
// callback (VERIFY), `print_connection_info` for -brief (BRIEF), and the
// session of a post-handshake ticket (TICKET). `{name}` is filled in.

const VERIFY: &str = "depth=0 CN = {cn}
verify error:num=18:self-signed certificate
verify return:1
depth=0 CN = {cn}
verify return:1
";

const VERIFY_BRIEF: &str = "depth=0 CN = {cn}
verify error:num=18:self-signed certificate
";

const BRIEF: &str = "CONNECTION ESTABLISHED
Protocol version: TLSv1.3
Ciphersuite: TLS_AES_256_GCM_SHA384
Peer certificate: CN = {cn}
Hash used: SHA256
Signature type: {signature}
Verification error: self-signed certificate
Server Temp Key: {temp_key}
";

const FULL: &str = "---
Certificate chain
 0 s:CN = {cn}
   i:CN = {cn}
   a:PKEY: {key}
   v:NotBefore: {before}; NotAfter: {after}
{chain_pem}---
Server certificate
{pem}subject=CN = {cn}
issuer=CN = {cn}
---
No client certificate CA names sent
Peer signing digest: SHA256
Peer signature type: {signature}
Server Temp Key: {temp_key}
---
SSL handshake has read {read} bytes and written {written} bytes
Verification error: self-signed certificate
---
New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
Server public key is 2048 bit
Secure Renegotiation IS NOT supported
Compression: NONE
Expansion: NONE
No ALPN negotiated
Early data was not sent
Verify return code: 18 (self-signed certificate)
---
";

const TICKET: &str = "---
Post-Handshake New Session Ticket arrived:
SSL-Session:
    Protocol  : TLSv1.3
    Cipher    : TLS_AES_256_GCM_SHA384
    Session-ID: {id}
    Session-ID-ctx: 
    Resumption PSK: {psk}
    PSK identity: None
    PSK identity hint: None
    SRP username: None
    TLS session ticket lifetime hint: {lifetime} (seconds)
    TLS session ticket:
{dump}

    Start Time: {start}
    Timeout   : 7200 (sec)
    Verify return code: 18 (self-signed certificate)
    Extended master secret: no
    Max Early Data: 0
---
read R BLOCK
";

const NO_HANDSHAKE: &str = "---
no peer certificate available
---
No client certificate CA names sent
---
SSL handshake has read {read} bytes and written {written} bytes
Verification: OK
---
New, (NONE), Cipher is (NONE)
Secure Renegotiation IS NOT supported
Compression: NONE
Expansion: NONE
No ALPN negotiated
Early data was not sent
Verify return code: 0 (ok)
---
";

/// Each line of `text` (ending in newlines) as a step.
fn lines(kind: LineKind, text: &str) -> Vec<Step> {
    text.lines()
        .map(|line| Step::Show(kind, line.to_string()))
        .collect()
}

fn show(text: &str) -> Step {
    Step::Show(LineKind::Output, text.to_string())
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `BIO_dump_indent`'s layout: offset, 16 bytes with a dash in the
/// middle, then the printable characters; one line per row.
fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("    {:04x} - ", row * 16));
        for (i, byte) in chunk.iter().enumerate() {
            let separator = if i == 7 { '-' } else { ' ' };
            out.push_str(&format!("{byte:02x}{separator}"));
        }
        out.push_str("  ");
        out.extend(chunk.iter().map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use smtplab_engine::tls::OPENSSL_POSTFIX;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn reads_the_options_people_type() {
        let options = parse(&words("-starttls smtp -crlf -connect mail.example.com:587")).unwrap();
        assert_eq!(options.host, "mail.example.com");
        assert_eq!(options.port, "587");
        assert_eq!(options.starttls, Some(StartTls::Smtp));
        assert!(options.crlf && !options.quiet && !options.ign_eof);
        let quiet = parse(&words("-quiet -connect mail.example.com:465")).unwrap();
        assert!(quiet.quiet && quiet.ign_eof && quiet.starttls.is_none());
        assert_eq!(
            parse(&words("-bogus")).unwrap_err(),
            [
                "s_client: Unknown option: -bogus",
                "s_client: Use -help for summary."
            ]
        );
        assert!(parse(&words("-starttls ftp")).is_err());
        assert_eq!(parse(&words("mail.example.com:993")).unwrap().port, "993");
    }

    #[test]
    fn dumps_as_openssl() {
        let dump = hex_dump(&[
            0x0f, 0xaf, 0x54, 0x25, 0x0a, 0x91, 0x6c, 0xd1, 0xf7, 0x04, 0x69, 0x7a, 0x0d, 0x6a,
            0x59, 0x4d,
        ]);
        assert_eq!(
            dump,
            "    0000 - 0f af 54 25 0a 91 6c d1-f7 04 69 7a 0d 6a 59 4d   ..T%..l...iz.jYM"
        );
    }

    #[test]
    fn the_one_letter_commands() {
        let options = parse(&words("-starttls smtp -connect h:587")).unwrap();
        let mut client = SClient::new(options.clone(), "mail.example.com", &OPENSSL_POSTFIX, 0);
        assert_eq!(client.typed("QUIT"), [show("DONE"), Step::Exit]);
        assert_eq!(client.typed("RCPT TO:<a@b>")[0], show("RENEGOTIATING"));
        assert_eq!(
            client.typed("rcpt to:<a@b>"),
            [Step::Send {
                bytes: b"rcpt to:<a@b>\n".to_vec(),
                shown: None
            }]
        );
        let mut quiet = SClient::new(
            Options {
                quiet: true,
                ign_eof: true,
                crlf: true,
                ..options
            },
            "mail.example.com",
            &OPENSSL_POSTFIX,
            0,
        );
        assert_eq!(
            quiet.typed("QUIT"),
            [Step::Send {
                bytes: b"QUIT\r\n".to_vec(),
                shown: None
            }]
        );
    }
}
