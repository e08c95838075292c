//! The two places the record can live, behind one type: an embedded SQLite
//! file (the default, in WAL mode) or a PostgreSQL server that several
//! replicas share. Both run the same versioned migrations and the same SQL,
//! written with `$n` parameters (SQLite reads them as `?n`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::pg::Pg;
use super::{Ask, Conversation, Event, Vote};

/// Where the record lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl Location {
    /// PostgreSQL when `database_url` is a `postgres://` (or
    /// `postgresql://`) URL, else the SQLite file `db`.
    pub fn choose(db: &Path, database_url: Option<&str>) -> Result<Location, StoreError> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Location::Sqlite(db.to_path_buf())),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Location::Postgres(u.to_string()))
            }
            Some(_) => Err(StoreError::BadUrl),
        }
    }

    /// "sqlite" or "postgres".
    pub fn kind(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DATABASE_URL must be a postgres:// URL")]
    BadUrl,
    #[error("cannot create {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no record at {}: give the --db (or DOSSIER_DB) or DATABASE_URL the bot records to",
        .0.display()
    )]
    NoRecord(PathBuf),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL did not answer within {} s", .0.as_secs_f32())]
    Timeout(Duration),
    #[error("cannot start the PostgreSQL connection's runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot make a salt: {0}")]
    Salt(String),
}

impl StoreError {
    /// Whether the connection is gone and must be opened again.
    pub fn is_disconnect(&self) -> bool {
        match self {
            StoreError::Postgres(e) => e.is_closed() || e.as_db_error().is_none(),
            StoreError::Timeout(_) => true,
            _ => false,
        }
    }
}

/// Versioned migrations, applied in order, each once.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE asks (
        id TEXT PRIMARY KEY, at BIGINT NOT NULL, user_hash TEXT NOT NULL,
        question TEXT NOT NULL, story TEXT, answered BOOLEAN NOT NULL,
        citation TEXT, generation BIGINT NOT NULL, engine_us BIGINT NOT NULL);
     CREATE INDEX asks_at ON asks (at);
     CREATE INDEX asks_user ON asks (user_hash);
     CREATE TABLE votes (
        answer TEXT NOT NULL, user_hash TEXT NOT NULL, up BOOLEAN NOT NULL,
        at BIGINT NOT NULL, PRIMARY KEY (answer, user_hash));
     CREATE INDEX votes_at ON votes (at);
     CREATE INDEX votes_user ON votes (user_hash);",
    ),
    (
        2,
        "CREATE TABLE conversations (
        channel TEXT PRIMARY KEY, story TEXT NOT NULL, at BIGINT NOT NULL);
     CREATE INDEX conversations_at ON conversations (at);",
    ),
    (3, "ALTER TABLE asks ADD COLUMN lead TEXT;"),
];

/// Serialises migrations of replicas starting together on one PostgreSQL.
const MIGRATION_LOCK: i64 = 0x0064_6f73_7369_6572;

/// Tolerated wait for a locked SQLite file before a write fails.
const SQLITE_BUSY: Duration = Duration::from_millis(500);
/// Tolerated wait for a locked SQLite file while the record is opened and
/// migrated: the bot's writer and reader open it at the same moment, each
/// on a thread of its own off the reply path, and on a busy machine one
/// may hold the lock past [`SQLITE_BUSY`]; failing then lost every record
/// until the next attempt to open.
const SQLITE_OPEN_BUSY: Duration = Duration::from_secs(10);
/// Connection settings a PostgreSQL URL leaves unset. A connection must not
/// hang a thread for long: the writer and the reader each own one, and
/// while it hangs nothing is recorded or shared.
///
/// The longest a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest sent data may stay unacknowledged before the kernel closes
/// the connection (a peer gone silent, a NAT that forgot the connection):
/// the query fails as a disconnect and the thread opens a new one. The
/// kernel's default is its retransmission limit, about a quarter of an
/// hour.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(10);
/// Keepalive probes on an idle connection: the first after 30 s of
/// silence, then every 10 s, so firewalls that drop idle connections see
/// traffic and a dead peer is noticed in well under a minute rather than
/// the kernel's two hours. On Linux the user timeout also bounds
/// unanswered probes (about 40 s in all); the count of 3 applies where it
/// does not.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;
/// The longest one PostgreSQL call may take when the caller sets no limit
/// ([`Store::open`], [`Store::open_existing`]: the CLI's reports and
/// deletions, the bench): far past any statement of theirs on a healthy
/// server, short of waiting forever on a server that accepts data and
/// never answers.
const CALL_LIMIT: Duration = Duration::from_secs(300);

enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Pg),
}

/// An open record, migrated, with its salt.
pub struct Store {
    conn: Conn,
    salt: String,
}

/// A question declined or voted down, for `dossier gaps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub question: String,
    pub story: Option<String>,
    pub declined: bool,
    /// `article#paragraph`: the paragraph a voted-down answer cited, or
    /// the passage a declined question was offered to read.
    pub passage: Option<String>,
}

/// Votes on answers of one story and first citation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub story: Option<String>,
    pub citation: Option<String>,
    pub up: u64,
    pub down: u64,
}

const INSERT_ASK: &str = "INSERT INTO asks (id, at, user_hash, question, story, answered, citation, generation, engine_us, lead)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING";
const UPSERT_VOTE: &str = "INSERT INTO votes (answer, user_hash, up, at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (answer, user_hash) DO UPDATE SET up = excluded.up, at = excluded.at";
/// A later answer wins, whichever replica writes first.
const UPSERT_CONVERSATION: &str =
    "INSERT INTO conversations (channel, story, at) VALUES ($1, $2, $3)
     ON CONFLICT (channel) DO UPDATE SET story = excluded.story, at = excluded.at
     WHERE conversations.at <= excluded.at";
const CONVERSATION: &str = "SELECT story, at FROM conversations WHERE channel = $1 AND at >= $2";
const TROUBLES: &str =
    "SELECT a.question, a.story, a.answered, COALESCE(a.citation, a.lead) FROM asks a
     WHERE a.at >= $1 AND ($2 = '' OR a.story = $2)
       AND (a.answered = FALSE OR EXISTS (
            SELECT 1 FROM votes v WHERE v.answer = a.id AND v.up = FALSE))
     ORDER BY a.at";
const FEEDBACK: &str = "SELECT a.story, a.citation,
       SUM(CASE WHEN v.up THEN 1 ELSE 0 END), SUM(CASE WHEN v.up THEN 0 ELSE 1 END)
     FROM votes v JOIN asks a ON a.id = v.answer
     GROUP BY a.story, a.citation ORDER BY a.story, a.citation";

fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

/// Whether opening a SQLite record may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Create,
    Refuse,
}

