//! Slack RTM client.
