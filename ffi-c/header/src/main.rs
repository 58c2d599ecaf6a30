//! `cargo run -p picomcp-header`: write `include/picomcp.h` from the `picomcp-ffi` crate
//! with the pinned cbindgen and `ffi-c/cbindgen.toml`, adding version macros from the
//! workspace's `Cargo.toml` (this crate shares its version). `--check` compares instead
//! and fails when the committed header differs.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().nth(1).as_deref() == Some("--check");
    let ffi = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let header = ffi.join("../include/picomcp.h");
    let mut config = match cbindgen::Config::from_file(ffi.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("picomcp-header: {e}");
            return ExitCode::FAILURE;
        }
    };
    let version = env!("CARGO_PKG_VERSION");
    let [major, minor, patch] =
        [env!("CARGO_PKG_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MINOR"), env!("CARGO_PKG_VERSION_PATCH")];
    let macros = format!(
        "\n\n/** The version of picomcp this header belongs to (from Cargo.toml). */\n\
         #define PICOMCP_VERSION \"{version}\"\n\
         #define PICOMCP_VERSION_MAJOR {major}\n\
         #define PICOMCP_VERSION_MINOR {minor}\n\
         #define PICOMCP_VERSION_PATCH {patch}\n"
    );
    config.after_includes = Some(format!("{}{macros}", config.after_includes.unwrap_or_default()));
    let bindings = match cbindgen::Builder::new().with_crate(&ffi).with_config(config).generate() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("picomcp-header: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut text = Vec::new();
    bindings.write(&mut text);
    if check {
        let committed = std::fs::read(&header).unwrap_or_default();
        if committed != text {
            eprintln!(
                "picomcp-header: include/picomcp.h differs from what ffi-c generates: \
                 run `cargo run -p picomcp-header` and commit the result"
            );
            return ExitCode::FAILURE;
        }
        println!("include/picomcp.h matches ffi-c");
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&header, &text) {
        eprintln!("picomcp-header: {}: {e}", header.display());
        return ExitCode::FAILURE;
    }
    println!("wrote include/picomcp.h");
    ExitCode::SUCCESS
}
