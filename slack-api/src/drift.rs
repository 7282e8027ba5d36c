//! Drift: what a payload carried that the spec does not describe.
//!
//! Slack adds fields, enum values, event types and message subtypes without
//! notice. The decoders stay tolerant (unknown fields are skipped, unknown
//! values are kept raw, optional fields of the wrong JSON type become `None`),
//! and this module makes what they tolerated visible, as [`Finding`]s:
//!
//! - [`set_hook`] installs a process-wide function that is called with a
//!   [`DriftReport`] whenever a decoded response or event carried something
//!   the SDK ignored, so a production bot can report drift without failing.
//!   [`trace`] is a ready-made hook that emits a `tracing` debug event with
//!   target `slack_api::drift`.
//! - [`collect`] runs a closure with a drift session on the current thread and
//!   returns every finding the decoders reported inside it (this is what
//!   `cargo xtask drift` uses).
//!
//! ```
//! let (event, findings) = slack_api::drift::collect(|| {
//!     slack_api::events::Event::from_json(r#"{"type": "hello", "colour": "teal"}"#)
//! });
//! assert!(event.is_ok());
//! assert_eq!(findings[0].kind(), slack_api::drift::DriftKind::IgnoredField);
//! assert_eq!(findings[0].path(), "colour");
//! assert_eq!(findings[0].example(), r#""teal""#);
//! ```
//!
//! With no hook and no session, decoding takes its usual path: the only extra
//! work is one relaxed atomic load per body, and one per tolerated value.
//!
//! Paths name object keys joined by `.`, with `[]` for any array element
//! (`messages[].blocks`). A report never contains a token: examples are
//! redacted like error excerpts.

use std::cell::RefCell;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// What kind of difference between a payload and the spec was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DriftKind {
    /// An object key no field of the type describes; it was skipped.
    IgnoredField,
    /// A string enum value the spec does not list; kept as `Unknown`.
    UnknownEnumValue,
    /// A tagged union (event type, message subtype, ...) tag the spec does not
    /// list; the whole value was kept as raw JSON.
    UnknownTag,
    /// An optional value of another JSON type than the spec says; decoded as
    /// absent.
    TypeMismatch,
    /// A field the spec marks required was absent; the decode failed.
    MissingRequired,
    /// The payload did not decode for another reason (invalid JSON, a
    /// required value of the wrong type).
    DecodeError,
}

impl DriftKind {
    /// A short snake_case name, as used in machine-readable reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::IgnoredField => "ignored_field",
            DriftKind::UnknownEnumValue => "unknown_enum_value",
            DriftKind::UnknownTag => "unknown_tag",
            DriftKind::TypeMismatch => "type_mismatch",
            DriftKind::MissingRequired => "missing_required",
            DriftKind::DecodeError => "decode_error",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a payload carried that the spec does not describe.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Finding {
    kind: DriftKind,
    path: String,
    expected: String,
    example: String,
}

const EXAMPLE_MAX: usize = 160;

impl Finding {
    /// A finding; `example` is redacted and shortened.
    pub fn new(
        kind: DriftKind,
        path: impl Into<String>,
        expected: impl Into<String>,
        example: &str,
    ) -> Self {
        Finding {
            kind,
            path: path.into(),
            expected: expected.into(),
            example: shorten(&crate::redact::redact_tokens(example)),
        }
    }

    /// What kind of difference this is.
    pub fn kind(&self) -> DriftKind {
        self.kind
    }

