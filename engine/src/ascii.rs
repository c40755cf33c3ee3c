//! Byte tests the servers' C code takes from its C library, written once:
//! `isspace` in the C locale and `memmem`.

/// `isspace` in the C locale: space, tab, LF, VT, FF, CR.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_searches() {
        let spaces: Vec<u8> = (0..=255u8).filter(|&b| is_space(b)).collect();
        assert_eq!(spaces, [b'\t', b'\n', 0x0b, 0x0c, b'\r', b' ']);
        assert_eq!(find(b"Subject: x\r\n\r\nbody", b"\r\n\r\n"), Some(10));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"abc", b""), Some(0));
    }
}
