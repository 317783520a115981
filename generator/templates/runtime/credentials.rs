use std::fmt;

/// Credentials for HTTP authentication. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) kind: CredentialKind,
}

#[derive(Clone)]
pub(crate) enum CredentialKind {
    Basic { username: String, password: Secret },
    Bearer(Secret),
}

/// A secret string whose `Debug` output is redacted.
#[derive(Clone)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Credentials {
    /// HTTP Basic credentials: for Twilio the Account SID (or an API key SID) and the auth
    /// token (or API key secret); for SignalWire the project ID and an API token.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::Basic {
                username: username.into(),
                password: Secret(password.into()),
            },
        }
    }

    /// A bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::Bearer(Secret(token.into())),
        }
    }

    /// The Basic username, if these are Basic credentials.
    pub fn username(&self) -> Option<&str> {
        match &self.kind {
            CredentialKind::Basic { username, .. } => Some(username),
            CredentialKind::Bearer(_) => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CredentialKind::Basic { username, password } => f
                .debug_struct("Credentials::Basic")
                .field("username", username)
                .field("password", password)
                .finish(),
            CredentialKind::Bearer(token) => f.debug_tuple("Credentials::Bearer").field(token).finish(),
        }
    }
}
