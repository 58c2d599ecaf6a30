//! The drivers' command line: reading it, parsing flag values, and pinning the driver
//! to a CPU by running it again under `taskset`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::str::FromStr;
use std::time::Duration;

use crate::find_on_path;

/// The arguments (the program's name left out) and the options `parse` makes of them.
/// `Err` is the exit status to return at once: 2 after a parse error (printed with
/// `usage`), success when `help` says the options ask for help (`usage` printed).
pub fn parse_args<T>(
    usage: &str,
    parse: impl FnOnce(&[String]) -> Result<T, String>,
    help: impl FnOnce(&T) -> bool,
) -> Result<(T, Vec<String>), ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}\n\n{usage}");
            return Err(ExitCode::from(2));
        }
    };
    if help(&options) {
        print!("{usage}");
        return Err(ExitCode::SUCCESS);
    }
    Ok((options, args))
}

/// Parses a flag's numeric value (`_` allowed as a separator).
pub fn number<T: FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.trim().replace('_', "").parse().map_err(|_| format!("{flag}: not a number: {value}"))
}

/// Parses a flag's value in seconds (fractions allowed).
pub fn seconds(flag: &str, value: &str) -> Result<Duration, String> {
    let s: f64 = number(flag, value)?;
    if !(s > 0.0 && s.is_finite()) {
        return Err(format!("{flag}: expected a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(s))
}

/// Comma-separated words, trimmed, empty ones dropped.
pub fn words(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|w| !w.is_empty()).map(String::from).collect()
}

/// The `taskset` program, or why the driver runs unpinned (a note on stderr says so).
pub fn taskset() -> Result<PathBuf, &'static str> {
    find_on_path("taskset").ok_or_else(|| {
        eprintln!("note: taskset is not installed (util-linux): running unpinned");
        "taskset is not installed"
    })
}

/// Pins the driver to `cpu`: `Ok` when it already runs pinned (the environment variable
/// `env` is `cpu`), else it runs itself again with `args` under `taskset -c CPU`, `env`
/// set, and does not return; or, when it cannot, returns why (with a note on stderr).
pub fn pin_self(taskset: &Path, cpu: &str, env: &str, args: &[String]) -> Result<(), &'static str> {
    if std::env::var(env).is_ok_and(|v| v == cpu) {
        return Ok(());
    }
    let Ok(me) = std::env::current_exe() else {
        return Err("cannot find the driver's own path");
    };
    use std::os::unix::process::CommandExt;
    let error = Command::new(taskset).args(["-c", cpu]).arg(me).args(args).env(env, cpu).exec();
    eprintln!("note: cannot run under taskset ({error}): running unpinned");
    Err("taskset failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parsed() {
        assert_eq!(number::<u64>("--n", " 1_000 "), Ok(1000));
        assert!(number::<u64>("--n", "x").unwrap_err().contains("not a number"));
        assert_eq!(seconds("--s", "0.5"), Ok(Duration::from_millis(500)));
        assert!(seconds("--s", "0").is_err());
        assert_eq!(words(" a, ,b "), ["a", "b"]);
    }
}
