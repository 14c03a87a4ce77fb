//! The vsecure binary: everything happens in the library.

fn main() {
    // SAFETY: first thing in main, before any other thread exists.
    unsafe { vsecure::db::defer_system_certificates() };
    let code = vsecure::run(std::env::args_os(), &mut std::io::stdout().lock());
    std::process::exit(code);
}
