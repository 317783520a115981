use crate::timestamp::Timestamp;

/// A value's text form in a query string, form body or header. Sequences repeat the key
/// (`Event=initiated&Event=ringing`); `None` sends nothing.
pub trait WireValue {
    /// Appends `(key, text)` pairs for this value.
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>);
}

macro_rules! display_wire_value {
    ($($t:ty),*) => {$(
        impl WireValue for $t {
            fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
                out.push((key, self.to_string()));
            }
        }
    )*};
}
display_wire_value!(bool, i32, i64, f64, String, str);

impl WireValue for serde_json::Value {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        match self {
            serde_json::Value::String(s) => out.push((key, s.clone())),
            other => out.push((key, other.to_string())),
        }
    }
}

impl<T: WireValue + ?Sized> WireValue for &T {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        (**self).push_to(key, out)
    }
}

impl<T: WireValue> WireValue for Option<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        if let Some(value) = self {
            value.push_to(key, out);
        }
    }
}

impl<T: WireValue> WireValue for Vec<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        for value in self {
            value.push_to(key, out);
        }
    }
}

impl<T: WireValue + ?Sized> WireValue for Box<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        (**self).push_to(key, out)
    }
}

/// `format: date`: `2025-05-01`.
impl WireValue for time::Date {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        out.push((key, format!("{:04}-{:02}-{:02}", self.year(), u8::from(self.month()), self.day())));
    }
}

/// `format: date-time`: RFC 3339 (`2025-05-01T09:30:00Z`), as [`Timestamp::rfc3339`] writes it.
impl WireValue for time::OffsetDateTime {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        match Timestamp::rfc3339(*self) {
            Some(text) => out.push((key, text.0)),
            // Years past 9999 have no RFC 3339 text; `time`'s own keeps the value whole.
            None => out.push((key, self.to_string())),
        }
    }
}
