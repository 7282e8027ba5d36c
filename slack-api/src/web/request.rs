//! The encoding-neutral argument list a request builder produces.
//!
//! Builders push their arguments into [`Args`]; the client then encodes them
//! as a query string (GET), a form, or a JSON object, as the method's spec
//! says. Keeping one representation keeps the HTTP path non-generic.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// One argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// Text, IDs, timestamps, enum values.
    Str(String),
    /// A token, client secret or refresh token: sent as text, shown by
    /// `Debug` as `[redacted]`.
    Secret(crate::Secret),
    /// A whole number.
    Int(i64),
    /// Any number.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A list: comma-joined in forms and query strings, an array in JSON.
    List(Vec<String>),
    /// Arbitrary JSON (blocks, attachments, metadata): JSON text in forms and
    /// query strings, the value itself in JSON bodies.
    Json(Value),
}

impl ArgValue {
    /// A list from anything that turns into strings (IDs, enum values, ...).
    pub fn list<I, T>(items: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ArgValue::List(items.into_iter().map(Into::into).collect())
    }

    /// The value as text for a form field or query parameter.
    pub fn to_form_value(&self) -> String {
        match self {
            ArgValue::Str(s) => s.clone(),
            ArgValue::Secret(s) => s.expose().to_owned(),
            ArgValue::Int(i) => i.to_string(),
            ArgValue::Float(f) => f.to_string(),
            ArgValue::Bool(b) => b.to_string(),
            ArgValue::List(items) => items.join(","),
            ArgValue::Json(v) => v.to_string(),
        }
    }

    /// The value inside a JSON body.
    pub fn to_json_value(&self) -> Value {
        match self {
            ArgValue::Str(s) => Value::String(s.clone()),
            ArgValue::Secret(s) => Value::String(s.expose().to_owned()),
            ArgValue::Int(i) => Value::from(*i),
            ArgValue::Float(f) => Value::from(*f),
            ArgValue::Bool(b) => Value::Bool(*b),
            ArgValue::List(items) => {
                Value::Array(items.iter().cloned().map(Value::String).collect())
            }
            ArgValue::Json(v) => v.clone(),
        }
    }
}

/// Writes the value as [`to_json_value`](ArgValue::to_json_value) would,
/// without building the `Value`.
impl serde::Serialize for ArgValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ArgValue::Str(v) => s.serialize_str(v),
            ArgValue::Secret(v) => s.serialize_str(v.expose()),
            ArgValue::Int(v) => s.serialize_i64(*v),
            ArgValue::Float(v) => s.serialize_f64(*v),
            ArgValue::Bool(v) => s.serialize_bool(*v),
            ArgValue::List(items) => s.collect_seq(items),
            ArgValue::Json(v) => v.serialize(s),
        }
    }
}

impl From<String> for ArgValue {
    fn from(v: String) -> Self {
        ArgValue::Str(v)
    }
}

impl From<&str> for ArgValue {
    fn from(v: &str) -> Self {
        ArgValue::Str(v.to_owned())
    }
}

impl From<crate::Secret> for ArgValue {
    fn from(v: crate::Secret) -> Self {
        ArgValue::Secret(v)
    }
}

impl From<i64> for ArgValue {
    fn from(v: i64) -> Self {
        ArgValue::Int(v)
    }
}

impl From<f64> for ArgValue {
    fn from(v: f64) -> Self {
        ArgValue::Float(v)
    }
}

impl From<bool> for ArgValue {
    fn from(v: bool) -> Self {
        ArgValue::Bool(v)
    }
}

impl From<Value> for ArgValue {
    fn from(v: Value) -> Self {
        ArgValue::Json(v)
    }
}

impl<T: Into<String>> From<Vec<T>> for ArgValue {
    fn from(v: Vec<T>) -> Self {
        ArgValue::list(v)
    }
}

macro_rules! arg_from_id {
    ($($t:ty),*) => {$(
        impl From<$t> for ArgValue {
            fn from(v: $t) -> Self {
                ArgValue::Str(v.into())
            }
        }
    )*};
}

arg_from_id!(
    crate::ids::ChannelId,
    crate::ids::UserId,
    crate::ids::TeamId,
    crate::ids::BotId,
    crate::ids::AppId,
    crate::ids::FileId,
    crate::ids::EnterpriseId,
    crate::ids::UserGroupId,
    crate::ids::Ts
);

