//! How a failed command is reported: its message with each cause said once,
//! and, for a command run with `--json`, an `{"error": {"kind", "message"}}`
//! object on stdout so scripts can tell what went wrong.

use crate::answer::RequestError;
use crate::content::ContentError;
use crate::index::IndexError;
use crate::record::StoreError;

/// The error and its causes, each said once: a cause whose text its
/// wrapper already shows (as `could not read X: {source}` does) is skipped.
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            // A cause that ends its sentence ("… HTTP request.") goes on
            // after a colon.
            let end = out.trim_end_matches('.').len();
            out.truncate(end);
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Content problems already printed on stderr, one by one: only their
/// number is left to say.
#[derive(Debug, thiserror::Error)]
#[error("could not build the index: {} has {count} problem(s); fix them (`dossier check` lists them)", content.display())]
pub struct ContentProblems {
    pub content: std::path::PathBuf,
    pub count: usize,
}

/// An index of other stories than those of the content directory a
/// command names: answering from it would answer about them.
#[derive(Debug, thiserror::Error)]
#[error(
    "the index in {} holds other stories than those in {}: give them an index of their own with --index DIR (built on first use), or replace this one with `dossier reindex --content {} --index {}`",
    index.display(), content.display(), content.display(), index.display()
)]
pub struct OtherStories {
    pub index: std::path::PathBuf,
    pub content: std::path::PathBuf,
}

/// A stable name for what went wrong, for scripts.
pub fn kind(e: &anyhow::Error) -> &'static str {
    for cause in e.chain() {
        if cause.downcast_ref::<ContentProblems>().is_some() {
            return "invalid_content";
        }
        if cause.downcast_ref::<OtherStories>().is_some() {
            return "index_of_other_stories";
        }
        if let Some(e) = cause.downcast_ref::<RequestError>() {
            return request_kind(e);
        }
        if let Some(e) = cause.downcast_ref::<IndexError>() {
            return index_kind(e);
        }
        if let Some(e) = cause.downcast_ref::<ContentError>() {
            return content_kind(e);
        }
        if let Some(StoreError::NoRecord(_)) = cause.downcast_ref::<StoreError>() {
            return "record_missing";
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            return "io";
        }
    }
    "internal"
}

fn request_kind(e: &RequestError) -> &'static str {
    match e {
        RequestError::UnknownArticle(_) => "unknown_article",
        RequestError::NoSuchParagraph { .. } => "no_such_paragraph",
        RequestError::NotFound { .. } => "not_found",
        RequestError::NoCard { .. } => "no_such_card",
        RequestError::Index(_) => "index_failed",
    }
}

fn index_kind(e: &IndexError) -> &'static str {
    match e {
        IndexError::Content(c) => content_kind(c),
        IndexError::Busy(_) => "index_busy",
        IndexError::Missing(_) => "index_missing",
        IndexError::SchemaMismatch { .. } => "index_outdated",
        IndexError::Corrupt { .. } | IndexError::Tantivy(_) => "index_damaged",
        IndexError::Io { .. } => "io",
    }
}

fn content_kind(e: &ContentError) -> &'static str {
    match e {
        ContentError::Missing(_) => "content_missing",
        ContentError::Io { .. } => "io",
        ContentError::Invalid(_) => "invalid_content",
    }
}

/// The JSON object a `--json` command prints on stdout when it fails.
pub fn json(kind: &str, message: &str) -> String {
    serde_json::json!({"error": {"kind": kind, "message": message}}).to_string()
}

/// Prints a failure: JSON on stdout with `--json`, text on stderr otherwise.
pub fn print(e: &anyhow::Error, as_json: bool) {
    let message = message(e);
    if as_json {
        println!("{}", json(kind(e), &message));
    } else {
        eprintln!("error: {message}");
    }
}

/// Whether the raw arguments ask for JSON, for errors found before they
/// could be parsed.
pub fn wants_json(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    args.into_iter().any(|a| a == "--json")
}

/// Reports a command line clap could not parse. Help and version are
/// printed as clap prints them; with `--json`, a usage error is a JSON
/// object on stdout with clap's exit code.
pub fn usage(e: clap::Error, as_json: bool) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    let informational = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !as_json || informational {
        e.exit();
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    println!("{}", json("usage", first.trim()));
    std::process::ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_its_wrapper_is_said_once() {
        let io = std::io::Error::other("Too many levels of symbolic links");
        let e = anyhow::Error::new(ContentError::Io {
            path: "content/articles/x.md".into(),
            source: io,
        });
        let m = message(&e);
        assert_eq!(m.matches("Too many levels").count(), 1, "{m}");
        assert_eq!(kind(&e), "io");
    }

    #[test]
    fn causes_not_in_the_wrapper_are_kept() {
        let e = anyhow::Error::new(std::io::Error::other("disk full")).context("could not write");
        assert_eq!(message(&e), "could not write: disk full");
        let e = anyhow::Error::new(std::io::Error::other("refused"))
            .context("Error while sending HTTP request.")
            .context("the gateway connection failed");
        assert_eq!(
            message(&e),
            "the gateway connection failed: Error while sending HTTP request: refused"
        );
    }

    #[test]
    fn errors_have_stable_kinds() {
        let e = anyhow::Error::new(RequestError::NotFound {
            name: "x".into(),
            named: None,
            known: Vec::new(),
        });
        assert_eq!(kind(&e), "not_found");
        let e = anyhow::Error::new(IndexError::Missing("index".into())).context("ctx");
        assert_eq!(kind(&e), "index_missing");
        let e = anyhow::Error::new(RequestError::Index("read failed".into()));
        assert_eq!(kind(&e), "index_failed");
        assert_eq!(message(&e), "the index could not be searched: read failed");
        assert_eq!(kind(&anyhow::anyhow!("other")), "internal");
    }
}
