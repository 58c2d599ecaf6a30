//! A server process spoken to over its stdin and stdout, one message a line (the stdio
//! bench's and the soak's): spawned with piped stdin and stdout, the legacy handshake,
//! echo requests written from a thread of their own while the replies are read and
//! checked ([`wire`](crate::wire)), closed by closing its stdin.

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::excerpt;
use crate::wire::{self, Reply};

/// How much the driver buffers on each pipe.
pub const PIPE_BUFFER: usize = 64 * 1024;

/// The error of a read at the end of the server's stdout.
pub const CLOSED: &str = "the server closed its stdout";

/// A server process under test, killed (if it still runs) when dropped.
pub struct Server {
    pub child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// The last line read, reused for every read.
    line: Vec<u8>,
    /// The id of the next echo request.
    next_id: u64,
    spawned_at: Instant,
    /// Lines read so far (written by this thread only): a sign of life for a watchdog.
    lines: Arc<AtomicU64>,
}

impl Server {
    /// Spawns `command` with piped stdin and stdout (its stderr as the caller set it).
    pub fn spawn(command: &mut Command) -> Result<Server, String> {
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        let spawned_at = Instant::now();
        let mut child = command.spawn().map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::with_capacity(PIPE_BUFFER, child.stdout.take().expect("piped"));
        Ok(Server {
            child,
            stdin,
            stdout,
            line: Vec::with_capacity(1024),
            next_id: wire::INITIALIZE_ID + 1,
            spawned_at,
            lines: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The count of lines read from the server, for a watchdog on another thread.
    pub fn lines(&self) -> Arc<AtomicU64> {
        self.lines.clone()
    }

    /// Does the legacy handshake: `initialize` (2025-11-25), wait for its result, then
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

    /// Takes the ids of the next `n` echo requests; returns the first.
    pub fn ids(&mut self, n: u64) -> u64 {
        let first = self.next_id;
        self.next_id += n;
        first
    }

    /// Writes a whole request (one syscall).
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin already closed")?;
        stdin.write_all(bytes).map_err(|e| format!("writing to the server: {e}"))
    }

    /// Reads one line, without its newline.
    pub fn read_line(&mut self) -> Result<&[u8], String> {
        self.line.clear();
        match self.stdout.read_until(b'\n', &mut self.line) {
            Ok(0) => Err(CLOSED.into()),
            Ok(_) => {
                // A plain store, not an atomic add: only this thread writes the count.
                self.lines.store(self.lines.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                Ok(self.line.strip_suffix(b"\n").unwrap_or(&self.line))
            }
            Err(e) => Err(format!("reading from the server: {e}")),
        }
    }

    /// Starts writing `n` echo requests (the next ids) without waiting for replies:
    /// `write` runs on a thread of its own with the server's stdin and the first id.
    /// Read the replies with [`Server::read_replies`], then end with [`Server::join`].
    pub fn pipeline(
        &mut self,
        n: u64,
        write: impl FnOnce(&mut ChildStdin, u64) -> io::Result<()> + Send + 'static,
    ) -> Result<Pipeline, String> {
        let first_id = self.ids(n);
        let mut stdin = self.stdin.take().ok_or("stdin already closed")?;
        let seen = vec![false; n as usize];
        let started = Instant::now();
        let writer = thread::spawn(move || {
            let result = write(&mut stdin, first_id);
            (stdin, result)
        });
        Ok(Pipeline { writer, first_id, n, seen, replies: 0, started })
    }

    /// Reads and checks the replies to `pipeline`'s requests, in any order, each id
    /// exactly once (anything else goes to `errors`); `each` is called after every reply
    /// with the number of replies so far. Ends after the last one or at a read error.
    pub fn read_replies<const SAMPLES: usize>(
        &mut self,
        pipeline: &mut Pipeline,
        errors: &mut Errors<SAMPLES>,
        mut each: impl FnMut(u64),
    ) -> Result<(), String> {
        let (first_id, n) = (pipeline.first_id, pipeline.n);
        let seen = &mut pipeline.seen;
        while pipeline.replies < n {
            let line = self.read_line()?;
            match wire::classify(line) {
                Reply::Notification => continue,
                Reply::Response { id, echoed } => {
                    let slot = id.checked_sub(first_id).filter(|&i| i < n).map(|i| i as usize);
                    match slot {
                        Some(i) if echoed && !seen[i] => seen[i] = true,
                        Some(i) if seen[i] => errors.record(line, "a second reply to one id"),
                        Some(i) => {
                            seen[i] = true;
                            errors.record(line, "not the echo result")
                        }
                        None => errors.record(line, "a reply to an id never sent"),
                    }
                }
                Reply::Invalid => errors.record(line, "not a JSON-RPC response"),
            }
            pipeline.replies += 1;
            each(pipeline.replies);
        }
        Ok(())
    }

    /// Ends `pipeline`: after a read error (`read`) kills the server, so that the writer
    /// cannot block on it; waits for the writer; returns the read error, else the write
    /// error, else the number of requests that got no reply (others got two).
    pub fn join(&mut self, pipeline: Pipeline, read: Result<(), String>) -> Result<u64, String> {
        if read.is_err() {
            self.child.kill().ok();
        }
        let (stdin, written) = pipeline.writer.join().map_err(|_| "the writer thread panicked")?;
        self.stdin = Some(stdin);
        read?;
        written.map_err(|e| format!("writing requests: {e}"))?;
        Ok(pipeline.seen.iter().filter(|&&s| !s).count() as u64)
    }

    /// Closes the server's stdin and waits (up to 5 s, then kills it) for it to exit;
    /// returns how it exited and how long after its stdin closed.
    pub fn close(mut self) -> Result<(ExitStatus, Duration), String> {
        self.stdin = None;
        let closed = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok((status, closed.elapsed())),
                Ok(None) if closed.elapsed() < Duration::from_secs(5) => thread::sleep(Duration::from_millis(1)),
                Ok(None) => {
                    self.child.kill().ok();
                    self.child.wait().ok();
                    return Err("the server did not exit within 5 s of its stdin closing".into());
                }
                Err(e) => return Err(format!("waiting for the server: {e}")),
            }
        }
    }
}

impl Drop for Server {
    /// A server left behind (an error path) is killed.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.child.kill().ok();
        }
        self.child.wait().ok();
    }
}

