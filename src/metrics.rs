//! Metrics in the Prometheus text format, on a listen address of their own (off by default:
//! `--metrics-listen`), from the `prometheus` crate's registry, one per server.
//!
//! | metric | kind | what |
//! | --- | --- | --- |
//! | `shanzhi_requests_total{method, code, reason}` | counter | gRPC calls answered, by method, status code and stable reason (empty when none) |
//! | `shanzhi_batch_transactions_total{outcome, reason}` | counter | transactions inside `SubmitBatch` calls, committed or refused (by reason) |
//! | `shanzhi_commit_group_entries` | histogram | entries one group commit appends |
//! | `shanzhi_flush_seconds` | histogram | one group commit's flush (the `fdatasync`s) |
//! | `shanzhi_verify_seconds` | histogram | verifying one transaction's signatures before the writer (one per request, one per batch divided by its size) |
//! | `shanzhi_log_entries` | gauge | entries in the log (durable) |
//! | `shanzhi_checkpoint_size` | gauge | entries the latest signed checkpoint covers |
//! | `shanzhi_checkpoint_age_seconds` | gauge | time since the latest checkpoint was signed (since start when none was signed in this run) |
//! | `shanzhi_writer_queue_depth` | gauge | commands waiting for the writer |
//! | `shanzhi_store_bytes` | gauge | bytes the store occupies on disk |
//!
//! Codes are gRPC's canonical names (`OK`, `NOT_FOUND`, …), reasons those of the README's
//! error table. Gauges are read when scraped; counters and histograms are updated where things happen.
//! A method label is the gRPC path of a method the server serves (taken from the services'
//! descriptors); a call to any other path counts under `unknown`, however it was answered, so
//! no client can grow the label set.
//!
//! The listener holds at most [`MAX_CONNECTIONS`] connections, each for at most
//! [`CONNECTION_LIFETIME`]; those descriptors are kept out of the gRPC listener's budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tonic::codegen::http;

mod capped;

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    batch_transactions: IntCounterVec,
    /// Transactions per group commit.
    pub group_transactions: Histogram,
    /// Seconds per flush.
    pub flush_seconds: Histogram,
    /// Seconds of signature verification per transaction.
    pub verify_seconds: Histogram,
    log_entries: IntGauge,
    checkpoint_size: IntGauge,
    checkpoint_age: prometheus::Gauge,
    queue_depth: IntGauge,
    store_bytes: IntGauge,
    /// When the latest checkpoint was signed, in ms since `started`.
    checkpoint_signed_ms: AtomicU64,
    started: Instant,
}

/// What the gauges read when scraped.
pub struct Readings {
    /// Durable entries.
    pub log_entries: u64,
    /// Entries the latest checkpoint covers.
    pub checkpoint_size: u64,
    /// Commands waiting for the writer.
    pub queue_depth: usize,
    /// Bytes of the store on disk, if known.
    pub store_bytes: Option<u64>,
}

fn registered<C: prometheus::core::Collector + Clone + 'static>(registry: &Registry, c: C) -> C {
    // Names are constants of this module and unique, so registration cannot fail.
    let _ = registry.register(Box::new(c.clone()));
    c
}

