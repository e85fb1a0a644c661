//! The SMTP sink of the tests: `tests/support/smtp_sink.py` (aiosmtpd, installed by
//! `make setup-test` in `~/.cache/ouvrage/mail-venv`) on a loopback port, writing every
//! accepted mail to a directory that the tests read back.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Sink {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
    count_only: bool,
}

pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("OUVRAGE_TEST_PYTHON") {
        return p.into();
    }
    let p = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/ouvrage/mail-venv/bin/python");
    assert!(p.exists(), "the SMTP sink needs aiosmtpd: run `make setup-test` (creates {})", p.display());
    p
}

impl Sink {
    pub fn start() -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("ouvrage-sink-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = Sink { port, dir, child: None, count_only: false };
        s.up();
        s
    }

    /// (Re)starts the sink process on its port.
    pub fn up(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut cmd = Command::new(python());
        cmd.arg(script).arg(self.port.to_string()).arg(&self.dir);
        if self.count_only {
            cmd.arg("--count-only");
        }
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("python for the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "pret", "the SMTP sink did not start");
        self.child = Some(child);
    }

    /// Stops the sink as a mail server stops (SIGTERM: «421» to what comes next, then exit).
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
            let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while c.try_wait().ok().flatten().is_none() && std::time::Instant::now() < end {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "eml") {
                out.push(String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned());
            }
        }
        out
    }

    /// Waits until at least `n` mails arrived (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<String> {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let m = self.messages();
            if m.len() >= n || std::time::Instant::now() > end {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The value of a header in a raw mail (first occurrence, unfolded).
pub fn header(mail: &str, name: &str) -> Option<String> {
    let mut lines = mail.split("\r\n").flat_map(|l| l.split('\n'));
    let prefix = format!("{}:", name.to_ascii_lowercase());
    while let Some(l) = lines.next() {
        if l.is_empty() {
            return None;
        }
        if l.to_ascii_lowercase().starts_with(&prefix) {
            let mut v = l[prefix.len()..].trim().to_string();
            for next in lines.by_ref() {
                if next.starts_with([' ', '\t']) {
                    v.push(' ');
                    v.push_str(next.trim());
                } else {
                    break;
                }
            }
            return Some(v);
        }
    }
    None
}
