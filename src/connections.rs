//! Connections: how many the server holds, how long an idle one may stay, and what happens
//! when the process runs out of file descriptors.
//!
//! - At most `max_connections` are open at once; past that the listener stops accepting (new
//!   clients wait in the kernel's backlog) until one closes, so an idle crowd cannot exhaust
//!   the file descriptors the store and real clients need. One peer address may hold at most
//!   `max_per_peer` of them; more from it are closed at once.
//! - A connection with no request in flight (a response still streaming counts as in flight)
//!   for `idle_timeout` is closed. [`ActivityLayer`] counts the requests of every service.
//! - An accept that fails (`EMFILE`, `ENFILE`, `ENOBUFS`…) is retried after a pause that
//!   doubles up to one second, instead of spinning.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

/// Shortest and longest pause after a failed accept.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// What one connection is doing, shared between its socket and the requests it carries.
#[derive(Debug)]
pub struct Activity {
    /// Requests (and response streams) in flight.
    in_flight: AtomicUsize,
    /// When the last request started or ended, in ms since `epoch`.
    last_change_ms: AtomicU64,
    epoch: Instant,
}

impl Activity {
    fn new() -> Self {
        Self {
            in_flight: AtomicUsize::new(0),
            last_change_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_change_ms.store(ms, Ordering::SeqCst);
    }

    /// Marks a request as started; it ends when the guard is dropped.
    pub fn start(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        RequestGuard(Arc::clone(self))
    }

    /// How long the connection has had nothing in flight, or `None` while it has.
    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let since = Duration::from_millis(self.last_change_ms.load(Ordering::SeqCst));
        Some(self.epoch.elapsed().saturating_sub(since))
    }
}

/// Ends a request's activity when dropped.
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
    }
}

/// What a request's extensions hold about its connection.
#[derive(Clone, Debug)]
pub struct ConnectionInfo {
    /// The peer's address.
    pub remote_addr: SocketAddr,
    /// The connection's activity, for [`Activity::start`].
    pub activity: Arc<Activity>,
}

/// Connections open per peer address.
type PeerCounts = Arc<std::sync::Mutex<HashMap<IpAddr, usize>>>;

/// A peer's share of the connection cap, given back when its connection closes.
struct PeerSlot {
    peer: IpAddr,
    counts: PeerCounts,
}

/// The peer a connection counts against: an IPv4 address, or an IPv6 address's /64 prefix
/// (one subscriber is usually given a whole /64, so its addresses are one peer). An
/// IPv4-mapped IPv6 address counts as its IPv4 address.
fn peer_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

impl PeerSlot {
    fn take(counts: &PeerCounts, address: IpAddr, max_per_peer: usize) -> Option<Self> {
        let peer = peer_of(address);
        let mut map = counts.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.entry(peer).or_default();
        if *open >= max_per_peer {
            return None;
        }
        *open += 1;
        Some(Self {
            peer,
            counts: Arc::clone(counts),
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.peer) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.peer);
            }
        }
    }
}

