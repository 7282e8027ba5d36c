//! One app: the id the testkit exports is the one the fake puts in the bot's
//! messages and in the Socket Mode deliveries the app receives.

use slack_api::events::EventsApiPayload;
use slack_rtm::socket_mode::{Payload, SocketMode, SocketModeIncoming};
use slack_testkit::{APP_ID, FakeSlack};

#[tokio::test]
async fn one_app_id_everywhere() {
    let slack = FakeSlack::start().await;
    let mut app = SocketMode::builder()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    let sent = slack
        .client("xoxb-test")
        .chat()
        .post_message("C_GENERAL")
        .text("hi")
        .await
        .unwrap();
    let message = sent.message.expect("the posted message");
    assert_eq!(message.app_id.as_ref().map(|a| a.as_str()), Some(APP_ID));

    let envelope = loop {
        if let Some(Ok(SocketModeIncoming::Envelope(e))) = app.next().await {
            break e;
        }
    };
    let Payload::EventsApi(EventsApiPayload::EventCallback(callback)) = &envelope.payload else {
        panic!("not an event callback: {:?}", envelope.payload);
    };
    assert_eq!(
        callback.api_app_id.as_ref().map(|a| a.as_str()),
        Some(APP_ID)
    );
    app.shutdown().await;
}
