use std::fmt;

use crate::wire::WireValue;

/// A date-time as the server sent it. Decoding never fails on the text; parse it with
/// [`Timestamp::to_offset_date_time`] when you need it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub(crate) String);

impl Timestamp {
    /// A timestamp with exactly this text.
    pub fn new(text: impl Into<String>) -> Self {
        Timestamp(text.into())
    }

    /// `Fri, 18 Feb 2011 21:07:19 +0000`, the form Twilio's `date-time-rfc-2822` uses. `None`
    /// for a year before 1900 or after 9999, or an offset with seconds: RFC 2822 has no text
    /// for them.
    pub fn rfc2822(at: time::OffsetDateTime) -> Option<Self> {
        // Written out rather than with `time`'s formatter, which is generic over its output
        // and would be compiled again into every generated crate.
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (year, offset) = (at.year(), at.offset());
        if !(1900..=9999).contains(&year) || offset.seconds_past_minute() != 0 {
            return None;
        }
        Some(Timestamp(format!(
            "{}, {:02} {} {year} {:02}:{:02}:{:02} {}",
            DAYS[usize::from(at.weekday().number_days_from_monday())],
            at.day(),
            MONTHS[usize::from(u8::from(at.month()) - 1)],
            at.hour(),
            at.minute(),
            at.second(),
            offset_text(offset, ""),
        )))
    }

    /// `2011-02-18T21:07:19Z`, the form of `format: date-time`, with the fraction of a second
    /// when there is one. `None` for a year after 9999 or before 0, or an offset with seconds.
    pub fn rfc3339(at: time::OffsetDateTime) -> Option<Self> {
        let (year, offset) = (at.year(), at.offset());
        if !(0..=9999).contains(&year) || offset.seconds_past_minute() != 0 {
            return None;
        }
        let mut text = format!(
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        );
        if at.nanosecond() != 0 {
            let fraction = format!("{:09}", at.nanosecond());
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        if offset.is_utc() {
            text.push('Z');
        } else {
            text.push_str(&offset_text(offset, ":"));
        }
        Some(Timestamp(text))
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, if the text is RFC 2822 or RFC 3339.
    pub fn to_offset_date_time(&self) -> Option<time::OffsetDateTime> {
        use time::format_description::well_known::{Rfc2822, Rfc3339};
        time::OffsetDateTime::parse(&self.0, &Rfc2822)
            .or_else(|_| time::OffsetDateTime::parse(&self.0, &Rfc3339))
            .ok()
    }
}

/// `+hhmm` (`separator` empty) or `+hh:mm`.
fn offset_text(offset: time::UtcOffset, separator: &str) -> String {
    let sign = if offset.is_negative() { '-' } else { '+' };
    let (hours, minutes) = (offset.whole_hours().unsigned_abs(), offset.minutes_past_hour().unsigned_abs());
    format!("{sign}{hours:02}{separator}{minutes:02}")
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Timestamp(text)
    }
}

impl WireValue for Timestamp {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        out.push((key, self.0.clone()));
    }
}
