//! Apps over Socket Mode against the fake Slack: each listener kind, acks
//! with each payload kind, say / respond, the deadline, the in-flight limit,
//! failures and shutdown.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use slack_api::block_kit::{Block, Button, View};
use slack_api::events::{
    AppHomeOpenedEvent, AppMentionEvent, AssistantThreadStartedEvent, BlockActionsPayload,
    FunctionExecutedEvent, MessageActionPayload, MessageEvent, ShortcutPayload, ViewClosedPayload,
    ViewSubmissionPayload,
};
use slack_api::inbound::slash::{SlashCommand, SlashResponse};
use slack_app::{
    App, Context, Failure, FailureCause, HandlerResult, OptionsRequest, OptionsResponse,
    ViewResponse,
};
use slack_testkit::FakeSlack;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The app running over Socket Mode against `slack`, until the sender is used.
struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), slack_app::Error>>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("app task").expect("app run");
    }
}

async fn run<S: Clone + Send + Sync + 'static>(slack: &FakeSlack, app: App<S>) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.socket_mode("xapp-1-test").run_until(async move {
        let _ = stopped.await;
    }));
    slack.wait_for_socket_mode_connected().await;
    Running { stop, task }
}

fn bot(slack: &FakeSlack) -> slack_api::Client {
    slack.client("xoxb-test")
}

fn ack_payload(ack: &Value) -> Option<&Value> {
    ack.get("payload")
}

#[tokio::test]
async fn a_command_acks_with_its_reply() {
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack)).command("/deploy", |cx: Context<SlashCommand>| async move {
        let reply = format!(
            "Deploying {} for <@{}>",
            cx.payload.text, cx.payload.user_id
        );
        assert!(cx.ack_with(reply));
        assert!(!cx.ack(), "a second ack is refused");
        Ok(())
    });
    let running = run(&slack, app).await;
    let id = slack.socket_mode_slash_command("/deploy", "api");
    let ack = slack.wait_for_ack(&id).await;
    assert_eq!(
        ack_payload(&ack).and_then(|p| p["text"].as_str()),
        Some("Deploying api for <@U_ALICE>")
    );
    assert_eq!(ack_payload(&ack).unwrap()["response_type"], "ephemeral");
    running.stop().await;
}

#[tokio::test]
async fn returning_without_an_ack_acks_empty_and_unmatched_deliveries_are_acked() {
    let slack = FakeSlack::start().await;
    let app =
        App::new(bot(&slack)).command("/quiet", |_cx: Context<SlashCommand>| async { Ok(()) });
    let running = run(&slack, app).await;
    let quiet = slack.socket_mode_slash_command("/quiet", "");
    let other = slack.socket_mode_slash_command("/nobody-listens", "");
    assert_eq!(ack_payload(&slack.wait_for_ack(&quiet).await), None);
    assert_eq!(ack_payload(&slack.wait_for_ack(&other).await), None);
    running.stop().await;
}

#[tokio::test]
async fn a_click_is_routed_by_action_id_and_say_replies_in_the_thread() {
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack))
        .action("reject", |_cx: Context<BlockActionsPayload>| async {
            panic!("the reject listener must not see an approve click")
        })
        .block_action(
            "decision",
            "approve",
            |cx: Context<BlockActionsPayload>| async move {
                cx.ack();
                let action = cx.action().expect("the matched action");
                assert_eq!(action.value.as_deref(), Some("release-42"));
                assert_eq!(cx.trigger_id(), Some("1234.5678.abcd"));
                cx.say(format!(
                    "Approved {}",
                    action.value.as_deref().unwrap_or("")
                ))
                .await?;
                Ok(())
            },
        );
    let running = run(&slack, app).await;
    let ts = slack.post_as_user(ALICE, GENERAL, "Deploy?").await;
    let id = slack.push_envelope(
        "interactive",
        block_actions("approve", "release-42", Some(&ts)),
        true,
    );
    assert_eq!(ack_payload(&slack.wait_for_ack(&id).await), None);
    let post = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(post.arg("channel"), Some(GENERAL));
    assert_eq!(post.arg("text"), Some("Approved release-42"));
    assert_eq!(post.arg("thread_ts"), Some(ts.as_str()));
    assert!(post.ok(), "{:?}", post.error());
    running.stop().await;
}

