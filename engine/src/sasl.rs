//! SASL's PLAIN mechanism (RFC 4616), as the servers read a client's
//! answer: base64 of an authorization identity, NUL, the user, NUL, the
//! password.

use base64::Engine as _;

/// What a PLAIN answer holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plain {
    /// Not base64 at all.
    BadBase64,
    /// A user and password (any authorization identity was the user's own).
    Credentials { user: String, password: String },
    /// Base64, but not three parts, or someone else's identity asked for.
    Refused,
}

/// Reads a PLAIN answer.
pub fn plain(encoded: &str) -> Plain {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return Plain::BadBase64;
    };
    let parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
    match parts.as_slice() {
        [authz, user, password] if authz.is_empty() || authz == user => Plain::Credentials {
            user: String::from_utf8_lossy(user).into_owned(),
            password: String::from_utf8_lossy(password).into_owned(),
        },
        _ => Plain::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_answers() {
        let credentials = |user: &str, password: &str| Plain::Credentials {
            user: user.into(),
            password: password.into(),
        };
        let table = [
            (
                "AG1vbQBtb20tcGFzc3dvcmQ=",
                credentials("mom", "mom-password"),
            ),
            (
                "bW9tAG1vbQBtb20tcGFzc3dvcmQ=",
                credentials("mom", "mom-password"),
            ),
            (
                " AG1vbQBtb20tcGFzc3dvcmQ= ",
                credentials("mom", "mom-password"),
            ),
            ("Ym9iAG1vbQBtb20tcGFzc3dvcmQ=", Plain::Refused),
            ("AG1vbQ==", Plain::Refused),
            ("!!!notbase64", Plain::BadBase64),
        ];
        for (encoded, want) in table {
            assert_eq!(plain(encoded), want, "{encoded}");
        }
    }
}
