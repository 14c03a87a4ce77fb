//! A TCP proxy for PostgreSQL's plain protocol that adds latency and counts round trips.
//!
//! A round trip is a request after which the client waits: a simple Query ('Q') or an
//! extended-protocol Sync ('S'), counted after the server's first ReadyForQuery, that is
//! after connecting and authenticating, and only when an answer has come since the last
//! one counted: requests sent together before any answer (pipelined) are one round trip. The session settings vsecure queues without waiting for their
//! answer (`SET statement_timeout ...`, `SET application_name ...`) are not counted
//! and are not waited for. A Sync right after a Close ('C') is not counted:
//! tokio-postgres sends that pair when a prepared statement is dropped and never waits
//! for the answer (whether it goes out before the connection ends is a matter of timing).
//!
//! The latency is added each way, as a delay line: every chunk is delivered `latency`
//! after it arrived, and chunks in flight do not wait for one another (a large answer
//! costs the latency once, as on a real link), so a round trip costs twice the latency,
//! as to a distant Neon region.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The SSLRequest and GSSENCRequest codes: a client may send one before the startup.
const NEGOTIATION_CODES: [u32; 2] = [80877103, 80877104];

/// A running proxy; it stops accepting when dropped.
pub struct CountingProxy {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    finished: Arc<Mutex<Vec<usize>>>,
    started: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl CountingProxy {
    /// Starts a proxy in front of 127.0.0.1:`target_port`.
    pub fn start(target_port: u16, latency: Duration) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let finished = Arc::new(Mutex::new(Vec::new()));
        let started = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, s, st) = (finished.clone(), started.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        // No Nagle delay on top of the latency this proxy adds.
                        let _ = client.set_nodelay(true);
                        s.fetch_add(1, Ordering::SeqCst);
                        let f = f.clone();
                        std::thread::spawn(move || serve(client, target_port, latency, f));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        CountingProxy {
            port,
            finished,
            started,
            stop,
        }
    }

    /// The round-trip counts of the connections made since the last call, once they
    /// have all closed.
    pub fn take_counts(&self) -> Vec<usize> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = self.finished.lock().unwrap().len();
            if done >= self.started.load(Ordering::SeqCst) || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.started.store(0, Ordering::SeqCst);
        std::mem::take(&mut *self.finished.lock().unwrap())
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(client: TcpStream, target_port: u16, latency: Duration, finished: Arc<Mutex<Vec<usize>>>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
        finished.lock().unwrap().push(0);
        return;
    };
    let _ = server.set_nodelay(true);
    let ready = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let unanswered = Arc::new(Mutex::new(std::collections::VecDeque::new()));
    let down = {
        let (from, to, ready, answered, unanswered) = (
            server.try_clone().unwrap(),
            client.try_clone().unwrap(),
            ready.clone(),
            answered.clone(),
            unanswered.clone(),
        );
        std::thread::spawn(move || pump_down(from, to, latency, &ready, answered, &unanswered))
    };
    pump_up(
        client,
        server,
        latency,
        &ready,
        &answered,
        &unanswered,
        &requests,
    );
    let _ = down.join();
    finished
        .lock()
        .unwrap()
        .push(requests.load(Ordering::SeqCst));
}