impl Metrics {
    /// A registry holding every metric of the table above, at zero.
    #[allow(
        clippy::expect_used,
        reason = "names, labels and buckets are constants of this module, valid by a unit test"
    )]
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            registered(
                &registry,
                IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let histogram = |name: &str, help: &str, buckets: Vec<f64>| {
            registered(
                &registry,
                Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
                    .expect("valid metric"),
            )
        };
        let gauge = |name: &str, help: &str| {
            registered(&registry, IntGauge::new(name, help).expect("valid metric"))
        };
        let seconds = prometheus::exponential_buckets(0.000_05, 2.0, 16).expect("valid buckets");
        Self {
            requests: counter(
                "shanzhi_requests_total",
                "gRPC calls answered, by method, status code and stable reason",
                &["method", "code", "reason"],
            ),
            batch_transactions: counter(
                "shanzhi_batch_transactions_total",
                "Transactions inside SubmitBatch calls, by outcome and reason",
                &["outcome", "reason"],
            ),
            group_transactions: histogram(
                "shanzhi_commit_group_entries",
                "Entries one group commit appends",
                prometheus::exponential_buckets(1.0, 2.0, 11).expect("valid buckets"),
            ),
            flush_seconds: histogram(
                "shanzhi_flush_seconds",
                "One group commit's flush and sync",
                seconds.clone(),
            ),
            verify_seconds: histogram(
                "shanzhi_verify_seconds",
                "Signature verification of one transaction before the writer",
                seconds,
            ),
            log_entries: gauge("shanzhi_log_entries", "Durable entries in the log"),
            checkpoint_size: gauge(
                "shanzhi_checkpoint_size",
                "Entries the latest signed checkpoint covers",
            ),
            checkpoint_age: registered(
                &registry,
                prometheus::Gauge::new(
                    "shanzhi_checkpoint_age_seconds",
                    "Time since the latest checkpoint was signed",
                )
                .expect("valid metric"),
            ),
            queue_depth: gauge(
                "shanzhi_writer_queue_depth",
                "Commands waiting for the writer",
            ),
            store_bytes: gauge("shanzhi_store_bytes", "Bytes the store occupies on disk"),
            checkpoint_signed_ms: AtomicU64::new(0),
            started: Instant::now(),
            registry,
        }
    }

    /// Counts one answered gRPC call.
    pub fn request(&self, method: &str, code: tonic::Code, reason: Option<&str>) {
        self.requests
            .with_label_values(&[method, &code_name(code), reason.unwrap_or("")])
            .inc();
    }

    /// Counts one transaction of a `SubmitBatch` call: committed (`None`) or refused.
    pub fn batch_transaction(&self, refused: Option<&str>) {
        let (outcome, reason) = match refused {
            None => ("committed", ""),
            Some(reason) => ("refused", reason),
        };
        self.batch_transactions
            .with_label_values(&[outcome, reason])
            .inc();
    }

    /// Records that a checkpoint was signed now.
    pub fn checkpoint_signed(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.checkpoint_signed_ms.store(ms, Ordering::Relaxed);
    }

    /// The text exposition, with the gauges set from `readings`.
    pub fn render(&self, readings: &Readings) -> String {
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.log_entries.set(gauge(readings.log_entries));
        self.checkpoint_size.set(gauge(readings.checkpoint_size));
        self.queue_depth.set(gauge(readings.queue_depth as u64));
        if let Some(bytes) = readings.store_bytes {
            self.store_bytes.set(gauge(bytes));
        }
        let signed = Duration::from_millis(self.checkpoint_signed_ms.load(Ordering::Relaxed));
        self.checkpoint_age
            .set(self.started.elapsed().saturating_sub(signed).as_secs_f64());
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A status code's canonical name, as gRPC writes it: `OK`, `NOT_FOUND`, `INVALID_ARGUMENT`.
pub fn code_name(code: tonic::Code) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// A tower layer over every service of the server: each answered call is counted by
/// method, status code and reason.
#[derive(Clone)]
pub struct RequestsLayer {
    metrics: Arc<Metrics>,
    /// The paths (`/package.Service/Method`) of the methods served: any other path counts as
    /// `unknown`.
    methods: Arc<std::collections::HashSet<String>>,
}

impl RequestsLayer {
    /// Counts into `metrics`; `methods` are the paths (`/package.Service/Method`) of every
    /// method served.
    pub fn new(metrics: Arc<Metrics>, methods: impl IntoIterator<Item = String>) -> Self {
        Self {
            metrics,
            methods: Arc::new(methods.into_iter().collect()),
        }
    }

    fn served(&self, path: &str) -> bool {
        self.methods.contains(path)
    }
}

/// The paths (`/package.Service/Method`) of every method of the services named in `services`
/// that an encoded `FileDescriptorSet` describes.
pub fn method_paths(descriptors: &[u8], services: &[&str]) -> Vec<String> {
    use prost::Message;
    let Ok(set) = prost_types::FileDescriptorSet::decode(descriptors) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for file in &set.file {
        for service in &file.service {
            let name = format!("{}.{}", file.package(), service.name());
            if services.contains(&name.as_str()) {
                for method in &service.method {
                    paths.push(format!("/{name}/{}", method.name()));
                }
            }
        }
    }
    paths
}

impl<S> tower_layer::Layer<S> for RequestsLayer {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            layer: self.clone(),
        }
    }
}

