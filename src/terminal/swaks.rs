//! `swaks` (Swiss Army Knife for SMTP, version 20201014) as it runs in a
//! terminal: its options, the whole transaction it drives by itself, every
//! line marked with its direction (`<-` `->` in the clear, `<~` `~>` inside
//! TLS, `<**` `<~*` for an error reply), its own `===` and `***` lines and
//! its exit codes. The texts are swaks's, as recorded under
//! `tests/corpus/submission/clients/swaks*`.

use base64::Engine as _;
use smtplab_engine::Timestamp;

use super::scrollback::LineKind;
use super::tools::Step;

const VERSION: &str = "20201014.0";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub to: Vec<String>,
    pub from: Option<String>,
    pub server: Option<String>,
    pub port: Option<String>,
    pub tls: bool,
    pub tls_on_connect: bool,
    /// `--auth` with its type, if any (`None` inside: any the server offers).
    pub auth: Option<Option<String>>,
    pub auth_user: Option<String>,
    pub auth_password: Option<String>,
    pub headers: Vec<String>,
    pub body: Option<String>,
    pub data: Option<String>,
    pub quit_after: Option<String>,
    pub suppress_data: bool,
    pub helo: Option<String>,
}

/// What an option sets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    To,
    From,
    Server,
    Port,
    Tls,
    TlsOnConnect,
    Auth,
    AuthUser,
    AuthPassword,
    Header,
    Body,
    Data,
    QuitAfter,
    SuppressData,
    Helo,
}

/// swaks's options that people use, by each of their names.
const OPTIONS: &[(&str, Opt)] = &[
    ("-t", Opt::To),
    ("--to", Opt::To),
    ("-f", Opt::From),
    ("--from", Opt::From),
    ("-s", Opt::Server),
    ("--server", Opt::Server),
    ("-p", Opt::Port),
    ("--port", Opt::Port),
    ("-tls", Opt::Tls),
    ("--tls", Opt::Tls),
    ("-tlsc", Opt::TlsOnConnect),
    ("--tlsc", Opt::TlsOnConnect),
    ("--tls-on-connect", Opt::TlsOnConnect),
    ("-a", Opt::Auth),
    ("--auth", Opt::Auth),
    ("-au", Opt::AuthUser),
    ("--auth-user", Opt::AuthUser),
    ("-ap", Opt::AuthPassword),
    ("--auth-password", Opt::AuthPassword),
    ("--header", Opt::Header),
    ("--add-header", Opt::Header),
    ("--body", Opt::Body),
    ("-d", Opt::Data),
    ("--data", Opt::Data),
    ("-q", Opt::QuitAfter),
    ("--quit-after", Opt::QuitAfter),
    ("-n", Opt::SuppressData),
    ("--suppress-data", Opt::SuppressData),
    ("--helo", Opt::Helo),
    ("--ehlo", Opt::Helo),
];

/// Reads swaks's options; an error is what swaks prints, with its exit
/// code.
pub fn parse(arguments: &[String]) -> Result<Options, (Vec<String>, i32)> {
    let mut options = Options {
        to: Vec::new(),
        from: None,
        server: None,
        port: None,
        tls: false,
        tls_on_connect: false,
        auth: None,
        auth_user: None,
        auth_password: None,
        headers: Vec::new(),
        body: None,
        data: None,
        quit_after: None,
        suppress_data: false,
        helo: None,
    };
    let fail = |text: String| Err((vec![text], 1));
    let mut words = arguments.iter().peekable();
    while let Some(word) = words.next() {
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (word.as_str(), None),
        };
        let Some(&(_, option)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            return fail(format!(
                "*** Unknown option {name}: swaks --help lists them"
            ));
        };
        let switch = matches!(
            option,
            Opt::Tls | Opt::TlsOnConnect | Opt::SuppressData | Opt::Auth
        );
        let value = match (switch, inline) {
            (_, Some(value)) => Some(value),
            // --auth takes its type only when one follows.
            (true, None) if option == Opt::Auth => {
                words.next_if(|next| !next.starts_with('-')).cloned()
            }
            (true, None) => None,
            (false, None) => match words.next() {
                Some(value) => Some(value.clone()),
                None => return fail(format!("*** Option {name} requires an argument")),
            },
        };
        let text = value.clone().unwrap_or_default();
        match option {
            Opt::To => options
                .to
                .extend(text.split(',').map(|a| a.trim().to_string())),
            Opt::From => options.from = value,
            Opt::Server => options.server = value,
            Opt::Port => options.port = value,
            Opt::Tls => options.tls = true,
            Opt::TlsOnConnect => options.tls_on_connect = true,
            Opt::Auth => options.auth = Some(value.map(|k| k.to_ascii_uppercase())),
            Opt::AuthUser => options.auth_user = value,
            Opt::AuthPassword => options.auth_password = value,
            Opt::Header => options.headers.push(text),
            Opt::Body => options.body = value,
            Opt::Data => options.data = value,
            Opt::QuitAfter => options.quit_after = Some(text.to_ascii_lowercase()),
            Opt::SuppressData => options.suppress_data = true,
            Opt::Helo => options.helo = value,
        }
    }
    if options.to.is_empty() {
        return fail("*** No recipient given: this lab's swaks needs --to ADDRESS".to_string());
    }
    if options.auth.is_some() && (options.auth_user.is_none() || options.auth_password.is_none()) {
        return fail(
            "*** --auth needs --auth-user and --auth-password here (swaks would ask)".to_string(),
        );
    }
    Ok(options)
}