#[tokio::test]
async fn a_view_submission_reads_its_inputs_and_acks_with_errors() {
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack)).view_submission(
        "deploy_modal",
        |cx: Context<ViewSubmissionPayload>| async move {
            assert_eq!(cx.input_value("env_block", "env"), Some("prod"));
            match cx.input_value("service_block", "service") {
                Some("api") => cx.ack_with(ViewResponse::Clear),
                _ => cx.ack_with(ViewResponse::errors([("service_block", "Unknown service")])),
            };
            Ok(())
        },
    );
    let running = run(&slack, app).await;
    let bad = slack.push_envelope("interactive", view_submission("deploy_modal", "nope"), true);
    let ack = slack.wait_for_ack(&bad).await;
    assert_eq!(
        ack_payload(&ack),
        Some(&json!({"response_action": "errors", "errors": {"service_block": "Unknown service"}}))
    );
    let good = slack.push_envelope("interactive", view_submission("deploy_modal", "api"), true);
    let ack = slack.wait_for_ack(&good).await;
    assert_eq!(
        ack_payload(&ack),
        Some(&json!({"response_action": "clear"}))
    );
    running.stop().await;
}

#[tokio::test]
async fn options_shortcuts_and_closed_views_reach_their_listeners() {
    let slack = FakeSlack::start().await;
    let (seen, mut saw) = mpsc::unbounded_channel::<String>();
    let (s1, s2) = (seen.clone(), seen.clone());
    let app = App::new(bot(&slack))
        .options("service", |cx: Context<OptionsRequest>| async move {
            let typed = cx.payload.value.clone();
            cx.ack_with(
                OptionsResponse::new()
                    .option(format!("{typed}-api"), "api")
                    .option(format!("{typed}-web"), "web"),
            );
            Ok(())
        })
        .shortcut("new_deploy", move |cx: Context<ShortcutPayload>| {
            let seen = s1.clone();
            async move {
                seen.send(format!("shortcut {}", cx.trigger_id().unwrap_or("")))?;
                Ok(())
            }
        })
        .view_closed("deploy_modal", move |cx: Context<ViewClosedPayload>| {
            let seen = s2.clone();
            async move {
                seen.send(format!(
                    "closed by {}",
                    cx.user_id().map(|u| u.as_str()).unwrap_or("")
                ))?;
                Ok(())
            }
        });
    let running = run(&slack, app).await;
    let id = slack.push_envelope("interactive", block_suggestion("service", "de"), true);
    let ack = slack.wait_for_ack(&id).await;
    let options = &ack_payload(&ack).expect("options")["options"];
    assert_eq!(options[0]["text"]["text"], "de-api");
    assert_eq!(options[1]["value"], "web");

    slack.push_envelope("interactive", shortcut("new_deploy"), true);
    assert_eq!(saw.recv().await.as_deref(), Some("shortcut 1234.5678.ijkl"));
    slack.push_envelope("interactive", view_closed("deploy_modal"), true);
    assert_eq!(saw.recv().await.as_deref(), Some("closed by U_ALICE"));
    running.stop().await;
}

