use std::fmt;

use crate::{call::{ErrorDecoder, Prepared, Sending, poll_sending, sending}, error::{ApiErrorBody, Error, Failure, InvalidRequest}, hooks::Operation, json, request::Request, response::{RawResponse, ResponseMeta}, transport::Transport};

/// A list response the client can page through: its items and the link to the next page.
/// Generated code implements it for each list operation's response type.
pub trait Listing {
    /// One element of the list.
    type Item: json::FromJson;

    /// The body's field holding the items, as sent (`participants`): its elements are
    /// decoded one by one as the body is parsed, so that a large page never exists whole as
    /// a JSON tree.
    const ITEMS_FIELD: &'static str;

    /// The items on this page.
    fn items(&self) -> &[Self::Item];

    /// The items on this page, taken out.
    fn into_items(self) -> Vec<Self::Item>;

    /// The next page's link as the API sent it (a path or an absolute URL), if any.
    fn next_page_link(&self) -> Option<&str>;

    /// Puts the items, decoded apart from the rest of the body, in their field.
    fn set_items(&mut self, items: Vec<Self::Item>);
}

/// One page of a list operation: the decoded body `L` (dereference it for the page's
/// fields), its status and headers, and what is needed to fetch the next page.
pub struct Page<L, E = ApiErrorBody> {
    listing: L,
    meta: ResponseMeta,
    next: Option<Link>,
    fetch: Fetch<E>,
}

/// A link to the next page, resolved against the base URL (or why it may not be followed).
type Link = Result<reqwest::Url, InvalidRequest>;

/// A page's items and its next-page link as sent, from its parsed body.
type PageItems<T> = (Vec<T>, Option<String>);

/// Takes a page's items out of its body. The one part of a stream that depends on the list
/// type, so that what each list operation adds to the crate is this function.
type ItemsDecoder<T> = fn(&[u8], usize) -> Result<PageItems<T>, serde_json::Error>;