/// An ordered list of named arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    items: Vec<(Cow<'static, str>, ArgValue)>,
    /// Values over Slack's limits, found while building: the client
    /// refuses to send the request.
    rejected: Vec<crate::kit::LimitError>,
}

impl Args {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an argument, replacing an earlier one of the same name.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<ArgValue>) {
        let name = name.into();
        let value = value.into();
        match self.items.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.items.push((name, value)),
        }
    }

    /// The value of the argument of that name.
    pub fn get(&self, name: &str) -> Option<&ArgValue> {
        self.items.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Removes and returns the argument of that name.
    pub fn remove(&mut self, name: &str) -> Option<ArgValue> {
        let i = self.items.iter().position(|(n, _)| n == name)?;
        Some(self.items.remove(i).1)
    }

    /// Appends a Block Kit argument (`blocks`, `view`, ...) as the JSON it
    /// serializes to, after checking its limits when `checked`: a value over
    /// one is [`reject`](Args::reject)ed, and the client refuses the call.
    pub fn push_block_kit<T: serde::Serialize + crate::kit::Check>(
        &mut self,
        name: &'static str,
        value: &T,
        checked: bool,
    ) {
        if checked {
            let mut problems = Vec::new();
            value.check(&crate::kit::Path::root(name), &mut problems);
            self.rejected.extend(problems);
        }
        // Block Kit types serialize without fail (string keys, no custom
        // errors); a failure would be a bug here, reported as a rejection.
        let json = serde_json::to_value(value).unwrap_or_else(|e| {
            self.reject(crate::kit::LimitError::new(
                name,
                format!("does not serialize: {e}"),
            ));
            Value::Null
        });
        self.push(name, ArgValue::Json(json));
    }

    /// Records a value over one of Slack's limits; the client then answers
    /// [`InvalidRequest`](crate::error::InvalidRequest) instead of sending.
    pub fn reject(&mut self, problem: crate::kit::LimitError) {
        self.rejected.push(problem);
    }

    /// The limits the arguments go over.
    pub fn rejected(&self) -> &[crate::kit::LimitError] {
        &self.rejected
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The arguments in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ArgValue)> {
        self.items.iter().map(|(n, v)| (n.as_ref(), v))
    }

    /// Name/value pairs for a query string or an `application/x-www-form-urlencoded` body.
    pub fn to_form_pairs(&self) -> Vec<(&str, String)> {
        self.iter().map(|(n, v)| (n, v.to_form_value())).collect()
    }

    /// The arguments as a JSON object, for a JSON body.
    pub fn to_json(&self) -> Map<String, Value> {
        self.iter()
            .map(|(n, v)| (n.to_owned(), v.to_json_value()))
            .collect()
    }

    /// Encodes the pairs as `application/x-www-form-urlencoded` text (also a
    /// valid query string).
    pub fn to_urlencoded(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (n, v) in self.to_form_pairs() {
            s.append_pair(n, &v);
        }
        s.finish()
    }
}

/// Writes the arguments as one JSON object, as [`to_json`](Args::to_json)
/// would, without building the map.
impl serde::Serialize for Args {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'a> IntoIterator for &'a Args {
    type Item = (&'a str, &'a ArgValue);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a ArgValue)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_forms_and_json() {
        let mut a = Args::new();
        a.push("channel", crate::ids::ChannelId::from("C1"));
        a.push("text", "a b&c");
        a.push("limit", 20i64);
        a.push("unfurl", false);
        a.push("users", vec!["U1", "U2"]);
        a.push("blocks", json!([{"type": "divider"}]));
        assert_eq!(
            a.to_urlencoded(),
            "channel=C1&text=a+b%26c&limit=20&unfurl=false&users=U1%2CU2&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D"
        );
        assert_eq!(
            Value::Object(a.to_json()),
            json!({"channel": "C1", "text": "a b&c", "limit": 20, "unfurl": false,
                   "users": ["U1", "U2"], "blocks": [{"type": "divider"}]})
        );
        // What the client sends: the same object, written directly.
        a.push("ratio", 0.5f64);
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            Value::Object(a.to_json())
        );
        a.remove("ratio");
        a.push("limit", 5i64);
        assert_eq!(a.get("limit"), Some(&ArgValue::Int(5)));
        assert_eq!(a.len(), 6);
    }
}