/// A service whose answers are counted.
#[derive(Clone)]
pub struct Counted<S> {
    inner: S,
    layer: RequestsLayer,
}

impl<S, B, R> tower_service::Service<http::Request<B>> for Counted<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: 'static,
{
    type Response = http::Response<R>;
    type Error = S::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path();
        let method = self.layer.served(path).then(|| path.to_owned());
        let metrics = Arc::clone(&self.layer.metrics);
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            // An error is answered in the headers (trailers-only); a reply that is not an
            // error carries its status in the trailers, after the body: counted OK.
            let (code, reason) = match tonic::Status::from_header_map(response.headers()) {
                Some(status) if status.code() != tonic::Code::Ok => {
                    (status.code(), crate::api::reason_of(&status))
                }
                _ => (tonic::Code::Ok, None),
            };
            let method = method.unwrap_or_else(|| "unknown".to_owned());
            metrics.request(&method, code, reason.as_deref());
            // The request's span (tonic's, entered while this is polled) gets the outcome,
            // and one line says it.
            let span = tracing::Span::current();
            let code = code_name(code);
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            span.record("code", code.as_str());
            if let Some(reason) = &reason {
                span.record("reason", reason.as_str());
            }
            span.record("latency_ms", latency_ms);
            tracing::info!("answered");
            Ok(response)
        })
    }
}

/// The most connections the metrics listener holds at once (a scraper needs one).
pub const MAX_CONNECTIONS: usize = 8;

/// How long one metrics connection may stay open, whatever it does: 30 s.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);

/// Serves `GET /metrics` on `listener` until `shutdown` resolves, at most
/// [`MAX_CONNECTIONS`] connections at once, each closed after [`CONNECTION_LIFETIME`]. The
/// readings (which walk the store's directory) are taken on a blocking thread.
pub async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    read: impl Fn() -> Readings + Clone + Send + Sync + 'static,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (metrics, read) = (Arc::clone(&metrics), read.clone());
            async move {
                match tokio::task::spawn_blocking(move || metrics.render(&read())).await {
                    Ok(text) => (
                        http::StatusCode::OK,
                        [(
                            http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        text,
                    ),
                    Err(_) => (
                        http::StatusCode::INTERNAL_SERVER_ERROR,
                        [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        "the readings could not be taken\n".to_owned(),
                    ),
                }
            }
        }),
    );
    let listener = capped::Capped::new(listener, MAX_CONNECTIONS, CONNECTION_LIFETIME);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_registered_once() {
        let metrics = Metrics::new();
        metrics.request("/a.v1.S/Get", tonic::Code::Ok, None);
        metrics.batch_transaction(Some("R"));
        // Each family once; the labelled ones appear when they first count.
        assert_eq!(metrics.registry.gather().len(), 10);
    }

    #[test]
    fn codes_are_named_as_grpc_names_them() {
        assert_eq!(code_name(tonic::Code::Ok), "OK");
        assert_eq!(code_name(tonic::Code::NotFound), "NOT_FOUND");
        assert_eq!(code_name(tonic::Code::InvalidArgument), "INVALID_ARGUMENT");
        assert_eq!(
            code_name(tonic::Code::ResourceExhausted),
            "RESOURCE_EXHAUSTED"
        );
    }

    #[test]
    fn only_the_paths_of_served_methods_are_method_labels() {
        let methods = method_paths(
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            &["grpc.health.v1.Health"],
        );
        assert!(
            methods.contains(&"/grpc.health.v1.Health/Check".to_owned()),
            "{methods:?}"
        );
        let layer = RequestsLayer::new(Arc::new(Metrics::new()), methods);
        assert!(layer.served("/grpc.health.v1.Health/Check"));
        assert!(layer.served("/grpc.health.v1.Health/Watch"));
        assert!(!layer.served("/grpc.health.v1.Health/Other"));
        assert!(!layer.served("/grpc.health.v1.Health/"));
        assert!(!layer.served("/grpc.health.v1.Health/Check/more"));
        assert!(!layer.served("grpc.health.v1.Health/Check"));
        assert!(method_paths(tonic_health::pb::FILE_DESCRIPTOR_SET, &["b.v1.S"]).is_empty());
    }
}