/// A page's items and next-page link, from a body decoded as [`listing`] decodes it (the same
/// values and errors), without putting the streamed items into the listing to take them out
/// again. Every list operation's stream instantiates this, while [`listing`] is instantiated
/// only where a [`Page`] is awaited, so it does not call it.
fn page_items<L: Listing + json::FromJson>(body: &[u8], budget: usize) -> Result<PageItems<L::Item>, serde_json::Error> {
    // A constant: `Vec::new` would be one more function for every item type.
    let mut items = const { Vec::new() };
    match json::parse_streaming(body, L::ITEMS_FIELD, &mut items, budget) {
        Ok((rest, streamed)) => match L::from_json(rest) {
            Ok(listing) => match streamed.decoded() {
                Ok(streamed) => {
                    let next = listing.next_page_link().map(str::to_owned);
                    // Streamed items: the listing's field holds none.
                    Ok((if streamed { items } else { listing.into_items() }, next))
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(streamed.error(e, L::ITEMS_FIELD)),
        },
        Err(e) => Err(e),
    }
}

/// A page's body as `L`, its items decoded as they are parsed ([`json::parse_streaming`]):
/// the same value, and the same error, as `L::from_json` of the whole tree, in about the
/// memory of the body and the decoded items. Instantiated for every list type whose
/// [`Page`] is awaited, so it is matches on `L`'s results around calls of functions that are
/// one copy for every type ([`page_items`] is this, for a stream).
fn listing<L: Listing + json::FromJson>(body: &[u8], budget: usize) -> Result<L, serde_json::Error> {
    let mut items = Vec::new();
    match json::parse_streaming(body, L::ITEMS_FIELD, &mut items, budget) {
        Ok((rest, streamed)) => match L::from_json(rest) {
            Ok(mut listing) => match streamed.decoded() {
                Ok(true) => {
                    listing.set_items(items);
                    Ok(listing)
                }
                Ok(false) => Ok(listing),
                Err(e) => Err(e),
            },
            Err(e) => Err(streamed.error(e, L::ITEMS_FIELD)),
        },
        Err(e) => Err(e),
    }
}

/// How a list operation fetches its pages.
struct Fetch<E> {
    transport: Transport,
    operation: Operation,
    on_error: ErrorDecoder<E>,
}

impl<E> Clone for Fetch<E> {
    fn clone(&self) -> Self {
        Fetch {
            transport: self.transport.clone(),
            operation: self.operation,
            on_error: self.on_error,
        }
    }
}

impl<E> Fetch<E> {
    fn send(&self, request: Request) -> Sending {
        sending(self.transport.clone(), request)
    }

    fn follow(&self, url: reqwest::Url) -> Sending {
        self.send(Request::follow(self.operation, url))
    }

    /// A page's response if its status is a success; otherwise the operation's error.
    fn accepted(&self, response: RawResponse) -> Result<RawResponse, Error<E>> {
        if response.is_success() {
            Ok(response)
        } else {
            Err((self.on_error)(response))
        }
    }

    fn next_link(&self, link: Option<&str>) -> Option<Link> {
        link.filter(|link| !link.is_empty()).map(|link| self.transport.resolve_link(link))
    }

    fn page<L: Listing + json::FromJson>(&self, response: RawResponse) -> Result<Page<L, E>, Error<E>> {
        let response = self.accepted(response)?;
        let listing: L = response.read(listing::<L>)?;
        Ok(Page {
            next: self.next_link(listing.next_page_link()),
            listing,
            meta: response.meta,
            fetch: self.clone(),
        })
    }
}

impl<L: Listing, E> Page<L, E> {
    /// The items on this page.
    pub fn items(&self) -> &[L::Item] {
        self.listing.items()
    }

    /// The items on this page, taken out.
    pub fn into_items(self) -> Vec<L::Item> {
        self.listing.into_items()
    }

    /// The decoded body, with the API's paging fields.
    pub fn into_inner(self) -> L {
        self.listing
    }

    /// The status and headers of this page's response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The server's id for this page's request.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// Whether the API says there is a next page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }
}

#[allow(private_bounds)]
impl<L: Listing + json::FromJson, E> Page<L, E> {
    /// Fetches the next page; `Ok(None)` after the last one. A link to another origin than
    /// the base URL's is an [`InvalidRequest::ForeignLink`] error and is not requested.
    pub async fn next(&self) -> Result<Option<Page<L, E>>, Error<E>> {
        match &self.next {
            None => Ok(None),
            Some(Err(refused)) => Err(Error::InvalidRequest(refused.clone())),
            Some(Ok(url)) => {
                let response = self.fetch.follow(url.clone()).await?;
                self.fetch.page(response).map(Some)
            }
        }
    }
}

/// The first page of a list operation, once it arrives: a [`Future`](std::future::Future)
/// of a [`Page`]. Like [`Call`](crate::Call), it owns what it needs and sends nothing until polled.
#[must_use = "a call sends nothing until it is awaited"]
pub struct PageCall<L, E = ApiErrorBody> {
    first: FirstPage<E>,
    listing: std::marker::PhantomData<fn() -> L>,
}

/// What a [`PageCall`] holds, whatever the list type.
struct FirstPage<E> {
    fetch: Fetch<E>,
    state: Option<Result<Sending, InvalidRequest>>,
}

impl<L, E> Unpin for PageCall<L, E> {}

#[allow(private_bounds)]
impl<L: Listing + json::FromJson, E> std::future::Future for PageCall<L, E> {
    type Output = Result<Page<L, E>, Error<E>>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let first = &mut self.get_mut().first;
        poll_sending(&mut first.state, cx).map(|result| first.fetch.page(result?))
    }
}

impl<L, E> fmt::Debug for PageCall<L, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageCall")
            .field("finished", &self.first.state.is_none())
            .finish_non_exhaustive()
    }
}

impl<L, E> std::ops::Deref for Page<L, E> {
    type Target = L;

    fn deref(&self) -> &L {
        &self.listing
    }
}

impl<L: fmt::Debug, E> fmt::Debug for Page<L, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("listing", &self.listing)
            .field("meta", &self.meta)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// The first page of a list operation.
    pub fn page<L, E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> PageCall<L, E> {
        PageCall {
            first: self.first_page(request, on_error),
            listing: std::marker::PhantomData,
        }
    }

    fn first_page<E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> FirstPage<E> {
        FirstPage {
            fetch: self.fetch(&request, on_error),
            state: Some(self.start(request)),
        }
    }

    /// How a list operation fetches its pages (a request that could not be built has no
    /// operation of its own to name).
    fn fetch<E>(&self, request: &Prepared, on_error: ErrorDecoder<E>) -> Fetch<E> {
        Fetch {
            transport: self.clone(),
            operation: request.as_ref().map_or(Operation::UNNAMED, Request::operation),
            on_error,
        }
    }

    /// Every item of a list operation, page after page, fetched as the stream is read.
    pub fn items<L: Listing + json::FromJson, E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> Items<L::Item, E> {
        Items {
            pages: self.pages(request, on_error),
            decode: page_items::<L>,
            // A constant, not a call: a call could unwind, and the code to drop `pages` then
            // would be one more copy for every list type.
            items: const { Vec::new() },
        }
    }

    fn pages<E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> Pages<E> {
        Pages {
            fetch: self.fetch(&request, on_error),
            next: Next::first(request),
            sending: None,
            visited: Visited::default(),
            limit: None,
            yielded: 0,
        }
    }
}