/// Echo requests written by a thread while their replies are read
/// ([`Server::pipeline`]).
pub struct Pipeline {
    writer: JoinHandle<(ChildStdin, io::Result<()>)>,
    first_id: u64,
    n: u64,
    /// Which ids were answered.
    seen: Vec<bool>,
    /// Replies read so far.
    pub replies: u64,
    /// When the writer thread was started.
    pub started: Instant,
}

impl Pipeline {
    /// The writer thread (to unpark it).
    pub fn writer(&self) -> &thread::Thread {
        self.writer.thread()
    }
}

/// Wrong replies: how many, and the first `SAMPLES` of them, quoted.
#[derive(Default)]
pub struct Errors<const SAMPLES: usize> {
    pub count: u64,
    pub samples: Vec<String>,
}

impl<const SAMPLES: usize> Errors<SAMPLES> {
    /// Counts a wrong reply, `line`, and quotes it while there are fewer than `SAMPLES`.
    pub fn record(&mut self, line: &[u8], what: &str) {
        self.count += 1;
        if self.samples.len() < SAMPLES {
            self.samples.push(format!("{what}: {}", excerpt(line)));
        }
    }

    /// Fails when any of `total` replies was wrong, quoting the first few.
    pub fn check(self, total: u64) -> Result<(), String> {
        if self.count == 0 {
            return Ok(());
        }
        Err(format!("{} of {total} replies were wrong, e.g.\n    {}", self.count, self.samples.join("\n    ")))
    }
}

/// Waits until `done()`, or until `progress` (a count of lines, of requests written)
/// has not moved for `stall`, looking every `poll`; returns whether it stalled.
pub fn stalled(progress: &AtomicU64, poll: Duration, stall: Duration, done: impl Fn() -> bool) -> bool {
    let mut last = progress.load(Ordering::Acquire);
    let mut last_change = Instant::now();
    while !done() {
        thread::sleep(poll);
        let now = progress.load(Ordering::Acquire);
        if now != last {
            (last, last_change) = (now, Instant::now());
        } else if last_change.elapsed() >= stall {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_the_first_samples() {
        let mut errors = Errors::<2>::default();
        for i in 0..3 {
            errors.record(format!("line {i}").as_bytes(), "wrong");
        }
        assert_eq!((errors.count, errors.samples.len()), (3, 2));
        assert_eq!(errors.samples[1], "wrong: line 1");
        assert!(errors.check(10).unwrap_err().starts_with("3 of 10 replies were wrong"));
    }

    #[test]
    fn a_still_count_is_a_stall() {
        let (ms, count) = (Duration::from_millis(1), AtomicU64::new(0));
        assert!(stalled(&count, ms, 5 * ms, || false));
        assert!(!stalled(&count, ms, 5 * ms, || true));
    }
}