#[tokio::test]
async fn typed_events_and_messages_are_routed_and_the_apps_own_messages_ignored() {
    let slack = FakeSlack::start().await;
    let mentions = Arc::new(AtomicUsize::new(0));
    let heard = Arc::new(AtomicUsize::new(0));
    let (m, h) = (mentions.clone(), heard.clone());
    let app = App::new(bot(&slack))
        .event::<AppMentionEvent>(move |cx: Context<AppMentionEvent>| {
            let m = m.clone();
            async move {
                assert_eq!(cx.payload.text.as_deref(), Some("<@U_BOT> status?"));
                m.fetch_add(1, Ordering::SeqCst);
                cx.say("All green").await?;
                Ok(())
            }
        })
        .message("deploy", move |cx: Context<MessageEvent>| {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                // Contains "deploy" too: answering itself would loop.
                cx.say("On it: deploying").await?;
                Ok(())
            }
        });
    let running = run(&slack, app).await;

    let id = slack.push_envelope(
        "events_api",
        event_callback("Ev1", app_mention("<@U_BOT> status?")),
        false,
    );
    slack.wait_for_ack(&id).await;
    let post = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(post.arg("text"), Some("All green"));
    assert_eq!(post.arg("channel"), Some(GENERAL));
    slack.reset_journal();

    slack
        .post_as_user(ALICE, GENERAL, "please deploy the api")
        .await;
    let post = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(post.arg("text"), Some("On it: deploying"));
    // The bot's own message came back as an event and was dropped.
    slack.wait_for_all_acks().await;
    slack
        .expect_quiet("chat.postMessage", Duration::from_millis(300))
        .await;
    assert_eq!(heard.load(Ordering::SeqCst), 1);
    assert_eq!(mentions.load(Ordering::SeqCst), 1);
    running.stop().await;
}

#[tokio::test]
async fn a_handler_past_the_deadline_is_acked_for_and_keeps_running() {
    let slack = FakeSlack::start().await;
    let (done, finished) = oneshot::channel::<()>();
    let done = Arc::new(Mutex::new(Some(done)));
    let app = App::new(bot(&slack))
        .ack_deadline(Duration::from_millis(100))
        .command("/slow", move |cx: Context<SlashCommand>| {
            let done = done.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(600)).await;
                // Too late: the app acked at the deadline.
                assert!(!cx.ack_with("late"));
                if let Some(tx) = done.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                Ok(())
            }
        });
    let running = run(&slack, app).await;
    let id = slack.socket_mode_slash_command("/slow", "");
    let ack = slack.wait_for_ack(&id).await;
    assert_eq!(ack_payload(&ack), None, "the deadline's ack is empty");
    finished
        .await
        .expect("the handler ran to its end after the ack");
    running.stop().await;
}

#[tokio::test]
async fn handlers_in_flight_are_limited_and_a_slow_one_delays_no_ack() {
    let slack = FakeSlack::start().await;
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (n, p, f) = (now.clone(), peak.clone(), finished.clone());
    let app = App::new(bot(&slack))
        .max_in_flight(2)
        .ack_deadline(Duration::from_millis(200))
        .command("/work", move |cx: Context<SlashCommand>| {
            let (n, p, f) = (n.clone(), p.clone(), f.clone());
            async move {
                cx.ack();
                let running = n.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(running, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(400)).await;
                n.fetch_sub(1, Ordering::SeqCst);
                f.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        });
    let running = run(&slack, app).await;
    let ids: Vec<String> = (0..5)
        .map(|_| slack.socket_mode_slash_command("/work", ""))
        .collect();
    // Two run at a time for 400 ms each, so the last starts after 800 ms;
    // the three waiting are acked at the 200 ms deadline, long before.
    for id in &ids {
        slack.wait_for_ack(id).await;
    }
    assert!(
        finished.load(Ordering::SeqCst) < 5,
        "every delivery was acked before the queued handlers finished"
    );
    running.stop().await;
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "never more than two at once"
    );
    assert_eq!(
        finished.load(Ordering::SeqCst),
        5,
        "shutdown waited for every handler"
    );
}