/// What a stream of items does once the current page is used up.
enum Next {
    Request(Request),
    Link(Link),
    End,
}

impl Next {
    fn first(request: Prepared) -> Self {
        match request {
            Ok(request) => Next::Request(request),
            // A request that cannot be built is the stream's one item.
            Err(refused) => Next::Link(Err(refused)),
        }
    }
}

/// The items of a list operation across pages, as a [`futures_core::Stream`]. Pages are
/// fetched as the stream is read; an error ends it after being yielded.
pub struct Items<T, E = ApiErrorBody> {
    pages: Pages<E>,
    decode: ItemsDecoder<T>,
    /// The rest of the current page, last item first.
    items: Vec<T>,
}

/// Where a stream of items is in its pages, whatever the item type.
struct Pages<E> {
    fetch: Fetch<E>,
    next: Next,
    /// The page being fetched, and its URL's key in `visited`.
    sending: Option<(Sending, u64)>,
    visited: Visited,
    limit: Option<usize>,
    yielded: usize,
}

/// The pages a listing has fetched, each as a 64-bit hash of its exact URL: 8 bytes a page
/// however long its URL (a Twilio page URL is ~150 bytes), for a listing of any length. The
/// keys are random per listing, so a server cannot craft a link that collides with an earlier
/// page; an accidental collision (about n²/2⁶⁵ for n pages) would only end the listing early,
/// with an error.
#[derive(Default)]
struct Visited {
    keys: std::collections::hash_map::RandomState,
    pages: std::collections::HashSet<u64>,
}

impl Visited {
    fn key(&self, url: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.keys, url)
    }

    /// Records a page as fetched; its key.
    fn fetching(&mut self, url: &str) -> u64 {
        let key = self.key(url);
        self.pages.insert(key);
        key
    }
}

// Nothing in `Items` is ever pinned in place: the request in flight is boxed.
impl<T, E> Unpin for Items<T, E> {}

impl<T, E> Items<T, E> {
    /// The next item, fetching the next page when this one is used up; `None` at the end.
    /// The same as `futures::StreamExt::next`, without a crate to add for it.
    // An async `next`, as streams name it; `Iterator::next` would block.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> impl std::future::Future<Output = Option<Result<T, Error<E>>>> + '_ {
        std::future::poll_fn(move |cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut *self), cx))
    }

    /// Ends the stream after `limit` items; no page past the one holding the last of them
    /// is requested.
    pub fn limit(mut self, limit: usize) -> Self {
        self.pages.limit = Some(limit);
        self
    }

    /// Takes in a fetched page (`fetched`: its URL's key): its items, and what comes after
    /// them. An empty page, or one that links to itself, ends the list quietly: a static mock
    /// answers so. A link back to any earlier page of this listing ends it with
    /// [`InvalidRequest::PageCycle`] after this page's items: following it would page forever.
    fn arrived(&mut self, response: Result<RawResponse, Failure>, fetched: u64) -> Result<(), Error<E>> {
        let response = self.pages.fetch.accepted(response?)?;
        let (mut items, next) = response.read(self.decode)?;
        let next = match self.pages.fetch.next_link(next.as_deref()) {
            Some(Ok(url)) => {
                let key = self.pages.visited.key(url.as_str());
                if key == fetched {
                    None
                } else if self.pages.visited.pages.contains(&key) {
                    Some(Err(InvalidRequest::PageCycle { url: url.to_string() }))
                } else {
                    Some(Ok(url))
                }
            }
            other => other,
        };
        if !items.is_empty() {
            self.pages.next = next.map_or(Next::End, Next::Link);
        }
        items.reverse();
        self.items = items;
        Ok(())
    }
}

