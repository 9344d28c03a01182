//! A Postgres server of a test's own (initdb into a temporary directory, a free port), which the
//! test may stop and start again — never the shared one other tests use.
//!
//! The binaries come from `/usr/lib/postgresql/<version>/bin` (Debian's `postgresql` package,
//! which CI installs), `pg_config --bindir`, or `PATH`. As root, they run as the `postgres`
//! user. Without them the test is skipped with a NOTE, unless `EUTERPE_REQUIRE_POSTGRES=1`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running private Postgres; stopped and deleted when dropped.
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Creates and starts a server, or says why not (and returns `None`) when Postgres's
    /// binaries are not installed and not required.
    pub fn start() -> Option<Self> {
        let Some(bin) = find_bin() else {
            if std::env::var("EUTERPE_REQUIRE_POSTGRES").is_ok_and(|value| value == "1") {
                panic!("EUTERPE_REQUIRE_POSTGRES=1 but no initdb was found (install postgresql)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\nNOTE: Postgres's server binaries (initdb, pg_ctl) are not installed: the test \
                 that stops and restarts a private Postgres is SKIPPED. Install the postgresql \
                 package to run it; CI sets EUTERPE_REQUIRE_POSTGRES=1 so it cannot skip there.\n"
            );
            return None;
        };
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "euterpe-private-pg-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let port = free_port();
        let server = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let dir = server.dir.display().to_string();
        server.run(
            "initdb",
            &[
                "-D",
                &dir,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        server.start_again();
        Some(server)
    }

    /// A URL of a database on this server (TLS off: it has no certificate).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{database}?sslmode=disable",
            self.port
        )
    }

    /// Stops the server as a failover or maintenance would: at once, connections cut.
    pub fn stop(&self) {
        let dir = self.dir.display().to_string();
        self.run("pg_ctl", &["-D", &dir, "-m", "fast", "-w", "stop"]);
    }

    /// Starts the (stopped) server again on the same port.
    pub fn start_again(&self) {
        let dir = self.dir.display().to_string();
        let options = format!(
            "-p {} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port
        );
        let log = self.dir.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D", &dir, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        );
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        // The server's own process must not inherit the test's working directory (root's).
        let output = command
            .args(args)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", path.display()));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let path = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let _ = command
            .args(["-D", &dir, "-m", "immediate", "-w", "stop"])
            .current_dir(std::env::temp_dir())
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_bin() -> Option<PathBuf> {
    let has_initdb = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    // Debian: /usr/lib/postgresql/<version>/bin, the newest version first.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_initdb(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    if let Some(bin) = from_pg_config.filter(|bin| has_initdb(bin)) {
        return Some(bin);
    }
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| has_initdb(dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
