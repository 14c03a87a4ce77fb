//! Runs futures side by side on one connection: tokio-postgres sends the requests of
//! futures polled together back to back (pipelined), so independent transactions cost
//! the round trips of the longest, not of all of them.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// A future borrowed for the duration of [`all`].
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Drives every future to its end, together, and returns their outputs in order.
pub async fn all<'a, T>(mut futures: Vec<Boxed<'a, T>>) -> Vec<T> {
    let mut outputs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none()
                && let Poll::Ready(value) = future.as_mut().poll(cx)
            {
                *output = Some(value);
            }
        }
        if outputs.iter().all(Option::is_some) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
