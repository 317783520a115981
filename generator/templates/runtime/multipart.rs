use crate::wire::WireValue;

/// A file sent as one part of a `multipart/form-data` body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The name the server sees (`filename` in the part's `Content-Disposition`).
    pub file_name: String,
    /// The part's `Content-Type`; empty sends `application/octet-stream`.
    pub content_type: String,
}

impl FilePart {
    pub fn new(bytes: impl Into<Vec<u8>>, file_name: impl Into<String>, content_type: impl Into<String>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
        }
    }
}

/// The parts of a `multipart/form-data` body (RFC 7578), in the order added. Encoded into one
/// buffer rather than streamed, so that a retried request sends the same bytes again.
#[derive(Debug, Default)]
pub struct Multipart {
    fields: Vec<(&'static str, String)>,
    files: Vec<(&'static str, FilePart)>,
}

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    /// A text field; arrays repeat the name, `None` adds nothing (as in a form body).
    pub fn field(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.fields);
    }

    pub fn file(&mut self, name: &'static str, file: &FilePart) {
        self.files.push((name, file.clone()));
    }

    pub fn file_opt(&mut self, name: &'static str, file: &Option<FilePart>) {
        if let Some(file) = file {
            self.file(name, file);
        }
    }

    /// The boundary and the body. The boundary is the first of a fixed sequence that occurs in
    /// no part, so the same parts always encode to the same bytes.
    pub(crate) fn encode(self) -> (String, Vec<u8>) {
        let contains = |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
        let boundary = (0u32..)
            .map(|n| format!("telephony-client-boundary-{n:08x}"))
            .find(|b| {
                !self.fields.iter().any(|(_, v)| contains(v.as_bytes(), b.as_bytes()))
                    && !self.files.iter().any(|(_, f)| contains(&f.bytes, b.as_bytes()) || f.file_name.contains(b.as_str()))
            })
            .unwrap_or_default();
        let mut body = Vec::new();
        for (name, value) in &self.fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quoted(name)).as_bytes());
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        for (name, file) in &self.files {
            let content_type = if file.content_type.is_empty() { "application/octet-stream" } else { file.content_type.as_str() };
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    quoted(name),
                    quoted(&file.file_name),
                    quoted_line(content_type),
                )
                .as_bytes(),
            );
            body.extend_from_slice(&file.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (boundary, body)
    }
}

/// A name inside a quoted `Content-Disposition` parameter: `"`, CR and LF percent-encoded, as
/// browsers do (RFC 7578 section 4.2), so a name can neither end the quote nor the header.
fn quoted(text: &str) -> String {
    text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// A header value that cannot start another header line.
fn quoted_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
