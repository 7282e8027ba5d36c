//! What Slack delivers to an app, whichever transport carried it.

use serde::Deserialize;
use serde_json::Value;
use slack_api::events::{
    EventCallback, EventsApiPayload, InteractionPayload, InteractionTeam, InteractionUser,
};
use slack_api::ids::{ChannelId, EnterpriseId, TeamId, UserId};
use slack_api::inbound::slash::SlashCommand;

/// One delivery from Slack, decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Request {
    /// An Events API `event_callback`.
    Event(Box<EventCallback>),
    /// A slash command.
    Command(Box<SlashCommand>),
    /// Block actions, view submissions and closes, shortcuts.
    Interaction(Box<InteractionPayload>),
    /// An external select asking for options (`block_suggestion`).
    Options(Box<OptionsRequest>),
}

impl Request {
    /// The kind, for logs and spans: `event:<type>`, `command`, `block_actions`, ...
    pub fn kind(&self) -> String {
        match self {
            Request::Event(cb) => format!("event:{}", cb.event.event_type().unwrap_or("reply")),
            Request::Command(_) => "command".to_owned(),
            Request::Interaction(p) => interaction_kind(p).to_owned(),
            Request::Options(_) => "block_suggestion".to_owned(),
        }
    }

    /// The workspace it came from, when it says.
    pub fn team_id(&self) -> Option<&TeamId> {
        match self {
            Request::Event(cb) => cb.team_id.as_ref(),
            Request::Command(c) => Some(&c.team_id),
            Request::Interaction(p) => p.team().map(|t| &t.id),
            Request::Options(o) => o.team.as_ref().map(|t| &t.id),
        }
    }

    /// The person who acted, when there is one.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Request::Event(cb) => cb.event.user(),
            Request::Command(c) => Some(&c.user_id),
            Request::Interaction(p) => p.user().map(|u| &u.id),
            Request::Options(o) => o.user.as_ref().map(|u| &u.id),
        }
    }
}

/// Where a delivery comes from, for finding its installation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin {
    pub(crate) team_id: Option<TeamId>,
    pub(crate) enterprise_id: Option<EnterpriseId>,
    pub(crate) is_enterprise_install: bool,
}

impl Request {
    /// The workspace, organization and kind of install a delivery names.
    pub(crate) fn origin(&self) -> Origin {
        match self {
            Request::Event(cb) => {
                let auth = cb.authorizations.first();
                Origin {
                    team_id: cb
                        .team_id
                        .clone()
                        .or_else(|| auth.and_then(|a| a.team_id.clone())),
                    enterprise_id: cb
                        .enterprise_id
                        .clone()
                        .or_else(|| auth.and_then(|a| a.enterprise_id.clone())),
                    is_enterprise_install: auth.and_then(|a| a.is_enterprise_install) == Some(true),
                }
            }
            Request::Command(c) => Origin {
                team_id: Some(c.team_id.clone()).filter(|t| !t.as_str().is_empty()),
                enterprise_id: c.enterprise_id.clone(),
                is_enterprise_install: c.is_enterprise_install,
            },
            Request::Interaction(p) => {
                let team = p.team();
                Origin {
                    team_id: team.map(|t| t.id.clone()),
                    enterprise_id: p
                        .enterprise()
                        .map(|e| e.id.clone())
                        .or_else(|| team.and_then(|t| t.enterprise_id.clone())),
                    is_enterprise_install: p.is_enterprise_install() == Some(&true),
                }
            }
            Request::Options(o) => Origin {
                team_id: o.team.as_ref().map(|t| t.id.clone()),
                enterprise_id: o.team.as_ref().and_then(|t| t.enterprise_id.clone()),
                is_enterprise_install: false,
            },
        }
    }
}

pub(crate) fn interaction_kind(p: &InteractionPayload) -> &'static str {
    match p {
        InteractionPayload::BlockActions(_) => "block_actions",
        InteractionPayload::DialogCancellation(_) => "dialog_cancellation",
        InteractionPayload::DialogSubmission(_) => "dialog_submission",
        InteractionPayload::DialogSuggestion(_) => "dialog_suggestion",
        InteractionPayload::InteractiveMessage(_) => "interactive_message",
        InteractionPayload::MessageAction(_) => "message_action",
        InteractionPayload::Shortcut(_) => "shortcut",
        InteractionPayload::ViewClosed(_) => "view_closed",
        InteractionPayload::ViewSubmission(_) => "view_submission",
        _ => "interaction",
    }
}

