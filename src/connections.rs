//! Connections: how many the server holds, how long an idle one may stay, and what happens
//! when the process runs out of file descriptors.
//!
//! - At most `max_connections` are open at once; past that the listener stops accepting (new
//!   clients wait in the kernel's backlog) until one closes, so an idle crowd cannot exhaust
//!   the file descriptors the store and real clients need.
//! - A connection with no request in flight (a response still streaming counts as in flight)
//!   for `idle_timeout` is closed.
//! - An accept that fails (`EMFILE`, `ENFILE`, `ENOBUFS`…) is retried after a pause that
//!   doubles up to one second, instead of spinning.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
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
    pub remote_addr: Option<SocketAddr>,
    /// The connection's activity, for [`Activity::start`].
    pub activity: Arc<Activity>,
}

/// One accepted connection: the socket, its slot under the connection cap, and its idle
/// timer.
pub struct Connection {
    stream: TcpStream,
    info: ConnectionInfo,
    idle_timeout: Duration,
    idle_check: Pin<Box<tokio::time::Sleep>>,
    _slot: OwnedSemaphorePermit,
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
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Pending if this.idle_expired(cx) => {
                tracing::debug!(remote = ?this.info.remote_addr, "closing an idle connection");
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
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts connections from `listener` under the cap, as the stream tonic serves. The accept
/// loop runs until the stream is dropped.
pub fn incoming(
    listener: TcpListener,
    max_connections: usize,
    idle_timeout: Duration,
) -> ReceiverStream<Result<Connection, io::Error>> {
    let (sender, receiver) = mpsc::channel(16);
    let slots = Arc::new(Semaphore::new(max_connections.max(1)));
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
            let _ = stream.set_nodelay(true);
            let connection = Connection {
                stream,
                info: ConnectionInfo {
                    remote_addr: Some(remote),
                    activity: Arc::new(Activity::new()),
                },
                idle_timeout,
                idle_check: Box::pin(tokio::time::sleep(idle_timeout)),
                _slot: slot,
            };
            if sender.send(Ok(connection)).await.is_err() {
                return;
            }
        }
    });
    ReceiverStream::new(receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_cap_holds_back_connections_and_idle_ones_are_closed() {
        use tokio::io::AsyncReadExt;
        use tokio_stream::StreamExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut accepted = incoming(listener, 2, Duration::from_millis(200));
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
        let mut accepted = incoming(listener, 4, Duration::from_millis(100));
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
