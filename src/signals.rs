//! The signals that end a run early (Ctrl-C, and the SIGTERM a CI runner or Kubernetes
//! sends on cancel), caught so that work with something to undo can undo it first.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// SIGINT and SIGTERM, caught from the moment [`Terminating::catch`] returns. The handlers
/// stay for the life of the process (tokio cannot remove them), so catch them only around
/// work that ends the command when it is interrupted.
pub struct Terminating {
    interrupt: Signal,
    terminate: Signal,
}

impl Terminating {
    /// Installs the handlers; `None` if they cannot be (the default behaviour, ending
    /// the process, then stays).
    pub fn catch() -> Option<Terminating> {
        Some(Terminating {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    /// Resolves with the signal's name once either has arrived since [`Terminating::catch`].
    pub async fn received(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Waits for a signal when the handlers are installed, forever otherwise.
pub async fn received(signals: Option<&mut Terminating>) -> &'static str {
    match signals {
        Some(signals) => signals.received().await,
        None => std::future::pending().await,
    }
}
