//! A throwaway PostgreSQL cluster for tests: Debian's initdb/pg_ctl under a temp dir, on a free port.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Pg {
    pub url: String,
    bin: PathBuf,
    data: PathBuf,
    as_user: Option<String>,
    _dir: tempfile::TempDir,
}

fn find_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn run(bin: &Path, as_user: &Option<String>, args: &[&str]) -> std::process::Output {
    let mut c = match as_user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--"]).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    c.args(args).output().expect("run PostgreSQL tool")
}

impl Pg {
    /// Starts a cluster, or returns None (with a message) when PostgreSQL is not installed.
    pub fn start() -> Option<Pg> {
        let Some(bin) = find_bin() else {
            let msg = "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)";
            // CI installs PostgreSQL and sets this, so a missing server fails there instead of skipping.
            assert!(
                std::env::var_os("PHIGUARD_REQUIRE_POSTGRES").is_none(),
                "{msg}"
            );
            eprintln!("SKIP: {msg}");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        // initdb refuses to run as root: run the server as the `postgres` system user then.
        let root = std::fs::metadata("/proc/self").map(|m| {
            use std::os::unix::fs::MetadataExt;
            m.uid() == 0
        });
        let as_user = if root.unwrap_or(false) {
            Some("postgres".to_string())
        } else {
            None
        };
        if let Some(u) = &as_user {
            let out = Command::new("id").args(["-u", u]).output().expect("id");
            let uid: u32 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or_else(|_| {
                    panic!("running as root and there is no `{u}` user to run PostgreSQL as")
                });
            std::os::unix::fs::chown(dir.path(), Some(uid), None).expect("chown temp dir");
        }
        let data = dir.path().join("data");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let out = run(
            &bin.join("initdb"),
            &as_user,
            &[
                "-D",
                data.to_str()?,
                "-A",
                "trust",
                "-U",
                "phiguard",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            dir.path().display()
        );
        let log = dir.path().join("log");
        let out = run(
            &bin.join("pg_ctl"),
            &as_user,
            &[
                "-D",
                data.to_str()?,
                "-o",
                &opts,
                "-l",
                log.to_str()?,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(Pg {
            url: format!("postgres://phiguard@127.0.0.1:{port}/postgres"),
            bin,
            data,
            as_user,
            _dir: dir,
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.data.to_string_lossy().to_string();
        let _ = run(
            &self.bin.join("pg_ctl"),
            &self.as_user,
            &["-D", &data, "-m", "immediate", "-w", "stop"],
        );
    }
}
