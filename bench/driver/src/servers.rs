//! The list of servers to measure: one table row each.
//!
//! The list is a text file (see `bench/servers.txt`), one row a line:
//!
//! ```text
//! name | command line | how to get the program when it is missing (optional)
//! ```
//!
//! The command line is split on whitespace (no quoting) and run from the list
//! file's folder, so relative paths in it are relative to that folder. The
//! program is started directly (no shell), so its process id is the server's:
//! a wrapper script must `exec` the real server for the RSS columns to be
//! right. Blank lines and lines starting with `#` are ignored.

pub use bench_common::find_on_path;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Server {
    /// The row's name in the table.
    pub name: String,
    /// The program, resolved against the list's folder if it is a relative path.
    pub program: PathBuf,
    /// The program's arguments.
    pub args: Vec<String>,
    /// The folder the server runs in (the list file's folder).
    pub dir: PathBuf,
    /// The command line as the list writes it, for messages.
    pub command_line: String,
    /// What to do when the program is missing.
    pub hint: String,
}

impl Server {
    /// A command that starts this server.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(&self.dir);
        command
    }

    /// Whether the program exists (as a path, or on `PATH` for a bare name).
    pub fn is_available(&self) -> bool {
        if self.program.components().count() > 1 {
            return self.program.is_file();
        }
        find_on_path(&self.program.to_string_lossy()).is_some()
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
        let mut fields = line.splitn(3, '|').map(str::trim);
        let name = fields.next().unwrap_or_default();
        let command_line = fields.next().unwrap_or_default();
        let mut words = command_line.split_whitespace();
        let hint = fields.next().unwrap_or_default();
        let Some(program) = words.next().filter(|_| !name.is_empty()) else {
            return Err(format!("{}:{}: expected `name | command line | hint`", path.display(), number + 1));
        };
        let program = Path::new(program);
        let program = if program.components().count() > 1 && program.is_relative() {
            dir.join(program)
        } else {
            program.to_path_buf()
        };
        servers.push(Server {
            name: name.to_string(),
            program,
            args: words.map(String::from).collect(),
            dir: dir.clone(),
            command_line: command_line.to_string(),
            hint: hint.to_string(),
        });
    }
    Ok(servers)
}