/// An external select's request for options as someone types.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct OptionsRequest {
    /// The select's `action_id`.
    pub action_id: String,
    /// The block holding the select.
    #[serde(default)]
    pub block_id: Option<String>,
    /// What the person has typed so far.
    #[serde(default)]
    pub value: String,
    /// Who is typing.
    #[serde(default)]
    pub user: Option<InteractionUser>,
    /// Their workspace.
    #[serde(default)]
    pub team: Option<InteractionTeam>,
    /// The conversation, for a select in a message.
    #[serde(default)]
    pub channel: Option<OptionsChannel>,
    /// The view, for a select in a modal or App Home (raw JSON).
    #[serde(default)]
    pub view: Option<Value>,
}

/// The conversation of an [`OptionsRequest`].
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct OptionsChannel {
    /// The conversation's ID.
    pub id: ChannelId,
}

/// Why a delivery could not be decoded (it is still acked, never retried).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeFailure {
    /// The body is not what its kind says.
    #[error("{kind} payload does not decode: {reason}")]
    Malformed {
        /// The kind of delivery it claims to be.
        kind: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A kind of delivery this version does not know.
    #[error("unknown delivery kind {0:?}")]
    UnknownKind(String),
}

/// An Events API payload other than an `event_callback` (which the
/// transports take apart themselves): nothing for a listener.
pub(crate) fn not_a_callback(p: &EventsApiPayload) -> DecodeFailure {
    let kind = match p {
        EventsApiPayload::Unknown(v) => v.get("type").and_then(Value::as_str),
        p => p.r#type(),
    };
    DecodeFailure::UnknownKind(format!("events api {}", kind.unwrap_or("without a type")))
}

/// An interactive payload: a known interaction, or options for a select
/// (which the interaction union does not cover and leaves as raw JSON).
pub(crate) fn from_interaction(p: InteractionPayload) -> Result<Request, DecodeFailure> {
    match p {
        InteractionPayload::Unknown(v) => {
            let kind = v
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if kind == "block_suggestion" {
                serde_json::from_value::<OptionsRequest>(v)
                    .map(|o| Request::Options(Box::new(o)))
                    .map_err(|e| DecodeFailure::Malformed {
                        kind: "block_suggestion",
                        reason: e.to_string(),
                    })
            } else {
                Err(DecodeFailure::UnknownKind(kind))
            }
        }
        p => Ok(Request::Interaction(Box::new(p))),
    }
}

/// The `payload` field of an interactivity form.
pub(crate) fn from_interaction_json(json: &str) -> Result<Request, DecodeFailure> {
    let p = InteractionPayload::from_json(json).map_err(|e| DecodeFailure::Malformed {
        kind: "interactive",
        reason: e.to_string(),
    })?;
    from_interaction(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interaction(json: &str) -> Request {
        Request::Interaction(Box::new(
            InteractionPayload::from_json(json).expect("an interaction payload"),
        ))
    }

    #[test]
    fn legacy_interactions_say_where_they_come_from() {
        for kind in [
            "interactive_message",
            "dialog_submission",
            "dialog_suggestion",
            "dialog_cancellation",
        ] {
            let r = interaction(&format!(
                r#"{{"type":"{kind}","callback_id":"c","team":{{"id":"T2","domain":"d","enterprise_id":"E1"}},
                    "user":{{"id":"U2","name":"n"}},"is_enterprise_install":true}}"#
            ));
            assert_eq!(r.kind(), kind);
            assert_eq!(r.team_id().map(TeamId::as_str), Some("T2"), "{kind}");
            assert_eq!(r.user_id().map(UserId::as_str), Some("U2"), "{kind}");
            let origin = r.origin();
            assert_eq!(origin.team_id.as_ref().map(TeamId::as_str), Some("T2"));
            assert_eq!(
                origin.enterprise_id.as_ref().map(EnterpriseId::as_str),
                Some("E1")
            );
            assert!(origin.is_enterprise_install, "{kind}");
        }
    }
}
