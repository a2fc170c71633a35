//! Load shedding for the ledger's services: at most N requests at once across the whole
//! server; past that, a request is answered `RESOURCE_EXHAUSTED` at once instead of queueing.
//! Health and reflection are not wrapped, so a probe still gets an answer under overload.
//!
//! A request takes a permit only once its whole body has arrived (within the read timeout
//! and the size limit), so clients that open streams and send nothing, or send slowly, hold
//! no permit. The bytes of bodies being received are bounded across the server by a receive
//! budget taken as each frame arrives: a crowd of half-sent bodies is refused
//! `RESOURCE_EXHAUSTED` once the budget is spent, instead of growing memory.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use tokio::sync::Semaphore;
use tonic::codegen::{Service, http};
use tonic::server::NamedService;

use super::error::ApiError;

/// The one method whose requests may be larger than `--max-message-bytes`.
const SUBMIT_BATCH_PATH: &str = "/shanzhi.points.v1.TransactionService/SubmitBatch";

/// The HTTP response for a refusal made before the service ran.
fn refuse(error: ApiError) -> http::Response<tonic::body::Body> {
    tonic::Status::from(error).into_http()
}

/// How requests are admitted to the wrapped services.
#[derive(Clone, Debug)]
pub struct Admission {
    /// Longest time to receive a request's whole body.
    pub read_timeout: Duration,
    /// Largest request message (`--max-message-bytes`); the body may hold it and its
    /// 5-byte gRPC frame header.
    pub max_message_bytes: usize,
    /// Largest `SubmitBatch` request message (`--max-batch-message-bytes`).
    pub max_batch_message_bytes: usize,
    /// Bytes of request bodies that may be in the middle of being received, server-wide.
    pub receive_budget: Arc<Semaphore>,
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
        let admission = self.admission.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            // The method the router chose, which read credentials must sign.
            let routed = super::auth::RoutedMethod::from_path(parts.uri.path());
            parts.extensions.insert(routed);
            let limit = if parts.uri.path() == SUBMIT_BATCH_PATH {
                admission.max_batch_message_bytes
            } else {
                admission.max_message_bytes
            };
            let received =
                tokio::time::timeout(admission.read_timeout, receive(body, limit, &admission))
                    .await;
            let (body, _budget) = match received {
                Ok(Ok(received)) => received,
                Ok(Err(error)) => return Ok(refuse(error)),
                Err(_) => {
                    return Ok(refuse(ApiError::ReadTimeout {
                        ms: admission.read_timeout.as_millis(),
                    }));
                }
            };
            let Ok(permit) = permits.try_acquire_owned() else {
                return Ok(refuse(ApiError::ConcurrencyLimit));
            };
            let request = http::Request::from_parts(parts, tonic::body::Body::new(Full::new(body)));
            let response = inner.call(request).await;
            drop(permit);
            response
        })
    }
}

/// Reads a whole request body into one buffer, taking receive budget for each frame as it
/// arrives (held until the request is answered), and refusing a body over the size limit.
async fn receive<B>(
    body: B,
    max_message_bytes: usize,
    admission: &Admission,
) -> Result<(Bytes, Option<tokio::sync::OwnedSemaphorePermit>), ApiError>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let limit = max_message_bytes.saturating_add(5);
    let mut body = std::pin::pin!(body);
    let mut buffer = BytesMut::new();
    let mut budget: Option<tokio::sync::OwnedSemaphorePermit> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| ApiError::BodyFailed(error.into().to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if buffer.len() + data.len() > limit {
            return Err(ApiError::MessageTooLarge {
                max: max_message_bytes,
            });
        }
        let bytes = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let more = Arc::clone(&admission.receive_budget)
            .try_acquire_many_owned(bytes)
            .map_err(|_| ApiError::ReceiveBudget)?;
        match budget.as_mut() {
            Some(held) => held.merge(more),
            None => budget = Some(more),
        }
        buffer.extend_from_slice(&data);
    }
    Ok((buffer.freeze(), budget))
}
