//! The telnet client's side of things (Debian's inetutils telnet 2.4):
//! resolving the host and port, and the client's own messages.

use smtplab_engine::World;

/// Ports with the simulated mail server behind them.
pub const SMTP_PORTS: &[u16] = &[25, 587];

/// Port names from `/etc/services` that learners use.
pub fn port_number(name: &str) -> Option<u16> {
    match name.to_ascii_lowercase().as_str() {
        "smtp" | "mail" => Some(25),
        "submission" => Some(587),
        "smtps" | "submissions" | "ssmtp" => Some(465),
        "telnet" => Some(23),
        "pop3" => Some(110),
        "imap" | "imap2" => Some(143),
        "http" | "www" => Some(80),
        other => other.parse().ok(),
    }
}

/// Where `telnet HOST PORT` goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The mail server, reached at this address.
    MailServer { address: String, shown_name: String },
    /// A host that exists but has nothing listening on that port.
    Refused { address: String },
    /// The name does not resolve (`port` as typed, for the message).
    Unknown,
    /// The port is not a number or a known service name.
    BadPort,
}

pub fn resolve(world: &World, host: &str, port: &str) -> Target {
    let Some(port_number) = port_number(port) else {
        return Target::BadPort;
    };
    let lower = host.to_ascii_lowercase();
    let short = world.hostname.split('.').next().unwrap_or("");
    let server = lower == world.hostname.to_ascii_lowercase()
        || lower == short
        || lower == world.server_address
        || lower == "localhost"
        || lower == "127.0.0.1";
    let address = if server {
        world.server_address.clone()
    } else if let Some(host) = world
        .hosts
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(host) || h.address == host)
    {
        host.address.clone()
    } else if host.parse::<std::net::Ipv4Addr>().is_ok() {
        host.to_string()
    } else {
        return Target::Unknown;
    };
    if address == world.server_address && SMTP_PORTS.contains(&port_number) {
        Target::MailServer {
            address,
            shown_name: host.to_string(),
        }
    } else {
        Target::Refused { address }
    }
}

pub fn trying(address: &str) -> String {
    format!("Trying {address}...")
}

pub fn connected(name: &str) -> String {
    format!("Connected to {name}.")
}

pub const ESCAPE_HINT: &str = "Escape character is '^]'.";
pub const CLOSED_BY_FOREIGN_HOST: &str = "Connection closed by foreign host.";
pub const CONNECTION_CLOSED: &str = "Connection closed.";

pub fn lookup_failure(host: &str, port: &str) -> String {
    format!("Server lookup failure:  {host}:{port}, Name or service not known")
}

pub const REFUSED: [&str; 2] = [
    "Connection failed: Connection refused",
    "telnet: Unable to connect to remote host: Connection refused",
];

/// `telnet> help`.
pub const COMMAND_HELP: &[&str] = &[
    "Commands may be abbreviated.  Commands are:",
    "",
    "close\tclose current connection",
    "logout\tforcibly logout remote user and close the connection",
    "display\tdisplay operating parameters",
    "mode\ttry to enter line or character mode ('mode ?' for more)",
    "open\tconnect to a site",
    "quit\texit telnet",
    "send\ttransmit special characters ('send ?' for more)",
    "set\tset operating parameters ('set ?' for more)",
    "unset\tunset operating parameters ('unset ?' for more)",
    "status\tprint status information",
    "toggle\ttoggle operating parameters ('toggle ?' for more)",
    "slc\tset treatment of special characters",
    "z\tsuspend telnet",
    "environ\tchange environment variables ('environ ?' for more)",
    "?\tprint help information",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_hosts_and_ports() {
        let world = World::tutorial();
        let cases: &[(&str, &str, Target)] = &[
            (
                "mail.example.com",
                "smtp",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                },
            ),
            (
                "mail.example.com",
                "587",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "mail.example.com".into(),
                },
            ),
            (
                "localhost",
                "25",
                Target::MailServer {
                    address: "127.0.0.1".into(),
                    shown_name: "localhost".into(),
                },
            ),
            (
                "mail.example.com",
                "80",
                Target::Refused {
                    address: "127.0.0.1".into(),
                },
            ),
            ("nosuch.example", "smtp", Target::Unknown),
            ("mail.example.com", "bogus", Target::BadPort),
        ];
        for (host, port, target) in cases {
            assert_eq!(&resolve(&world, host, port), target, "{host} {port}");
        }
    }
}
