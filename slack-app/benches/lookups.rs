//! Installation lookups per second with many handlers looking up at once;
//! figures in BENCHMARKS.md.
//!
//! ```text
//! cargo bench -p slack-app --features sqlite --bench lookups
//! DATABASE_URL=postgres://... cargo bench -p slack-app --features sqlite,postgres --bench lookups
//! ```
//!
//! 1,000 workspaces installed; 64 tasks each look up workspaces in turn
//! (`InstallationStore::find`, what the app does for every delivery) until
//! 50,000 lookups are done; best of three rounds. In memory, in a SQLite
//! file (WAL, four connections), and in PostgreSQL when `DATABASE_URL` is set
//! (a pool of eight).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use slack_app::install::{BotToken, Installation, InstallationKey, InstallationStore, MemoryStore};

const TEAMS: usize = 1000;
const TASKS: usize = 64;
const LOOKUPS: usize = 50_000;
const ROUNDS: usize = 3;

fn team(i: usize) -> String {
    format!("TB{i:06}")
}

async fn fill(store: &dyn InstallationStore) {
    for i in 0..TEAMS {
        let mut inst = Installation::for_team(team(i).as_str());
        let mut bot = BotToken::new(format!("xoxb-bench-{i}"));
        bot.user_id = Some("U_BOT".into());
        bot.scopes = vec!["chat:write".into(), "commands".into()];
        inst.bot = Some(bot);
        store.save(inst).await.expect("saved");
    }
}

/// Lookups per second, best of the rounds.
async fn measure(store: Arc<dyn InstallationStore>) -> f64 {
    let mut best = 0f64;
    for _ in 0..ROUNDS {
        let next = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (store, next) = (store.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= LOOKUPS {
                            return;
                        }
                        let key = InstallationKey::Team(team(n % TEAMS).as_str().into());
                        let found = store.find(&key).await.expect("the store answers");
                        assert!(found.is_some());
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("no task failed");
        }
        best = best.max(LOOKUPS as f64 / start.elapsed().as_secs_f64());
    }
    best
}

#[tokio::main]
async fn main() {
    println!("{TASKS} tasks, {LOOKUPS} lookups over {TEAMS} workspaces, best of {ROUNDS}");
    let memory: Arc<dyn InstallationStore> = Arc::new(MemoryStore::new());
    fill(&*memory).await;
    println!("memory:     {:>9.0} lookups/s", measure(memory).await);

    #[cfg(feature = "sqlite")]
    {
        let dir = std::env::temp_dir().join(format!("slack-rs-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let store = slack_app::install::SqliteStore::open(dir.join("bench.db")).expect("opens");
        let store: Arc<dyn InstallationStore> = Arc::new(store);
        fill(&*store).await;
        println!("sqlite:     {:>9.0} lookups/s", measure(store).await);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(feature = "postgres")]
    match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let store = slack_app::install::PostgresStore::connect(&url)
                .await
                .expect("connects");
            let store: Arc<dyn InstallationStore> = Arc::new(store);
            fill(&*store).await;
            println!("postgres:   {:>9.0} lookups/s", measure(store).await);
        }
        Err(_) => println!("postgres:   skipped (DATABASE_URL is not set)"),
    }
}
