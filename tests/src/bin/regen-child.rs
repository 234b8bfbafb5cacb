//! `regen-child ROOT`: what `cargo xtask regen` does, as a process the tests can kill at any
//! instant (the kill test in `tests/it/regen_robust.rs`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: regen-child ROOT");
        return ExitCode::from(2);
    };
    match regen::regenerate(std::path::Path::new(&root), None) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
