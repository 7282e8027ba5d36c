//! Fake Slack.
