//! A server under HTTP load (the HTTP bench's and the soak's): started on a free port of
//! 127.0.0.1, pinned to a CPU with `taskset` when asked, ready once the port accepts
//! connections, stopped with SIGTERM (then SIGKILL) when dropped.

use std::ffi::OsStr;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::procfs;

/// A port nobody listens on right now.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}"))
}

/// `program args...`, or `taskset -c CPU program args...` with `pin` (`taskset` and the CPU).
pub fn command(program: impl AsRef<OsStr>, args: &[String], pin: Option<&(PathBuf, usize)>) -> Command {
    match pin {
        Some((taskset, cpu)) => {
            let mut command = Command::new(taskset);
            command.arg("-c").arg(cpu.to_string()).arg(program).args(args);
            command
        }
        None => {
            let mut command = Command::new(program);
            command.args(args);
            command
        }
    }
}

/// Why a server is not serving.
#[derive(Debug)]
pub enum NotReady {
    /// It could not be started.
    Spawn(io::Error),
    /// It exited before it listened on its port.
    Exited(ExitStatus),
    /// Its port did not accept connections in time.
    Timeout,
}

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
}

impl Server {
    /// Starts `command` (its stdin from /dev/null; its stdout and stderr as the caller set
    /// them) and waits until 127.0.0.1:`port` accepts connections, for up to `timeout`.
    pub fn start(mut command: Command, port: u16, timeout: Duration) -> Result<Server, NotReady> {
        command.stdin(Stdio::null());
        let child = command.spawn().map_err(NotReady::Spawn)?;
        let mut server = Server { child };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(NotReady::Exited(status));
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(server);
            }
            if Instant::now() >= deadline {
                return Err(NotReady::Timeout);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, up to a second to exit, then SIGKILL.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        if procfs::terminate(self.child.id()) {
            let deadline = Instant::now() + Duration::from_secs(1);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                thread::sleep(Duration::from_millis(5));
            }
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
