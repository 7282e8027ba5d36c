//! An [`InstallationStore`] in PostgreSQL (feature `postgres`): for
//! several app instances behind a load balancer sharing one database.
//! The schema is [SQLite's](super::SqliteStore), created and migrated on
//! connect under an advisory lock, so instances starting together migrate
//! once.
//!
//! A small pool of `tokio-postgres` connections (no TLS: a database on the
//! same host or a private network); a connection that broke is dropped
//! and replaced on next use.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use slack_api::ids::UserId;
use slack_api::web::retry::BoxFuture;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, Config, NoTls, Row};

use super::memory::merge;
use super::sql::{
    INSTALLATION_COLUMNS, InstallationRow, MIGRATIONS, USER_COLUMNS, UserRow, VERSION_TABLE,
    from_rows, to_rows, unix,
};
use super::{Installation, InstallationKey, InstallationStore, StoreError, StoreResult};

/// Connections open at most, by default.
pub const DEFAULT_POOL_SIZE: usize = 8;
/// An arbitrary, fixed key for the migration's advisory lock.
const MIGRATION_LOCK: i64 = 0x736c_6163_6b61_7070; // "slackapp"

/// Installations in PostgreSQL; see the [module docs](self). Cheap to clone
/// (clones share the pool).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Arc<Pool>,
}

struct Pool {
    config: Config,
    idle: Mutex<Vec<Client>>,
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config holds the password: only where it points.
        f.debug_struct("PostgresStore")
            .field("hosts", &self.pool.config.get_hosts().len())
            .field("dbname", &self.pool.config.get_dbname())
            .finish_non_exhaustive()
    }
}

fn unavailable(what: &str) -> impl FnOnce(tokio_postgres::Error) -> StoreError + '_ {
    move |e| StoreError::unavailable(what, e)
}

/// A pooled connection, back in the pool when dropped (unless it broke).
struct Conn {
    client: Option<Client>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.client.take()
            && !c.is_closed()
        {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(c);
        }
    }
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Taken only on drop.
        self.client.as_ref().expect("a pooled connection")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a pooled connection")
    }
}