/// The bytes of a connection: the socket itself, or TLS over it.
enum Transport {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

macro_rules! over_transport {
    ($transport:expr, $stream:ident => $call:expr) => {
        match $transport {
            Transport::Plain($stream) => $call,
            Transport::Tls($stream) => $call,
        }
    };
}

/// One accepted connection: the socket (with TLS when the server has it), its slots under
/// the connection caps, and its idle timer.
pub struct Connection {
    stream: Transport,
    info: ConnectionInfo,
    idle_timeout: Duration,
    idle_check: Pin<Box<tokio::time::Sleep>>,
    _slot: OwnedSemaphorePermit,
    _peer_slot: PeerSlot,
}

impl Connected for Connection {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> ConnectionInfo {
        self.info.clone()
    }
}

impl Connection {
    /// Whether the idle timer says to close: checked when the socket has nothing to read.
    fn idle_expired(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if self.idle_check.as_mut().poll(cx).is_pending() {
                return false;
            }
            let wait = match self.info.activity.idle_for() {
                Some(idle) if idle >= self.idle_timeout => return true,
                Some(idle) => self.idle_timeout - idle,
                None => self.idle_timeout,
            };
            let deadline = tokio::time::Instant::now() + wait;
            self.idle_check.as_mut().reset(deadline);
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let read = over_transport!(&mut this.stream, stream => Pin::new(stream).poll_read(cx, buf));
        match read {
            Poll::Pending if this.idle_expired(cx) => {
                tracing::debug!(remote = %this.info.remote_addr, "closing an idle connection");
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                )))
            }
            other => other,
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        over_transport!(&mut self.stream, stream => Pin::new(stream).poll_write(cx, buf))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        over_transport!(&mut self.stream, stream => Pin::new(stream).poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        over_transport!(&mut self.stream, stream => Pin::new(stream).poll_shutdown(cx))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        over_transport!(&mut self.stream, stream => Pin::new(stream).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        over_transport!(&self.stream, stream => stream.is_write_vectored())
    }
}

/// File descriptors kept for the store, key and checkpoint files, logs and the runtime,
/// beyond those the connections may use: 64.
pub const DESCRIPTOR_RESERVE: u64 = 64;

/// Raises the process's soft limit on open files to its hard limit, and returns the most
/// connections that then leave [`DESCRIPTOR_RESERVE`] descriptors free, beside those of the
/// metrics listener's [`crate::metrics::MAX_CONNECTIONS`] (`None` if the limit
/// is unlimited). The store must never be the one to run out: a failed open during a commit
/// stops the server.
pub fn connections_the_descriptors_allow() -> Option<usize> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.maximum != limit.current {
        limit.current = limit.maximum;
        if let Err(error) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(%error, "cannot raise the open-file limit to its maximum");
            limit = getrlimit(Resource::Nofile);
        }
    }
    let current = limit.current?;
    let kept = DESCRIPTOR_RESERVE + crate::metrics::MAX_CONNECTIONS as u64;
    usize::try_from(current.saturating_sub(kept).max(1)).ok()
}

/// How many connections the server holds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Open at once.
    pub max_connections: usize,
    /// Open at once from one peer address.
    pub max_per_peer: usize,
    /// How long one with nothing in flight stays open.
    pub idle_timeout: Duration,
}

/// Accepts connections from `listener` under the caps, as the stream tonic serves, with
/// TLS when `tls` is given: each handshake runs on its own task, bounded by
/// [`crate::tls::HANDSHAKE_TIMEOUT`], so a slow or silent client delays no other. The
/// accept loop runs until the stream is dropped.
pub fn incoming(
    listener: TcpListener,
    limits: Limits,
    tls: Option<Arc<crate::tls::TlsFiles>>,
) -> ReceiverStream<Result<Connection, io::Error>> {
    let (sender, receiver) = mpsc::channel(16);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let peers = PeerCounts::default();
    let idle_timeout = limits.idle_timeout;
    tokio::spawn(async move {
        let mut backoff = ACCEPT_BACKOFF.0;
        loop {
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => return,
                },
                () = sender.closed() => return,
            };
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = sender.closed() => return,
            };
            let (stream, remote) = match accepted {
                Ok(accepted) => {
                    backoff = ACCEPT_BACKOFF.0;
                    accepted
                }
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "accept failed; pausing");
                    drop(slot);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                    continue;
                }
            };
            let Some(peer_slot) = PeerSlot::take(&peers, remote.ip(), limits.max_per_peer) else {
                tracing::debug!(%remote, "closing a connection past the per-peer limit");
                continue;
            };
            let _ = stream.set_nodelay(true);
            let connection = move |stream| Connection {
                stream,
                info: ConnectionInfo {
                    remote_addr: remote,
                    activity: Arc::new(Activity::new()),
                },
                idle_timeout,
                idle_check: Box::pin(tokio::time::sleep(idle_timeout)),
                _slot: slot,
                _peer_slot: peer_slot,
            };
            let Some(tls) = &tls else {
                if sender
                    .send(Ok(connection(Transport::Plain(stream))))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            };
            let acceptor = tls.acceptor();
            let sender = sender.clone();
            tokio::spawn(async move {
                let handshake =
                    tokio::time::timeout(crate::tls::HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                match handshake.await {
                    Ok(Ok(stream)) => {
                        let _ = sender
                            .send(Ok(connection(Transport::Tls(Box::new(stream)))))
                            .await;
                    }
                    Ok(Err(error)) => {
                        tracing::debug!(%remote, %error, "TLS handshake refused");
                    }
                    Err(_) => {
                        tracing::debug!(%remote, "TLS handshake took too long; closed");
                    }
                }
            });
        }
    });
    ReceiverStream::new(receiver)
}