#[tokio::test]
async fn panics_errors_and_unknown_deliveries_are_acked_reported_and_survived() {
    let slack = FakeSlack::start().await;
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let f = failures.clone();
    let app = App::new(bot(&slack))
        .on_error(move |failure: &Failure| {
            let cause = match &failure.cause {
                FailureCause::Handler(e) => format!("error: {e}"),
                FailureCause::Panic(m) => format!("panic: {m}"),
                FailureCause::Decode(e) => format!("decode: {e}"),
                _ => "other".to_owned(),
            };
            f.lock().unwrap().push(format!("{} {cause}", failure.kind));
        })
        .command("/boom", |_cx: Context<SlashCommand>| async {
            panic!("kaboom")
        })
        .command("/fail", |_cx: Context<SlashCommand>| async {
            Err("the deploy service is down".into())
        })
        .command("/ok", |cx: Context<SlashCommand>| async move {
            cx.ack_with("still here");
            Ok(())
        });
    let running = run(&slack, app).await;
    let boom = slack.socket_mode_slash_command("/boom", "");
    assert_eq!(ack_payload(&slack.wait_for_ack(&boom).await), None);
    let fail = slack.socket_mode_slash_command("/fail", "");
    slack.wait_for_ack(&fail).await;
    let odd = slack.push_envelope("something_new", json!({"x": 1}), true);
    slack.wait_for_ack(&odd).await;
    let broken = slack.push_envelope(
        "interactive",
        json!({"type": "block_actions", "actions": "not a list"}),
        true,
    );
    slack.wait_for_ack(&broken).await;
    let ok = slack.socket_mode_slash_command("/ok", "");
    let ack = slack.wait_for_ack(&ok).await;
    assert_eq!(ack_payload(&ack).unwrap()["text"], "still here");
    running.stop().await;
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.contains(&"command panic: kaboom".to_owned()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"command error: the deploy service is down".to_owned()),
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("unknown decode: unknown delivery kind \"something_new\"")),
        "{failures:?}"
    );
    assert_eq!(
        failures.len(),
        3,
        "the tolerant decoder keeps the odd block_actions: {failures:?}"
    );
}

#[tokio::test]
async fn shutdown_waits_for_running_handlers_so_their_acks_go_out() {
    let slack = FakeSlack::start().await;
    let (started, mut has_started) = mpsc::unbounded_channel::<()>();
    let app = App::new(bot(&slack)).command("/long", move |cx: Context<SlashCommand>| {
        let started = started.clone();
        async move {
            let _ = started.send(());
            tokio::time::sleep(Duration::from_millis(300)).await;
            cx.ack_with("finished");
            Ok(())
        }
    });
    let running = run(&slack, app).await;
    let id = slack.socket_mode_slash_command("/long", "");
    has_started.recv().await;
    running.stop().await;
    let ack = slack.wait_for_ack(&id).await;
    assert_eq!(ack_payload(&ack).unwrap()["text"], "finished");
}

#[tokio::test]
async fn state_is_shared_with_every_handler() {
    #[derive(Clone)]
    struct Deploys(Arc<Mutex<Vec<String>>>);
    let slack = FakeSlack::start().await;
    let deploys = Deploys(Arc::default());
    let app = App::with_state(bot(&slack), deploys.clone()).command(
        "/deploy",
        |cx: Context<SlashCommand, Deploys>| async move {
            cx.state().0.lock().unwrap().push(cx.payload.text.clone());
            Ok(())
        },
    );
    let running = run(&slack, app).await;
    for service in ["api", "web"] {
        let id = slack.socket_mode_slash_command("/deploy", service);
        slack.wait_for_ack(&id).await;
    }
    running.stop().await;
    assert_eq!(*deploys.0.lock().unwrap(), ["api", "web"]);
}

#[allow(dead_code)]
fn handlers_can_be_plain_async_fns() -> App {
    async fn approve(cx: Context<BlockActionsPayload>) -> HandlerResult {
        cx.ack();
        Ok(())
    }
    App::new(slack_api::Client::anonymous()).action("approve", approve)
}

#[tokio::test]
async fn respond_posts_to_the_commands_response_url() {
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .command("/deploy", |cx: Context<SlashCommand>| async move {
            cx.ack_with("Working on it");
            cx.respond(SlashResponse::in_channel("Deployed api"))
                .await?;
            Ok(())
        });
    let running = run(&slack, app).await;
    let reply = slack.run_command(ALICE, GENERAL, "/deploy", "api").await;
    assert_eq!(reply.text(), Some("Working on it"));
    let post = slack.wait_for_call(slack_testkit::RESPONSE_URL).await;
    assert_eq!(post.arg("text"), Some("Deployed api"));
    assert_eq!(post.arg("response_type"), Some("in_channel"));
    assert!(post.ok(), "{:?}", post.response);
    running.stop().await;
}

