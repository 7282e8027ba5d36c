//! What every installation store must do, run against each of them.

use std::time::{Duration, SystemTime};

use slack_app::install::{
    BotToken, Installation, InstallationKey, InstallationStore, StoreError, UserToken,
};

pub fn team_install(team: &str, token: &str) -> Installation {
    let mut i = Installation::for_team(team);
    i.team_name = Some(format!("Team {team}"));
    let mut bot = BotToken::new(token);
    bot.user_id = Some("U_BOT".into());
    bot.scopes = vec!["chat:write".into(), "commands".into()];
    i.bot = Some(bot);
    i
}

/// Saves, merges, finds, deletes; states once only and expiring; event claims.
/// `prefix` keeps runs against a shared database apart.
pub async fn contract(store: &dyn InstallationStore, prefix: &str) {
    let team = format!("{prefix}T1");
    let key = InstallationKey::Team(team.as_str().into());
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut first = team_install(&team, "xoxb-first");
    first.installed_at = now;
    if let Some(bot) = first.bot.as_mut() {
        bot.refresh_token = Some("xoxe-refresh".into());
        bot.expires_at = Some(now + Duration::from_secs(3600));
    }
    let mut one = UserToken::new("U1", "xoxp-one");
    one.scopes = vec!["search:read".into()];
    first.users.push(one);
    store.save(first.clone()).await.unwrap();
    assert_eq!(
        store.find(&key).await.unwrap().as_ref(),
        Some(&first),
        "reads back as saved"
    );

    // A second person installs with user scopes only: the bot stays.
    let mut second = Installation::for_team(team.as_str());
    second.installed_at = now;
    second.users.push(UserToken::new("U2", "xoxp-two"));
    store.save(second).await.unwrap();
    let got = store.find(&key).await.unwrap().expect("saved");
    assert_eq!(
        got.bot.as_ref().map(|b| b.token.expose()),
        Some("xoxb-first")
    );
    let mut users: Vec<&str> = got.users.iter().map(|u| u.user_id.as_str()).collect();
    users.sort();
    assert_eq!(users, ["U1", "U2"]);
    let shown = format!("{got:?}");
    for secret in ["xoxb-first", "xoxp-one", "xoxp-two", "xoxe-refresh"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }

    // An org-wide install is kept apart from the workspace.
    let org_key = InstallationKey::Enterprise(format!("{prefix}E1").as_str().into());
    let mut org = Installation::for_enterprise(format!("{prefix}E1").as_str());
    org.bot = Some(BotToken::new("xoxb-org"));
    store.save(org).await.unwrap();
    assert!(store.find(&org_key).await.unwrap().is_some());

    store.delete_user(&key, &"U1".into()).await.unwrap();
    store.delete_bot(&key).await.unwrap();
    let got = store.find(&key).await.unwrap().expect("still there");
    assert!(got.bot.is_none());
    assert_eq!(got.users.len(), 1);
    assert!(store.delete(&key).await.unwrap());
    assert!(!store.delete(&key).await.unwrap());
    assert!(store.find(&key).await.unwrap().is_none());
    assert!(store.find(&org_key).await.unwrap().is_some(), "others stay");
    assert!(store.delete(&org_key).await.unwrap());

    let (s1, s2) = (format!("{prefix}s1"), format!("{prefix}s2"));
    store
        .issue_state(&s1, now + Duration::from_secs(60))
        .await
        .unwrap();
    store
        .issue_state(&s2, now + Duration::from_secs(1))
        .await
        .unwrap();
    assert!(store.consume_state(&s1, now).await.unwrap());
    assert!(!store.consume_state(&s1, now).await.unwrap(), "once only");
    let later = now + Duration::from_secs(2);
    assert!(!store.consume_state(&s2, later).await.unwrap(), "expired");
    assert!(!store.consume_state("never-issued", now).await.unwrap());

    let ev = format!("{prefix}Ev1");
    let until = now + Duration::from_secs(60);
    assert!(store.claim_event(&ev, now, until).await.unwrap());
    assert!(!store.claim_event(&ev, now, until).await.unwrap());
    let after = now + Duration::from_secs(61);
    assert!(
        store.claim_event(&ev, after, after).await.unwrap(),
        "forgotten after"
    );
}

/// Many handlers at once: saves and lookups of different workspaces interleaved.
pub async fn concurrent(store: std::sync::Arc<dyn InstallationStore>, prefix: &str) {
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            let team = format!("{prefix}C{i}");
            tokio::spawn(async move {
                store
                    .save(team_install(&team, &format!("xoxb-{i}")))
                    .await
                    .unwrap();
                let key = InstallationKey::Team(team.as_str().into());
                let got = store.find(&key).await.unwrap().expect("saved");
                assert_eq!(got.bot.unwrap().token.expose(), format!("xoxb-{i}"));
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("no task failed");
    }
}

pub fn is_corrupt(e: &StoreError) -> bool {
    matches!(e, StoreError::Corrupt { .. })
}