/// A tower layer over every service of the server: a request, and its response until its
/// last frame is sent, count as activity of its connection.
#[derive(Clone, Copy, Debug, Default)]
pub struct ActivityLayer;

impl<S> tower_layer::Layer<S> for ActivityLayer {
    type Service = Tracked<S>;

    fn layer(&self, inner: S) -> Tracked<S> {
        Tracked(inner)
    }
}

/// A service whose requests count as activity of their connection.
#[derive(Clone, Debug)]
pub struct Tracked<S>(S);

impl<S, B, R> tower_service::Service<http::Request<B>> for Tracked<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    R: http_body::Body,
{
    type Response = http::Response<Guarded<R>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let activity = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|info| info.activity.start());
        let response = self.0.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| Guarded { body, activity }))
        })
    }
}

use tonic::codegen::http;

/// A response body that keeps its connection active until it is sent (or dropped).
pub struct Guarded<B> {
    body: B,
    activity: Option<RequestGuard>,
}

impl<B: http_body::Body + Unpin> http_body::Body for Guarded<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_peer_is_its_64_prefix_and_a_mapped_ipv4_its_address() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert_eq!(peer_of(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            peer_of(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            peer_of(ip("2001:db8:1:2::7"))
        );
        assert_ne!(
            peer_of(ip("2001:db8:1:3::1")),
            peer_of(ip("2001:db8:1:2::1"))
        );
        assert_eq!(peer_of(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        assert_eq!(peer_of(ip("10.0.0.1")), ip("10.0.0.1"));
    }

    fn limits(max_connections: usize, max_per_peer: usize, idle_ms: u64) -> Limits {
        Limits {
            max_connections,
            max_per_peer,
            idle_timeout: Duration::from_millis(idle_ms),
        }
    }

    #[tokio::test]
    async fn the_cap_holds_back_connections_and_idle_ones_are_closed() {
        use tokio::io::AsyncReadExt;
        use tokio_stream::StreamExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = incoming(listener, limits(2, 8, 200), None);
        let clients: Vec<_> = [0; 3]
            .iter()
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        let mut first = accepted.next().await.unwrap().unwrap();
        let _second = accepted.next().await.unwrap().unwrap();
        // The third waits in the backlog while two are open.
        let third = tokio::time::timeout(Duration::from_millis(100), accepted.next()).await;
        assert!(
            third.is_err(),
            "a third connection was accepted past the cap"
        );

        // Nothing in flight: the first is closed after the idle timeout...
        let mut buffer = [0u8; 8];
        let error = first.read(&mut buffer).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        // ...and once it is gone, the third gets its slot.
        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(2), accepted.next()).await;
        assert!(third.is_ok(), "the freed slot was not reused");
        drop(clients);
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_flight_is_not_idle() {
        use tokio::io::AsyncReadExt;
        use tokio_stream::StreamExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = incoming(listener, limits(4, 8, 100), None);
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let mut connection = accepted.next().await.unwrap().unwrap();
        let request = connection.info.activity.start();
        let mut buffer = [0u8; 8];
        let read = tokio::time::timeout(Duration::from_millis(400), connection.read(&mut buffer));
        assert!(read.await.is_err(), "closed while a request was in flight");
        drop(request);
        let read = tokio::time::timeout(Duration::from_secs(2), connection.read(&mut buffer));
        assert_eq!(
            read.await.unwrap().unwrap_err().kind(),
            io::ErrorKind::TimedOut
        );
    }
}

#[cfg(test)]
mod peer_tests {
    use super::*;

    #[tokio::test]
    async fn one_peer_cannot_take_more_than_its_share() {
        use tokio::io::AsyncReadExt;
        use tokio_stream::StreamExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = incoming(
            listener,
            Limits {
                max_connections: 10,
                max_per_peer: 2,
                idle_timeout: Duration::from_secs(60),
            },
            None,
        );
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        let _first = accepted.next().await.unwrap().unwrap();
        let _second = accepted.next().await.unwrap().unwrap();
        // The third from the same address is closed at once: its read sees the end.
        let mut buffer = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), clients[2].read(&mut buffer));
        assert_eq!(read.await.unwrap().unwrap(), 0);
    }
}
