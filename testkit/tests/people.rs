//! `usergroups.*`, `users.profile.set`, `dnd.info` and `reminders.*`
//! simulated, through the typed builders.

use std::time::Duration;

use serde_json::Value;
use slack_api::ids::UnixTime;
use slack_testkit::FakeSlack;

mod common;

const NOW: i64 = 1_700_000_000;

/// The error code of a failed call.
fn code<T: std::fmt::Debug>(r: slack_api::Result<T>) -> String {
    match r {
        Err(slack_api::Error::Api(e)) => e.code_str().to_string(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The next frame of type `kind` on an RTM socket.
async fn frame_of(ws: &mut common::Ws, kind: &str) -> Value {
    loop {
        let f = common::next(ws).await;
        if f["type"] == kind {
            return f;
        }
    }
}

fn ids<T: AsRef<str>>(v: &[T]) -> Vec<&str> {
    v.iter().map(AsRef::as_ref).collect()
}

#[tokio::test]
async fn user_groups_are_created_listed_updated_and_staffed() {
    let slack = FakeSlack::start().await;
    let groups = slack.client("xoxb-test").usergroups();
    let mut ws = common::rtm(&slack).await;
    frame_of(&mut ws, "hello").await;

    let created = groups
        .create("Site Reliability")
        .handle("sre")
        .description("Keeps it up")
        .channels(["C_DEV"])
        .include_count(true)
        .await
        .unwrap();
    let sre = created.usergroup;
    let id = sre.id.clone().unwrap();
    assert!(id.as_str().starts_with('S'), "{id:?}");
    assert_eq!(sre.handle.as_deref(), Some("sre"));
    assert_eq!(sre.user_count, Some(0));
    assert_eq!(sre.date_create, Some(UnixTime::from_secs(NOW)));
    assert_eq!(
        frame_of(&mut ws, "subteam_created").await["subteam"]["id"],
        id.as_str()
    );
    // Without a handle, one is made from the name.
    let oncall = groups.create("On Call").await.unwrap().usergroup;
    assert_eq!(oncall.handle.as_deref(), Some("on-call"));

    // Slack's refusals.
    assert_eq!(
        code(groups.create("site reliability").handle("x").await),
        "name_already_exists"
    );
    assert_eq!(
        code(groups.create("Other").handle("sre").await),
        "handle_already_exists"
    );
    assert_eq!(
        code(groups.create("Bobs").handle("bob").await),
        "handle_already_exists"
    );
    assert_eq!(
        code(groups.create("Everyone").handle("here").await),
        "forbidden_handle"
    );
    assert_eq!(
        code(groups.create("Caps").handle("Not Ok").await),
        "bad_handle"
    );
    assert_eq!(
        code(groups.create("Chans").channels(["C_NOPE"]).await),
        "invalid_channel_provided"
    );
    assert_eq!(code(groups.users_list("S_NOPE").await), "no_such_subteam");
    assert_eq!(
        code(groups.update("S_NOPE").name("x").await),
        "no_such_subteam"
    );
    assert_eq!(
        code(groups.users_update("S_NOPE", ["U_BOB"]).await),
        "no_such_subteam"
    );
    assert_eq!(
        code(groups.users_update(id.clone(), ["U_NOBODY"]).await),
        "invalid_users"
    );
    assert_eq!(
        code(groups.users_update(id.clone(), Vec::<&str>::new()).await),
        "no_users_provided"
    );

    // Members: set, listed, replaced, with who joined and left.
    slack.clock().advance(Duration::from_secs(60));
    let staffed = groups
        .users_update(id.clone(), ["U_BOB", "U_CAROL", "U_BOB"])
        .await
        .unwrap();
    assert_eq!(ids(&staffed.usergroup.users), ["U_BOB", "U_CAROL"]);
    let changed = frame_of(&mut ws, "subteam_members_changed").await;
    assert_eq!(
        changed["added_users"],
        serde_json::json!(["U_BOB", "U_CAROL"])
    );
    groups
        .users_update(id.clone(), ["U_CAROL", "U_DAVE"])
        .await
        .unwrap();
    let changed = frame_of(&mut ws, "subteam_members_changed").await;
    assert_eq!(
        (&changed["added_users"], &changed["removed_users"]),
        (
            &serde_json::json!(["U_DAVE"]),
            &serde_json::json!(["U_BOB"])
        )
    );
    let members = groups.users_list(id.clone()).await.unwrap();
    assert_eq!(ids(&members.users), ["U_CAROL", "U_DAVE"]);

    // Update: renamed, a new handle, the old one free again.
    let updated = groups
        .update(id.clone())
        .name("SRE")
        .handle("sre-team")
        .await
        .unwrap()
        .usergroup;
    assert_eq!(
        (updated.name.as_deref(), updated.handle.as_deref()),
        (Some("SRE"), Some("sre-team"))
    );
    assert_eq!(updated.date_update, Some(UnixTime::from_secs(NOW + 60)));
    assert_eq!(updated.description.as_deref(), Some("Keeps it up"));
    assert_eq!(
        code(groups.update(id.clone()).handle("on-call").await),
        "handle_already_exists"
    );
    assert!(groups.create("Again").handle("sre").await.is_ok());

    let listed = groups
        .list()
        .include_users(true)
        .include_count(true)
        .await
        .unwrap();
    let names: Vec<_> = listed
        .usergroups
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    assert_eq!(names, ["SRE", "On Call", "Again"]);
    assert_eq!(ids(&listed.usergroups[0].users), ["U_CAROL", "U_DAVE"]);
    assert_eq!(listed.usergroups[0].user_count, Some(2));
    let bare = groups.list().await.unwrap();
    assert!(bare.usergroups[0].users.is_empty() && bare.usergroups[0].user_count.is_none());
}

#[tokio::test]
async fn a_profile_set_shows_in_profile_get_users_info_and_user_change() {
    let slack = FakeSlack::start().await;
    let bob = slack.client("xoxp-1-U_BOB");
    let mut ws = common::rtm(&slack).await;
    frame_of(&mut ws, "hello").await;

    let set = bob
        .users()
        .profile_set()
        .profile(serde_json::json!({"status_text": "On a train", "status_emoji": ":train:", "title": "Engineer", "not_a_field": 1}))
        .await
        .unwrap();
    assert_eq!(set.profile.status_text.as_deref(), Some("On a train"));
    let changed = frame_of(&mut ws, "user_change").await;
    assert_eq!(changed["user"]["profile"]["title"], "Engineer");
    bob.users()
        .profile_set()
        .name("real_name")
        .value("Robert Baker")
        .await
        .unwrap();

    let got = bob.users().profile_get().await.unwrap().profile;
    assert_eq!(
        (
            got.status_emoji.as_deref(),
            got.title.as_deref(),
            got.real_name.as_deref()
        ),
        (Some(":train:"), Some("Engineer"), Some("Robert Baker"))
    );
    let bot = slack.client("xoxb-test");
    let info = bot.users().info("U_BOB").await.unwrap().user.unwrap();
    assert_eq!(info.real_name.as_deref(), Some("Robert Baker"));
    assert_eq!(
        info.profile.unwrap().status_text.as_deref(),
        Some("On a train")
    );
    // Others are untouched.
    let carol = bot.users().info("U_CAROL").await.unwrap().user.unwrap();
    assert_eq!(carol.profile.unwrap().status_text.as_deref(), Some(""));

    // Slack's refusals.
    let p = |v: Value| bob.users().profile_set().profile(v);
    assert_eq!(code(p(serde_json::json!(42)).await), "invalid_profile");
    assert_eq!(
        code(p(serde_json::json!({"display_name": "@bobby"})).await),
        "invalid_starts_with_at"
    );
    assert_eq!(
        code(p(serde_json::json!({"status_emoji": "train"})).await),
        "invalid_emoji_not_allowed"
    );
    assert_eq!(
        code(p(serde_json::json!({"email": "carol@example.com"})).await),
        "email_taken"
    );
    assert_eq!(code(bob.users().profile_set().await), "invalid_profile");
    assert_eq!(
        code(
            bob.users()
                .profile_set()
                .user("U_CAROL")
                .name("title")
                .value("x")
                .await
        ),
        "not_admin"
    );
    let alice = slack.client("xoxp-1-U_ALICE");
    alice
        .users()
        .profile_set()
        .user("U_CAROL")
        .name("title")
        .value("Lead")
        .await
        .unwrap();
    assert_eq!(
        code(
            bob.users()
                .profile_set()
                .user("U_NOBODY")
                .name("title")
                .value("x")
                .await
        ),
        "user_not_found"
    );
    // A new email is the one users.lookupByEmail finds.
    p(serde_json::json!({"email": "robert@example.com"}))
        .await
        .unwrap();
    let found = bot
        .users()
        .lookup_by_email("robert@example.com")
        .await
        .unwrap();
    assert_eq!(found.user.id.as_str(), "U_BOB");
}

#[tokio::test]
async fn dnd_info_follows_the_nightly_schedule_on_the_fake_clock() {
    let slack = FakeSlack::start().await;
    let dnd = slack.client("xoxp-1-U_BOB").dnd();
    // 1700000000 is 22:13 UTC: inside the night that began at 22:00.
    let info = dnd.info().await.unwrap();
    let start = NOW - 13 * 60 - 20;
    assert!(info.dnd_enabled);
    assert_eq!(String::from(info.next_dnd_start_ts), start.to_string());
    assert_eq!(
        String::from(info.next_dnd_end_ts),
        (start + 10 * 3600).to_string()
    );
    // At noon the next night is tonight's.
    slack.clock().advance(Duration::from_secs(14 * 3600));
    let info = dnd.info().user("U_CAROL").await.unwrap();
    assert_eq!(
        String::from(info.next_dnd_start_ts),
        (start + 24 * 3600).to_string()
    );
    assert_eq!(code(dnd.info().user("U_NOBODY").await), "user_not_found");
}

#[tokio::test]
async fn reminders_are_added_at_fake_clock_times_listed_and_deleted() {
    let slack = FakeSlack::start().await;
    let reminders = slack.client("xoxp-1-U_BOB").reminders();
    let in_ten = reminders
        .add("stand up", "in 10 minutes")
        .await
        .unwrap()
        .reminder;
    assert_eq!(in_ten.time, Some(UnixTime::from_secs(NOW + 600)));
    assert_eq!(in_ten.creator.as_ref().map(|u| u.as_str()), Some("U_BOB"));
    slack.clock().advance(Duration::from_secs(3600));
    let soon = reminders.add("tea", "90").await.unwrap().reminder;
    assert_eq!(soon.time, Some(UnixTime::from_secs(NOW + 3600 + 90)));
    let at = (NOW + 86_400 * 7).to_string();
    let later = reminders
        .add("review", at.clone())
        .user("U_CAROL")
        .await
        .unwrap()
        .reminder;
    assert_eq!(
        (later.time, later.user.as_ref().map(|u| u.as_str())),
        (Some(UnixTime::from_secs(NOW + 86_400 * 7)), Some("U_CAROL"))
    );

    assert_eq!(
        code(reminders.add("x", "next blue moon").await),
        "cannot_parse"
    );
    assert_eq!(
        code(reminders.add("x", "100").user("U_NOBODY").await),
        "user_not_found"
    );
    assert_eq!(
        code(reminders.add("x", "100").user("U_BOT").await),
        "cannot_add_bot"
    );

    let listed = reminders.list().await.unwrap();
    let texts: Vec<_> = listed
        .reminders
        .iter()
        .filter_map(|r| r.text.as_deref())
        .collect();
    assert_eq!(texts, ["stand up", "tea", "review"]);
    // Carol sees the one for her; Dave none.
    let carol = slack.client("xoxp-1-U_CAROL").reminders();
    assert_eq!(carol.list().await.unwrap().reminders.len(), 1);
    let dave = slack.client("xoxp-1-U_DAVE").reminders();
    assert!(dave.list().await.unwrap().reminders.is_empty());
    let id = in_ten.id.unwrap();
    assert_eq!(code(dave.delete(id.clone()).await), "not_found");

    reminders.delete(id.clone()).await.unwrap();
    assert_eq!(code(reminders.delete(id).await), "not_found");
    assert_eq!(reminders.list().await.unwrap().reminders.len(), 2);
    // Reminders take a user token.
    let bot = slack.client("xoxb-test").reminders();
    assert_eq!(code(bot.list().await), "not_allowed_token_type");
}

#[tokio::test]
async fn a_reminder_is_read_back_and_completed_by_the_person_it_reminds() {
    let slack = FakeSlack::start().await;
    let bob = slack.client("xoxp-1-U_BOB").reminders();
    let carol = slack.client("xoxp-1-U_CAROL").reminders();
    let mine = bob.add("stretch", "60").await.unwrap().reminder;
    let hers = bob
        .add("review", "60")
        .user("U_CAROL")
        .await
        .unwrap()
        .reminder;
    let weekly = bob
        .add("water the plants", "60")
        .recurrence("weekly")
        .await
        .unwrap()
        .reminder;
    let (mine, hers, weekly) = (mine.id.unwrap(), hers.id.unwrap(), weekly.id.unwrap());

    let read = bob.info(mine.clone()).await.unwrap().reminder;
    assert_eq!(read.text.as_deref(), Some("stretch"));
    assert_eq!(read.complete_ts, Some(UnixTime::from_secs(0)));

    slack.clock().advance(Duration::from_secs(30));
    bob.complete(mine.clone()).await.unwrap();
    let done = bob.info(mine).await.unwrap().reminder;
    assert_eq!(done.complete_ts, Some(UnixTime::from_secs(NOW + 30)));

    // Bob made Carol's, but only Carol may complete it; recurring ones never.
    assert_eq!(
        code(bob.complete(hers.clone()).await),
        "cannot_complete_others"
    );
    carol.complete(hers.clone()).await.unwrap();
    assert_eq!(
        code(bob.complete(weekly).await),
        "cannot_complete_recurring"
    );
    let dave = slack.client("xoxp-1-U_DAVE").reminders();
    assert_eq!(code(dave.info(hers).await), "not_found");
    assert_eq!(code(bob.info("Rm_NONE").await), "not_found");
}

#[tokio::test]
async fn a_disabled_user_group_leaves_the_list_and_comes_back_enabled() {
    let slack = FakeSlack::start().await;
    let groups = slack.client("xoxb-test").usergroups();
    let mut ws = common::rtm(&slack).await;
    frame_of(&mut ws, "hello").await;
    let sre = groups.create("SRE").await.unwrap().usergroup;
    let id = sre.id.clone().unwrap();
    groups.create("Design").await.unwrap();

    slack.clock().advance(Duration::from_secs(60));
    let off = groups.disable(id.clone()).await.unwrap().usergroup;
    assert_eq!(off.date_delete, Some(UnixTime::from_secs(NOW + 60)));
    assert_eq!(off.deleted_by.as_ref().map(|u| u.as_str()), Some("U_BOT"));
    let updated = frame_of(&mut ws, "subteam_updated").await;
    assert_eq!(updated["subteam"]["id"], id.as_str());
    let names = |l: &[slack_api::types::Subteam]| -> Vec<String> {
        l.iter().filter_map(|g| g.name.clone()).collect()
    };
    assert_eq!(names(&groups.list().await.unwrap().usergroups), ["Design"]);
    let with_disabled = groups.list().include_disabled(true).await.unwrap();
    assert_eq!(names(&with_disabled.usergroups), ["SRE", "Design"]);
    // Disabling again changes nothing.
    let again = groups.disable(id.clone()).await.unwrap().usergroup;
    assert_eq!(again.date_delete, off.date_delete);

    let on = groups.enable(id.clone()).await.unwrap().usergroup;
    assert_eq!(on.date_delete, Some(UnixTime::from_secs(0)));
    assert!(on.deleted_by.is_none());
    assert_eq!(
        names(&groups.list().await.unwrap().usergroups),
        ["SRE", "Design"]
    );
    assert_eq!(code(groups.enable("S_NONE").await), "no_such_subteam");
}
