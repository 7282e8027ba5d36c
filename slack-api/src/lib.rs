//! Slack Web API client.