/// Client to server: counts requests once the server has been ready, one per wave.
fn pump_up(
    mut from: TcpStream,
    to: TcpStream,
    latency: Duration,
    ready: &AtomicBool,
    answered: &AtomicUsize,
    unanswered: &Mutex<std::collections::VecDeque<bool>>,
    requests: &AtomicUsize,
) {
    let mut last_wave: Option<usize> = None;
    let mut buffer = Vec::new();
    let mut startup = true;
    let mut previous = 0u8;
    let mut chunk = [0u8; 65536];
    let line = DelayLine::start(to.try_clone().unwrap(), latency, None);
    while let Ok(n) = from.read(&mut chunk) {
        if n == 0 {
            break;
        }
        line.send(chunk[..n].to_vec(), 0);
        buffer.extend_from_slice(&chunk[..n]);
        loop {
            if startup {
                if buffer.len() < 8 {
                    break;
                }
                let length = u32::from_be_bytes(buffer[..4].try_into().unwrap()) as usize;
                let code = u32::from_be_bytes(buffer[4..8].try_into().unwrap());
                if buffer.len() < length {
                    break;
                }
                buffer.drain(..length);
                startup = NEGOTIATION_CODES.contains(&code);
                continue;
            }
            if buffer.len() < 5 {
                break;
            }
            let length = u32::from_be_bytes(buffer[1..5].try_into().unwrap()) as usize;
            if buffer.len() < 1 + length {
                break;
            }
            let kind = buffer[0];
            let queued_setting = kind == b'Q'
                && (buffer[5..].starts_with(b"SET statement_timeout")
                    || buffer[5..].starts_with(b"SET application_name"));
            buffer.drain(..1 + length);
            // Every Query and Sync gets a ReadyForQuery; only those the client waits
            // for count, the others are noted so their answers are told apart.
            let answered_by_ready = kind == b'Q' || kind == b'S';
            let waits = kind == b'Q' || (kind == b'S' && previous != b'C');
            if ready.load(Ordering::SeqCst) && answered_by_ready {
                let counted = waits && !queued_setting;
                unanswered.lock().unwrap().push_back(!counted);
                if counted {
                    // A new wave: the first request, or one sent after an answer came.
                    let now = answered.load(Ordering::SeqCst);
                    if last_wave.is_none_or(|seen| now > seen) {
                        requests.fetch_add(1, Ordering::SeqCst);
                        last_wave = Some(now);
                    }
                }
            }
            previous = kind;
        }
    }
    line.finish();
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// Server to client: notes the first ReadyForQuery (connected), counts the later ones
/// once delivered (requests answered), and delays every chunk.
fn pump_down(
    mut from: TcpStream,
    to: TcpStream,
    latency: Duration,
    ready: &AtomicBool,
    answered: Arc<AtomicUsize>,
    unanswered: &Mutex<std::collections::VecDeque<bool>>,
) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 65536];
    let mut first = true;
    let line = DelayLine::start(to.try_clone().unwrap(), latency, Some(answered));
    while let Ok(n) = from.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
        // A single 'N' or 'S' answers an SSLRequest before any typed message.
        if first && buffer.len() == 1 && matches!(buffer[0], b'N' | b'S') {
            buffer.clear();
        }
        let mut answers = 0;
        while buffer.len() >= 5 {
            let length = u32::from_be_bytes(buffer[1..5].try_into().unwrap()) as usize;
            if buffer.len() < 1 + length {
                break;
            }
            if buffer[0] == b'Z' {
                if first {
                    first = false;
                    ready.store(true, Ordering::SeqCst);
                } else if unanswered.lock().unwrap().pop_front() == Some(false) {
                    answers += 1;
                }
            }
            buffer.drain(..1 + length);
        }
        line.send(chunk[..n].to_vec(), answers);
    }
    line.finish();
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// One direction of the link: chunks are written `latency` after they arrived, in
/// order, without waiting for one another.
struct DelayLine {
    sender: mpsc::Sender<(Instant, Vec<u8>, usize)>,
    writer: std::thread::JoinHandle<()>,
    latency: Duration,
}

impl DelayLine {
    /// Starts the writer; `answered`, when given, counts the answers a chunk carries
    /// once it is delivered (before its bytes go: the client may answer them at once).
    fn start(mut to: TcpStream, latency: Duration, answered: Option<Arc<AtomicUsize>>) -> Self {
        let (sender, receiver) = mpsc::channel::<(Instant, Vec<u8>, usize)>();
        let writer = std::thread::spawn(move || {
            for (due, bytes, answers) in receiver {
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                if let Some(counter) = &answered {
                    counter.fetch_add(answers, Ordering::SeqCst);
                }
                if to.write_all(&bytes).is_err() {
                    break;
                }
            }
        });
        DelayLine {
            sender,
            writer,
            latency,
        }
    }

    /// Queues a chunk that arrived now, with the answers it carries.
    fn send(&self, bytes: Vec<u8>, answers: usize) {
        let _ = self
            .sender
            .send((Instant::now() + self.latency, bytes, answers));
    }

    /// Delivers what is in flight, then stops.
    fn finish(self) {
        drop(self.sender);
        let _ = self.writer.join();
    }
}