#[tokio::test]
async fn a_workflow_step_runs_with_its_own_token_and_completes() {
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .function(
            "deploy_step",
            |cx: Context<FunctionExecutedEvent>| async move {
                let service = cx.input("service").and_then(Value::as_str).unwrap_or("?");
                if service == "broken" {
                    cx.fail("cannot deploy broken").await?;
                } else {
                    cx.complete(json!({"url": format!("https://{service}.example.com")}))
                        .await?;
                }
                Ok(())
            },
        );
    let running = run(&slack, app).await;
    slack
        .run_function("deploy_step", json!({"service": "api"}))
        .await;
    let done = slack.wait_for_call("functions.completeSuccess").await;
    assert!(
        done.token().is_some_and(|t| t.starts_with("xwfp-")),
        "the step's own token"
    );
    assert_eq!(
        done.json_arg("outputs"),
        Some(json!({"url": "https://api.example.com"}))
    );
    slack
        .run_function("deploy_step", json!({"service": "broken"}))
        .await;
    let failed = slack.wait_for_call("functions.completeError").await;
    assert_eq!(failed.arg("error"), Some("cannot deploy broken"));
    running.stop().await;
}

#[tokio::test]
async fn a_workflow_step_reads_its_inputs_typed() {
    #[derive(serde::Deserialize)]
    struct Inputs {
        channel: slack_api::ids::ChannelId,
        count: u32,
        reviewers: Vec<slack_api::ids::UserId>,
        note: Option<String>,
    }
    let slack = FakeSlack::start().await;
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let f = failures.clone();
    let app = App::new(bot(&slack))
        .on_error(move |failure: &Failure| f.lock().unwrap().push(failure.to_string()))
        .function("review", |cx: Context<FunctionExecutedEvent>| async move {
            let count: u32 = cx.input_as("count")?;
            let missing: Option<String> = cx.input_as("note")?;
            assert_eq!(missing, None);
            let all: Inputs = cx.inputs_as()?;
            assert_eq!(all.count, count);
            assert_eq!(all.note, None);
            cx.complete(
                json!({"summary": format!("{} x{} by {}", all.channel, count, all.reviewers[0])}),
            )
            .await?;
            Ok(())
        });
    let running = run(&slack, app).await;
    let inputs = json!({"channel": "C_GENERAL", "count": 2, "reviewers": ["U_BOB"]});
    slack.run_function("review", inputs).await;
    let done = slack.wait_for_call("functions.completeSuccess").await;
    assert_eq!(
        done.json_arg("outputs"),
        Some(json!({"summary": "C_GENERAL x2 by U_BOB"}))
    );

    // A mismatch names the input; so does one the workflow did not give.
    slack.run_function("review", json!({"count": "two"})).await;
    slack.run_function("review", json!({})).await;
    for _ in 0..100 {
        if failures.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures[0].contains("function input count: invalid type: string \"two\", expected u32"),
        "{failures:?}"
    );
    assert!(
        failures[1].contains("function input count: is missing"),
        "{failures:?}"
    );
    running.stop().await;
}

#[tokio::test]
async fn an_assistant_thread_gets_prompts() {
    let slack = FakeSlack::start().await;
    // The fake does not simulate assistant threads: the repository's
    // fixture answers, as Slack does, `{"ok": true}`.
    slack.add_fixture(
        slack_testkit::Fixture::from_json(include_str!(
            "../../fixtures/web/assistant.threads.setSuggestedPrompts.json"
        ))
        .expect("fixture"),
    );
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .event::<AssistantThreadStartedEvent>(
        |cx: Context<AssistantThreadStartedEvent>| async move {
            cx.set_suggested_prompts([("Status", "What is deployed?")])
                .await?;
            Ok(())
        },
    );
    let running = run(&slack, app).await;
    let (_, channel, thread_ts) = slack.start_assistant_thread(ALICE).await;
    let prompts = slack
        .wait_for_call("assistant.threads.setSuggestedPrompts")
        .await;
    assert_eq!(prompts.arg("channel_id"), Some(channel.as_str()));
    assert_eq!(prompts.arg("thread_ts"), Some(thread_ts.as_str()));
    assert_eq!(
        prompts.json_arg("prompts"),
        Some(json!([{"title": "Status", "message": "What is deployed?"}]))
    );
    assert!(prompts.ok(), "{:?}", prompts.response);
    running.stop().await;
}

