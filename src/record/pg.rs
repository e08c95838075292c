//! A blocking PostgreSQL connection whose every call has a deadline.
//!
//! The kernel's timeouts close a connection whose data goes unacknowledged,
//! but not one to a server that acknowledges everything and never answers
//! (a stuck backend, a proxy in front of a frozen server): a call on it
//! would wait forever, and with it the record's writer or reader thread.
//! Here each call runs under [`tokio::time::timeout`] on a runtime of the
//! connection's own; past the deadline the call fails with
//! [`StoreError::Timeout`], which counts as a disconnect. The server is
//! asked to cancel the statement (a backend waiting on a lock would not
//! notice the closed socket), and the thread drops the connection, closing
//! its socket, and opens a new one later.

use std::future::Future;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row};

use super::StoreError;

/// Parameters of a statement.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The least time a connection's handshake is given, whatever the calls'
/// deadline: the driver tries each address a host name resolves to with
/// its own connect timeout (3 s unless the URL sets one), so a first
/// address that drops packets must not use up a short deadline before
/// the next is tried. Opening is off every reply's path.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// How long a request to cancel a timed-out statement may take: it opens a
/// connection of its own, which a frozen server may never answer either.
const CANCEL: Duration = Duration::from_secs(1);

pub struct Pg {
    /// Drives the connection while a call waits. Always `Some` until
    /// dropped, when it is shut down without waiting for blocking work (a
    /// host name lookup that hangs).
    runtime: Option<Runtime>,
    client: Client,
    limit: Duration,
}

impl Pg {
    /// Connects with `config`; every later call may take `limit` at most,
    /// the handshake the longer of `limit` and [`HANDSHAKE`].
    pub fn connect(config: &Config, limit: Duration) -> Result<Pg, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let handshake = limit.max(HANDSHAKE);
        let (client, connection) = match deadline(&runtime, handshake, config.connect(NoTls)) {
            Ok(connected) => connected,
            Err(e) => {
                runtime.shutdown_background();
                return Err(e);
            }
        };
        runtime.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("a PostgreSQL connection closed: {e}");
            }
        });
        Ok(Pg {
            runtime: Some(runtime),
            client,
            limit,
        })
    }

    /// The longest a call may take.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    pub fn execute(&self, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
        self.run(self.client.execute(sql, params))
    }

    pub fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
        self.run(self.client.query(sql, params))
    }

    pub fn query_one(&self, sql: &str, params: Params<'_>) -> Result<Row, StoreError> {
        self.run(self.client.query_one(sql, params))
    }

    pub fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError> {
        self.run(self.client.query_opt(sql, params))
    }

    /// Runs statements separated by semicolons, without parameters.
    pub fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        self.run(self.client.batch_execute(sql))
    }

    fn run<T>(
        &self,
        call: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, StoreError> {
        let runtime = self.runtime.as_ref().expect("the runtime lives until drop");
        let result = deadline(runtime, self.limit, call);
        if matches!(result, Err(StoreError::Timeout(_))) {
            self.cancel(runtime);
        }
        result
    }

    /// Asks the server to cancel what the connection runs, at most
    /// [`CANCEL`]; a server that does not answer is left to its own
    /// timeouts.
    fn cancel(&self, runtime: &Runtime) {
        let token = self.client.cancel_token();
        let sent = runtime
            .block_on(async { tokio::time::timeout(CANCEL, token.cancel_query(NoTls)).await });
        if !matches!(sent, Ok(Ok(()))) {
            tracing::debug!("could not ask PostgreSQL to cancel a statement past its deadline");
        }
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Runs `call` on `runtime`, failing once `limit` has passed.
fn deadline<T>(
    runtime: &Runtime,
    limit: Duration,
    call: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, StoreError> {
    // The timer is made inside the runtime, which drives it.
    match runtime.block_on(async { tokio::time::timeout(limit, call).await }) {
        Ok(result) => Ok(result?),
        Err(_) => Err(StoreError::Timeout(limit)),
    }
}
