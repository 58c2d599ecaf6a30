//! One spawned server process and the exchanges the driver has with it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::wire::{self, Reply};
use bench_common::peak_rss_kib;

/// How much the driver buffers on each pipe.
const PIPE_BUFFER: usize = 64 * 1024;

/// A server process under test, spoken to over its stdin and stdout.
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// The last line read, reused for every read.
    line: Vec<u8>,
    /// The id of the next echo request.
    next_id: u64,
    spawned_at: Instant,
    watchdog: Option<Watchdog>,
    timeout: Duration,
}

impl Session {
    /// Spawns `command` with piped stdin and stdout. The process is killed if
    /// the session lasts longer than `timeout` (a hung server must not hang
    /// the whole benchmark).
    pub fn spawn(mut command: Command, timeout: Duration) -> Result<Session, String> {
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        let spawned_at = Instant::now();
        let mut child = command.spawn().map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::with_capacity(PIPE_BUFFER, child.stdout.take().expect("piped"));
        let watchdog = Some(Watchdog::start(child.id(), timeout));
        Ok(Session {
            child,
            stdin,
            stdout,
            line: Vec::with_capacity(1024),
            next_id: wire::INITIALIZE_ID + 1,
            spawned_at,
            watchdog,
            timeout,
        })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Does the legacy handshake: `initialize`, wait for its result, then
    /// `notifications/initialized`. Returns the time from spawn to the result.
    pub fn handshake(&mut self) -> Result<Duration, String> {
        self.send(wire::INITIALIZE)?;
        loop {
            let line = self.read_line()?;
            match wire::classify(line) {
                Reply::Notification => continue,
                Reply::Response { id: wire::INITIALIZE_ID, .. } if wire::is_result(line) => break,
                _ => return Err(format!("bad initialize reply: {}", excerpt(line))),
            }
        }
        let startup = self.spawned_at.elapsed();
        self.send(wire::INITIALIZED)?;
        Ok(startup)
    }

    /// Sends `n` echo requests one at a time, each after the previous reply.
    /// Returns the elapsed time.
    pub fn sequential(&mut self, n: u64) -> Result<Duration, String> {
        let mut request = Vec::with_capacity(256);
        let mut errors = Errors::default();
        let start = Instant::now();
        for _ in 0..n {
            let id = self.next_id;
            self.next_id += 1;
            request.clear();
            wire::push_echo_request(&mut request, id);
            self.send(&request)?;
            loop {
                let line = self.read_line()?;
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
        let first_id = self.next_id;
        self.next_id += n;
        let mut stdin = self.stdin.take().ok_or("stdin already closed")?;
        let progress = Arc::new(AtomicU64::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let mut seen = vec![false; n as usize];
        let mut errors = Errors::default();
        let start = Instant::now();
        let writer = {
            let (progress, finished) = (progress.clone(), finished.clone());
            thread::spawn(move || -> (ChildStdin, std::io::Result<()>) {
                let result = write_requests(&mut stdin, first_id, n, &progress);
                finished.store(true, Ordering::Release);
                (stdin, result)
            })
        };
        if let Some(stall) = slow_reader {
            wait_for_writer(&progress, &finished, stall);
        }

        let mut replies = 0;
        let mut read_error = None;
        while replies < n {
            let line = match self.read_line() {
                Ok(line) => line,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            };
            match wire::classify(line) {
                Reply::Notification => continue,
                Reply::Response { id, echoed } => {
                    let slot = id.checked_sub(first_id).filter(|&i| i < n).map(|i| i as usize);
                    match slot {
                        Some(i) if echoed && !seen[i] => seen[i] = true,
                        Some(i) if seen[i] => errors.record(line, "a second reply to one id"),
                        Some(_) => errors.record(line, "the reply lacks the echoed text"),
                        None => errors.record(line, "a reply to an id never sent"),
                    }
                }
                Reply::Invalid => errors.record(line, "not a JSON-RPC response"),
            }
            replies += 1;
        }
        let elapsed = start.elapsed();

        if read_error.is_some() {
            // The server is gone or broken; let the writer fail on the closed pipe.
            self.child.kill().ok();
        }
        let (stdin, written) = writer.join().map_err(|_| "the writer thread panicked")?;
        self.stdin = Some(stdin);
        if let Some(e) = read_error {
            return Err(e);
        }
        written.map_err(|e| format!("writing requests: {e}"))?;
        errors.check(n)?;
        Ok(elapsed)
    }

    /// The server's peak resident set size so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64, String> {
        peak_rss_kib(self.pid())
    }

    /// Closes the server's stdin and waits (up to 5 s, then kills it) for it to exit.
    pub fn close(mut self) -> Result<ExitStatus, String> {
        self.stdin = None;
        self.watchdog = None; // stops it before the process can be reaped
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
                Ok(None) => {
                    self.child.kill().ok();
                    self.child.wait().ok();
                    return Err("the server did not exit within 5 s of its stdin closing".into());
                }
                Err(e) => return Err(format!("waiting for the server: {e}")),
            }
        }
    }

    /// Writes a whole request (one syscall).
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin already closed")?;
        stdin.write_all(bytes).map_err(|e| format!("writing to the server: {e}"))
    }

    /// Reads one line, without its newline.
    fn read_line(&mut self) -> Result<&[u8], String> {
        self.line.clear();
        match self.stdout.read_until(b'\n', &mut self.line) {
            Ok(0) if self.watchdog.as_ref().is_some_and(|w| w.fired.load(Ordering::Acquire)) => {
                Err(format!("hung: killed after {} s (see --timeout)", self.timeout.as_secs()))
            }
            Ok(0) => Err("the server closed its stdout (did it exit?)".into()),
            Ok(_) => Ok(self.line.strip_suffix(b"\n").unwrap_or(&self.line)),
            Err(e) => Err(format!("reading from the server: {e}")),
        }
    }
}

impl Drop for Session {
    /// A session dropped without `close` (an error path) kills its server.
    fn drop(&mut self) {
        if self.stdin.is_some() || self.watchdog.is_some() {
            self.watchdog = None;
            self.child.kill().ok();
            self.child.wait().ok();
        }
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

/// Waits until the writer has finished or made no progress for `stall`.
fn wait_for_writer(progress: &AtomicU64, finished: &AtomicBool, stall: Duration) {
    let mut last = progress.load(Ordering::Acquire);
    let mut last_change = Instant::now();
    while !finished.load(Ordering::Acquire) {
        thread::sleep(Duration::from_millis(5));
        let now = progress.load(Ordering::Acquire);
        if now != last {
            last = now;
            last_change = Instant::now();
        } else if last_change.elapsed() >= stall {
            return;
        }
    }
}

/// Wrong replies seen during one exchange.
#[derive(Default)]
struct Errors {
    count: u64,
    samples: Vec<String>,
}

impl Errors {
    fn record(&mut self, line: &[u8], what: &str) {
        self.count += 1;
        if self.samples.len() < 3 {
            self.samples.push(format!("{what}: {}", excerpt(line)));
        }
    }

    /// Fails when any reply was wrong, quoting the first few.
    fn check(self, total: u64) -> Result<(), String> {
        if self.count == 0 {
            return Ok(());
        }
        Err(format!("{} of {total} replies were wrong, e.g.\n    {}", self.count, self.samples.join("\n    ")))
    }
}

/// The start of a line, for error messages.
fn excerpt(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
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
                    Command::new("kill").args(["-KILL", &pid.to_string()]).status().ok();
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
