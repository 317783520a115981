use std::time::Duration;

use crate::transport::AttemptResult;

/// When a failed attempt is tried again.
///
/// Only what is safe to repeat is repeated: a `429 Too Many Requests` (the server did not
/// act on the request) for every method, a `503 Service Unavailable` that carries
/// `Retry-After` for `GET`, `HEAD` and `DELETE`, and a connection that could not be
/// established (nothing was sent). A `POST` is never repeated after a timeout or a 5xx: it
/// may have taken effect. The wait is the server's `Retry-After` when it sends one (a wait
/// longer than [`RetryPolicy::max_retry_after`] is not waited for: the error is returned),
/// else exponential backoff with full jitter: a random wait between zero and
/// `min(max_backoff, initial_backoff × 2^retry)`. The body is sent byte-identical each time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, backoff from 100 ms up to 3 s, `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(3),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be repeated after its first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The backoff ceiling of the first retry and the cap of every later one.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one ends the retries.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The wait before retry number `retry` (0 for the first retry), or `None` when the
    /// attempt's outcome must not be repeated.
    pub(crate) fn delay(&self, method: &reqwest::Method, outcome: &AttemptResult, retry: u32) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        let honour = |wait: Duration| (wait <= self.max_retry_after).then_some(wait);
        match outcome {
            Ok(response) if response.meta.status == 429 => match response.meta.retry_after() {
                Some(wait) => honour(wait),
                None => Some(self.backoff_for(retry)),
            },
            Ok(response) if response.meta.status == 503 && is_idempotent(method) => {
                response.meta.retry_after().and_then(honour)
            }
            Ok(_) => None,
            Err(error) if error.is_connect() => Some(self.backoff_for(retry)),
            Err(_) => None,
        }
    }

    /// Full jitter: uniformly random between zero and the exponential ceiling.
    fn backoff_for(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Methods that may be repeated when the server says it is unavailable.
fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::DELETE)
}
