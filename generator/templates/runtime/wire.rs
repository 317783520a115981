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
