//! What a client tool does with a connection besides showing it: the
//! steps `openssl s_client` and `swaks` take in reply to the server, and
//! the shared vocabulary the telnet machinery carries out for them.

use super::scrollback::LineKind;

/// What a tool asks the connection to do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Show the server's reply (or line) that came, each line with this
    /// prefix (empty: as telnet shows it).
    Server(&'static str),
    /// Show a line of the tool's own.
    Show(LineKind, String),
    /// Send these bytes; `shown` is the line as the tool prints it, if it
    /// prints it.
    Send {
        bytes: Vec<u8>,
        shown: Option<String>,
    },
    /// The client's TLS handshake is done: the session goes on inside TLS.
    Handshake,
    /// The tool ends (closing the connection if it is open).
    Exit,
}

/// A small deterministic generator for the values a real TLS session
/// makes up (session ids, tickets), so that the same session prints the
/// same output: splitmix64, written out because it is eight lines and
/// needs to be nothing more than varied.
pub struct Varied(u64);

impl Varied {
    pub fn new(seed: u64) -> Varied {
        Varied(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn bytes(&mut self, count: usize) -> Vec<u8> {
        (0..count).map(|_| self.next() as u8).collect()
    }
}