    /// Where in the payload: keys joined by `.`, `[]` for array elements.
    /// Empty for the payload itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the spec expected there: a type name (`i64`, `ConversationType`,
    /// `Event.type`), or a decode error's message; empty for ignored fields.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// The value seen, as (possibly shortened) JSON text.
    pub fn example(&self) -> &str {
        &self.example
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{} at `{path}`", self.kind)?;
        if !self.expected.is_empty() {
            write!(f, " (expected {})", self.expected)?;
        }
        if !self.example.is_empty() {
            write!(f, ": {}", self.example)?;
        }
        Ok(())
    }
}

fn shorten(s: &str) -> String {
    if s.len() <= EXAMPLE_MAX {
        return s.to_owned();
    }
    let mut end = EXAMPLE_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The findings of one decoded response or event, given to the [hook](set_hook).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DriftReport {
    target: String,
    findings: Vec<Finding>,
}

impl DriftReport {
    /// What was decoded: the Rust type of the payload without the crate path
    /// (`conversations::HistoryResponse`, `events::ReactionAddedEvent`), or the
    /// union whose tag was unknown (`Event`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// What the payload carried beyond the spec, in the order seen.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.target)?;
        for (i, finding) in self.findings.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{finding}")?;
        }
        Ok(())
    }
}

/// Top-level keys of every Web API response that the client handles itself
/// (see `spec/README.md`); never drift.
pub const ENVELOPE_KEYS: &[&str] = &[
    "ok",
    "error",
    "warning",
    "needed",
    "provided",
    "response_metadata",
];

/// Threads with an active session; lets the inactive path skip the
/// thread-local lookup.
static SESSIONS: AtomicUsize = AtomicUsize::new(0);
static HOOKED: AtomicBool = AtomicBool::new(false);
static HOOK: Mutex<Option<fn(&DriftReport)>> = Mutex::new(None);

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct Session {
    path: Vec<Segment>,
    findings: Vec<Finding>,
    /// Nonzero while a value already reported as a mismatch is being skipped.
    suppress: u32,
    /// Where the decode being unwound failed, with element indices; set by
    /// the innermost value that failed, cleared when a value that contains
    /// it decodes after all (a tolerant decoder recovered).
    error_path: Option<String>,
}

enum Segment {
    Key(String),
    Element(usize),
    /// A key that did not parse.
    BadKey,
}

/// The path for findings: `[]` for any element (`messages[].blocks`).
fn render(path: &[Segment]) -> String {
    render_with(path, false)
}

/// `exact`: with element indices, for errors (`messages[3].ts`).
fn render_with(path: &[Segment], exact: bool) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Element(i) if exact => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Segment::Element(_) => out.push_str("[]"),
            Segment::BadKey => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    out
}

/// Runs `f` (a decode inside this thread's session) and returns, with its
/// result, the path where it failed. The session's error path belongs to
/// this decode alone: one nested in it that fails and is recovered from
/// leaves nothing behind.
pub(crate) fn with_error_path<R, E>(f: impl FnOnce() -> Result<R, E>) -> (Result<R, E>, String) {
    let outer = swap_error_path(None);
    let result = f();
    let path = swap_error_path(outer);
    (result, path.unwrap_or_default())
}

/// Puts `path` in the session's error path and returns what was there. Not
/// generic, as [`step`]'s bookkeeping: only the call of `f` is per type.
fn swap_error_path(path: Option<String>) -> Option<String> {
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        let session = s.as_mut()?;
        std::mem::replace(&mut session.error_path, path)
    })
}

/// Runs one step of a tracked decode under `seg`: an error keeps the path of
/// the innermost step that failed; success clears one a recovered step left.
fn step<T, E>(seg: Segment, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let _g = PathGuard::push(seg);
    let result = f();
    settle_step(result.is_err());
    result
}

fn settle_step(failed: bool) {
    SESSION.with(|s| {
        if let Some(session) = &mut *s.borrow_mut() {
            if !failed {
                session.error_path = None;
            } else if session.error_path.is_none() {
                session.error_path = Some(render_with(&session.path, true));
            }
        }
    });
}

