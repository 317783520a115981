use std::fmt;

use crate::error::InvalidRequest;

/// Builds a request path; each parameter becomes exactly one percent-encoded segment. The
/// first parameter that cannot be one is kept for [`PathBuilder::finish`], so that generated
/// code needs no `?` per parameter.
#[derive(Debug, Default)]
pub struct PathBuilder {
    path: String,
    params: Vec<(&'static str, std::ops::Range<usize>)>,
    refused: Option<InvalidRequest>,
}

/// Everything except RFC 3986 unreserved characters is percent-encoded, so a value can add
/// no segment (`/`), query (`?`) or fragment (`#`), and `%` itself is escaped.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl PathBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn literal(mut self, text: &str) -> Self {
        self.path.push_str(text);
        self
    }

    pub fn param(self, name: &'static str, value: impl fmt::Display) -> Self {
        self.segment(name, value.to_string())
    }

    /// The client's account: the one it was given, else the Basic username.
    pub fn account(self, name: &'static str, account: Option<&str>) -> Self {
        match account {
            Some(account) => self.segment(name, account.to_string()),
            None => self.refuse(InvalidRequest::NoAccount { name }),
        }
    }

    fn segment(mut self, name: &'static str, value: String) -> Self {
        if value.is_empty() {
            return self.refuse(InvalidRequest::EmptyPathParameter { name });
        }
        let start = self.path.len();
        self.path
            .extend(percent_encoding::utf8_percent_encode(&value, SEGMENT));
        self.params.push((name, start..self.path.len()));
        self
    }

    fn refuse(mut self, refused: InvalidRequest) -> Self {
        self.refused.get_or_insert(refused);
        self
    }

    /// Rejects `.` and `..` segments: URL parsers resolve them, which would send the request
    /// to a different resource.
    pub fn finish(self) -> Result<String, InvalidRequest> {
        if let Some(refused) = self.refused {
            return Err(refused);
        }
        let mut offset = 0;
        for segment in self.path.split('/') {
            if segment == "." || segment == ".." {
                let range = offset..offset + segment.len();
                if let Some((name, _)) = self
                    .params
                    .iter()
                    .find(|(_, r)| r.start < range.end && range.start < r.end)
                {
                    return Err(InvalidRequest::DotSegment {
                        name,
                        value: segment.to_string(),
                    });
                }
            }
            offset += segment.len() + 1;
        }
        Ok(self.path)
    }
}