/// Where the transaction is, waiting for the server's next reply.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Banner,
    Ehlo,
    StartTls,
    /// AUTH sent; the reply to the mechanism (`step` 0), the user (1) or
    /// the password (2) is awaited.
    Auth {
        login: bool,
        step: u8,
    },
    Mail,
    Rcpt(usize),
    Data,
    Message,
    Quit,
    Done,
}

pub struct Swaks {
    options: Options,
    phase: Phase,
    in_tls: bool,
    /// The machine's short name (swaks's `EHLO` and default sender).
    machine: String,
    user: String,
    now: Timestamp,
    process_id: u32,
    /// The EHLO reply lines last seen.
    ehlo: Vec<String>,
    accepted_recipients: usize,
    /// The exit code once known.
    pub status: i32,
    cipher: &'static str,
    peer: String,
}

impl Swaks {
    pub fn new(
        options: Options,
        machine: &str,
        user: &str,
        peer: &str,
        cipher: &'static str,
        now: Timestamp,
        process_id: u32,
    ) -> Swaks {
        Swaks {
            options,
            phase: Phase::Banner,
            in_tls: false,
            machine: machine.split('.').next().unwrap_or(machine).to_string(),
            user: user.to_string(),
            now,
            process_id,
            ehlo: Vec::new(),
            accepted_recipients: 0,
            status: 0,
            cipher,
            peer: peer.to_string(),
        }
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The server to connect to and its port.
    pub fn target(&self) -> (String, String) {
        let server = self.options.server.clone().unwrap_or_else(|| {
            let to = self.options.to.first().cloned().unwrap_or_default();
            to.rsplit('@').next().unwrap_or("localhost").to_string()
        });
        let (host, port) = match server.rsplit_once(':') {
            Some((host, port)) => (host.to_string(), Some(port.to_string())),
            None => (server, None),
        };
        let default = if self.options.tls_on_connect {
            "465"
        } else {
            "25"
        };
        let port = self.options.port.clone().or(port).unwrap_or(default.into());
        (host, port)
    }

    pub fn trying(&self) -> Step {
        let (host, port) = self.target();
        line(format!("=== Trying {host}:{port}..."))
    }

    /// What swaks says when it cannot connect (exit 2).
    pub fn cannot_connect(&mut self, refused: bool) -> Vec<Step> {
        let (host, port) = self.target();
        self.status = 2;
        let why = if refused {
            "IO::Socket::INET6: connect: Connection refused"
        } else {
            "IO::Socket::INET6: getaddrinfo: Name or service not known"
        };
        vec![
            Step::Show(
                LineKind::Error,
                format!("*** Error connecting to {host}:{port}:"),
            ),
            Step::Show(LineKind::Error, format!("***\t{why}")),
            Step::Exit,
        ]
    }

    pub fn connected(&mut self, tls_at_once: bool) -> Vec<Step> {
        let (host, _) = self.target();
        let mut steps = vec![line(format!("=== Connected to {host}."))];
        if self.options.tls_on_connect {
            if tls_at_once {
                self.in_tls = true;
                steps.extend(self.tls_lines());
            } else {
                self.status = 29;
                steps.push(Step::Show(
                    LineKind::Error,
                    "*** TLS startup failed (connect(): error:0A00010B:SSL routines::wrong version number)".to_string(),
                ));
                steps.push(Step::Exit);
            }
        }
        steps
    }

    fn tls_lines(&self) -> Vec<Step> {
        vec![
            line(format!("=== TLS started with cipher {}", self.cipher)),
            line("=== TLS no local certificate set".to_string()),
            line(format!("=== TLS peer DN=\"/CN={}\"", self.peer)),
        ]
    }

    fn arrow_out(&self) -> &'static str {
        if self.in_tls {
            " ~> "
        } else {
            " -> "
        }
    }

