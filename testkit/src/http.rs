//! Helpers every HTTP endpoint of the fake shares: journal recording,
//! request bodies, fault lookup and deterministic secrets. Imports no
//! feature module, so every feature may use it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use wiremock::{Request, ResponseTemplate};

use crate::faults::{Fault, Faults};
use crate::journal::{Call, Entry, Journal};
use crate::request::{CredentialKind, content_type, value_to_arg};

/// Appends `call` to the journal as its next entry (its `seq` is set here).
/// The caller notifies the fake's waiters after releasing the lock.
pub(crate) fn record(journal: &mut Journal, mut call: Call) {
    call.seq = journal.next_seq();
    journal.entries.push(Entry::Call(call));
}

/// Appends a non-API call (webhook post, response URL post, ...) to the journal.
pub(crate) fn record_endpoint(
    journal: &mut Journal,
    name: &str,
    http_method: &str,
    args: BTreeMap<String, String>,
    status: u16,
    response: Value,
) {
    let call = Call {
        seq: 0,
        method: name.to_string(),
        http_method: http_method.to_string(),
        args,
        token_kind: CredentialKind::None,
        token: None,
        status,
        response,
        source: "simulator".into(),
    };
    record(journal, call);
}

/// A JSON object's top-level fields as journal arguments.
pub(crate) fn object_args(body: &Map<String, Value>) -> BTreeMap<String, String> {
    body.iter()
        .map(|(k, v)| (k.clone(), value_to_arg(v)))
        .collect()
}

/// The fault set for exactly `name`, if any (`"*"` rules are for the Web API only).
pub(crate) fn take_fault(faults: &mut Faults, name: &str) -> Option<Fault> {
    if faults.rules.iter().any(|r| r.method == name) {
        faults.take(name)
    } else {
        None
    }
}

/// Reads a JSON object body, or the legacy form with a `payload` field
/// holding one (as webhooks accept).
pub(crate) fn parse_body(req: &Request) -> Option<Map<String, Value>> {
    let content_type = content_type(req).to_ascii_lowercase();
    let json_text = if content_type.starts_with("application/x-www-form-urlencoded") {
        url::form_urlencoded::parse(&req.body)
            .find(|(k, _)| k == "payload")
            .map(|(_, v)| v.into_owned())?
            .into_bytes()
    } else {
        req.body.clone()
    };
    match serde_json::from_slice::<Value>(&json_text) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// A plain-text answer, as webhooks and the upload endpoint give.
pub(crate) fn plain(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(text.as_bytes().to_vec(), "text/plain; charset=utf-8")
}

/// A deterministic string that looks random: webhook secrets, codes, tokens.
///
/// The fake's outputs must be reproducible (snapshots, seeds), so this mixes
/// a counter and the seed with splitmix64 rather than reading an OS source.
pub(crate) fn opaque(seed: u64, counter: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(counter.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    let mut out = String::with_capacity(len);
    while out.len() < len {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let idx = usize::try_from(z % ALPHABET.len() as u64).unwrap_or(0);
        out.push(char::from(ALPHABET[idx]));
    }
    out
}
