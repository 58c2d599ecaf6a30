//! What the drivers read about a server process in `/proc`: its memory, its CPU time,
//! and, when it stops answering, what each of its threads is doing; and the signals
//! they send it (through `kill`, the drivers being std only).

use std::fs;

/// A server's resident memory at one moment, in KiB (`/proc/<pid>/status`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// VmRSS: resident now.
    pub rss_kib: u64,
    /// VmHWM: the peak resident so far.
    pub hwm_kib: u64,
}

/// Reads VmRSS and VmHWM of `pid`.
pub fn memory(pid: u32) -> Result<Memory, String> {
    let status = status(pid)?;
    Ok(Memory { rss_kib: status_kib(&status, "VmRSS", pid)?, hwm_kib: status_kib(&status, "VmHWM", pid)? })
}

/// Reads VmHWM (peak resident set size, KiB) of `pid`.
pub fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    status_kib(&status(pid)?, "VmHWM", pid)
}

/// `/proc/<pid>/status`.
fn status(pid: u32) -> Result<String, String> {
    fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| format!("reading /proc/{pid}/status: {e}"))
}

/// The value in KiB of the field `name` (`VmRSS`, `VmHWM`) of `status`, read from `pid`.
fn status_kib(status: &str, name: &str, pid: u32) -> Result<u64, String> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
}

/// One line per thread of `pid`: its name, state, kernel wait channel and the system
/// call it is in (number and first argument, e.g. `0 0x0` is `read` on fd 0 on x86-64),
/// for the report of a server that stopped answering.
pub fn threads(pid: u32) -> String {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return format!("(no /proc/{pid}/task: the process is gone)");
    };
    let mut tids: Vec<u64> = tasks.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
    tids.sort_unstable();
    let mut out = Vec::new();
    for tid in tids {
        let dir = format!("/proc/{pid}/task/{tid}");
        let read = |file: &str| fs::read_to_string(format!("{dir}/{file}")).unwrap_or_default();
        let stat = read("stat");
        let name = stat.split_once('(').and_then(|(_, rest)| rest.rsplit_once(')')).map_or("?", |(name, _)| name);
        let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()).unwrap_or("?");
        let wchan = read("wchan");
        let syscall: Vec<String> = read("syscall").split_whitespace().take(2).map(String::from).collect();
        out.push(format!(
            "thread {tid} `{name}` state {state}, wchan {}, syscall {}",
            if wchan.is_empty() || wchan == "0" { "-" } else { wchan.trim() },
            if syscall.is_empty() { "?".to_string() } else { syscall.join(" ") }
        ));
    }
    out.join("; ")
}

/// User + system CPU time of a process (all its threads), in clock ticks, from `/proc/<pid>/stat`.
pub fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| format!("reading /proc/{pid}/stat: {e}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Field 3 (state) is fields[0]; utime and stime are fields 14 and 15.
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    match (field(11), field(12)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err(format!("cannot parse /proc/{pid}/stat")),
    }
}

/// User + system CPU seconds of a process (all its threads).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    cpu_ticks(pid).ok().map(|ticks| ticks as f64 / clock_ticks_per_second())
}

/// The kernel's clock ticks per second for `/proc` times (`getconf CLK_TCK`, 100 if unknown).
pub fn clock_ticks_per_second() -> f64 {
    static HZ: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Sends SIGKILL to `pid`.
pub fn kill(pid: u32) {
    std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().ok();
}

/// Sends SIGTERM to `pid`; whether `kill` succeeded.
pub fn terminate(pid: u32) -> bool {
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The last `lines` lines of a log file, for a failure report.
pub fn tail(path: &std::path::Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            let from = all.len().saturating_sub(lines);
            all[from..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_read() {
        let m = memory(std::process::id()).unwrap();
        assert!(m.rss_kib > 0 && m.hwm_kib >= m.rss_kib);
        assert_eq!(peak_rss_kib(std::process::id()).map(|hwm| hwm > 0), Ok(true));
        assert!(cpu_ticks(std::process::id()).is_ok());
        assert!(threads(std::process::id()).contains("thread"));
        assert!(cpu_seconds(std::process::id()).is_some());
    }
}
