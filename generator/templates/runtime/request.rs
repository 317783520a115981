use crate::{error::InvalidRequest, form::encode_form, hooks::Operation, multipart::Multipart, wire::WireValue};

/// A request under construction.
#[derive(Debug)]
pub struct Request {
    pub(crate) operation: Operation,
    pub(crate) method: reqwest::Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Content type and bytes, encoded once so that every attempt sends the same bytes.
    pub(crate) body: Option<(std::borrow::Cow<'static, str>, bytes::Bytes)>,
    /// This call's deadline ([`Call::deadline`](crate::Call::deadline)), else the client's.
    pub(crate) deadline: Option<std::time::Duration>,
}

/// Where a request goes: a path under the base URL, or a link the API gave (a next page).
#[derive(Debug)]
pub(crate) enum Target {
    Path(String),
    Url(reqwest::Url),
}

impl Request {
    pub fn new(operation: Operation, path: String) -> Self {
        Request {
            operation,
            method: operation.method.clone(),
            target: Target::Path(path),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            deadline: None,
        }
    }

    /// A `GET` of a link the API returned, on behalf of `operation`.
    pub fn follow(operation: Operation, url: reqwest::Url) -> Self {
        Request {
            operation,
            method: reqwest::Method::GET,
            target: Target::Url(url),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            deadline: None,
        }
    }

    pub fn operation(&self) -> Operation {
        self.operation
    }

    pub fn query(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.query);
    }

    pub fn header(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.headers);
    }

    pub fn form(&mut self, pairs: Vec<(&'static str, String)>) {
        let encoded = encode_form(&pairs).into_bytes();
        self.body = Some(("application/x-www-form-urlencoded".into(), encoded.into()));
    }

    pub fn json(&mut self, body: &impl serde::Serialize) -> Result<(), InvalidRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| InvalidRequest::Body(e.to_string()))?;
        self.body = Some(("application/json".into(), bytes.into()));
        Ok(())
    }

    pub fn text(&mut self, body: &str) {
        self.body = Some(("text/plain; charset=utf-8".into(), bytes::Bytes::copy_from_slice(body.as_bytes())));
    }

    pub fn bytes(&mut self, body: &[u8]) {
        self.body = Some(("application/octet-stream".into(), bytes::Bytes::copy_from_slice(body)));
    }

    pub fn multipart(&mut self, body: Multipart) {
        let (boundary, bytes) = body.encode();
        self.body = Some((format!("multipart/form-data; boundary={boundary}").into(), bytes.into()));
    }
}