impl<T, E> futures_core::Stream for Items<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            let pages = &mut this.pages;
            if pages.limit.is_some_and(|limit| pages.yielded >= limit) {
                return Poll::Ready(None);
            }
            if let Some(item) = this.items.pop() {
                pages.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some((request, _)) = &mut pages.sending {
                let Poll::Ready(response) = request.as_mut().poll(cx) else {
                    return Poll::Pending;
                };
                let fetched = pages.sending.take().map_or(0, |(_, key)| key);
                if let Err(error) = this.arrived(response, fetched) {
                    this.pages.yielded += 1;
                    return Poll::Ready(Some(Err(error)));
                }
                continue;
            }
            // `next` is `End` while a page is in flight, so a failed page ends the stream.
            pages.sending = match std::mem::replace(&mut pages.next, Next::End) {
                Next::End => return Poll::Ready(None),
                Next::Request(request) => {
                    // The first page's URL is visited too: a link back to it is a cycle.
                    let url = pages.fetch.transport.url(&request).map(String::from).unwrap_or_default();
                    let key = pages.visited.fetching(&url);
                    Some((pages.fetch.send(request), key))
                }
                Next::Link(Ok(url)) => {
                    let key = pages.visited.fetching(url.as_str());
                    Some((pages.fetch.follow(url), key))
                }
                Next::Link(Err(refused)) => {
                    pages.yielded += 1;
                    return Poll::Ready(Some(Err(Error::InvalidRequest(refused))));
                }
            };
        }
    }
}

impl<T: Send + 'static, E: 'static> Items<T, E> {
    /// These items converted one by one, and errors' bodies too (a provider's types into
    /// neutral ones); paging and [`Items::limit`] work as before.
    pub fn convert<U: 'static, F: 'static>(self, item: fn(T) -> U, error: fn(E) -> F) -> MappedItems<U, F> {
        MappedItems { source: Box::new(Converted { items: self, item, error }) }
    }
}

/// The items of a list operation converted into other types ([`Items::convert`]): a
/// [`futures_core::Stream`] like [`Items`], with the same `next` and `limit`.
pub struct MappedItems<U, F = ApiErrorBody> {
    source: Box<dyn ItemSource<U, F>>,
}

/// What a [`MappedItems`] reads, whatever the item type it converts from.
trait ItemSource<U, F>: Send {
    fn poll_item(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Result<U, Error<F>>>>;
    fn set_limit(&mut self, limit: usize);
}

struct Converted<T, E, U, F> {
    items: Items<T, E>,
    item: fn(T) -> U,
    error: fn(E) -> F,
}

impl<T: Send, E, U, F> ItemSource<U, F> for Converted<T, E, U, F> {
    fn poll_item(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Result<U, Error<F>>>> {
        let (item, error) = (self.item, self.error);
        futures_core::Stream::poll_next(std::pin::Pin::new(&mut self.items), cx)
            .map(|next| next.map(|result| result.map(item).map_err(|e| e.map_body(error))))
    }

    fn set_limit(&mut self, limit: usize) {
        self.items.pages.limit = Some(limit);
    }
}

/// A stream whose request could not be made: that is its one item.
struct Refused<F> {
    refused: Option<InvalidRequest>,
    error: std::marker::PhantomData<fn() -> F>,
}

impl<U, F> ItemSource<U, F> for Refused<F> {
    fn poll_item(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<Result<U, Error<F>>>> {
        std::task::Poll::Ready(self.refused.take().map(|refused| Err(Error::InvalidRequest(refused))))
    }

    fn set_limit(&mut self, _: usize) {}
}

impl<U, F> Unpin for MappedItems<U, F> {}

impl<U: 'static, F: 'static> MappedItems<U, F> {
    /// A stream of one error: why its request was not sent.
    pub fn refused(refused: InvalidRequest) -> Self {
        MappedItems { source: Box::new(Refused { refused: Some(refused), error: std::marker::PhantomData }) }
    }
}

impl<U, F> MappedItems<U, F> {
    /// The next item, fetching the next page when this one is used up; `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> impl std::future::Future<Output = Option<Result<U, Error<F>>>> + '_ {
        std::future::poll_fn(move |cx| self.source.poll_item(cx))
    }

    /// Ends the stream after `limit` items; no page past the one holding the last of them
    /// is requested.
    pub fn limit(mut self, limit: usize) -> Self {
        self.source.set_limit(limit);
        self
    }
}

impl<U, F> futures_core::Stream for MappedItems<U, F> {
    type Item = Result<U, Error<F>>;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        self.get_mut().source.poll_item(cx)
    }
}

impl<U, F> fmt::Debug for MappedItems<U, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MappedItems").finish_non_exhaustive()
    }
}

impl<T, E> fmt::Debug for Items<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("limit", &self.pages.limit)
            .field("yielded", &self.pages.yielded)
            .finish_non_exhaustive()
    }
}
