//! Load shedding for the ledger's services: at most N requests at once across the whole
//! server; past that, a request is answered `RESOURCE_EXHAUSTED` at once instead of queueing.
//! Health and reflection are not wrapped, so a probe still gets an answer under overload.
//!
//! A request takes a permit only once its whole body has arrived (within the read timeout
//! and the size limit), so clients that open streams and send nothing, or send slowly, hold
//! no permit. The request, and its response until the last byte is sent, count as activity
//! of its connection (see [`crate::connections`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use tokio::sync::Semaphore;
use tonic::codegen::{Service, http};
use tonic::server::NamedService;

use crate::connections::{ConnectionInfo, RequestGuard};

/// How requests are admitted to the wrapped services.
#[derive(Clone, Copy, Debug)]
pub struct Admission {
    /// Longest time to receive a request's whole body.
    pub read_timeout: Duration,
    /// Largest request message (`--max-message-bytes`); the body may hold it and its
    /// 5-byte gRPC frame header.
    pub max_message_bytes: usize,
}

/// Wraps one gRPC service; clones of every wrapped service share the same permits.
#[derive(Clone)]
pub struct Shed<S> {
    inner: S,
    permits: Arc<Semaphore>,
    admission: Admission,
}

impl<S> Shed<S> {
    /// Wraps `inner`, sharing `permits` with the other wrapped services.
    pub fn new(inner: S, permits: Arc<Semaphore>, admission: Admission) -> Self {
        Self {
            inner,
            permits,
            admission,
        }
    }
}

impl<S: NamedService> NamedService for Shed<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for Shed<S>
where
    S: Service<
            http::Request<tonic::body::Body>,
            Response = http::Response<tonic::body::Body>,
            Error = Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // The service that was polled ready serves this request; a clone takes its place.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let permits = Arc::clone(&self.permits);
        let admission = self.admission;
        let activity = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|info| info.activity.start());
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let limited = Limited::new(body, admission.max_message_bytes.saturating_add(5));
            let body = match tokio::time::timeout(admission.read_timeout, limited.collect()).await {
                Ok(Ok(collected)) => collected.to_bytes(),
                Ok(Err(error)) => {
                    let status = if error
                        .downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        tonic::Status::out_of_range(format!(
                            "message length too large: expected a request of at most {} bytes \
                             (--max-message-bytes), found a larger one",
                            admission.max_message_bytes
                        ))
                    } else {
                        tonic::Status::cancelled(format!("the request body failed: {error}"))
                    };
                    return Ok(status.into_http());
                }
                Err(_) => {
                    return Ok(tonic::Status::deadline_exceeded(format!(
                        "the request was not received in full within {} ms \
                         (--request-read-timeout-ms); nothing was done",
                        admission.read_timeout.as_millis()
                    ))
                    .into_http());
                }
            };
            let Ok(permit) = permits.try_acquire_owned() else {
                return Ok(tonic::Status::resource_exhausted(
                    "the server is at its concurrency limit (--max-concurrent-requests); nothing \
                     was done, retry after a pause",
                )
                .into_http());
            };
            let request = http::Request::from_parts(parts, tonic::body::Body::new(Full::new(body)));
            let response = inner.call(request).await?;
            drop(permit);
            Ok(response.map(|body| tonic::body::Body::new(Guarded { body, activity })))
        })
    }
}

/// A response body that keeps its connection active until it is sent (or dropped).
struct Guarded {
    body: tonic::body::Body,
    activity: Option<RequestGuard>,
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, tonic::Status>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.activity = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