impl Pool {
    async fn get(self: &Arc<Self>) -> StoreResult<Conn> {
        let permit =
            self.permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| StoreError::Unavailable {
                    what: "the pool is closed".to_owned(),
                    source: None,
                })?;
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.retain(|c| !c.is_closed());
            idle.pop()
        };
        let client = match idle {
            Some(c) => c,
            None => {
                let (client, connection) = self
                    .config
                    .connect(NoTls)
                    .await
                    .map_err(unavailable("connecting to PostgreSQL"))?;
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::warn!(error = %e, "a PostgreSQL connection ended");
                    }
                });
                client
            }
        };
        Ok(Conn {
            client: Some(client),
            pool: self.clone(),
            _permit: permit,
        })
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`
    /// or `host=... user=... dbname=...`) with a pool of
    /// [`DEFAULT_POOL_SIZE`], creating or migrating the schema.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// [`connect`](Self::connect) with at most `pool_size` connections.
    pub async fn connect_with(url: &str, pool_size: usize) -> StoreResult<Self> {
        let mut config: Config = url.parse().map_err(|_| StoreError::Unavailable {
            // The parser's message may quote the URL, password included.
            what: "reading the database URL (it does not parse)".to_owned(),
            source: None,
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let store = PostgresStore {
            pool: Arc::new(Pool {
                config,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(pool_size.max(1))),
            }),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await.map_err(unavailable("migrating"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(unavailable("locking for migration"))?;
        tx.batch_execute(VERSION_TABLE)
            .await
            .map_err(unavailable("creating the version table"))?;
        let at: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM slack_schema_version",
                &[],
            )
            .await
            .map_err(unavailable("reading the schema version"))?
            .get(0);
        let at_usize = usize::try_from(at).unwrap_or(usize::MAX);
        if at_usize > MIGRATIONS.len() {
            return Err(StoreError::Corrupt {
                key: "slack_schema_version".to_owned(),
                reason: format!(
                    "the database is at schema version {at}, newer than this version knows ({})",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(at_usize) {
            tx.batch_execute(step)
                .await
                .map_err(unavailable("migrating"))?;
            let v = i64::try_from(i + 1).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO slack_schema_version (version) VALUES ($1)",
                &[&v],
            )
            .await
            .map_err(unavailable("recording the schema version"))?;
        }
        tx.commit().await.map_err(unavailable("migrating"))
    }

    /// The schema version the database is at (the number of migrations run).
    pub async fn schema_version(&self) -> StoreResult<i64> {
        let c = self.pool.get().await?;
        let row = c
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM slack_schema_version",
                &[],
            )
            .await
            .map_err(unavailable("reading the schema version"))?;
        Ok(row.get(0))
    }

    /// Runs SQL statements as they are (maintenance: pruning, inspecting).
    /// No values are bound, so never build the text from input.
    pub async fn execute_batch(&self, sql: &str) -> StoreResult<()> {
        let c = self.pool.get().await?;
        c.batch_execute(sql)
            .await
            .map_err(unavailable("running SQL"))
    }
}

/// Reads a column; PostgreSQL keeps the types, so a mismatch is a schema
/// this version does not know.
fn col<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a Row,
    i: usize,
    key: &str,
) -> StoreResult<T> {
    r.try_get(i).map_err(|e| StoreError::Corrupt {
        key: key.to_owned(),
        reason: format!("column {i} does not read back: {e}"),
    })
}

async fn load(
    c: &impl tokio_postgres::GenericClient,
    key: &str,
) -> StoreResult<Option<Installation>> {
    let sql =
        format!("SELECT {INSTALLATION_COLUMNS} FROM slack_installations WHERE install_key = $1");
    let Some(r) = c
        .query_opt(&sql, &[&key])
        .await
        .map_err(unavailable("finding an installation"))?
    else {
        return Ok(None);
    };
    let row = InstallationRow {
        install_key: col(&r, 0, key)?,
        app_id: col(&r, 1, key)?,
        enterprise_id: col(&r, 2, key)?,
        enterprise_name: col(&r, 3, key)?,
        team_id: col(&r, 4, key)?,
        team_name: col(&r, 5, key)?,
        is_enterprise_install: col(&r, 6, key)?,
        bot_token: col(&r, 7, key)?,
        bot_id: col(&r, 8, key)?,
        bot_user_id: col(&r, 9, key)?,
        bot_scopes: col(&r, 10, key)?,
        bot_refresh_token: col(&r, 11, key)?,
        bot_expires_at: col(&r, 12, key)?,
        webhook_url: col(&r, 13, key)?,
        webhook_channel: col(&r, 14, key)?,
        webhook_channel_id: col(&r, 15, key)?,
        webhook_configuration_url: col(&r, 16, key)?,
        installed_at: col(&r, 17, key)?,
    };
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM slack_user_tokens WHERE install_key = $1 ORDER BY user_id"
    );
    let rows = c
        .query(&sql, &[&key])
        .await
        .map_err(unavailable("finding user tokens"))?;
    let mut users = Vec::with_capacity(rows.len());
    for r in &rows {
        users.push(UserRow {
            user_id: col(r, 0, key)?,
            token: col(r, 1, key)?,
            scopes: col(r, 2, key)?,
            refresh_token: col(r, 3, key)?,
            expires_at: col(r, 4, key)?,
        });
    }
    from_rows(row, users).map(Some)
}

impl PostgresStore {
    async fn save_inner(&self, installation: Installation) -> StoreResult<()> {
        let Some(key) = installation.key() else {
            return Ok(());
        };
        let key = key.as_storage_key();
        let mut c = self.pool.get().await?;
        let tx = c
            .transaction()
            .await
            .map_err(unavailable("saving an installation"))?;
        // Saves of one installation, from any instance, one at a time.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])
            .await
            .map_err(unavailable("locking an installation"))?;
        let merged = match load(&tx, &key).await {
            Ok(Some(old)) => merge(&old, installation),
            Ok(None) | Err(StoreError::Corrupt { .. }) => installation,
            Err(e) => return Err(e),
        };
        let Some((r, users)) = to_rows(&merged) else {
            return Ok(());
        };
        let updates = INSTALLATION_COLUMNS
            .split(',')
            .map(str::trim)
            .skip(1)
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO slack_installations ({INSTALLATION_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
             ON CONFLICT (install_key) DO UPDATE SET {updates}"
        );
        tx.execute(
            &sql,
            &[
                &r.install_key,
                &r.app_id,
                &r.enterprise_id,
                &r.enterprise_name,
                &r.team_id,
                &r.team_name,
                &r.is_enterprise_install,
                &r.bot_token,
                &r.bot_id,
                &r.bot_user_id,
                &r.bot_scopes,
                &r.bot_refresh_token,
                &r.bot_expires_at,
                &r.webhook_url,
                &r.webhook_channel,
                &r.webhook_channel_id,
                &r.webhook_configuration_url,
                &r.installed_at,
            ],
        )
        .await
        .map_err(unavailable("saving an installation"))?;
        tx.execute(
            "DELETE FROM slack_user_tokens WHERE install_key = $1",
            &[&key],
        )
        .await
        .map_err(unavailable("saving user tokens"))?;
        for u in &users {
            tx.execute(
                &format!(
                    "INSERT INTO slack_user_tokens (install_key, {USER_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6)"
                ),
                &[
                    &key,
                    &u.user_id,
                    &u.token,
                    &u.scopes,
                    &u.refresh_token,
                    &u.expires_at,
                ],
            )
            .await
            .map_err(unavailable("saving user tokens"))?;
        }
        tx.commit()
            .await
            .map_err(unavailable("saving an installation"))
    }

    async fn delete_inner(&self, key: String) -> StoreResult<bool> {
        let mut c = self.pool.get().await?;
        let tx = c
            .transaction()
            .await
            .map_err(unavailable("deleting an installation"))?;
        let n = tx
            .execute(
                "DELETE FROM slack_installations WHERE install_key = $1",
                &[&key],
            )
            .await
            .map_err(unavailable("deleting an installation"))?;
        let users = tx
            .execute(
                "DELETE FROM slack_user_tokens WHERE install_key = $1",
                &[&key],
            )
            .await
            .map_err(unavailable("deleting user tokens"))?;
        tx.commit()
            .await
            .map_err(unavailable("deleting an installation"))?;
        Ok(n + users > 0)
    }

    /// Runs one statement; the number of rows it changed.
    async fn exec(
        &self,
        what: &'static str,
        sql: &'static str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> StoreResult<u64> {
        let c = self.pool.get().await?;
        c.execute(sql, params).await.map_err(unavailable(what))
    }
}

impl InstallationStore for PostgresStore {
    fn save(&self, installation: Installation) -> BoxFuture<'_, StoreResult<()>> {
        Box::pin(self.save_inner(installation))
    }

    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>> {
        let key = key.as_storage_key();
        Box::pin(async move {
            let c = self.pool.get().await?;
            load(&*c, &key).await
        })
    }

    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>> {
        Box::pin(self.delete_inner(key.as_storage_key()))
    }

    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>> {
        let key = key.as_storage_key();
        Box::pin(async move {
            self.exec(
                "deleting a bot token",
                "UPDATE slack_installations SET bot_token = NULL, bot_id = NULL, \
                 bot_user_id = NULL, bot_scopes = NULL, bot_refresh_token = NULL, \
                 bot_expires_at = NULL WHERE install_key = $1",
                &[&key],
            )
            .await
            .map(drop)
        })
    }

    fn delete_user(&self, key: &InstallationKey, user: &UserId) -> BoxFuture<'_, StoreResult<()>> {
        let (key, user) = (key.as_storage_key(), user.as_str().to_owned());
        Box::pin(async move {
            self.exec(
                "deleting a user token",
                "DELETE FROM slack_user_tokens WHERE install_key = $1 AND user_id = $2",
                &[&key, &user],
            )
            .await
            .map(drop)
        })
    }

    fn issue_state(&self, state: &str, expires_at: SystemTime) -> BoxFuture<'_, StoreResult<()>> {
        let (state, at) = (state.to_owned(), unix(expires_at));
        Box::pin(async move {
            self.exec(
                "keeping an OAuth state",
                "INSERT INTO slack_oauth_states (state, expires_at) VALUES ($1, $2) \
                 ON CONFLICT (state) DO UPDATE SET expires_at = EXCLUDED.expires_at",
                &[&state, &at],
            )
            .await
            .map(drop)
        })
    }

    fn consume_state(&self, state: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>> {
        let (state, now) = (state.to_owned(), unix(now));
        Box::pin(async move {
            let taken = self
                .exec(
                    "checking an OAuth state",
                    "DELETE FROM slack_oauth_states WHERE state = $1 AND expires_at > $2",
                    &[&state, &now],
                )
                .await?;
            self.exec(
                "pruning OAuth states",
                "DELETE FROM slack_oauth_states WHERE expires_at <= $1",
                &[&now],
            )
            .await?;
            Ok(taken == 1)
        })
    }

    fn claim_event(
        &self,
        event_id: &str,
        now: SystemTime,
        keep_until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let (id, now, until) = (event_id.to_owned(), unix(now), unix(keep_until));
        Box::pin(async move {
            self.exec(
                "pruning handled events",
                "DELETE FROM slack_events WHERE keep_until <= $1",
                &[&now],
            )
            .await?;
            let n = self
                .exec(
                    "claiming an event",
                    "INSERT INTO slack_events (event_id, keep_until) VALUES ($1, $2) \
                     ON CONFLICT (event_id) DO NOTHING",
                    &[&id, &until],
                )
                .await?;
            Ok(n == 1)
        })
    }
}