#[tokio::test]
async fn filters_drop_bots_other_teams_and_other_conversation_types() {
    let slack = FakeSlack::start().await;
    let (seen, mut saw) = mpsc::unbounded_channel::<String>();
    let app = App::new(bot(&slack))
        .ignore_bot_messages(true)
        .only_teams([slack_testkit::TEAM_ID])
        .only_channel_types(["channel"])
        .message("", move |cx: Context<MessageEvent>| {
            let seen = seen.clone();
            async move {
                seen.send(cx.payload.text().unwrap_or("").to_owned())?;
                Ok(())
            }
        });
    let running = run(&slack, app).await;
    let message = |text: &str, extra: Value| {
        let mut m = json!({"type": "message", "user": ALICE, "channel": GENERAL, "text": text,
                           "channel_type": "channel", "ts": "1700000004.000500"});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            m[k] = v;
        }
        m
    };
    let deliveries = [
        (
            "Ev-bot",
            message(
                "from a bot",
                json!({"bot_id": "B_OTHER", "subtype": "bot_message"}),
            ),
            None,
        ),
        (
            "Ev-im",
            message(
                "in a DM",
                json!({"channel_type": "im", "channel": "D_U_ALICE"}),
            ),
            None,
        ),
        ("Ev-team", message("other team", json!({})), Some("T_OTHER")),
        ("Ev-ok", message("kept", json!({})), None),
    ];
    for (id, event, team) in deliveries {
        let mut cb = event_callback(id, event);
        if let Some(t) = team {
            cb["team_id"] = json!(t);
        }
        let env = slack.push_envelope("events_api", cb, false);
        slack.wait_for_ack(&env).await;
    }
    assert_eq!(saw.recv().await.as_deref(), Some("kept"));
    running.stop().await;
    assert!(
        saw.try_recv().is_err(),
        "only the kept message reached the listener"
    );
}

#[tokio::test]
async fn an_assistant_reply_is_streamed_into_the_thread() {
    let slack = FakeSlack::start().await;
    for fixture in [
        include_str!("../../fixtures/web/chat.startStream.json"),
        include_str!("../../fixtures/web/chat.appendStream.json"),
        include_str!("../../fixtures/web/chat.stopStream.json"),
    ] {
        slack.add_fixture(slack_testkit::Fixture::from_json(fixture).expect("fixture"));
    }
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .event::<AssistantThreadStartedEvent>(
        |cx: Context<AssistantThreadStartedEvent>| async move {
            let reply = cx.stream_reply("Checking").await?;
            reply.append(" the deploys…").await?;
            reply.stop().await?;
            Ok(())
        },
    );
    let running = run(&slack, app).await;
    let (_, channel, thread_ts) = slack.start_assistant_thread(ALICE).await;
    let start = slack.wait_for_call("chat.startStream").await;
    assert_eq!(start.arg("channel"), Some(channel.as_str()));
    assert_eq!(start.arg("thread_ts"), Some(thread_ts.as_str()));
    assert_eq!(start.arg("recipient_user_id"), Some(ALICE));
    assert_eq!(start.arg("markdown_text"), Some("Checking"));
    let ts = start.response["ts"]
        .as_str()
        .expect("the stream's ts")
        .to_owned();
    let append = slack.wait_for_call("chat.appendStream").await;
    assert_eq!(append.arg("ts"), Some(ts.as_str()));
    assert_eq!(append.arg("markdown_text"), Some(" the deploys…"));
    let stop = slack.wait_for_call("chat.stopStream").await;
    assert_eq!(stop.arg("ts"), Some(ts.as_str()));
    running.stop().await;
}