    fn server(&self, code: u16) -> &'static str {
        match (self.in_tls, code >= 400) {
            (false, false) => "<-  ",
            (false, true) => "<** ",
            (true, false) => "<~  ",
            (true, true) => "<~* ",
        }
    }

    fn send(&self, text: &str) -> Step {
        Step::Send {
            bytes: format!("{text}\r\n").into_bytes(),
            shown: Some(format!("{}{text}", self.arrow_out())),
        }
    }

    fn quit(&mut self) -> Step {
        self.phase = Phase::Quit;
        self.send("QUIT")
    }

    fn quits_after(&self, point: &str) -> bool {
        let wanted = self.options.quit_after.as_deref().unwrap_or("");
        !wanted.is_empty() && quit_point(wanted) == point
    }

    /// A reply from the server (all its lines).
    pub fn reply(&mut self, code: u16, lines: &[String]) -> Vec<Step> {
        let mut steps = vec![Step::Server(self.server(code))];
        let failed = code >= 400;
        let phase = self.phase.clone();
        match phase {
            Phase::Banner => {
                if failed {
                    self.status = 21;
                    steps.push(self.quit());
                } else if self.quits_after("banner") {
                    steps.push(self.quit());
                } else {
                    steps.push(self.ehlo());
                }
            }
            Phase::Ehlo => {
                self.ehlo = lines.to_vec();
                if failed {
                    self.status = if self.in_tls { 32 } else { 22 };
                    steps.push(self.quit());
                } else if !self.in_tls && (self.options.tls && !self.options.tls_on_connect) {
                    if self.quits_after("first-helo") {
                        steps.push(self.quit());
                    } else if !self.offers("STARTTLS") {
                        self.status = 29;
                        steps.push(Step::Show(
                            LineKind::Error,
                            "*** STARTTLS not advertised by host".to_string(),
                        ));
                        steps.push(self.quit());
                    } else {
                        self.phase = Phase::StartTls;
                        steps.push(self.send("STARTTLS"));
                    }
                } else if self.quits_after("helo") || self.quits_after("first-helo") {
                    steps.push(self.quit());
                } else {
                    steps.extend(self.after_helo());
                }
            }
            Phase::StartTls => {
                if failed {
                    self.status = 29;
                    steps.push(self.quit());
                }
                // On 220 the handshake comes with the server's go-ahead
                // ([`Swaks::start_tls`]).
            }
            Phase::Auth { login, step } => {
                if code == 334 && login && step < 2 {
                    let (user, password) = self.credentials();
                    let answer = if step == 0 { user } else { password };
                    let encoded = base64::engine::general_purpose::STANDARD.encode(answer);
                    self.phase = Phase::Auth {
                        login,
                        step: step + 1,
                    };
                    steps.push(self.send(&encoded));
                } else if code == 235 {
                    if self.quits_after("auth") {
                        steps.push(self.quit());
                    } else {
                        steps.push(self.mail());
                    }
                } else {
                    self.status = 28;
                    steps.push(Step::Show(
                        LineKind::Error,
                        "*** No authentication type succeeded".to_string(),
                    ));
                    steps.push(self.quit());
                }
            }
            Phase::Mail => {
                if failed {
                    self.status = 23;
                    steps.push(self.quit());
                } else if self.quits_after("mail") {
                    steps.push(self.quit());
                } else {
                    steps.push(self.rcpt(0));
                }
            }
            Phase::Rcpt(index) => {
                if !failed {
                    self.accepted_recipients += 1;
                }
                if index + 1 < self.options.to.len() {
                    steps.push(self.rcpt(index + 1));
                } else if self.accepted_recipients == 0 {
                    self.status = 24;
                    steps.push(self.quit());
                } else if self.quits_after("rcpt") {
                    steps.push(self.quit());
                } else {
                    self.phase = Phase::Data;
                    steps.push(self.send("DATA"));
                }
            }
            Phase::Data => {
                if code != 354 {
                    self.status = 25;
                    steps.push(self.quit());
                } else {
                    steps.extend(self.message());
                }
            }
            Phase::Message => {
                if failed {
                    self.status = 26;
                }
                steps.push(self.quit());
            }
            Phase::Quit => {
                if failed && self.status == 0 {
                    self.status = 27;
                }
                self.phase = Phase::Done;
            }
            Phase::Done => {}
        }
        steps
    }

    fn offers(&self, keyword: &str) -> bool {
        self.ehlo.iter().any(|l| {
            l.get(4..)
                .is_some_and(|k| k.to_ascii_uppercase().starts_with(keyword))
        })
    }

    fn ehlo(&mut self) -> Step {
        self.phase = Phase::Ehlo;
        let name = self
            .options
            .helo
            .clone()
            .unwrap_or_else(|| self.machine.clone());
        self.send(&format!("EHLO {name}"))
    }

    /// The server's go-ahead for TLS: the handshake, then EHLO again.
    pub fn start_tls(&mut self) -> Vec<Step> {
        if self.phase != Phase::StartTls {
            return Vec::new();
        }
        self.in_tls = true;
        let mut steps = vec![Step::Handshake];
        steps.extend(self.tls_lines());
        if self.quits_after("tls") {
            steps.push(self.quit());
        } else {
            steps.push(self.ehlo());
        }
        steps
    }

    fn credentials(&self) -> (String, String) {
        (
            self.options.auth_user.clone().unwrap_or_default(),
            self.options.auth_password.clone().unwrap_or_default(),
        )
    }

    fn after_helo(&mut self) -> Vec<Step> {
        let Some(kind) = self.options.auth.clone() else {
            return vec![self.mail()];
        };
        let offered: Vec<String> = self
            .ehlo
            .iter()
            .filter_map(|l| l.get(4..))
            .filter_map(|k| k.strip_prefix("AUTH").or_else(|| k.strip_prefix("AUTH=")))
            .flat_map(|k| k.split_whitespace().map(str::to_ascii_uppercase))
            .collect();
        if offered.is_empty() {
            self.status = 28;
            return vec![
                Step::Show(
                    LineKind::Error,
                    "*** Host did not advertise authentication".to_string(),
                ),
                self.quit(),
            ];
        }
        let wanted: Vec<&str> = match &kind {
            Some(kind) => vec![kind.as_str()],
            None => vec!["LOGIN", "PLAIN"],
        };
        let Some(mechanism) = wanted
            .into_iter()
            .find(|m| offered.iter().any(|o| o == m) && matches!(*m, "LOGIN" | "PLAIN"))
        else {
            self.status = 28;
            return vec![
                Step::Show(
                    LineKind::Error,
                    "*** No authentication type succeeded".to_string(),
                ),
                self.quit(),
            ];
        };
        if mechanism == "LOGIN" {
            self.phase = Phase::Auth {
                login: true,
                step: 0,
            };
            vec![self.send("AUTH LOGIN")]
        } else {
            let (user, password) = self.credentials();
            let answer = format!("\0{user}\0{password}");
            let encoded = base64::engine::general_purpose::STANDARD.encode(answer);
            self.phase = Phase::Auth {
                login: false,
                step: 0,
            };
            vec![self.send(&format!("AUTH PLAIN {encoded}"))]
        }
    }

    fn sender(&self) -> String {
        self.options
            .from
            .clone()
            .unwrap_or_else(|| format!("{}@{}", self.user, self.machine))
    }

    fn mail(&mut self) -> Step {
        self.phase = Phase::Mail;
        self.send(&format!("MAIL FROM:<{}>", self.sender()))
    }

    fn rcpt(&mut self, index: usize) -> Step {
        self.phase = Phase::Rcpt(index);
        let to = self.options.to[index].clone();
        self.send(&format!("RCPT TO:<{to}>"))
    }

    /// The message swaks makes: its headers (with `--header` added or
    /// replacing), a blank line and the body; or `--data` as given.
    pub fn message_lines(&self) -> Vec<String> {
        if let Some(data) = &self.options.data {
            return data
                .replace("\\n", "\n")
                .lines()
                .map(str::to_string)
                .collect();
        }
        let date = self.now.full_date();
        let mut headers = vec![
            format!("Date: {date}"),
            format!("To: {}", self.options.to.join(", ")),
            format!("From: {}", self.sender()),
            format!("Subject: test {date}"),
            format!(
                "Message-Id: <{}{:02}.{:06}@{}>",
                self.now.compact_minutes(),
                self.now.local().second,
                self.process_id,
                self.machine
            ),
            format!("X-Mailer: swaks v{VERSION} jetmore.org/john/code/swaks/"),
        ];
        for added in &self.options.headers {
            let name = added.split(':').next().unwrap_or("").trim();
            match headers.iter().position(|h| {
                h.split(':')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            }) {
                Some(at) => headers[at] = added.clone(),
                None => headers.push(added.clone()),
            }
        }
        let body = self
            .options
            .body
            .clone()
            .unwrap_or_else(|| "This is a test mailing".to_string())
            .replace("\\n", "\n");
        let mut lines = headers;
        lines.push(String::new());
        lines.extend(body.trim_end_matches('\n').lines().map(str::to_string));
        lines.extend([String::new(), String::new()]);
        lines
    }

    fn message(&mut self) -> Vec<Step> {
        self.phase = Phase::Message;
        let lines = self.message_lines();
        let mut bytes = Vec::new();
        for line in &lines {
            // Dot-stuffing, as swaks does for a line that starts with one.
            if line.starts_with('.') {
                bytes.push(b'.');
            }
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b".\r\n");
        let arrow = self.arrow_out();
        let mut steps = Vec::new();
        if self.options.suppress_data {
            steps.push(line(format!("{arrow}{} lines sent", lines.len() + 1)));
        } else {
            for text in &lines {
                steps.push(line(format!("{arrow}{text}")));
            }
            steps.push(line(format!("{arrow}.")));
        }
        steps.push(Step::Send { bytes, shown: None });
        steps
    }

    /// The server closed the connection.
    pub fn closed(&mut self) -> Vec<Step> {
        if self.phase != Phase::Done && self.status == 0 {
            self.status = 6;
        }
        vec![
            line("=== Connection closed with remote host.".to_string()),
            Step::Exit,
        ]
    }
}

