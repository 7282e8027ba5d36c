//! An [`InstallationStore`] in a SQLite file (feature `sqlite`): what a
//! real app starts with. The schema is created and migrated on open.
//!
//! A few connections to the file in WAL mode (readers never wait for the
//! writer), each used on tokio's blocking pool; writes wait up to a busy
//! timeout for one another, so handlers may call it concurrently, and
//! several processes may open the same file.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use slack_api::ids::UserId;
use slack_api::web::retry::BoxFuture;

use super::memory::merge;
use super::sql::{
    INSTALLATION_COLUMNS, InstallationRow, MIGRATIONS, USER_COLUMNS, UserRow, VERSION_TABLE,
    from_rows, to_rows, unix,
};
use super::{Installation, InstallationKey, InstallationStore, StoreError, StoreResult};

/// Connections kept open to the file.
const CONNECTIONS: usize = 4;
/// How long a write waits for another to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Installations in a SQLite file; see the [module docs](self).
#[derive(Clone)]
pub struct SqliteStore {
    pool: Arc<Pool>,
}

struct Pool {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    path: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.pool.path)
            .field("connections", &self.pool.conns.len())
            .finish()
    }
}

fn unavailable(what: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::unavailable(what, e)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`, creating or migrating
    /// its schema. Blocks while it does: call it at startup.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let mut conns = Vec::with_capacity(CONNECTIONS);
        for i in 0..CONNECTIONS {
            let conn = Connection::open(path).map_err(unavailable("opening the database"))?;
            conn.busy_timeout(BUSY_TIMEOUT)
                .map_err(unavailable("setting the busy timeout"))?;
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                .map_err(unavailable("setting WAL mode"))?;
            if i == 0 {
                migrate(&conn)?;
            }
            conns.push(Mutex::new(conn));
        }
        Ok(SqliteStore {
            pool: Arc::new(Pool {
                conns,
                next: AtomicUsize::new(0),
                path: shown,
            }),
        })
    }

    /// The schema version the file is at (the number of migrations run).
    pub async fn schema_version(&self) -> StoreResult<i64> {
        self.run(|c| version(c)).await
    }

    /// Runs SQL statements on the database as they are (maintenance: a
    /// backup with `VACUUM INTO`, pruning, inspecting). No values are bound,
    /// so never build the text from input.
    pub async fn execute_batch(&self, sql: &str) -> StoreResult<()> {
        let sql = sql.to_owned();
        self.run(move |c| c.execute_batch(&sql).map_err(unavailable("running SQL")))
            .await
    }

    /// Runs `f` on a free connection, on the blocking pool.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> BoxFuture<'static, StoreResult<T>> {
        let pool = self.pool.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || f(&mut pool.get()))
                .await
                .unwrap_or_else(|e| {
                    Err(StoreError::Unavailable {
                        what: format!("a store task ended: {e}"),
                        source: None,
                    })
                })
        })
    }
}

impl Pool {
    fn get(&self) -> MutexGuard<'_, Connection> {
        for c in &self.conns {
            if let Ok(guard) = c.try_lock() {
                return guard;
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.conns.len();
        // A connection is left consistent by SQLite even if a holder panicked.
        self.conns[i].lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn version(c: &Connection) -> StoreResult<i64> {
    c.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM slack_schema_version",
        [],
        |r| r.get(0),
    )
    .map_err(unavailable("reading the schema version"))
}

fn migrate(c: &Connection) -> StoreResult<()> {
    c.execute_batch(VERSION_TABLE)
        .map_err(unavailable("creating the version table"))?;
    // One process migrates at a time; the others then see the new version.
    c.execute_batch("BEGIN IMMEDIATE")
        .map_err(unavailable("locking for migration"))?;
    let result = (|| {
        let at = version(c)?;
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
            c.execute_batch(step).map_err(unavailable("migrating"))?;
            c.execute(
                "INSERT INTO slack_schema_version (version) VALUES (?1)",
                params![i64::try_from(i + 1).unwrap_or(i64::MAX)],
            )
            .map_err(unavailable("recording the schema version"))?;
        }
        Ok(())
    })();
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    c.execute_batch(end)
        .map_err(unavailable("ending the migration"))?;
    result
}

/// Reads a column, a value of the wrong type being a corrupt row.
fn col<T: rusqlite::types::FromSql>(r: &rusqlite::Row<'_>, i: usize, key: &str) -> StoreResult<T> {
    r.get(i).map_err(|e| match e {
        rusqlite::Error::InvalidColumnType(_, name, ty) => StoreError::Corrupt {
            key: key.to_owned(),
            reason: format!("{name} holds a {ty}"),
        },
        e => StoreError::unavailable("reading a row", e),
    })
}

fn load(c: &Connection, key: &str) -> StoreResult<Option<Installation>> {
    let sql =
        format!("SELECT {INSTALLATION_COLUMNS} FROM slack_installations WHERE install_key = ?1");
    let row = c
        .query_row(&sql, params![key], |r| Ok(read_installation(r, key)))
        .optional()
        .map_err(unavailable("finding an installation"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let row = row?;
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM slack_user_tokens WHERE install_key = ?1 ORDER BY rowid"
    );
    let mut stmt = c
        .prepare(&sql)
        .map_err(unavailable("finding user tokens"))?;
    let users = stmt
        .query_map(params![key], |r| {
            Ok((|| {
                Ok(UserRow {
                    user_id: col(r, 0, key)?,
                    token: col(r, 1, key)?,
                    scopes: col(r, 2, key)?,
                    refresh_token: col(r, 3, key)?,
                    expires_at: col(r, 4, key)?,
                })
            })())
        })
        .map_err(unavailable("finding user tokens"))?
        .collect::<Result<Vec<StoreResult<UserRow>>, _>>()
        .map_err(unavailable("reading user tokens"))?
        .into_iter()
        .collect::<StoreResult<Vec<UserRow>>>()?;
    from_rows(row, users).map(Some)
}

fn read_installation(r: &rusqlite::Row<'_>, key: &str) -> StoreResult<InstallationRow> {
    Ok(InstallationRow {
        install_key: col(r, 0, key)?,
        app_id: col(r, 1, key)?,
        enterprise_id: col(r, 2, key)?,
        enterprise_name: col(r, 3, key)?,
        team_id: col(r, 4, key)?,
        team_name: col(r, 5, key)?,
        is_enterprise_install: col(r, 6, key)?,
        bot_token: col(r, 7, key)?,
        bot_id: col(r, 8, key)?,
        bot_user_id: col(r, 9, key)?,
        bot_scopes: col(r, 10, key)?,
        bot_refresh_token: col(r, 11, key)?,
        bot_expires_at: col(r, 12, key)?,
        webhook_url: col(r, 13, key)?,
        webhook_channel: col(r, 14, key)?,
        webhook_channel_id: col(r, 15, key)?,
        webhook_configuration_url: col(r, 16, key)?,
        installed_at: col(r, 17, key)?,
    })
}

fn save(c: &mut Connection, installation: Installation) -> StoreResult<()> {
    let Some(key) = installation.key() else {
        return Ok(());
    };
    let key = key.as_storage_key();
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(unavailable("saving an installation"))?;
    // A corrupt old row is replaced rather than merged.
    let merged = match load(&tx, &key) {
        Ok(Some(old)) => merge(&old, installation),
        Ok(None) | Err(StoreError::Corrupt { .. }) => installation,
        Err(e) => return Err(e),
    };
    let Some((r, users)) = to_rows(&merged) else {
        return Ok(());
    };
    tx.execute(
        &format!(
            "INSERT OR REPLACE INTO slack_installations ({INSTALLATION_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        ),
        params![
            r.install_key,
            r.app_id,
            r.enterprise_id,
            r.enterprise_name,
            r.team_id,
            r.team_name,
            r.is_enterprise_install,
            r.bot_token,
            r.bot_id,
            r.bot_user_id,
            r.bot_scopes,
            r.bot_refresh_token,
            r.bot_expires_at,
            r.webhook_url,
            r.webhook_channel,
            r.webhook_channel_id,
            r.webhook_configuration_url,
            r.installed_at,
        ],
    )
    .map_err(unavailable("saving an installation"))?;
    tx.execute(
        "DELETE FROM slack_user_tokens WHERE install_key = ?1",
        params![key],
    )
    .map_err(unavailable("saving user tokens"))?;
    for u in users {
        tx.execute(
            &format!(
                "INSERT INTO slack_user_tokens (install_key, {USER_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                key,
                u.user_id,
                u.token,
                u.scopes,
                u.refresh_token,
                u.expires_at
            ],
        )
        .map_err(unavailable("saving user tokens"))?;
    }
    tx.commit().map_err(unavailable("saving an installation"))
}

impl InstallationStore for SqliteStore {
    fn save(&self, installation: Installation) -> BoxFuture<'_, StoreResult<()>> {
        self.run(move |c| save(c, installation))
    }

    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>> {
        let key = key.as_storage_key();
        self.run(move |c| load(c, &key))
    }

    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>> {
        let key = key.as_storage_key();
        self.run(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable("deleting an installation"))?;
            let n = tx
                .execute(
                    "DELETE FROM slack_installations WHERE install_key = ?1",
                    params![key],
                )
                .map_err(unavailable("deleting an installation"))?;
            let users = tx
                .execute(
                    "DELETE FROM slack_user_tokens WHERE install_key = ?1",
                    params![key],
                )
                .map_err(unavailable("deleting user tokens"))?;
            tx.commit()
                .map_err(unavailable("deleting an installation"))?;
            Ok(n + users > 0)
        })
    }

    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>> {
        let key = key.as_storage_key();
        self.run(move |c| {
            c.execute(
                "UPDATE slack_installations SET bot_token = NULL, bot_id = NULL, \
                 bot_user_id = NULL, bot_scopes = NULL, bot_refresh_token = NULL, \
                 bot_expires_at = NULL WHERE install_key = ?1",
                params![key],
            )
            .map(drop)
            .map_err(unavailable("deleting a bot token"))
        })
    }

    fn delete_user(&self, key: &InstallationKey, user: &UserId) -> BoxFuture<'_, StoreResult<()>> {
        let (key, user) = (key.as_storage_key(), user.as_str().to_owned());
        self.run(move |c| {
            c.execute(
                "DELETE FROM slack_user_tokens WHERE install_key = ?1 AND user_id = ?2",
                params![key, user],
            )
            .map(drop)
            .map_err(unavailable("deleting a user token"))
        })
    }

    fn issue_state(&self, state: &str, expires_at: SystemTime) -> BoxFuture<'_, StoreResult<()>> {
        let state = state.to_owned();
        self.run(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO slack_oauth_states (state, expires_at) VALUES (?1, ?2)",
                params![state, unix(expires_at)],
            )
            .map(drop)
            .map_err(unavailable("keeping an OAuth state"))
        })
    }

    fn consume_state(&self, state: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>> {
        let state = state.to_owned();
        self.run(move |c| {
            let now = unix(now);
            let taken = c
                .execute(
                    "DELETE FROM slack_oauth_states WHERE state = ?1 AND expires_at > ?2",
                    params![state, now],
                )
                .map_err(unavailable("checking an OAuth state"))?;
            c.execute(
                "DELETE FROM slack_oauth_states WHERE expires_at <= ?1",
                params![now],
            )
            .map_err(unavailable("pruning OAuth states"))?;
            Ok(taken == 1)
        })
    }

    fn claim_event(
        &self,
        event_id: &str,
        now: SystemTime,
        keep_until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let id = event_id.to_owned();
        self.run(move |c| {
            let now = unix(now);
            c.execute(
                "DELETE FROM slack_events WHERE keep_until <= ?1",
                params![now],
            )
            .map_err(unavailable("pruning handled events"))?;
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO slack_events (event_id, keep_until) VALUES (?1, ?2)",
                    params![id, unix(keep_until)],
                )
                .map_err(unavailable("claiming an event"))?;
            Ok(n == 1)
        })
    }
}
