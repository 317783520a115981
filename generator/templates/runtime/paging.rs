use std::fmt;

use crate::{call::{ErrorDecoder, Prepared, Sending, poll_sending, sending}, error::{ApiErrorBody, Error, Failure, InvalidRequest}, hooks::Operation, json, request::Request, response::{RawResponse, ResponseMeta}, transport::Transport};

/// A list response the client can page through: its items and the link to the next page.
/// Generated code implements it for each list operation's response type.
pub trait Listing {
    /// One element of the list.
    type Item;

    /// The items on this page.
    fn items(&self) -> &[Self::Item];

    /// The items on this page, taken out.
    fn into_items(self) -> Vec<Self::Item>;

    /// The next page's link as the API sent it (a path or an absolute URL), if any.
    fn next_page_link(&self) -> Option<&str>;
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

/// Takes a page's items out of its parsed body. The one part of a stream that depends on
/// the list type, so that what each list operation adds to the crate is this function.
type ItemsDecoder<T> = fn(serde_json::Value) -> Result<PageItems<T>, json::DecodeError>;

fn page_items<L: Listing + json::FromJson>(body: serde_json::Value) -> Result<PageItems<L::Item>, json::DecodeError> {
    let listing = L::from_json(body)?;
    let next = listing.next_page_link().map(str::to_owned);
    Ok((listing.into_items(), next))
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
        let listing: L = response.json()?;
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
/// of a [`Page`]. Like [`Call`], it owns what it needs and sends nothing until polled.
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
            items: Vec::new(),
        }
    }

    fn pages<E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> Pages<E> {
        Pages {
            fetch: self.fetch(&request, on_error),
            next: Next::first(request),
            sending: None,
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
    /// The page being fetched, and the link it follows (`None` for the first page).
    sending: Option<(Sending, Option<reqwest::Url>)>,
    limit: Option<usize>,
    yielded: usize,
}

// Nothing in `Items` is ever pinned in place: the request in flight is boxed.
impl<T, E> Unpin for Items<T, E> {}

impl<T, E> Items<T, E> {
    /// Ends the stream after `limit` items; no page past the one holding the last of them
    /// is requested.
    pub fn limit(mut self, limit: usize) -> Self {
        self.pages.limit = Some(limit);
        self
    }

    /// Takes in a fetched page: its items, and what comes after them. An empty page, or one
    /// that links to itself, ends the list: a server that kept answering so would otherwise
    /// be polled forever.
    fn arrived(&mut self, response: Result<RawResponse, Failure>, followed: Option<reqwest::Url>) -> Result<(), Error<E>> {
        let response = self.pages.fetch.accepted(response?)?;
        let (mut items, next) = response.decoded(self.decode)?;
        let next = self.pages.fetch.next_link(next.as_deref());
        let loops = matches!((&next, &followed), (Some(Ok(next)), Some(url)) if next == url);
        if !items.is_empty() && !loops {
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
                let followed = pages.sending.take().and_then(|(_, url)| url);
                if let Err(error) = this.arrived(response, followed) {
                    this.pages.yielded += 1;
                    return Poll::Ready(Some(Err(error)));
                }
                continue;
            }
            // `next` is `End` while a page is in flight, so a failed page ends the stream.
            pages.sending = match std::mem::replace(&mut pages.next, Next::End) {
                Next::End => return Poll::Ready(None),
                Next::Request(request) => Some((pages.fetch.send(request), None)),
                Next::Link(Ok(url)) => Some((pages.fetch.follow(url.clone()), Some(url))),
                Next::Link(Err(refused)) => {
                    pages.yielded += 1;
                    return Poll::Ready(Some(Err(Error::InvalidRequest(refused))));
                }
            };
        }
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
