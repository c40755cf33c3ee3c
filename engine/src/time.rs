//! Calendar arithmetic and the date formats a Sendmail server writes.
//!
//! The engine never reads a clock: every event carries a [`Timestamp`]
//! (seconds since the Unix epoch plus the UTC offset of the machine the
//! server pretends to run on). This module turns it into the RFC 822 date of
//! the banner and `Received:` header, the `ctime(3)` date of the mbox `From `
//! line, and the calendar fields the queue id is built from.
//!
//! Written here rather than taken from a date crate: the formats must be
//! Sendmail's to the byte (its `arpadate()` spacing, `ctime` with two
//! spaces before a one-digit day), the arithmetic is a few lines over a
//! value the caller passes in, and a date crate would bring time zones and
//! a clock into a library that must have neither.

/// A moment, with the UTC offset the simulated machine displays it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub unix_seconds: i64,
    pub offset_minutes: i32,
}

/// Calendar fields of a moment in one time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday
    pub weekday: u32,
}

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 to a (year, month, day) date, proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `Nov` to 11 (any case).
fn month_number(name: &str) -> Option<u32> {
    MONTH_NAMES
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map(|i| i as u32 + 1)
}

/// `13:08:26` to seconds since midnight.
fn clock_seconds(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let mut total = 0i64;
    for limit in [24, 60, 60] {
        let value: i64 = parts.next()?.parse().ok()?;
        if !(0..limit).contains(&value) {
            return None;
        }
        total = total * 60 + value;
    }
    parts.next().is_none().then_some(total)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl CivilTime {
    fn from_seconds(seconds: i64) -> CivilTime {
        let days = seconds.div_euclid(86_400);
        let rest = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: (rest / 3600) as u32,
            minute: (rest % 3600 / 60) as u32,
            second: (rest % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    fn day_name(&self) -> &'static str {
        DAY_NAMES[self.weekday as usize % 7]
    }

    fn month_name(&self) -> &'static str {
        MONTH_NAMES[(self.month as usize + 11) % 12]
    }
}

impl Timestamp {
    pub fn new(unix_seconds: i64, offset_minutes: i32) -> Timestamp {
        Timestamp {
            unix_seconds,
            offset_minutes,
        }
    }

    /// The same moment `millis` later (rounded down to whole seconds).
    pub fn plus_millis(self, millis: u64) -> Timestamp {
        let seconds = i64::try_from(millis / 1000).unwrap_or(i64::MAX);
        Timestamp {
            unix_seconds: self.unix_seconds.saturating_add(seconds),
            ..self
        }
    }

    pub fn utc(&self) -> CivilTime {
        CivilTime::from_seconds(self.unix_seconds)
    }

    pub fn local(&self) -> CivilTime {
        CivilTime::from_seconds(
            self.unix_seconds
                .saturating_add(i64::from(self.offset_minutes) * 60),
        )
    }

    /// `Tue, 22 Oct 2013 05:05:59 -0400`; a zero offset is written `GMT`,
    /// and the day of the month is not zero-padded, as Sendmail's `arpadate`.
    pub fn rfc822(&self) -> String {
        let zone = if self.offset_minutes == 0 {
            "GMT".to_string()
        } else {
            self.numeric_offset()
        };
        self.day_date_time(format!("{}", self.local().day), &zone)
    }

    /// `Sun, 01 Nov 2026 20:16:48 +0000`, Exim's `tod_full`: the day
    /// zero-padded and the offset always numeric.
    pub fn full_date(&self) -> String {
        self.day_date_time(format!("{:02}", self.local().day), &self.numeric_offset())
    }

    /// `Sun, DAY Nov 2026 20:16:48 ZONE` with the day and zone as given.
    fn day_date_time(&self, day: String, zone: &str) -> String {
        let t = self.local();
        format!(
            "{}, {day} {} {} {:02}:{:02}:{:02} {zone}",
            t.day_name(),
            t.month_name(),
            t.year,
            t.hour,
            t.minute,
            t.second
        )
    }

    /// `+0000`, `-0400`: the offset from UTC as RFC 5322 writes it.
    fn numeric_offset(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let minutes = self.offset_minutes.unsigned_abs();
        format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
    }

    /// `Sun Nov 01 20:16:48 2026`, Exim's `tod_bsdin` for mbox `From `
    /// lines: like `ctime(3)` but with the day zero-padded (`%d`).
    pub fn bsd_inbox(&self) -> String {
        self.mbox_date(format!("{:02}", self.local().day))
    }

    /// `Sat, 28 Nov 2026 13:10:24 +0000 (UTC)`, Postfix's `mail_date`:
    /// the day padded with a space (`%e`), the numeric offset, and the
    /// zone's name, which for a machine on UTC is `UTC` (other offsets are
    /// named by the offset, as the C library names a zone without one).
    pub fn mail_date(&self) -> String {
        let t = self.local();
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let minutes = self.offset_minutes.unsigned_abs();
        let name = match (minutes / 60, minutes % 60) {
            (0, 0) => "UTC".to_string(),
            (hours, 0) => format!("{sign}{hours:02}"),
            (hours, rest) => format!("{sign}{hours:02}{rest:02}"),
        };
        format!(
            "{}, {:>2} {} {} {:02}:{:02}:{:02} {} ({})",
            t.day_name(),
            t.day,
            t.month_name(),
            t.year,
            t.hour,
            t.minute,
            t.second,
            self.numeric_offset(),
            name
        )
    }

    /// `YYYYMMDDhhmmss` in UTC, the first part of a Postfix `Message-Id`.
    pub fn compact_seconds_utc(&self) -> String {
        let t = self.utc();
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }

    /// `Sat Nov 28 13:08:26 2026`, as `ctime(3)` writes it in mbox `From ` lines.
    pub fn ctime(&self) -> String {
        self.mbox_date(format!("{:>2}", self.local().day))
    }

    /// `Sat Nov DAY 13:08:26 2026` with the day as given.
    fn mbox_date(&self, day: String) -> String {
        let t = self.local();
        format!(
            "{} {} {day} {:02}:{:02}:{:02} {}",
            t.day_name(),
            t.month_name(),
            t.hour,
            t.minute,
            t.second,
            t.year
        )
    }

    /// `28-Nov-2026 13:08:26 +0000`, IMAP's `date-time` (RFC 3501), as
    /// INTERNALDATE is written.
    pub fn imap_date(&self) -> String {
        let t = self.local();
        format!(
            "{:02}-{}-{:04} {:02}:{:02}:{:02} {}",
            t.day,
            t.month_name(),
            t.year,
            t.hour,
            t.minute,
            t.second,
            self.numeric_offset()
        )
    }

    /// Parses IMAP's `date-time` (`28-Nov-2026 14:00:00 +0000`; the day
    /// may be one digit after a space).
    pub fn parse_imap_date(text: &str) -> Option<Timestamp> {
        let (date, rest) = text.trim_start().split_once(' ')?;
        let (time, zone) = rest.split_once(' ')?;
        let mut parts = date.split('-');
        let day: u32 = parts.next()?.parse().ok()?;
        let month = month_number(parts.next()?)?;
        let year: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
            return None;
        }
        let seconds = clock_seconds(time)?;
        let zone = zone.as_bytes();
        if zone.len() != 5 || !matches!(zone[0], b'+' | b'-') {
            return None;
        }
        let digits = std::str::from_utf8(&zone[1..]).ok()?;
        let value: i32 = digits.parse().ok().filter(|v| (0..=9959).contains(v))?;
        let minutes = (value / 100) * 60 + value % 100;
        let offset = if zone[0] == b'-' { -minutes } else { minutes };
        let local = days_from_civil(year, month, day) * 86_400 + seconds;
        Some(Timestamp::new(local - i64::from(offset) * 60, offset))
    }

    /// Parses the `ctime(3)` date that ends an mbox `From ` line
    /// (`Sat Nov 28 13:08:26 2026`), read in the zone `offset_minutes`.
    pub fn parse_ctime(text: &str, offset_minutes: i32) -> Option<Timestamp> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let [_, month, day, time, year] = words[words.len().checked_sub(5)?..] else {
            return None;
        };
        let month = month_number(month)?;
        let day: u32 = day.parse().ok()?;
        let year: i64 = year.parse().ok().filter(|y| (1..=9999).contains(y))?;
        let local = days_from_civil(year, month, day) * 86_400 + clock_seconds(time)?;
        Some(Timestamp::new(
            local - i64::from(offset_minutes) * 60,
            offset_minutes,
        ))
    }

    /// `YYYYMMDDhhmm` in local time, the first part of a Sendmail `Message-Id`.
    pub fn compact_minutes(&self) -> String {
        let t = self.local();
        format!(
            "{:04}{:02}{:02}{:02}{:02}",
            t.year, t.month, t.day, t.hour, t.minute
        )
    }

    /// Parses `2013-10-22T05:05:59-04:00` (RFC 3339 with seconds; `Z` or an
    /// offset). Returns `None` for anything else.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            if part.bytes().all(|b| b.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = number(0..4)?;
        let month = number(5..7)? as u32;
        let day = number(8..10)? as u32;
        let hour = number(11..13)?;
        let minute = number(14..16)?;
        let second = number(17..19)?;
        if bytes[4] != b'-'
            || bytes[7] != b'-'
            || !matches!(bytes[10], b'T' | b't' | b' ')
            || bytes[13] != b':'
            || bytes[16] != b':'
            || !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(|b| b.is_ascii_digit()).count();
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest {
            "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                    return None;
                }
                let hours: i32 = rest.get(1..3)?.parse().ok()?;
                let minutes: i32 = rest.get(4..6)?.parse().ok()?;
                sign * (hours * 60 + minutes)
            }
        };
        let local_seconds =
            days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Timestamp {
            unix_seconds: local_seconds - i64::from(offset_minutes) * 60,
            offset_minutes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tutorial_date_formats() {
        let t = Timestamp::parse_rfc3339("2013-10-22T05:05:59-04:00").unwrap();
        assert_eq!(t.rfc822(), "Tue, 22 Oct 2013 05:05:59 -0400");
        assert_eq!(t.ctime(), "Tue Oct 22 05:05:59 2013");
        assert_eq!(t.utc().hour, 9);
    }

    #[test]
    fn zero_offset_is_gmt_and_day_is_not_padded() {
        let t = Timestamp::parse_rfc3339("2013-11-02T10:00:00Z").unwrap();
        assert_eq!(t.rfc822(), "Sat, 2 Nov 2013 10:00:00 GMT");
        assert_eq!(t.ctime(), "Sat Nov  2 10:00:00 2013");
    }

    #[test]
    fn rejects_malformed_times() {
        for bad in [
            "",
            "2013-10-22",
            "2013-13-22T05:05:59Z",
            "2013-10-22T05:05:59+0400",
            "ábcdefghijklmnopqrstu",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 365, 11_000, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn exim_dates() {
        let t = Timestamp::parse_rfc3339("2026-11-01T07:05:09-04:00").unwrap();
        assert_eq!(t.full_date(), "Sun, 01 Nov 2026 07:05:09 -0400");
        assert_eq!(t.bsd_inbox(), "Sun Nov 01 07:05:09 2026");
    }

    #[test]
    fn imap_dates() {
        let t = Timestamp::parse_imap_date("28-Nov-2026 14:00:00 +0000").unwrap();
        assert_eq!(t.imap_date(), "28-Nov-2026 14:00:00 +0000");
        assert_eq!(t.ctime(), "Sat Nov 28 14:00:00 2026");
        let shifted = Timestamp::parse_imap_date(" 1-Dec-2026 01:00:00 -0130").unwrap();
        assert_eq!(
            Timestamp::new(shifted.unix_seconds, 0).imap_date(),
            "01-Dec-2026 02:30:00 +0000"
        );
        for bad in [
            "32-Nov-2026 14:00:00 +0000",
            "28-Nov-99999999999999 14:00:00 +0000",
            "28-Nov-2026 24:00:00 +0000",
            "28-Nov-2026 14:00:00 0000",
            "x",
        ] {
            assert_eq!(Timestamp::parse_imap_date(bad), None, "{bad}");
        }
        let from_line = Timestamp::parse_ctime("Sat Nov 28 13:08:26 2026", 0).unwrap();
        assert_eq!(from_line.imap_date(), "28-Nov-2026 13:08:26 +0000");
        assert_eq!(
            Timestamp::parse_ctime("Sat Nov 28 13:08:26 99999999999999", 0),
            None
        );
    }
}
