//! A blocking PostgreSQL connection whose every call has a deadline.
//!
//! The kernel's timeouts close a connection whose data goes unacknowledged,
//! but not one to a server that acknowledges everything and never answers
//! (a stuck backend, a proxy in front of a frozen server): a call on it
//! would wait forever, and with it the record's writer or reader thread.
//! Here each call, and the connection's handshake, runs under
//! [`tokio::time::timeout`] on a runtime of the connection's own; past the
//! deadline the call fails with [`StoreError::Timeout`], which counts as a
//! disconnect, so the thread drops the connection (closing its socket) and
//! opens a new one later.

use std::future::Future;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row};

use super::StoreError;

/// Parameters of a statement.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub struct Pg {
    /// Drives the connection while a call waits; dropping it closes the
    /// socket.
    runtime: Runtime,
    client: Client,
    limit: Duration,
}

impl Pg {
    /// Connects with `config`; the handshake and every later call may take
    /// `limit` at most.
    pub fn connect(config: &Config, limit: Duration) -> Result<Pg, StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?;
        let (client, connection) = deadline(&runtime, limit, config.connect(NoTls))?;
        runtime.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("a PostgreSQL connection closed: {e}");
            }
        });
        Ok(Pg {
            runtime,
            client,
            limit,
        })
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
        deadline(&self.runtime, self.limit, call)
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
