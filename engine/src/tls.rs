//! What a TLS client sees of the simulated servers' TLS: the world's
//! certificate and, per server build, what its TLS library negotiates.
//! The page cannot do real TLS; `openssl s_client` and `swaks` in its
//! shell print these facts as they print a real server's. (The native
//! server does real TLS with rustls and presents the same certificate.)

/// The certificate the world's mail host presents: a self-signed one for
/// `mail.example.com`, as a Debian mail server makes for itself. Fixed,
/// so that what a client prints of it is the same every time; it is the
/// certificate the recorded submission servers presented.
pub const CERTIFICATE_PEM: &str = include_str!("../../worlds/tls/mail.example.com.crt");

/// Its validity, as OpenSSL prints it (`ASN1_TIME_print`).
pub const CERTIFICATE_NOT_BEFORE: &str = "Dec  6 04:08:48 2026 GMT";
pub const CERTIFICATE_NOT_AFTER: &str = "Dec  3 04:08:48 2036 GMT";
/// Its key, as OpenSSL names it.
pub const CERTIFICATE_KEY: &str = "rsaEncryption, 2048 (bit); sigalg: RSA-SHA256";
pub const CERTIFICATE_KEY_BITS: u32 = 2048;

/// What one server build's TLS library negotiates with OpenSSL 3.0's
/// client (TLS 1.3, TLS_AES_256_GCM_SHA384).
#[derive(Debug, PartialEq, Eq)]
pub struct TlsProfile {
    /// `Server Temp Key:`, the key exchange group.
    pub temp_key: &'static str,
    /// `Peer signature type:`.
    pub signature_type: &'static str,
    /// The handshake's own bytes, read and written by the client (what
    /// s_client reports adds the plain text read and written before a
    /// STARTTLS).
    pub handshake_bytes: (u32, u32),
    /// Session tickets sent after the handshake, and their lifetime hint.
    pub tickets: u32,
    pub ticket_lifetime_seconds: u32,
    /// How swaks names the cipher (`TLSv1.3:TLS_AES_256_GCM_SHA384:256`).
    pub swaks_cipher: &'static str,
}

/// Postfix 3.7 on Debian 12's OpenSSL 3.0, as recorded: X25519, one
/// ticket for two hours (Postfix's `smtpd_tls_session_cache_timeout`
/// and tlsmgr's ticket key).
pub const OPENSSL_POSTFIX: TlsProfile = TlsProfile {
    temp_key: "X25519, 253 bits",
    signature_type: "RSA-PSS",
    handshake_bytes: (1351, 402),
    tickets: 1,
    ticket_lifetime_seconds: 7200,
    swaks_cipher: "TLSv1.3:TLS_AES_256_GCM_SHA384:256",
};

/// Sendmail 8.17 on the same OpenSSL, as recorded: its default curve list
/// makes the client retry with P-256 (the larger handshake), and it sends
/// two tickets with a lifetime of one second (no session cache).
pub const OPENSSL_SENDMAIL: TlsProfile = TlsProfile {
    temp_key: "ECDH, prime256v1, 256 bits",
    signature_type: "RSA-PSS",
    handshake_bytes: (1477, 757),
    tickets: 2,
    ticket_lifetime_seconds: 1,
    swaks_cipher: "TLSv1.3:TLS_AES_256_GCM_SHA384:256",
};

/// Exim 4.96 with Debian's GnuTLS 3.7: not recorded with s_client; the
/// values are GnuTLS's defaults (X25519 first, one ticket, six hours).
pub const GNUTLS_EXIM: TlsProfile = TlsProfile {
    temp_key: "X25519, 253 bits",
    signature_type: "RSA-PSS",
    handshake_bytes: (1351, 402),
    tickets: 1,
    ticket_lifetime_seconds: 21600,
    swaks_cipher: "TLSv1.3:TLS_AES_256_GCM_SHA384:256",
};

/// Dovecot 2.3 on the same OpenSSL (POP3S, IMAPS, STLS, STARTTLS): not
/// recorded with s_client; OpenSSL's defaults as Postfix shows them.
pub const OPENSSL_DOVECOT: TlsProfile = OPENSSL_POSTFIX;
