//! Load shedding for the ledger's services: at most N requests at once across the whole
//! server; past that, a request is answered `RESOURCE_EXHAUSTED` at once instead of queueing.
//! Health and reflection are not wrapped, so a probe still gets an answer under overload.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::Semaphore;
use tonic::codegen::{Service, http};
use tonic::server::NamedService;

/// Wraps one gRPC service; clones of every wrapped service share the same permits.
#[derive(Clone)]
pub struct Shed<S> {
    inner: S,
    permits: Arc<Semaphore>,
}

impl<S> Shed<S> {
    /// Wraps `inner`, sharing `permits` with the other wrapped services.
    pub fn new(inner: S, permits: Arc<Semaphore>) -> Self {
        Self { inner, permits }
    }
}

impl<S: NamedService> NamedService for Shed<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B> Service<http::Request<B>> for Shed<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => {
                let response = self.inner.call(request);
                Box::pin(async move {
                    let response = response.await;
                    drop(permit);
                    response
                })
            }
            Err(_) => Box::pin(async {
                Ok(tonic::Status::resource_exhausted(
                    "the server is at its concurrency limit (--max-concurrent-requests); nothing \
                     was done, retry after a pause",
                )
                .into_http())
            }),
        }
    }
}
