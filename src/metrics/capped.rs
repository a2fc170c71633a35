//! The metrics listener's bounds: a connection is accepted only while fewer than a cap are
//! open, and each is closed once it has been open for its lifetime, whatever it is doing, so
//! no scraper, slow or idle, can hold the process's file descriptors.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

/// A listener holding at most a fixed number of connections, each for a bounded time.
pub struct Capped {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    lifetime: Duration,
}

impl Capped {
    pub fn new(listener: TcpListener, max_connections: usize, lifetime: Duration) -> Self {
        Self {
            listener,
            slots: Arc::new(Semaphore::new(max_connections.max(1))),
            lifetime,
        }
    }
}

impl axum::serve::Listener for Capped {
    type Io = Bounded;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Bounded, std::net::SocketAddr) {
        loop {
            // The semaphore is never closed.
            let Ok(slot) = Arc::clone(&self.slots).acquire_owned().await else {
                continue;
            };
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    return (
                        Bounded {
                            stream,
                            deadline: Box::pin(tokio::time::sleep(self.lifetime)),
                            _slot: slot,
                        },
                        addr,
                    );
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics: accept failed; pausing");
                    drop(slot);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }
}

/// A connection that fails every read and write once its lifetime is over, and gives its
/// slot back when dropped.
pub struct Bounded {
    stream: TcpStream,
    deadline: Pin<Box<Sleep>>,
    _slot: OwnedSemaphorePermit,
}

impl Bounded {
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn expired_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "metrics connection open past its lifetime",
    )
}

use std::future::Future as _;

impl AsyncRead for Bounded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.expired(cx) {
            return Poll::Ready(Err(expired_error()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.expired(cx) {
            return Poll::Ready(Err(expired_error()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener as _;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn a_connection_past_the_cap_waits_and_one_past_its_lifetime_is_closed() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut capped = Capped::new(listener, 1, Duration::from_millis(300));
        let _first = TcpStream::connect(addr).await.unwrap();
        let (mut held, _) = capped.accept().await;
        let _second = TcpStream::connect(addr).await.unwrap();
        // The second is not accepted while the first holds the only slot.
        assert!(
            tokio::time::timeout(Duration::from_millis(150), capped.accept())
                .await
                .is_err()
        );
        // The first, idle, fails its read once its lifetime is over.
        let mut buf = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), held.read(&mut buf))
            .await
            .unwrap();
        assert_eq!(read.unwrap_err().kind(), io::ErrorKind::TimedOut);
        drop(held);
        // Its slot is free again: the second is accepted.
        tokio::time::timeout(Duration::from_secs(5), capped.accept())
            .await
            .unwrap();
    }
}