/// Installs `hook`, called with every response or event that carried
/// something the spec does not describe. Replaces any previous hook. While a
/// hook is installed, every body is decoded with path tracking, which costs
/// some speed; the hook runs on the decoding thread, so keep it quick.
///
/// ```
/// fn report(r: &slack_api::drift::DriftReport) {
///     eprintln!("slack sent something new: {r}");
/// }
/// slack_api::drift::set_hook(report);
/// # slack_api::drift::clear_hook();
/// ```
pub fn set_hook(hook: fn(&DriftReport)) {
    *HOOK.lock().unwrap_or_else(|e| e.into_inner()) = Some(hook);
    HOOKED.store(true, Ordering::Release);
}

/// Removes the hook installed by [`set_hook`].
pub fn clear_hook() {
    HOOKED.store(false, Ordering::Release);
    *HOOK.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// A hook for [`set_hook`] that emits each report as a `tracing` event at
/// debug level with target `slack_api::drift`.
pub fn trace(report: &DriftReport) {
    tracing::debug!(target: "slack_api::drift", target_type = report.target(), "{report}");
}

/// Runs `f` with a drift session on this thread and returns its result with
/// everything the decoders reported meanwhile. The hook is not called for
/// what a session collects. Sessions nest: an inner one sees only its own
/// findings.
pub fn collect<R>(f: impl FnOnce() -> R) -> (R, Vec<Finding>) {
    /// Puts the outer session (if any) back, also when `f` panics.
    struct Scope {
        outer: Option<Session>,
        top: bool,
        done: bool,
    }
    impl Scope {
        fn finish(&mut self) -> Vec<Finding> {
            self.done = true;
            let mine = SESSION.with(|s| std::mem::replace(&mut *s.borrow_mut(), self.outer.take()));
            if self.top {
                SESSIONS.fetch_sub(1, Ordering::AcqRel);
            }
            mine.map(|s| s.findings).unwrap_or_default()
        }
    }
    impl Drop for Scope {
        fn drop(&mut self) {
            if !self.done {
                self.finish();
            }
        }
    }
    let outer = SESSION.with(|s| s.borrow_mut().replace(Session::default()));
    let top = outer.is_none();
    if top {
        SESSIONS.fetch_add(1, Ordering::AcqRel);
    }
    let mut scope = Scope {
        outer,
        top,
        done: false,
    };
    let result = f();
    let findings = scope.finish();
    (result, findings)
}

fn session_active() -> bool {
    SESSIONS.load(Ordering::Relaxed) != 0 && SESSION.with(|s| s.borrow().is_some())
}

/// How [`crate::de::from_slice`] should decode a body.
pub(crate) enum Mode {
    /// No session and no hook: the plain decoder.
    Off,
    /// Inside a session: track paths, findings go to the session.
    Track,
    /// A hook and no session: open a session around this body.
    Hook,
}

pub(crate) fn mode() -> Mode {
    if session_active() {
        Mode::Track
    } else if HOOKED.load(Ordering::Relaxed) {
        Mode::Hook
    } else {
        Mode::Off
    }
}

/// Sends findings to the hook, if one is installed.
pub(crate) fn report(target: &str, findings: Vec<Finding>) {
    if findings.is_empty() || !HOOKED.load(Ordering::Acquire) {
        return;
    }
    let target = short_type_name(target);
    let mut findings = findings;
    if target.ends_with("Response") {
        // The client reads the envelope itself.
        findings.retain(|f| {
            !(f.kind == DriftKind::IgnoredField && ENVELOPE_KEYS.contains(&f.path.as_str()))
        });
    }
    let hook = *HOOK.lock().unwrap_or_else(|e| e.into_inner());
    if let (Some(hook), false) = (hook, findings.is_empty()) {
        hook(&DriftReport { target, findings });
    }
}

/// `slack_api::generated::chat::PostMessageResponse` -> `chat::PostMessageResponse`,
/// `alloc::vec::Vec<slack_api::ids::UserId>` -> `Vec<UserId>`.
pub(crate) fn short_type_name(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("slack_api::generated::") {
        return rest.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word.rsplit("::").next().unwrap_or(word));
        word.clear();
    };
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Records a finding at the current path, in the session if there is one,
/// else straight to the hook. The closures only run when someone listens.
///
/// Generic code of every decoded type calls it, so only the check is
/// generic; the work is one function (`record_now`) for all of them.
fn record(kind: DriftKind, expected: impl FnOnce() -> String, example: impl FnOnce() -> String) {
    if SESSIONS.load(Ordering::Relaxed) == 0 && !HOOKED.load(Ordering::Relaxed) {
        return;
    }
    record_now(kind, expected(), example());
}

fn record_now(kind: DriftKind, expected: String, example: String) {
    // `None`: no session on this thread; `Some(path)`: record at `path`.
    let path = SESSION.with(|s| match &*s.borrow() {
        Some(session) if session.suppress > 0 => Some(None),
        Some(session) => Some(Some(render(&session.path))),
        None => None,
    });
    let finding = |path: String| Finding::new(kind, path, expected, &example);
    match path {
        Some(None) => {}
        Some(Some(path)) => {
            let f = finding(path);
            SESSION.with(|s| {
                if let Some(session) = &mut *s.borrow_mut() {
                    session.findings.push(f);
                }
            });
        }
        None => {
            // A fallback outside any body (e.g. `Event::from_json` on an unknown type).
            let f = finding(String::new());
            report(&f.expected.clone(), vec![f]);
        }
    }
}

/// Generated enums call this when a string is not one of their values.
///
/// `""` is how Slack says "none" (and what placeholder samples hold): not
/// reported, as for a mismatched optional value.
pub(crate) fn unknown_enum_value(type_name: &'static str, value: &str) {
    if value.is_empty() {
        return;
    }
    record(
        DriftKind::UnknownEnumValue,
        || type_name.to_owned(),
        || json_text(value),
    );
}

/// Generated tagged unions call this when their tag is unknown (`None`: the
/// tag field is absent and the union has no variant for that).
// Tagged unions are generated in `events` only, today.
#[cfg_attr(not(feature = "events"), allow(dead_code))]
pub(crate) fn unknown_tag(union: &'static str, tag_key: &'static str, tag: Option<&str>) {
    // An empty tag names nothing (see `unknown_enum_value`).
    if tag == Some("") {
        return;
    }
    record(
        DriftKind::UnknownTag,
        || format!("{union}.{tag_key}"),
        || tag.map(json_text).unwrap_or_else(|| "(absent)".to_owned()),
    );
}

/// Generated Block Kit unions call this when a known variant's object did
/// not decode and was kept as raw JSON.
pub(crate) fn unreadable_variant(union: &'static str, tag: &str, message: &str) {
    record(
        DriftKind::DecodeError,
        || format!("{union}::{tag}"),
        || message.to_owned(),
    );
}

/// The tolerant decoders call this when an optional value had another JSON
/// type than `T` and was dropped.
pub(crate) fn type_mismatch<T>(got: impl FnOnce() -> String) {
    record(
        DriftKind::TypeMismatch,
        || short_type_name(std::any::type_name::<T>()),
        got,
    );
}

fn json_text(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// While alive, nothing is recorded: a value already reported as a mismatch
/// is being skipped.
pub(crate) struct Suppress(bool);

pub(crate) fn suppress() -> Suppress {
    if SESSIONS.load(Ordering::Relaxed) == 0 {
        return Suppress(false);
    }
    let on = SESSION.with(|s| match &mut *s.borrow_mut() {
        Some(session) => {
            session.suppress += 1;
            true
        }
        None => false,
    });
    Suppress(on)
}

impl Drop for Suppress {
    fn drop(&mut self) {
        if self.0 {
            SESSION.with(|s| {
                if let Some(session) = &mut *s.borrow_mut() {
                    session.suppress = session.suppress.saturating_sub(1);
                }
            });
        }
    }
}

struct PathGuard;

impl PathGuard {
    fn push(seg: Segment) -> PathGuard {
        SESSION.with(|s| {
            if let Some(session) = &mut *s.borrow_mut() {
                session.path.push(seg);
            }
        });
        PathGuard
    }
}

impl Drop for PathGuard {
    fn drop(&mut self) {
        SESSION.with(|s| {
            if let Some(session) = &mut *s.borrow_mut() {
                session.path.pop();
            }
        });
    }
}

/// A deserializer that keeps the session's path current and reports keys
/// that nothing reads (serde asks for those with `deserialize_ignored_any`).
pub(crate) struct Tracked<D>(pub(crate) D);

/// serde_json's marker for `RawValue`; its private protocol must pass untouched.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

macro_rules! forward_deserialize {
    ($this:pat, $de:ident, $visitor:ident => $wrapped:expr;
     $($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* $visitor: V) -> Result<V::Value, Self::Error> {
                let $this = self;
                $de.$method($($arg,)* $wrapped)
            }
        )*
    };
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tracked<D> {
    type Error = D::Error;

    forward_deserialize!(Tracked(de), de, visitor => Wrap(visitor);
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_seq(), deserialize_map(),
        deserialize_identifier(),
        deserialize_unit_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    );

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if name == RAW_VALUE_TOKEN {
            self.0.deserialize_newtype_struct(name, visitor)
        } else {
            self.0.deserialize_newtype_struct(name, Wrap(visitor))
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let suppressed = SESSIONS.load(Ordering::Relaxed) == 0
            || SESSION.with(|s| s.borrow().as_ref().is_none_or(|s| s.suppress > 0));
        if suppressed {
            return self.0.deserialize_ignored_any(visitor);
        }
        // Keep the value for the report's example.
        let value = serde_json::Value::deserialize(self.0)?;
        record(DriftKind::IgnoredField, String::new, || value.to_string());
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Wraps a visitor so nested maps, sequences and options stay tracked.
struct Wrap<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Tracked(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Tracked(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(TrackedSeq { seq, next: 0 })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(TrackedMap { map, key: None })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        // JSON has no enum syntax of its own; nothing of ours uses this.
        self.0.visit_enum(data)
    }
}

struct TrackedSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for TrackedSeed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Tracked(d))
    }
}

/// Only drift sessions decode through the wrapper (`de::decode_text`): a
/// decode nobody listens to runs on serde_json's deserializer alone
/// (`de::decode_plain`), so the wrapper always follows the path.
struct TrackedSeq<A> {
    seq: A,
    /// The next element's index.
    next: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for TrackedSeq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let i = self.next;
        self.next += 1;
        step(Segment::Element(i), || {
            self.seq.next_element_seed(TrackedSeed(seed))
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// Like [`TrackedSeq`], for keys.
struct TrackedMap<A> {
    map: A,
    key: Option<String>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TrackedMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.key = None;
        let map = &mut self.map;
        let key = &mut self.key;
        step(Segment::BadKey, move || {
            map.next_key_seed(KeySeed { seed, key })
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let key = self.key.take().unwrap_or_else(|| "?".to_owned());
        step(Segment::Key(key), || {
            self.map.next_value_seed(TrackedSeed(seed))
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Deserializes a map key while keeping a copy of its text in `key`.
struct KeySeed<'a, K> {
    seed: K,
    key: &'a mut Option<String>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = K::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        self.seed.deserialize(KeyDe(d, self.key))
    }
}

struct KeyDe<'a, D>(D, &'a mut Option<String>);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDe<'_, D> {
    type Error = D::Error;

    forward_deserialize!(KeyDe(de, key), de, visitor => KeyVisitor(visitor, key);
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_seq(), deserialize_map(),
        deserialize_identifier(), deserialize_ignored_any(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    );

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

struct KeyVisitor<'a, V>(V, &'a mut Option<String>);

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        *self.1 = Some(v.to_owned());
        self.0.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        *self.1 = Some(v.to_owned());
        self.0.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        *self.1 = Some(v.clone());
        self.0.visit_string(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(data)
    }
}
