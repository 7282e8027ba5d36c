//! The install flow in a real browser: headless Chromium opens the app's
//! install link, follows the fake Slack's authorize page back to the
//! callback with the state cookie it was handed, and lands on the success
//! page with the installation saved. A link opened in another browser (no
//! cookie) fails there.
//!
//! Skips with a note where no browser is found (set `CHROMIUM` to its
//! path), except under `BROWSER_REQUIRED=1`, which CI sets.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use slack_app::App;
use slack_app::install::{
    INSTALL_PATH, InstallationKey, InstallationStore, MemoryStore, OauthSettings, REDIRECT_PATH,
};
use slack_testkit::{FakeSlack, OauthApp};

const CLIENT_ID: &str = "3333.4444";
const CLIENT_SECRET: &str = "browser-client-secret";
const TEAM: &str = "T0BROWSER";

/// The browser to drive: `CHROMIUM`, or the first Chromium on `PATH`.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "chrome-headless-shell",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn required() -> bool {
    std::env::var("BROWSER_REQUIRED").is_ok_and(|v| v == "1")
}

/// Loads `url` in a fresh headless profile (cookies live only for this
/// visit), follows every redirect, and returns the final page's DOM.
fn visit(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "{} did not finish loading {url} in 90 s",
                chromium.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && !dom.is_empty(),
        "{} failed on {url}: {}\n{}",
        chromium.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// The fake with a workspace and an OAuth app; our app with its install
/// routes, served on a free port. Returns the app's root URL.
async fn setup(store: Arc<dyn InstallationStore>) -> (FakeSlack, String) {
    let slack = FakeSlack::start().await;
    slack.add_team(TEAM, "Browser Team");
    slack.register_oauth_app(OauthApp::new(CLIENT_ID, CLIENT_SECRET));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = App::new(slack.anonymous_client())
        .installations(store)
        .oauth(
            OauthSettings::new(CLIENT_ID, CLIENT_SECRET)
                .scopes(["chat:write"])
                .redirect_uri(format!("{base}{REDIRECT_PATH}")),
        );
    let router = app.into_router(common::apps::SECRET);
    tokio::spawn(async move { axum::serve(listener, router).await });
    (slack, base)
}

async fn in_browser(chromium: &Path, url: String) -> String {
    let chromium = chromium.to_owned();
    tokio::task::spawn_blocking(move || visit(&chromium, &url))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_installs_the_app_through_the_routes() {
    let Some(chromium) = browser() else {
        assert!(
            !required(),
            "BROWSER_REQUIRED=1 but no Chromium was found (set CHROMIUM or install chromium)"
        );
        eprintln!("note: no Chromium found (set CHROMIUM=path); the browser test is skipped");
        return;
    };
    let store: Arc<dyn InstallationStore> = Arc::new(MemoryStore::new());
    let (_slack, base) = setup(store.clone()).await;
    let key = InstallationKey::Team(TEAM.into());

    // The whole flow in one browser: install link (state cookie set),
    // the fake's authorize page, the callback (cookie sent back).
    let dom = in_browser(&chromium, format!("{base}{INSTALL_PATH}?team={TEAM}")).await;
    assert!(dom.contains("<h1>Installed</h1>"), "{dom}");
    assert!(dom.contains("Browser Team"), "{dom}");
    let saved = store.find(&key).await.unwrap().expect("installation saved");
    assert!(saved.bot.is_some());

    // A link forwarded to someone else: the authorize URL, handed out to
    // one client, opened in a browser that never got the state cookie.
    store.delete(&key).await.unwrap();
    let resp = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}{INSTALL_PATH}?team={TEAM}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let authorize = resp.headers()["location"].to_str().unwrap().to_owned();
    let dom = in_browser(&chromium, authorize).await;
    assert!(dom.contains("started in another browser"), "{dom}");
    assert!(store.find(&key).await.unwrap().is_none(), "nothing saved");
}
