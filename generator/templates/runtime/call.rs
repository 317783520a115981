use std::fmt;

use crate::{error::{ApiErrorBody, Error, Failure, InvalidRequest}, request::Request, response::{RawResponse, Response}, transport::Transport};

/// A request to send, or why it could not be built.
pub(crate) type Prepared = Result<Request, InvalidRequest>;

/// One call of an operation: a [`Future`](std::future::Future) of its [`Response`]. It owns
/// what it needs (it borrows neither the client nor the arguments), so it can be spawned;
/// nothing is sent until it is first polled.
#[must_use = "a call sends nothing until it is awaited"]
pub struct Call<T, E = ApiErrorBody> {
    request: CallState,
    success: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    failure: ErrorDecoder<E>,
}

/// Where a [`Call`] is, whatever its types: every operation instantiates [`Transport::call`],
/// so what it does besides storing the decoders is here, once.
struct CallState {
    /// The request until the first poll sends it, so that [`Call::deadline`] can still set
    /// its deadline.
    unsent: Option<(Transport, Request)>,
    /// `None` before the first poll and once finished.
    state: Option<Result<Sending, InvalidRequest>>,
}

// Nothing in a `Call` is pinned in place: the request in flight is boxed.
impl<T, E> Unpin for Call<T, E> {}

impl Transport {
    /// A call of `request`, its 2XX responses decoded by `success` and the rest by `failure`.
    pub fn call<T, E>(
        &self,
        request: Prepared,
        success: fn(RawResponse) -> Result<Response<T>, Error<E>>,
        failure: ErrorDecoder<E>,
    ) -> Call<T, E> {
        Call {
            request: self.call_state(request),
            success,
            failure,
        }
    }

    fn call_state(&self, request: Prepared) -> CallState {
        match request {
            Ok(request) => CallState { unsent: Some((self.clone(), request)), state: None },
            Err(refused) => CallState { unsent: None, state: Some(Err(refused)) },
        }
    }

    /// A request on its way, or why it could not be built.
    pub(crate) fn start(&self, request: Prepared) -> Result<Sending, InvalidRequest> {
        request.map(|request| sending(self.clone(), request))
    }
}

/// The one generic step of polling a call: a finished request, or why there is none. A
/// finished call stays pending (the `Future` contract leaves that open; it never panics).
pub(crate) fn poll_sending(
    state: &mut Option<Result<Sending, InvalidRequest>>,
    cx: &mut std::task::Context<'_>,
) -> std::task::Poll<Result<RawResponse, Failure>> {
    use std::task::Poll;
    match state.take() {
        None => Poll::Pending,
        Some(Err(refused)) => Poll::Ready(Err(Failure::Invalid(refused))),
        Some(Ok(mut request)) => {
            let polled = request.as_mut().poll(cx);
            if polled.is_pending() {
                *state = Some(Ok(request));
            }
            polled
        }
    }
}

impl<T, E> Call<T, E> {
    /// Bounds this call, all its attempts and the waits between them, by `deadline` from its
    /// first poll, in place of [`ClientConfig::deadline`](crate::ClientConfig::deadline): a
    /// retry whose wait would end after it is not started, and an attempt still running at it
    /// ends as a timeout ([`Error::is_timeout`]).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        if let Some((_, request)) = &mut self.request.unsent {
            request.deadline = Some(deadline);
        }
        self
    }
}

impl CallState {
    /// The finished request: the one generic step of polling a call is what follows.
    fn poll(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<RawResponse, Failure>> {
        if let Some((transport, request)) = self.unsent.take() {
            self.state = Some(Ok(sending(transport, request)));
        }
        poll_sending(&mut self.state, cx)
    }

    fn finished(&self) -> bool {
        self.state.is_none() && self.unsent.is_none()
    }
}

impl<T, E> std::future::Future for Call<T, E> {
    type Output = Result<Response<T>, Error<E>>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        this.request.poll(cx).map(|result| match result {
            Ok(response) if response.is_success() => (this.success)(response),
            Ok(response) => Err((this.failure)(response)),
            Err(failure) => Err(failure.into()),
        })
    }
}

impl<T, E> fmt::Debug for Call<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("finished", &self.request.finished())
            .finish_non_exhaustive()
    }
}

/// Turns an error response of a list operation into its `Error`.
pub type ErrorDecoder<E> = fn(RawResponse) -> Error<E>;

/// A request in flight. Boxed and owning its transport, so that paging code is one copy
/// for every list type instead of one state machine per type.
pub(crate) type Sending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawResponse, Failure>> + Send>>;

pub(crate) fn sending(transport: Transport, request: Request) -> Sending {
    Box::pin(async move { transport.send(request).await })
}
