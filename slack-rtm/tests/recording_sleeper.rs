//! `RecordingSleeper` records what the connection waits for and runs it a
//! thousand times faster: keepalive ticks instead of spinning, and the
//! connection stays up. RTM takes the API client's sleeper by default.

use std::sync::Arc;
use std::time::Duration;

use slack_api::web::retry::RecordingSleeper;
use slack_rtm::{Lifecycle, Rtm, RtmIncoming};
use slack_testkit::FakeSlack;

#[tokio::test]
async fn keepalive_ticks_on_a_recording_sleeper_without_spinning() {
    let slack = FakeSlack::start().await;
    let sleeper = RecordingSleeper::new();
    let client = slack
        .client_builder("xoxb-test")
        .sleeper(Arc::new(sleeper.clone()))
        .build()
        .unwrap();
    // No sleeper given to the RTM builder: it waits with the client's.
    let (sender, mut events) = Rtm::builder()
        .ping_interval(Duration::from_secs(30))
        .connect(&client)
        .await
        .expect("connects");
    // 30 s intervals pass in 30 ms each: wait for a few pings' worth.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waits = sleeper.waits();
    let pings = waits
        .iter()
        .filter(|w| **w == Duration::from_secs(30))
        .count();
    assert!(pings >= 3, "the keepalive did not tick: {waits:?}");
    // A spinning loop would have asked for thousands of waits by now.
    assert!(waits.len() < 200, "{} waits in 300 ms", waits.len());
    // And the connection is still the first one: pongs came back in time.
    while let Ok(Some(item)) = tokio::time::timeout(Duration::from_millis(50), events.next()).await
    {
        if let Ok(RtmIncoming::Lifecycle(Lifecycle::Disconnected { .. })) = item {
            panic!("the connection dropped on the recording sleeper");
        }
    }
    sender.shutdown().await;
}
