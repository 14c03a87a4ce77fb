//! The vsecure binary: everything happens in the library.

fn main() {
    let code = vsecure::run(std::env::args_os(), &mut std::io::stdout().lock());
    std::process::exit(code);
}