impl Store {
    /// Opens (creating if needed) and migrates the record at `location`:
    /// the bot records from its first answer on.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        Store::open_within(location, CALL_LIMIT)
    }

    /// As [`Store::open`], each PostgreSQL call (the connection's
    /// handshake, the migrations, every later statement) failing with
    /// [`StoreError::Timeout`] past `limit`.
    pub fn open_within(location: &Location, limit: Duration) -> Result<Store, StoreError> {
        Store::connect(location, Missing::Create, limit)
    }

    /// Opens and migrates the record at `location` only if it exists
    /// ([`StoreError::NoRecord`] otherwise): a report on, or a deletion
    /// from, a record made empty for the purpose would tell of nothing as
    /// if it were the bot's.
    pub fn open_existing(location: &Location) -> Result<Store, StoreError> {
        Store::connect(location, Missing::Refuse, CALL_LIMIT)
    }

    fn connect(
        location: &Location,
        missing: Missing,
        limit: Duration,
    ) -> Result<Store, StoreError> {
        let conn = match location {
            Location::Sqlite(path) => Conn::Sqlite(open_sqlite(path, missing)?),
            Location::Postgres(url) => Conn::Postgres(Pg::connect(&postgres_config(url)?, limit)?),
        };
        let mut store = Store {
            conn,
            salt: String::new(),
        };
        store.migrate()?;
        store.salt = store.salt()?;
        if let Conn::Sqlite(c) = &store.conn {
            c.busy_timeout(SQLITE_BUSY)?;
        }
        Ok(store)
    }

    /// The stored form of a Discord user id: salted SHA-256, hex.
    pub fn user_hash(&self, user: u64) -> String {
        let mut h = Sha256::new();
        h.update(self.salt.as_bytes());
        h.update(user.to_string().as_bytes());
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn write(&mut self, event: &Event) -> Result<(), StoreError> {
        match event {
            Event::Ask(a) => self.ask(a),
            Event::Vote(v) => self.vote(v),
            Event::Conversation(c) => self.moved_on(c),
        }
    }

    /// Writes `events` in one transaction: all or none.
    pub fn write_all(&mut self, events: &[Event]) -> Result<(), StoreError> {
        self.batch("BEGIN")?;
        for e in events {
            if let Err(err) = self.write(e) {
                let _ = self.batch("ROLLBACK");
                return Err(err);
            }
        }
        self.batch("COMMIT")
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.conn {
            Conn::Sqlite(c) => c.execute_batch(sql)?,
            Conn::Postgres(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    fn ask(&mut self, a: &Ask) -> Result<(), StoreError> {
        let user = self.user_hash(a.user);
        let id = a.id.to_string();
        let (generation, engine_us) = (a.generation as i64, a.engine_us as i64);
        match &mut self.conn {
            Conn::Sqlite(c) => {
                c.prepare_cached(&sqlite_sql(INSERT_ASK))?
                    .execute(rusqlite::params![
                        id, a.at, user, a.question, a.story, a.answered, a.citation, generation,
                        engine_us, a.lead
                    ])?;
            }
            Conn::Postgres(c) => {
                c.execute(
                    INSERT_ASK,
                    &[
                        &id,
                        &a.at,
                        &user,
                        &a.question,
                        &a.story,
                        &a.answered,
                        &a.citation,
                        &generation,
                        &engine_us,
                        &a.lead,
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn vote(&mut self, v: &Vote) -> Result<(), StoreError> {
        let user = self.user_hash(v.user);
        let answer = v.answer.to_string();
        match &mut self.conn {
            Conn::Sqlite(c) => {
                c.prepare_cached(&sqlite_sql(UPSERT_VOTE))?
                    .execute(rusqlite::params![answer, user, v.up, v.at])?;
            }
            Conn::Postgres(c) => {
                c.execute(UPSERT_VOTE, &[&answer, &user, &v.up, &v.at])?;
            }
        }
        Ok(())
    }

    fn moved_on(&mut self, c: &Conversation) -> Result<(), StoreError> {
        let channel = c.channel.to_string();
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                conn.prepare_cached(&sqlite_sql(UPSERT_CONVERSATION))?
                    .execute(rusqlite::params![channel, c.story, c.at])?;
            }
            Conn::Postgres(conn) => {
                conn.execute(UPSERT_CONVERSATION, &[&channel, &c.story, &c.at])?;
            }
        }
        Ok(())
    }

    /// The story `channel` was last answered from, and when, if that was
    /// at `since` or later.
    pub fn conversation(
        &mut self,
        channel: u64,
        since: i64,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let channel = channel.to_string();
        Ok(match &mut self.conn {
            Conn::Sqlite(c) => {
                use rusqlite::OptionalExtension;
                c.prepare_cached(&sqlite_sql(CONVERSATION))?
                    .query_row(rusqlite::params![channel, since], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?
            }
            Conn::Postgres(c) => match c.query_opt(CONVERSATION, &[&channel, &since])? {
                Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
                None => None,
            },
        })
    }

    /// Deletes conversations last moved on before `before`; returns how
    /// many went.
    pub fn prune_conversations(&mut self, before: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM conversations WHERE at < $1";
        Ok(match &mut self.conn {
            Conn::Sqlite(c) => c.execute(&sqlite_sql(sql), [before])? as u64,
            Conn::Postgres(c) => c.execute(sql, &[&before])?,
        })
    }

    /// Deletes asks and votes older than `before` (seconds since the
    /// epoch); returns how many rows went.
    pub fn prune(&mut self, before: i64) -> Result<u64, StoreError> {
        self.delete_where("at < $1", &Param::Int(before))
    }

    /// Deletes everything recorded of one Discord user; returns how many
    /// rows went.
    pub fn forget(&mut self, user: u64) -> Result<u64, StoreError> {
        let hash = self.user_hash(user);
        self.delete_where("user_hash = $1", &Param::Text(hash))
    }

    fn delete_where(&mut self, condition: &str, p: &Param) -> Result<u64, StoreError> {
        let mut n = 0;
        for table in ["votes", "asks"] {
            let sql = format!("DELETE FROM {table} WHERE {condition}");
            n += match (&mut self.conn, p) {
                (Conn::Sqlite(c), Param::Int(i)) => c.execute(&sqlite_sql(&sql), [i])? as u64,
                (Conn::Sqlite(c), Param::Text(t)) => c.execute(&sqlite_sql(&sql), [t])? as u64,
                (Conn::Postgres(c), Param::Int(i)) => c.execute(&sql, &[i])?,
                (Conn::Postgres(c), Param::Text(t)) => c.execute(&sql, &[t])?,
            };
        }
        Ok(n)
    }

    /// Questions asked since `since` that were declined or voted down,
    /// oldest first, of one story or all.
    pub fn troubles(
        &mut self,
        since: i64,
        story: Option<&str>,
    ) -> Result<Vec<Trouble>, StoreError> {
        let story = story.unwrap_or("").to_string();
        let mut out = Vec::new();
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(&sqlite_sql(TROUBLES))?;
                let rows = stmt.query_map(rusqlite::params![since, story], |r| {
                    Ok(trouble(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?;
                for row in rows {
                    out.push(row?);
                }
            }
            Conn::Postgres(c) => {
                for r in c.query(TROUBLES, &[&since, &story])? {
                    out.push(trouble(
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Up and down votes per story and first citation.
    pub fn feedback(&mut self) -> Result<Vec<FeedbackRow>, StoreError> {
        let mut out = Vec::new();
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(FEEDBACK)?;
                let rows = stmt.query_map([], |r| {
                    Ok(feedback(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?;
                for row in rows {
                    out.push(row?);
                }
            }
            Conn::Postgres(c) => {
                for r in c.query(FEEDBACK, &[])? {
                    out.push(feedback(
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// How many asks and votes are stored.
    pub fn counts(&mut self) -> Result<(u64, u64), StoreError> {
        let q = "SELECT (SELECT COUNT(*) FROM asks), (SELECT COUNT(*) FROM votes)";
        let (a, v): (i64, i64) = match &mut self.conn {
            Conn::Sqlite(c) => c.query_row(q, [], |r| Ok((r.get(0)?, r.get(1)?)))?,
            Conn::Postgres(c) => {
                let r = c.query_one(q, &[])?;
                (r.try_get(0)?, r.try_get(1)?)
            }
        };
        Ok((a.max(0) as u64, v.max(0) as u64))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let create = "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
        match &mut self.conn {
            Conn::Sqlite(c) => {
                c.execute_batch(create)?;
                let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let done: i64 = tx.query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |r| r.get(0),
                )?;
                for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > done) {
                    tx.execute_batch(sql)?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                        rusqlite::params![version, super::now()],
                    )?;
                }
                tx.commit()?;
            }
            Conn::Postgres(c) => {
                c.batch_execute("BEGIN")?;
                match migrate_postgres(c, create) {
                    Ok(()) => c.batch_execute("COMMIT")?,
                    // A connection past its deadline is dropped, and the
                    // server ends its transaction; a ROLLBACK would only
                    // wait behind the stuck statement.
                    Err(e) if e.is_disconnect() => return Err(e),
                    Err(e) => {
                        let _ = c.batch_execute("ROLLBACK");
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// The record's salt, made on first use and kept in `meta`.
    fn salt(&mut self) -> Result<String, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Salt(e.to_string()))?;
        let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let insert =
            "INSERT INTO meta (key, value) VALUES ('salt', $1) ON CONFLICT (key) DO NOTHING";
        let select = "SELECT value FROM meta WHERE key = 'salt'";
        Ok(match &mut self.conn {
            Conn::Sqlite(c) => {
                c.execute(&sqlite_sql(insert), [&fresh])?;
                c.query_row(select, [], |r| r.get(0))?
            }
            Conn::Postgres(c) => {
                c.execute(insert, &[&fresh])?;
                c.query_one(select, &[])?.try_get(0)?
            }
        })
    }
}

enum Param {
    Int(i64),
    Text(String),
}

fn trouble(
    question: String,
    story: Option<String>,
    answered: bool,
    passage: Option<String>,
) -> Trouble {
    Trouble {
        question,
        story,
        declined: !answered,
        passage,
    }
}

fn feedback(story: Option<String>, citation: Option<String>, up: i64, down: i64) -> FeedbackRow {
    FeedbackRow {
        story,
        citation,
        up: up.max(0) as u64,
        down: down.max(0) as u64,
    }
}

fn open_sqlite(path: &Path, missing: Missing) -> Result<rusqlite::Connection, StoreError> {
    let c = match missing {
        Missing::Create => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            rusqlite::Connection::open(path)?
        }
        Missing::Refuse => {
            if let Err(source) = std::fs::metadata(path) {
                let path = path.to_path_buf();
                return Err(match source.kind() {
                    std::io::ErrorKind::NotFound => StoreError::NoRecord(path),
                    _ => StoreError::Io { path, source },
                });
            }
            // Without the create flag: a file removed since is not made again.
            let flags = rusqlite::OpenFlags::default() - rusqlite::OpenFlags::SQLITE_OPEN_CREATE;
            rusqlite::Connection::open_with_flags(path, flags)?
        }
    };
    c.busy_timeout(SQLITE_OPEN_BUSY)?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(c)
}

/// The migrations past the stored version, inside the caller's
/// transaction; an advisory lock makes replicas starting together take
/// turns.
fn migrate_postgres(c: &Pg, create: &str) -> Result<(), StoreError> {
    // The server gives up waiting for a lock (the advisory lock, a table's
    // for `ALTER TABLE`) when the call would: a migration queued behind a
    // long report must not hold every writer behind it.
    c.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}",
        c.limit().as_millis()
    ))?;
    c.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    c.batch_execute(create)?;
    let done: i64 = c
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > done) {
        c.batch_execute(sql)?;
        c.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &super::now()],
        )?;
    }
    Ok(())
}

/// The configuration `url` gives, with this module's timeouts and
/// keepalives wherever the URL sets none: an operator's own settings win.
fn postgres_config(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(TCP_USER_TIMEOUT);
    }
    if config.get_keepalives() {
        if !sets(url, "keepalives_idle") {
            config.keepalives_idle(KEEPALIVE_IDLE);
        }
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(KEEPALIVE_INTERVAL);
        }
        if config.get_keepalives_retries().is_none() {
            config.keepalives_retries(KEEPALIVE_RETRIES);
        }
    }
    Ok(config)
}

/// Whether a connection string sets `key`, in either form (`key = value`
/// words, spaces around `=` allowed, or a URL's query): the driver reports
/// a default keepalive idle time the same as one the string set.
fn sets(url: &str, key: &str) -> bool {
    let pattern = format!(r"(?:^|[\s?&]){}\s*=", regex::escape(key));
    regex::Regex::new(&pattern).is_ok_and(|r| r.is_match(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_made_before_leads_is_migrated_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        {
            // The record as the first two migrations left it.
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);",
            )
            .unwrap();
            for (version, sql) in &MIGRATIONS[..2] {
                c.execute_batch(sql).unwrap();
                c.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)",
                    [version],
                )
                .unwrap();
            }
            c.execute_batch(
                "INSERT INTO asks VALUES ('1', 100, 'h', 'old question', NULL, FALSE, NULL, 1, 5);",
            )
            .unwrap();
        }
        let mut store = Store::open(&Location::Sqlite(path)).unwrap();
        let ask = Ask {
            id: 2,
            at: 200,
            user: 7,
            question: "new question".to_string(),
            story: None,
            answered: false,
            citation: None,
            lead: Some("story#3".to_string()),
            generation: 2,
            engine_us: 9,
        };
        store.write(&Event::Ask(ask)).unwrap();
        let troubles = store.troubles(0, None).unwrap();
        let read: Vec<(&str, Option<&str>)> = troubles
            .iter()
            .map(|t| (t.question.as_str(), t.passage.as_deref()))
            .collect();
        assert_eq!(
            read,
            [("old question", None), ("new question", Some("story#3"))]
        );
    }

    #[test]
    fn only_the_bot_creates_a_missing_sqlite_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("dossier.db");
        let location = Location::Sqlite(path.clone());
        let refused = Store::open_existing(&location).err();
        assert!(
            matches!(&refused, Some(StoreError::NoRecord(p)) if *p == path),
            "{refused:?}"
        );
        assert!(!dir.path().join("data").exists(), "the directory was made");

        let hash = Store::open(&location).unwrap().user_hash(42);
        assert!(path.is_file());
        assert_eq!(Store::open_existing(&location).unwrap().user_hash(42), hash);
    }

    #[test]
    fn a_sqlite_record_opens_while_another_connection_holds_its_lock_a_while() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dossier.db");
        let location = Location::Sqlite(path.clone());
        Store::open(&location).unwrap();
        let (locked, wait) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            locked.send(()).unwrap();
            // Longer than a write may wait, shorter than opening may.
            std::thread::sleep(SQLITE_BUSY * 3);
            tx.commit().unwrap();
        });
        wait.recv().unwrap();
        let store = Store::open(&location);
        holder.join().unwrap();
        assert!(store.is_ok(), "{:?}", store.err());
    }

    #[test]
    fn postgres_connections_get_timeouts_and_keepalives() {
        for url in [
            "postgres://dossier@db.internal/dossier",
            "host=db.internal user=dossier dbname=dossier",
        ] {
            let c = postgres_config(url).unwrap();
            assert_eq!(c.get_connect_timeout(), Some(&CONNECT_TIMEOUT), "{url}");
            assert_eq!(c.get_tcp_user_timeout(), Some(&TCP_USER_TIMEOUT), "{url}");
            assert!(c.get_keepalives(), "{url}");
            assert_eq!(c.get_keepalives_idle(), KEEPALIVE_IDLE, "{url}");
            assert_eq!(c.get_keepalives_interval(), Some(KEEPALIVE_INTERVAL));
            assert_eq!(c.get_keepalives_retries(), Some(KEEPALIVE_RETRIES));
        }
    }

    #[test]
    fn a_urls_own_connection_settings_win() {
        for url in [
            "postgres://db.internal/dossier?connect_timeout=20&tcp_user_timeout=60&keepalives_idle=600&keepalives_interval=5&keepalives_retries=9",
            "host=db.internal connect_timeout=20 tcp_user_timeout=60 keepalives_idle=600 keepalives_interval=5 keepalives_retries=9",
            "host=db.internal connect_timeout = 20 tcp_user_timeout = 60 keepalives_idle = 600 keepalives_interval = 5 keepalives_retries = 9",
        ] {
            let c = postgres_config(url).unwrap();
            assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(20)));
            assert_eq!(c.get_tcp_user_timeout(), Some(&Duration::from_secs(60)));
            assert_eq!(c.get_keepalives_idle(), Duration::from_secs(600), "{url}");
            assert_eq!(c.get_keepalives_interval(), Some(Duration::from_secs(5)));
            assert_eq!(c.get_keepalives_retries(), Some(9));
        }
        let off = postgres_config("postgres://db.internal/dossier?keepalives=0").unwrap();
        assert!(!off.get_keepalives());
    }
}
