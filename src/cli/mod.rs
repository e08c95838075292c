//! The `dossier` command line: a thin adapter that parses arguments, calls
//! the core and prints what the renderers make of the result.

#[cfg(feature = "bench")]
mod bench;
mod discord;
mod eval;
mod failure;
mod record;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::answer::Engine;
use crate::content::{self, ContentError, Topic};
use crate::index::{self, IndexError};
use crate::render;

/// Answers questions about news stories with passages quoted word for word.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub paths: Paths,
    #[command(subcommand)]
    pub command: Command,
}

/// Where content and the index live.
#[derive(Debug, Clone, Args)]
pub struct Paths {
    /// Content directory: articles/, entities.toml, facts/.
    #[arg(
        long,
        env = "DOSSIER_CONTENT",
        default_value = "content",
        global = true
    )]
    pub content: PathBuf,
    /// Index directory, built by `dossier reindex`.
    #[arg(long, env = "DOSSIER_INDEX", default_value = "index", global = true)]
    pub index: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the content and report every problem with file and line.
    Check,
    /// Build the index from the content, replacing the old one atomically.
    Reindex,
    /// Answer a question with cited passages.
    Ask {
        /// The question, in plain words.
        #[arg(required = true, num_args = 1..)]
        question: Vec<String>,
        /// Answer from this story only (an article id; see `dossier stories`).
        #[arg(long, conflicts_with = "after")]
        story: Option<String>,
        /// Ask as a follow-up in a conversation about this story (an article
        /// id), as `/ask` does after an answer in its channel.
        #[arg(long, value_name = "STORY")]
        after: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Draft a facts file for an article: one candidate fact per sentence,
    /// and the article's names that are no entity yet.
    Draft {
        /// The article, e.g. content/articles/SLUG.md.
        article: PathBuf,
        /// Overwrite an existing facts file.
        #[arg(long)]
        force: bool,
    },
    /// The briefing of a story: the statements that best summarise it.
    Brief {
        /// The story (an article id; see `dossier stories`); the newest by default.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The stories the index holds, newest first.
    Stories {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over facts and passages.
    Search {
        /// The words to search for.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Only hits about this topic (a topic facts have, e.g. `terms`).
        #[arg(long, value_parser = parse_topic)]
        topic: Option<Topic>,
        /// Only hits in this story (an article id; see `dossier stories`).
        #[arg(long)]
        story: Option<String>,
        /// Number of hits, 1 to 50.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=50))]
        limit: u16,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The parties and their roles, or one party's card.
    Parties {
        /// One party, by name or alias; every party when absent.
        name: Option<String>,
        /// The story (id or title); the newest that has the card if absent.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The corridor card.
    Corridor {
        /// The story (id or title); the newest that has the card if absent.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What was agreed or decided, or one term.
    Terms {
        /// One term, by its id or words from it; every term when absent.
        name: Option<String>,
        /// The story (id or title); the newest that has the card if absent.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Direct quotes and who said them.
    Quote {
        /// Only this speaker's quotes, by name or alias.
        speaker: Option<String>,
        /// The story (id or title); the newest that has the card if absent.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Any card a story declares, by topic; without one, the cards there are.
    Card {
        /// The card's topic, e.g. `parties`; the story's cards when absent.
        topic: Option<String>,
        /// The story (id or title); the newest that has the card if absent.
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The full text of a paragraph (or a whole article), to check a citation.
    Source {
        /// The paragraph number, as in ¶4; the whole article when absent.
        paragraph: Option<u32>,
        /// Article id; defaults to the most recent article.
        #[arg(long)]
        article: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the Discord bot (over the gateway, or HTTP interactions with --http) until SIGINT or SIGTERM.
    Serve(discord::ServeArgs),
    /// Overwrite the registered slash commands and print what was registered.
    Register {
        #[command(flatten)]
        connection: discord::Connection,
        /// Register in this guild (instant) instead of globally.
        #[arg(long, env = "DISCORD_GUILD_ID")]
        guild: Option<String>,
    },
    /// Print the OAuth2 URL that adds the bot to a server.
    Invite {
        #[command(flatten)]
        connection: discord::Connection,
        /// The application (client) id; looked up with the token when absent.
        #[arg(long, env = "DISCORD_APPLICATION_ID")]
        client_id: Option<String>,
    },
    /// Tools for debugging the Discord side.
    #[command(subcommand)]
    Discord(discord::DiscordCommand),
    /// Measure indexing, answering and serving on a generated corpus, against SQLite FTS5.
    #[cfg(feature = "bench")]
    Bench(bench::BenchArgs),
    /// Run a question set and report accuracy; exit 1 below its thresholds.
    Eval {
        /// A question set (answered from --content), or a directory of
        /// stories, each a content directory with its questions.toml.
        file: PathBuf,
        /// Print every case, not only the failures.
        #[arg(long)]
        verbose: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Leave the stories' facts out: answer from the articles alone.
        #[arg(long)]
        articles_only: bool,
        /// Write each question's scoring features to this file (JSON lines).
        #[arg(long, value_name = "FILE")]
        features: Option<PathBuf>,
        /// Index every story of the directory in one index, as the bot
        /// serves them: a question counts only when it cites its own story.
        #[arg(long)]
        together: bool,
        /// With --together: ask each question as a follow-up of the one
        /// before, as one conversation, story after story.
        #[arg(long, requires = "together")]
        follow: bool,
    },
    /// Questions declined or voted down, grouped by meaning: the facts to add.
    Gaps {
        /// How far back to look, such as 7d or 12h.
        #[arg(long, default_value = "7d", value_parser = record::parse_since)]
        since: std::time::Duration,
        /// Only questions about this story (article id).
        #[arg(long)]
        story: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        record: record::RecordArgs,
    },
    /// 👍 / 👎 rates per story and per first cited paragraph.
    Feedback {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        record: record::RecordArgs,
    },
    /// Delete everything recorded of one Discord user.
    Forget {
        /// The person's Discord user id.
        user_id: String,
        #[command(flatten)]
        record: record::RecordArgs,
    },
}

fn parse_topic(s: &str) -> Result<Topic, String> {
    Topic::parse(&s.to_lowercase())
        .ok_or_else(|| format!("`{s}` is not a topic: topics are lowercase words such as `terms`"))
}

/// Runs the command line and returns the process exit code.
/// `before_serving` runs first when the command is `serve`, while the
/// process has one thread (the binary tunes its allocator for a
/// long-running server there).
pub fn main(before_serving: fn()) -> ExitCode {
    let _ = dotenvy::dotenv();
    init_tracing();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return failure::usage(e, failure::wants_json(std::env::args_os())),
    };
    if matches!(cli.command, Command::Serve(_)) {
        before_serving();
    }
    let json = cli.command.json();
    match run(cli) {
        Ok(code) => code,
        // A closed pipe (`dossier … | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            failure::print(&e, json);
            ExitCode::FAILURE
        }
    }
}

impl Command {
    /// Whether the command was asked for JSON output.
    fn json(&self) -> bool {
        match self {
            Command::Ask { json, .. }
            | Command::Stories { json }
            | Command::Brief { json, .. }
            | Command::Search { json, .. }
            | Command::Parties { json, .. }
            | Command::Corridor { json, .. }
            | Command::Card { json, .. }
            | Command::Terms { json, .. }
            | Command::Quote { json, .. }
            | Command::Source { json, .. }
            | Command::Eval { json, .. }
            | Command::Gaps { json, .. }
            | Command::Feedback { json, .. } => *json,
            _ => false,
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes `text` and a newline to standard output, reporting a closed pipe
/// as an error instead of panicking.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Whether `NO_COLOR` asks for no colour: set and not empty.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only garble a log file or what a log collector reads;
        // NO_COLOR (no-color.org) turns them off on a terminal too.
        .with_ansi(std::io::stderr().is_terminal() && !no_color())
        .try_init();
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let paths = &cli.paths;
    match cli.command {
        Command::Check => check(paths),
        Command::Reindex => reindex(paths),
        Command::Ask {
            question,
            story,
            after,
            json,
        } => ask(paths, &question.join(" "), (story, after), json),
        Command::Draft { article, force } => draft(paths, &article, force),
        Command::Brief { story, json } => {
            let engine = open_engine(paths)?;
            emit(json, &engine.brief(story.as_deref())?, render::text::card)
        }
        Command::Stories { json } => {
            let engine = open_engine(paths)?;
            emit(json, &engine.stories(), |s| render::text::stories(s))
        }
        Command::Search {
            query,
            topic,
            story,
            limit,
            json,
        } => {
            let topic = topic.as_ref().map(Topic::as_str);
            let limit = usize::from(limit);
            search(
                paths,
                &query.join(" "),
                topic,
                story.as_deref(),
                limit,
                json,
            )
        }
        Command::Parties { name, story, json } => card_command("parties", name, story, json, paths),
        Command::Corridor { story, json } => card_command("corridor", None, story, json, paths),
        Command::Terms { name, story, json } => card_command("terms", name, story, json, paths),
        Command::Quote {
            speaker,
            story,
            json,
        } => card_command("quote", speaker, story, json, paths),
        Command::Card { topic, story, json } => card(paths, topic, story.as_deref(), json),
        Command::Source {
            paragraph,
            article,
            json,
        } => source(paths, article.as_deref(), paragraph, json),
        Command::Serve(args) => discord::serve(paths, args),
        Command::Gaps {
            since,
            story,
            json,
            record,
        } => record::gaps(&record, since, story, json),
        Command::Feedback { json, record } => record::feedback(&record, json),
        Command::Forget { user_id, record } => record::forget(&record, &user_id),
        Command::Register { connection, guild } => discord::register(&connection, guild),
        Command::Invite {
            connection,
            client_id,
        } => discord::invite(&connection, client_id),
        Command::Discord(command) => discord::discord(paths, command),
        #[cfg(feature = "bench")]
        Command::Bench(args) => bench::run(args),
        Command::Eval {
            file,
            verbose,
            json,
            articles_only,
            features,
            together,
            follow,
        } => {
            let opts = eval::Options {
                verbose,
                json,
                articles_only,
                features,
                together,
                follow,
            };
            run_eval(paths, &file, &opts)
        }
    }
}

/// `story` names the one story to answer from, `after` the story of the
/// conversation the question follows.
fn ask(
    paths: &Paths,
    question: &str,
    (story, after): (Option<String>, Option<String>),
    json: bool,
) -> Result<ExitCode> {
    let engine = open_engine(paths)?;
    let answer = match after {
        // An id or title the sources do not hold is an error to fix here.
        Some(recent) => {
            let recent = engine.story_scope(Some(&recent))?;
            let id = recent.map(|a| engine.catalog().articles[a].id.clone());
            engine.ask_after(question, id.as_deref())?
        }
        None => engine.ask_in(question, story.as_deref())?,
    };
    emit(json, &answer, render::text::answer)
}

fn search(
    paths: &Paths,
    query: &str,
    topic: Option<&str>,
    story: Option<&str>,
    limit: usize,
    json: bool,
) -> Result<ExitCode> {
    let engine = open_engine(paths)?;
    let results = engine.search_in(query, topic, story, limit)?;
    emit(json, &results, render::text::search)
}

/// One card by topic, or every card of the story.
fn card(paths: &Paths, topic: Option<String>, story: Option<&str>, json: bool) -> Result<ExitCode> {
    let engine = open_engine(paths)?;
    match topic {
        Some(topic) => emit(json, &engine.card(&topic, story)?, render::text::card),
        None => emit(json, &engine.cards(story)?, |c| {
            render::text::cards(c, story)
        }),
    }
}

fn source(
    paths: &Paths,
    article: Option<&str>,
    paragraph: Option<u32>,
    json: bool,
) -> Result<ExitCode> {
    let engine = open_engine(paths)?;
    let passages = engine.source(article, paragraph)?;
    emit(json, &passages, |p| render::text::passages(p))
}

/// A directory of stories, each answered from its own content, or one
/// question set answered from the content.
fn run_eval(paths: &Paths, file: &Path, opts: &eval::Options) -> Result<ExitCode> {
    if file.is_dir() {
        return eval::run_stories(file, opts);
    }
    anyhow::ensure!(
        !opts.articles_only && !opts.together,
        "--articles-only and --together need a directory of stories"
    );
    let engine = open_engine(paths)?;
    eval::run(&engine, file, opts)
}

/// Prints `value` as JSON or as text.
fn emit<T: serde::Serialize + ?Sized>(
    json: bool,
    value: &T,
    text: impl Fn(&T) -> String,
) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", text(value))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check(paths: &Paths) -> Result<ExitCode> {
    match content::load(&paths.content) {
        Ok(corpus) => {
            let warnings = content::lint(&paths.content, &corpus);
            for w in &warnings {
                eprintln!("{w}\n");
            }
            let verdict = match warnings.len() {
                0 => "all good".to_string(),
                1 => "usable, with 1 warning".to_string(),
                n => format!("usable, with {n} warnings"),
            };
            print(&format!(
                "{}: {} articles, {} paragraphs, {} facts, {} entities: {verdict}",
                paths.content.display(),
                corpus.articles.len(),
                corpus.paragraph_count(),
                corpus.facts.len(),
                corpus.entities.len()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(ContentError::Invalid(diags)) => {
            eprintln!("{diags}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn draft(paths: &Paths, article: &Path, force: bool) -> Result<ExitCode> {
    let corpus = match content::load(&paths.content) {
        Ok(corpus) => corpus,
        Err(ContentError::Invalid(diags)) => {
            eprintln!("{diags}");
            eprintln!("fix the content first: a draft is checked against it");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let slug = article
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let Some(found) = corpus.articles.iter().find(|a| a.id == slug) else {
        anyhow::bail!(
            "{} is not an article of {}: articles live in {}/SLUG.md",
            article.display(),
            paths.content.display(),
            content::ARTICLES_DIR
        );
    };
    let out = paths
        .content
        .join(content::FACTS_DIR)
        .join(format!("{slug}.toml"));
    if out.exists() && !force {
        anyhow::bail!("{} exists: pass --force to overwrite it", out.display());
    }
    let draft = content::draft::draft(&corpus, found);
    std::fs::create_dir_all(paths.content.join(content::FACTS_DIR))?;
    std::fs::write(&out, &draft.facts)
        .with_context(|| format!("could not write {}", out.display()))?;
    eprintln!(
        "wrote {} candidate facts to {}",
        draft.facts_count,
        out.display()
    );
    if draft.entities_count > 0 {
        eprintln!(
            "{} names were no entity yet: they are proposed as the story's own [[entity]] entries at the top of the file",
            draft.entities_count,
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn reindex(paths: &Paths) -> Result<ExitCode> {
    match build_index(paths, true) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(IndexError::Content(ContentError::Invalid(diags))) => {
            eprintln!("{diags}");
            eprintln!("reindex refused: the index was left as it was");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// Builds the index, with a progress bar on a terminal for large corpora.
fn build_index(paths: &Paths, summary: bool) -> Result<(), IndexError> {
    let started = Instant::now();
    let bar = std::io::stdout().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} indexing {pos}/{len} documents {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut progress = |done: u64, total: u64| {
        if let Some(bar) = &bar {
            if total >= 10_000 && bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let manifest = index::reindex(&paths.content, &paths.index, &mut progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if summary {
        print(&format!(
            "indexed {} articles, {} paragraphs, {} facts, {} entities into {} in {:.2?}",
            manifest.articles,
            manifest.paragraphs,
            manifest.facts,
            manifest.entities,
            paths.index.display(),
            started.elapsed()
        ))
        .map_err(|e| IndexError::Io {
            path: PathBuf::from("<stdout>"),
            source: std::io::Error::other(e.to_string()),
        })?;
    }
    Ok(())
}

/// Builds the index when it is missing or was built by another version of
/// dossier, without loading it.
pub fn ensure_index(paths: &Paths) -> Result<()> {
    match index::manifest(&paths.index) {
        Ok(_) => Ok(()),
        Err(IndexError::Missing(_) | IndexError::SchemaMismatch { .. })
            if paths.content.is_dir() =>
        {
            eprintln!(
                "building the index from {} (run `dossier reindex` after editing content)",
                paths.content.display()
            );
            if let Err(e) = build_index(paths, false) {
                if let IndexError::Content(ContentError::Invalid(diags)) = &e {
                    // The problems go to stderr once; the error only sums them up.
                    eprintln!("{diags}");
                    return Err(failure::ContentProblems {
                        content: paths.content.clone(),
                        count: diags.len(),
                    }
                    .into());
                }
                return Err(e).context("could not build the index");
            }
            Ok(())
        }
        // Neither index nor content: the content is what to fix first.
        Err(IndexError::Missing(_)) if !paths.content.exists() => {
            Err(IndexError::Content(ContentError::Missing(paths.content.clone())).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// `dossier parties`, `corridor`, `terms` and `quote`.
fn card_command(
    name: &str,
    picked: Option<String>,
    story: Option<String>,
    json: bool,
    paths: &Paths,
) -> Result<ExitCode> {
    let command = crate::desk::card_command(name).context("no such card command")?;
    let engine = open_engine(paths)?;
    let card = command.run(&engine, picked.as_deref(), story.as_deref())?;
    emit(json, &card, render::text::card)
}

/// Opens the index, building it first when it is missing or was built by
/// another version, and noting on stderr when the content changed since.
pub fn open_engine(paths: &Paths) -> Result<Engine> {
    ensure_index(paths)?;
    let snapshot = index::open(&paths.index)?;
    if index::holds_other_stories(&snapshot, &paths.content) {
        return Err(failure::OtherStories {
            index: paths.index.clone(),
            content: paths.content.clone(),
        }
        .into());
    }
    if index::is_stale(&snapshot, &paths.content) == Some(true) {
        eprintln!(
            "note: {} changed since the index was built; run `dossier reindex` to update it",
            paths.content.display()
        );
    }
    Ok(Engine::from_snapshot(snapshot)?)
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))
    }
}
