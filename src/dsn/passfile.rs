//! The password file (`~/.pgpass`), read as libpq's `passwordFromFile` reads it.
//!
//! Lines are `hostname:port:database:username:password`, `*` matches anything, `\`
//! escapes `:` and `\`, and `#` starts a comment. A file that is not a plain file, or
//! that group or others can access, is passed over with a warning, as libpq does.

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::ConnInfo;

/// The file libpq reads when neither `passfile` nor `PGPASSFILE` names one.
const DEFAULT_FILE: &str = ".pgpass";

/// The host name a socket connection is looked up under.
const LOCALHOST: &str = "localhost";

/// The socket directories that count as "the default" (Debian's libpq and upstream's).
const DEFAULT_SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/tmp"];

/// What the password file gave, host by host.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The file consulted.
    pub path: PathBuf,
    /// The password the file gives each host of the connection, in order.
    pub passwords: Vec<Option<String>>,
    /// libpq's warning when the file was passed over.
    pub warning: Option<String>,
}

/// Looks up the password for every host of `info`, whose user and dbname are already
/// filled in as libpq fills them.
pub fn lookup(info: &ConnInfo, home: Option<&Path>) -> Lookup {
    let path = match info.get("passfile").filter(|p| !p.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => match home {
            Some(home) => home.join(DEFAULT_FILE),
            None => {
                return Lookup {
                    path: PathBuf::from(format!("~/{DEFAULT_FILE}")),
                    passwords: Vec::new(),
                    warning: None,
                };
            }
        },
    };
    let mut found = Lookup {
        path,
        passwords: Vec::new(),
        warning: None,
    };
    let user = info.get("user").unwrap_or("");
    let dbname = info.get("dbname").unwrap_or("");
    if user.is_empty() || dbname.is_empty() {
        return found;
    }
    let lines = match readable_lines(&found.path) {
        Ok(Some(lines)) => lines,
        Ok(None) => return found,
        Err(warning) => {
            found.warning = Some(warning);
            return found;
        }
    };
    found.passwords = hosts_and_ports(info)
        .into_iter()
        .map(|(host, port)| {
            let wanted = [host.as_str(), port.as_str(), dbname, user];
            lines
                .iter()
                .find_map(|line| matching_password(line, &wanted))
        })
        .collect();
    found
}

/// The file's lines, `None` when it does not exist, or libpq's warning when it must
/// not be used.
fn readable_lines(path: &Path) -> Result<Option<Vec<String>>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() {
        return Err(format!(
            "password file \"{}\" is not a plain file, so it was not read",
            path.display()
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "password file \"{}\" has group or world access, so it was not read; permissions should be u=rw (0600) or less",
            path.display()
        ));
    }
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let lines = std::io::BufReader::new(file)
        .split(b'\n')
        .map_while(Result::ok)
        .map(|line| {
            String::from_utf8_lossy(&line)
                .trim_end_matches('\r')
                .to_string()
        })
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    Ok(Some(lines))
}

/// Each host libpq would try, as the password file names it, with its port.
fn hosts_and_ports(info: &ConnInfo) -> Vec<(String, String)> {
    let hosts = info.hosts();
    let addrs = info.hostaddrs();
    let ports = info.ports();
    let count = hosts.len().max(addrs.len()).max(1);
    (0..count)
        .map(|i| {
            let host = hosts.get(i).copied().filter(|h| !h.is_empty());
            let host = match host.or_else(|| addrs.get(i).copied().filter(|a| !a.is_empty())) {
                None => LOCALHOST,
                Some(h) if DEFAULT_SOCKET_DIRS.contains(&h) => LOCALHOST,
                Some(h) => h,
            };
            let port = match ports.as_slice() {
                [one] => *one,
                many => many.get(i).copied().unwrap_or(""),
            };
            let port = if port.is_empty() { "5432" } else { port };
            (host.to_string(), port.to_string())
        })
        .collect()
}

/// The password of a line whose four fields match, de-escaped; `None` otherwise.
fn matching_password(line: &str, wanted: &[&str; 4]) -> Option<String> {
    let mut rest = line;
    for token in wanted {
        rest = field_matches(rest, token)?;
    }
    let mut password = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            ':' => break,
            '\\' => match chars.next() {
                Some(escaped) => password.push(escaped),
                None => password.push('\\'),
            },
            c => password.push(c),
        }
    }
    Some(password)
}

/// libpq's `pwdfMatchesString`: the rest of the line after a field equal to `token`
/// (or `*`), with `\` escaping the next character.
fn field_matches<'a>(line: &'a str, token: &str) -> Option<&'a str> {
    if let Some(rest) = line.strip_prefix("*:") {
        return Some(rest);
    }
    let bytes = line.as_bytes();
    let token = token.as_bytes();
    let (mut i, mut t) = (0, 0);
    while i < bytes.len() {
        let escaped = bytes[i] == b'\\';
        if escaped {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b':' && t == token.len() && !escaped {
            return line.get(i + 1..);
        }
        if t == token.len() || i >= bytes.len() || bytes[i] != token[t] {
            return None;
        }
        i += 1;
        t += 1;
    }
    None
}

/// The home directory libpq uses: `HOME`, else the account's.
pub fn home_directory() -> Option<PathBuf> {
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Some(PathBuf::from(home)),
        None => account().map(|(_, home)| home),
    }
}

/// The effective user's account name: libpq's default `user`.
pub fn effective_user_name() -> Option<String> {
    account().map(|(name, _)| name)
}

/// The effective user's name and home directory from the password database.
fn account() -> Option<(String, PathBuf)> {
    let mut buffer = vec![0_u8; 16 * 1024];
    // SAFETY: passwd is plain data filled in by getpwuid_r; the strings it points at
    // live in `buffer`, which outlives their use below.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::geteuid(),
            &mut entry,
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || entry.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(entry.pw_name)
            .to_string_lossy()
            .into_owned();
        let home = if entry.pw_dir.is_null() {
            PathBuf::new()
        } else {
            PathBuf::from(
                std::ffi::CStr::from_ptr(entry.pw_dir)
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        Some((name, home))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_match_with_wildcards_and_escapes() {
        let wanted = ["db.acme.io", "5432", "app", "owner"];
        assert_eq!(
            matching_password("db.acme.io:5432:app:owner:s3cr\\:et", &wanted).as_deref(),
            Some("s3cr:et")
        );
        assert_eq!(
            matching_password("*:*:*:owner:pw:rest", &wanted).as_deref(),
            Some("pw")
        );
        assert_eq!(
            matching_password("db.acme.io:5433:app:owner:pw", &wanted),
            None
        );
        assert_eq!(matching_password("db.acme.io:5432:app", &wanted), None);
        assert_eq!(
            matching_password("db.acme.io:5432:ap:owner:pw", &wanted),
            None
        );
    }
}
