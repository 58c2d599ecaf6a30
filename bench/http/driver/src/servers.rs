//! The list of servers to measure: one table row each (several lines of the
//! table, one per number of clients).
//!
//! The list is a text file (see `bench/http/servers.txt`), one row a line:
//!
//! ```text
//! name | wire | command line | needs (optional) | how to get what is missing (optional)
//! ```
//!
//! `wire` is `session`, `stateless` or `2026-07-28` (see `mcp.rs`). The command
//! line is split on whitespace (no quoting), `{port}` in it replaced by the
//! port the server must listen on (at 127.0.0.1, serving MCP at `/mcp`), and
//! run from the list file's folder, so relative paths are relative to that
//! folder. The program is started directly (no shell), so its process id is
//! the server's: a wrapper script must `exec` the real server for the CPU and
//! RSS columns to be right. `needs` lists paths (space-separated, relative to
//! the folder) that must exist besides the program. A row whose program or
//! needs are missing is skipped with a note. Blank lines and lines starting
//! with `#` are ignored.

use std::path::{Path, PathBuf};

use crate::mcp::Wire;
use bench_common::find_on_path;

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Server {
    /// The row's name in the table.
    pub name: String,
    /// How clients talk to it.
    pub wire: Wire,
    /// The program, resolved against the list's folder if it is a relative path.
    pub program: PathBuf,
    /// The program's arguments, `{port}` not yet replaced.
    pub args: Vec<String>,
    /// Paths that must exist.
    pub needs: Vec<PathBuf>,
    /// The folder the server runs in (the list file's folder).
    pub dir: PathBuf,
    /// The command line as the list writes it, for messages.
    pub command_line: String,
    /// What to do when something is missing.
    pub hint: String,
}

impl Server {
    /// The program and arguments that start this server on `port`.
    pub fn argv(&self, port: u16) -> (PathBuf, Vec<String>) {
        let port = port.to_string();
        (self.program.clone(), self.args.iter().map(|a| a.replace("{port}", &port)).collect())
    }

    /// What is missing to run this row, if anything.
    pub fn missing(&self) -> Option<String> {
        let program_found = if self.program.components().count() > 1 {
            self.program.is_file()
        } else {
            find_on_path(&self.program.to_string_lossy()).is_some()
        };
        if !program_found {
            return Some(format!("`{}` does not exist", self.program.display()));
        }
        self.needs.iter().find(|p| !p.exists()).map(|p| format!("`{}` does not exist", p.display()))
    }
}

/// Reads the server list at `path`.
pub fn load(path: &Path) -> Result<Vec<Server>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the server list {}: {e}", path.display()))?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut servers = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("{}:{}", path.display(), number + 1);
        let mut fields = line.splitn(5, '|').map(str::trim);
        let name = fields.next().unwrap_or_default();
        let wire = Wire::parse(fields.next().unwrap_or_default()).map_err(|e| format!("{}: {e}", at()))?;
        let command_line = fields.next().unwrap_or_default();
        let needs = fields.next().unwrap_or_default();
        let hint = fields.next().unwrap_or_default();
        let mut words = command_line.split_whitespace();
        let Some(program) = words.next().filter(|_| !name.is_empty()) else {
            return Err(format!("{}: expected `name | wire | command line | needs | hint`", at()));
        };
        let resolve = |p: &str| {
            let p = Path::new(p);
            if p.components().count() > 1 && p.is_relative() { dir.join(p) } else { p.to_path_buf() }
        };
        servers.push(Server {
            name: name.to_string(),
            wire,
            program: resolve(program),
            args: words.map(String::from).collect(),
            needs: needs.split_whitespace().map(|p| dir.join(p)).collect(),
            dir: dir.clone(),
            command_line: command_line.to_string(),
            hint: hint.to_string(),
        });
    }
    Ok(servers)
}
