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
            Request::Interaction(p) => interaction_origin(p).0.map(|t| &t.id),
            Request::Options(o) => o.team.as_ref().map(|t| &t.id),
        }
    }

    /// The person who acted, when there is one.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Request::Event(cb) => cb.event.user(),
            Request::Command(c) => Some(&c.user_id),
            Request::Interaction(p) => interaction_origin(p).1.map(|u| &u.id),
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
                let (enterprise, org_wide) = match &**p {
                    InteractionPayload::BlockActions(p) => (&p.enterprise, p.is_enterprise_install),
                    InteractionPayload::MessageAction(p) => {
                        (&p.enterprise, p.is_enterprise_install)
                    }
                    InteractionPayload::Shortcut(p) => (&p.enterprise, p.is_enterprise_install),
                    InteractionPayload::ViewClosed(p) => (&p.enterprise, p.is_enterprise_install),
                    InteractionPayload::ViewSubmission(p) => {
                        (&p.enterprise, p.is_enterprise_install)
                    }
                    _ => (&None, None),
                };
                let team = interaction_origin(p).0;
                Origin {
                    team_id: team.map(|t| t.id.clone()),
                    enterprise_id: enterprise
                        .as_ref()
                        .map(|e| e.id.clone())
                        .or_else(|| team.and_then(|t| t.enterprise_id.clone())),
                    is_enterprise_install: org_wide == Some(true),
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
        InteractionPayload::MessageAction(_) => "message_action",
        InteractionPayload::Shortcut(_) => "shortcut",
        InteractionPayload::ViewClosed(_) => "view_closed",
        InteractionPayload::ViewSubmission(_) => "view_submission",
        _ => "interaction",
    }
}

/// The workspace and the person of an interaction, as far as it says.
fn interaction_origin(
    p: &InteractionPayload,
) -> (Option<&InteractionTeam>, Option<&InteractionUser>) {
    match p {
        InteractionPayload::BlockActions(p) => (p.team.as_ref(), p.user.as_ref()),
        InteractionPayload::MessageAction(p) => (p.team.as_ref(), p.user.as_ref()),
        InteractionPayload::Shortcut(p) => (p.team.as_ref(), p.user.as_ref()),
        InteractionPayload::ViewClosed(p) => (p.team.as_ref(), p.user.as_ref()),
        InteractionPayload::ViewSubmission(p) => (p.team.as_ref(), p.user.as_ref()),
        _ => (None, None),
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
