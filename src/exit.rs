//! vsecure's exit codes, in one place. Scripts and cron depend on them; they never change.

/// Success: nothing wrong.
pub const SUCCESS: i32 = 0;
/// A check found problems: drift, a missing extension, a policy violation, a leaked
/// secret, pending migrations under `--check`.
pub const FOUND_PROBLEMS: i32 = 1;
/// Usage or configuration error: a bad flag, an unparseable URL, a missing URL.
pub const USAGE: i32 = 2;
/// Could not connect, authenticate or negotiate TLS.
pub const CONNECT: i32 = 3;
/// A lock was not obtained in time (another run holds it).
pub const LOCK_BUSY: i32 = 4;
/// A migration or job failed; its transaction rolled back, nothing partial remains.
pub const FAILED: i32 = 5;

/// The exit code of a check: success when it found nothing wrong.
pub fn verdict(ok: bool) -> i32 {
    if ok { SUCCESS } else { FOUND_PROBLEMS }
}
