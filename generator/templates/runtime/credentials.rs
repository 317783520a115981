use std::fmt;

/// Credentials for HTTP authentication. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) kind: CredentialKind,
}

#[derive(Clone)]
pub(crate) enum CredentialKind {
    /// `account`: the account calls act on when it is not the username (an API key's).
    Basic { username: String, password: Secret, account: Option<String> },
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
                account: None,
            },
        }
    }

    /// HTTP Basic credentials of an API key that acts for an account: for Twilio the API key
    /// SID and its secret, with the Account SID that calls act on (what `account_parameter`
    /// operations send, and [`Credentials::account`]).
    pub fn api_key(
        account: impl Into<String>,
        key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        Credentials {
            kind: CredentialKind::Basic {
                username: key.into(),
                password: Secret(secret.into()),
                account: Some(account.into()),
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

    /// The account these credentials act for: the one given to [`Credentials::api_key`],
    /// else the Basic username.
    pub fn account(&self) -> Option<&str> {
        match &self.kind {
            CredentialKind::Basic { account: Some(account), .. } => Some(account),
            _ => self.username(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CredentialKind::Basic { username, password, account: None } => f
                .debug_struct("Credentials::Basic")
                .field("username", username)
                .field("password", password)
                .finish(),
            CredentialKind::Basic { username, password, account: Some(account) } => f
                .debug_struct("Credentials::ApiKey")
                .field("account", account)
                .field("key", username)
                .field("secret", password)
                .finish(),
            CredentialKind::Bearer(token) => f.debug_tuple("Credentials::Bearer").field(token).finish(),
        }
    }
}
