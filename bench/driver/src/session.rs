//! One spawned server process and the exchanges the driver has with it.

use std::io::Write;
use std::process::{ChildStdin, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bench_common::procfs;
use bench_common::stdio::{self, Errors, PIPE_BUFFER, Server};
use bench_common::wire::{self, Reply};

/// A server process under test, spoken to over its stdin and stdout.
pub struct Session {
    /// Declared before `server`, so that it stops before the server is reaped.
    watchdog: Option<Watchdog>,
    server: Server,
    timeout: Duration,
}

impl Session {
    /// Spawns `command` with piped stdin and stdout. The process is killed if
    /// the session lasts longer than `timeout` (a hung server must not hang
    /// the whole benchmark).
    pub fn spawn(mut command: Command, timeout: Duration) -> Result<Session, String> {
        let server = Server::spawn(&mut command)?;
        let watchdog = Some(Watchdog::start(server.pid(), timeout));
        Ok(Session { watchdog, server, timeout })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Does the legacy handshake: `initialize`, wait for its result, then
    /// `notifications/initialized`. Returns the time from spawn to the result.
    pub fn handshake(&mut self) -> Result<Duration, String> {
        self.server.handshake().map_err(|e| hung(&self.watchdog, self.timeout, e))
    }

    /// Sends `n` echo requests one at a time, each after the previous reply.
    /// Returns the elapsed time.
    pub fn sequential(&mut self, n: u64) -> Result<Duration, String> {
        let mut request = Vec::with_capacity(256);
        let mut errors = Errors::<3>::default();
        let start = Instant::now();
        for _ in 0..n {
            let id = self.server.ids(1);
            request.clear();
            wire::push_echo_request(&mut request, id);
            self.server.send(&request)?;
            loop {
                let line = self.server.read_line().map_err(|e| hung(&self.watchdog, self.timeout, e))?;
                match wire::classify(line) {
                    Reply::Notification => continue,
                    Reply::Response { id: got, echoed: true } if got == id => {}
                    _ => errors.record(line, &format!("expected the echo reply to id {id}")),
                }
                break;
            }
        }
        let elapsed = start.elapsed();
        errors.check(n)?;
        Ok(elapsed)
    }

    /// Sends `n` echo requests without waiting, from a writer thread, while
    /// this thread reads the replies (in any order; each id exactly once).
    ///
    /// With `slow_reader`, nothing is read until the writer has written all
    /// `n` requests or has made no progress for `stall` (the server stopped
    /// reading: backpressure); only then are the replies read. Returns the
    /// time from the first write to the last reply.
    pub fn pipelined(&mut self, n: u64, slow_reader: Option<Duration>) -> Result<Duration, String> {
        let progress = Arc::new(AtomicU64::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let mut errors = Errors::<3>::default();
        let mut pipeline = {
            let (progress, finished) = (progress.clone(), finished.clone());
            self.server.pipeline(n, move |stdin, first_id| {
                let result = write_requests(stdin, first_id, n, &progress);
                finished.store(true, Ordering::Release);
                result
            })?
        };
        if let Some(stall) = slow_reader {
            // Nothing is read until the writer has finished or is stuck.
            stdio::stalled(&progress, Duration::from_millis(5), stall, || finished.load(Ordering::Acquire));
        }
        let read = self.server.read_replies(&mut pipeline, &mut errors, |_| {});
        let elapsed = pipeline.started.elapsed();
        self.server.join(pipeline, read).map_err(|e| hung(&self.watchdog, self.timeout, e))?;
        errors.check(n)?;
        Ok(elapsed)
    }

    /// The server's peak resident set size so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64, String> {
        procfs::peak_rss_kib(self.pid())
    }

    /// Closes the server's stdin and waits (up to 5 s, then kills it) for it to exit.
    pub fn close(self) -> Result<ExitStatus, String> {
        drop(self.watchdog); // stops it before the process can be reaped
        self.server.close().map(|(status, _)| status)
    }
}

/// `e` for the table: that the server hung, once the watchdog has killed it; else,
/// when its stdout closed, the question whether it exited.
fn hung(watchdog: &Option<Watchdog>, timeout: Duration, e: String) -> String {
    if watchdog.as_ref().is_some_and(|w| w.fired.load(Ordering::Acquire)) {
        format!("hung: killed after {} s (see --timeout)", timeout.as_secs())
    } else if e == stdio::CLOSED {
        format!("{e} (did it exit?)")
    } else {
        e
    }
}

/// Writes `n` echo requests in 64 KiB chunks, counting requests in `progress`.
fn write_requests(stdin: &mut ChildStdin, first_id: u64, n: u64, progress: &AtomicU64) -> std::io::Result<()> {
    let mut chunk = Vec::with_capacity(PIPE_BUFFER + 512);
    for (i, id) in (first_id..first_id + n).enumerate() {
        wire::push_echo_request(&mut chunk, id);
        if chunk.len() >= PIPE_BUFFER {
            stdin.write_all(&chunk)?;
            chunk.clear();
            progress.store(i as u64 + 1, Ordering::Release);
        }
    }
    stdin.write_all(&chunk)?;
    progress.store(n, Ordering::Release);
    Ok(())
}

/// Kills a process (by id) when the session outlives its time limit.
struct Watchdog {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Set once the process was killed.
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    fn start(pid: u32, timeout: Duration) -> Watchdog {
        let (stop, stopped) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let thread = {
            let fired = fired.clone();
            thread::spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                    fired.store(true, Ordering::Release);
                    procfs::kill(pid);
                }
            })
        };
        Watchdog { stop: Some(stop), thread: Some(thread), fired }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop = None; // disconnects the channel: the thread returns at once
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
