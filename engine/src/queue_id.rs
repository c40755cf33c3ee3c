//! Sendmail queue ids (8.13 and later): `r9M95xgc014513`.
//!
//! Six characters of UTC date and time, each a value below 60 written with
//! the digits `0-9A-Za-x` (year since 1900 mod 60, month 0-11, day, hour,
//! minute, second), two characters of a per-process sequence, then the
//! process id in at least six digits.

use crate::time::Timestamp;

const DIGITS: &[u8; 60] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

/// The number of distinct two-character sequence values.
pub const SEQUENCE_SPAN: u32 = 60 * 60;

fn digit(value: i64) -> char {
    char::from(DIGITS[value.rem_euclid(60) as usize])
}

pub fn queue_id(at: Timestamp, sequence: u32, process_id: u32) -> String {
    let t = at.utc();
    let sequence = sequence % SEQUENCE_SPAN;
    let mut id = String::with_capacity(16);
    id.push(digit(t.year - 1900));
    id.push(digit(i64::from(t.month) - 1));
    id.push(digit(i64::from(t.day)));
    id.push(digit(i64::from(t.hour)));
    id.push(digit(i64::from(t.minute)));
    id.push(digit(i64::from(t.second)));
    id.push(digit(i64::from(sequence / 60)));
    id.push(digit(i64::from(sequence % 60)));
    id.push_str(&format!("{process_id:06}"));
    id
}

/// A Postfix short queue id (`A88EC99A001`): the microseconds of the
/// queue file's creation as five hex digits, then its inode number in hex.
/// The simulation has neither, so both come from the session's inputs:
/// the time, the sequence and the process id, mixed so that ids of one
/// session differ and look like the real ones.
pub fn postfix_queue_id(at: Timestamp, sequence: u32, process_id: u32) -> String {
    let mix = (at.unix_seconds as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(sequence).wrapping_mul(0xBF58_476D_1CE4_E5B9))
        .wrapping_add(u64::from(process_id));
    let microseconds = (mix >> 20) % 1_000_000;
    // Inodes of one queue directory stay close together.
    let inode = 0x99_A000 + (u64::from(process_id) % 0x100) * 0x40 + u64::from(sequence) % 0x40;
    format!("{microseconds:05X}{inode:X}")
}

/// Exim's base-62 digits (`string_base62`).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62(mut value: u64, width: usize) -> String {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// An Exim 4.96 message id (`1xXlKK-0003jC-0Q`): the time in seconds, the
/// receiving process id, and the microseconds divided by Exim's
/// `id_resolution` (500 on Linux, so 0 to 1999), each in base 62. The
/// simulation has no microseconds, so the fraction comes from the
/// session's sequence: ids of one process in one second still differ.
pub fn exim_message_id(at: Timestamp, sequence: u32, process_id: u32) -> String {
    let fraction = (u64::from(sequence) * 743 + u64::from(process_id)) % 2000;
    format!(
        "{}-{}-{}",
        base62(at.unix_seconds.max(0) as u64, 6),
        base62(u64::from(process_id), 6),
        base62(fraction, 2)
    )
}

/// The sequence value that the two characters `pair` stand for, if valid.
pub fn sequence_from_pair(pair: &str) -> Option<u32> {
    let bytes = pair.as_bytes();
    if bytes.len() != 2 {
        return None;
    }
    let value = |b: u8| DIGITS.iter().position(|&d| d == b).map(|p| p as u32);
    Some(value(bytes[0])? * 60 + value(bytes[1])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tutorial_queue_id() {
        let at = Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap();
        let sequence = sequence_from_pair("gc").unwrap();
        assert_eq!(queue_id(at, sequence, 14513), "r9M95xgc014513");
    }

    #[test]
    fn exim_id_as_recorded() {
        // 1xXlKK-0003jC-0Q was given at 20:16:48 by process 14334.
        let at = Timestamp::parse_rfc3339("2026-11-29T20:16:48Z").unwrap();
        let id = exim_message_id(at, 7, 14334);
        assert!(id.starts_with("1xXlKK-0003jC-"), "{id}");
        assert_eq!(id.len(), 16);
        assert_ne!(id, exim_message_id(at, 8, 14334));
    }

    #[test]
    fn corpus_queue_id_date_part() {
        let at = Timestamp::parse_rfc3339("2026-11-28T13:08:25Z").unwrap();
        assert!(queue_id(at, 0, 28168).starts_with("6ASD8P"));
    }
}
