//! A fixture that owns a temp dir with a copy of content/ and an index
//! directory, and runs the real `dossier` binary against them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const ARTICLE: &str = "azerbaijan-armenia-peace-deal";
pub const FACTS: &str = "facts/azerbaijan-armenia-peace-deal.toml";

pub struct Dossier {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Dossier {
    /// A temp dir holding a copy of the repository's content/.
    pub fn new() -> Dossier {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &dir.path().join("content"),
        );
        Dossier { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn command(&self) -> Command {
        self.with_paths(&self.content(), &self.index())
    }

    /// The binary run in the temp dir on other content and index paths.
    pub fn with_paths(&self, content: &Path, index: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dossier"));
        cmd.current_dir(self.dir.path())
            .env_remove("DOSSIER_CONTENT")
            .env_remove("DOSSIER_INDEX")
            .env_remove("RUST_LOG")
            .arg("--content")
            .arg(content)
            .arg("--index")
            .arg(index);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command().args(args).output().unwrap().into()
    }

    /// Runs and asserts exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "dossier {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        r
    }

    /// Rewrites a content file (path relative to content/) with `edit`.
    pub fn edit(&self, rel: &str, edit: impl FnOnce(String) -> String) {
        let path = self.content().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let new = edit(text.clone());
        assert_ne!(new, text, "the edit of {rel} changed nothing");
        std::fs::write(path, new).unwrap();
    }

    /// Text of paragraph `n` of the article, via `dossier source --json`.
    pub fn paragraph(&self, n: u32) -> String {
        let v = self.ok(&["source", &n.to_string(), "--json"]).json();
        v[0]["text"].as_str().unwrap().to_string()
    }
}

/// `GET path` on a server that may still be starting: connects until
/// `wait` runs out, then returns the raw response.
pub fn http_get(
    addr: std::net::SocketAddr,
    path: &str,
    wait: std::time::Duration,
) -> Result<String, String> {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    loop {
        match std::net::TcpStream::connect(addr) {
            Ok(mut stream) => {
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                    .map_err(|e| e.to_string())?;
                let request =
                    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
                stream
                    .write_all(request.as_bytes())
                    .map_err(|e| e.to_string())?;
                let mut response = String::new();
                stream
                    .read_to_string(&mut response)
                    .map_err(|e| e.to_string())?;
                return Ok(response);
            }
            Err(e) if started.elapsed() > wait => {
                return Err(format!("nothing answered on {addr} within {wait:?}: {e}"));
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

/// Runs `cmd` with a 30 s limit and at most `kib` KiB of address space
/// (`ulimit -v`), so a command that reads or allocates without bound fails
/// instead of exhausting the machine.
pub fn bounded(cmd: &Command, kib: u64) -> Run {
    use std::process::Stdio;
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .current_dir(cmd.get_current_dir().unwrap_or(Path::new(".")))
        .env_remove("DOSSIER_CONTENT")
        .env_remove("DOSSIER_INDEX")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = sh.spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap().into()
}
