//! Problems found in content, reported the way a compiler reports them: what
//! is wrong, where (file, line, column) and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    pub message: String,
    /// Extra context, such as the nearest text to a quote that was not found.
    pub note: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// A warning does not stop the content from being used.
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(file: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            note: None,
            help: None,
            warning: false,
        }
    }

    /// Marks the diagnostic as a warning.
    pub fn warning(mut self) -> Diagnostic {
        self.warning = true;
        self
    }

    /// Places the diagnostic at byte `offset` of `source`.
    pub fn at(mut self, source: &str, offset: usize) -> Diagnostic {
        let (line, column) = line_column(source, offset);
        self.line = line;
        self.column = column;
        self
    }

    pub fn at_line(mut self, line: usize) -> Diagnostic {
        self.line = line;
        self.column = 1;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.warning { "warning" } else { "error" };
        writeln!(f, "{level}: {}", self.message)?;
        write!(f, "  --> {}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if let Some(note) = &self.note {
            write!(f, "\n   = note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in a content directory, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}\n")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} in content", if n == 1 { "" } else { "s" })
    }
}

/// The 1-based line numbers of byte offsets in one source text, found by
/// one scan: for naming the line of every entry of a long file.
pub struct Lines {
    /// Byte offsets where lines start, ascending.
    starts: Vec<usize>,
}

impl Lines {
    pub fn of(source: &str) -> Lines {
        let after_newlines = source.match_indices('\n').map(|(i, _)| i + 1);
        Lines {
            starts: std::iter::once(0).chain(after_newlines).collect(),
        }
    }

    /// The line of byte `offset`, as [`line_column`] counts it.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = crate::text::floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_number_as_line_column_does() {
        let src = "a = 1\nbé = 2\n\nc\n";
        let lines = Lines::of(src);
        for offset in 0..=src.len() {
            assert_eq!(
                lines.line(offset),
                line_column(src, offset).0,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn line_column_counts_from_one() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 6), (2, 1));
        assert_eq!(line_column(src, 9), (2, 3));
    }

    #[test]
    fn display_reads_like_a_compiler() {
        let d = Diagnostic::new(Path::new("content/facts/x.toml"), "duplicate fact id `a`")
            .at_line(3)
            .help("give each fact its own id");
        assert_eq!(
            d.to_string(),
            "error: duplicate fact id `a`\n  --> content/facts/x.toml:3:1\n   = help: give each fact its own id"
        );
    }
}
