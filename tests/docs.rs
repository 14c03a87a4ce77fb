//! README's examples that must stay true: the crontab block is scripts/crontab.example
//! word for word, and every command in it parses with this binary's flags.

use std::ffi::OsString;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn readme_crontab_is_the_example_file() {
    let readme = read("README.md");
    let example = read("scripts/crontab.example");
    assert!(
        readme.contains(&format!("```cron\n{example}```")),
        "README's cron block differs from scripts/crontab.example"
    );
}

#[test]
fn every_crontab_command_parses() {
    let example = read("scripts/crontab.example");
    let commands: Vec<&str> = example
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect();
    assert!(commands.len() >= 5, "{commands:?}");
    for line in commands {
        let (_, command) = line.split_once("/vsecure ").expect("a vsecure command");
        let command = command.split(">>").next().unwrap();
        let args: Vec<OsString> = std::iter::once("vsecure")
            .chain(command.split_whitespace())
            .map(OsString::from)
            .collect();
        if let Err(e) = vsecure::cli::parse_from(&args) {
            panic!("{line}: {e}");
        }
    }
}