/// `--quit-after`'s names for one point of the transaction.
fn quit_point(name: &str) -> &str {
    match name {
        "connect" | "banner" => "banner",
        "first-helo" | "first-ehlo" | "first-lhlo" => "first-helo",
        "helo" | "ehlo" | "lhlo" => "helo",
        "from" | "mail" => "mail",
        "to" | "rcpt" => "rcpt",
        other => other,
    }
}

fn line(text: String) -> Step {
    Step::Show(LineKind::Output, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        super::super::shell::words(line)
    }

    fn swaks(line: &str) -> Swaks {
        let now = Timestamp::parse_rfc3339("2026-12-06T04:24:54Z").unwrap();
        Swaks::new(
            parse(&words(line)).unwrap(),
            "vm",
            "root",
            "mail.example.com",
            "TLSv1.3:TLS_AES_256_GCM_SHA384:256",
            now,
            16223,
        )
    }

    #[test]
    fn the_message_swaks_makes() {
        let s =
            swaks("--to alice@example.com --from mom@example.com --server mail.example.com:587");
        assert_eq!(
            s.message_lines(),
            [
                "Date: Sun, 06 Dec 2026 04:24:54 +0000",
                "To: alice@example.com",
                "From: mom@example.com",
                "Subject: test Sun, 06 Dec 2026 04:24:54 +0000",
                "Message-Id: <20261206042454.016223@vm>",
                "X-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/",
                "",
                "This is a test mailing",
                "",
                ""
            ]
        );
        assert_eq!(s.target(), ("mail.example.com".into(), "587".into()));
        let s = swaks("--to mom@example.com --header 'Subject: hi' --body 'a\\nb'");
        let lines = s.message_lines();
        assert!(lines.contains(&"Subject: hi".to_string()));
        assert_eq!(lines[lines.len() - 4..], ["a", "b", "", ""]);
        assert_eq!(s.target(), ("example.com".into(), "25".into()));
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        assert_eq!(parse(&words("--from x")).unwrap_err().1, 1);
        assert!(parse(&words("--to a@b --auth LOGIN")).is_err());
        let options = parse(&words(
            "--to a@b --auth --auth-user mom --auth-password pw --tls",
        ))
        .unwrap();
        assert_eq!(options.auth, Some(None));
        assert!(options.tls);
    }
}