#[tokio::test]
async fn a_button_in_a_modal_pushes_a_view_with_its_trigger() {
    fn modal(title: &str) -> View {
        View::modal(title)
            .callback_id("stack")
            .block(Block::actions([Button::new("more", "More")]).block_id("nav"))
    }
    let slack = FakeSlack::start().await;
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .command("/open", |cx: Context<SlashCommand>| async move {
            cx.ack();
            let trigger = cx.trigger_id().ok_or("no trigger")?;
            cx.client()
                .views()
                .open(modal("First"))
                .trigger_id(trigger)
                .send()
                .await?;
            Ok(())
        })
        .action("more", |cx: Context<BlockActionsPayload>| async move {
            cx.ack();
            let trigger = cx.trigger_id().ok_or("no trigger")?;
            cx.client()
                .views()
                .push(modal("Second"))
                .trigger_id(trigger)
                .send()
                .await?;
            Ok(())
        });
    let running = run(&slack, app).await;
    slack.run_command(ALICE, GENERAL, "/open", "").await;
    assert!(slack.wait_for_call("views.open").await.ok());
    let first = slack.open_views(ALICE).pop().expect("a modal");
    let id = first["id"].as_str().expect("view id").to_owned();
    slack
        .click(ALICE, slack_testkit::Target::view(&id), "more", "")
        .await;
    let push = slack.wait_for_call("views.push").await;
    assert!(push.ok(), "{:?}", push.response);
    let stack: Vec<String> = slack
        .open_views(ALICE)
        .iter()
        .map(|v| v["title"]["text"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(stack, ["First", "Second"]);
    running.stop().await;
}

#[tokio::test]
async fn message_shortcuts_assistant_messages_home_and_the_fallback_reach_their_listeners() {
    let slack = FakeSlack::start().await;
    let (seen, mut saw) = mpsc::unbounded_channel::<String>();
    let (s1, s2, s3, s4) = (seen.clone(), seen.clone(), seen.clone(), seen);
    let app = App::new(bot(&slack))
        .on_error(|f: &Failure| panic!("{f}"))
        .message_shortcut("summarize", move |cx: Context<MessageActionPayload>| {
            let seen = s1.clone();
            async move {
                let ts = cx
                    .payload
                    .message_ts
                    .as_ref()
                    .map(|t| t.as_str().to_owned());
                seen.send(format!("shortcut on {}", ts.unwrap_or_default()))?;
                Ok(())
            }
        })
        .assistant_message(move |cx: Context<MessageEvent>| {
            let seen = s2.clone();
            async move {
                seen.send(format!("assistant: {}", cx.payload.text().unwrap_or("")))?;
                Ok(())
            }
        })
        .event::<AppHomeOpenedEvent>(move |cx: Context<AppHomeOpenedEvent>| {
            let seen = s3.clone();
            async move {
                seen.send(format!(
                    "home of {}",
                    cx.user_id().map(|u| u.as_str()).unwrap_or("")
                ))?;
                Ok(())
            }
        })
        .fallback(move |cx: Context<slack_app::Request>| {
            let seen = s4.clone();
            async move {
                seen.send(format!("fallback {}", cx.kind()))?;
                Ok(())
            }
        });
    let running = run(&slack, app).await;

    slack.push_envelope(
        "interactive",
        json!({"type": "message_action", "callback_id": "summarize", "trigger_id": "1.2.3",
               "user": {"id": ALICE}, "team": {"id": slack_testkit::TEAM_ID},
               "channel": {"id": GENERAL}, "message_ts": "1700000005.000600",
               "message": {"type": "message", "text": "long thread", "ts": "1700000005.000600"}}),
        true,
    );
    assert_eq!(
        saw.recv().await.as_deref(),
        Some("shortcut on 1700000005.000600")
    );

    let dm = json!({"type": "message", "user": ALICE, "channel": "D_U_ALICE", "channel_type": "im",
                    "text": "what is deployed?", "ts": "1700000006.000700",
                    "thread_ts": "1700000001.000100"});
    slack.push_envelope("events_api", event_callback("Ev-dm", dm), false);
    assert_eq!(
        saw.recv().await.as_deref(),
        Some("assistant: what is deployed?")
    );

    slack.open_home(ALICE).await;
    assert_eq!(saw.recv().await.as_deref(), Some("home of U_ALICE"));

    slack.socket_mode_slash_command("/unclaimed", "");
    assert_eq!(saw.recv().await.as_deref(), Some("fallback command"));
    running.stop().await;
}
