//! Limits that keep hostile input from overflowing the stack.
//!
//! Decoding recurses once per level of JSON nesting, and a tagged union in a
//! field starts a parser of its own on the field's text, with its own depth
//! count. So the depth is checked once, on the outermost text, before any
//! parser runs: the nested parses read parts of that text and stay within
//! it. Recursive types (a message's `root` is a message) cost far more stack
//! per level than a JSON value does, so steps through them have a budget of
//! their own.

use std::cell::Cell;

use super::DecodeError;
use super::tagged::{STRUCTURAL, string_end};

/// The deepest nesting of objects and arrays a decoded text may have.
///
/// The deepest payload in Slack's documented samples (`rtm.start`) nests 22
/// levels; Socket Mode and the Events API add two or three around an event.
pub const MAX_DEPTH: usize = 64;

/// How many times one decode may step through a recursive field, such as a
/// message's `root` holding another message. Slack nests one level.
pub const MAX_RECURSION: u32 = 16;

thread_local! {
    /// Whether this thread is inside a decode whose text was checked.
    static CHECKED: Cell<bool> = const { Cell::new(false) };
    /// Steps taken through recursive fields by the decodes on this thread.
    static RECURSION: Cell<u32> = const { Cell::new(0) };
}

/// Runs `decode` on `text` once its nesting depth is known to be within
/// [`MAX_DEPTH`]. Inside another checked decode (a union held in a field of
/// the text being decoded) it runs at once: the outer check covered it.
pub(crate) fn checked<T>(
    text: &[u8],
    decode: impl FnOnce() -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    if CHECKED.get() {
        return decode();
    }
    if !depth_within(text, MAX_DEPTH) {
        return Err(DecodeError::custom(format_args!(
            "the JSON is nested deeper than {MAX_DEPTH} levels"
        )));
    }
    CHECKED.set(true);
    // Reset even when `decode` panics (a caller may catch it).
    let _reset = Reset;
    decode()
}

/// Whether this thread is inside a decode whose text was checked: only
/// there may a nested value be decoded by the running parser rather than by
/// one of its own (which checks the depth first).
pub(crate) fn inside() -> bool {
    CHECKED.get()
}

struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        CHECKED.set(false);
    }
}

/// One step through a recursive field, given back when dropped.
pub(crate) struct Recursion(());

impl Recursion {
    pub(crate) fn enter() -> Result<Self, String> {
        let taken = RECURSION.get();
        if taken >= MAX_RECURSION {
            return Err(format!(
                "a recursive field (such as a message's `root`) is nested more than \
                 {MAX_RECURSION} times"
            ));
        }
        RECURSION.set(taken + 1);
        Ok(Self(()))
    }
}

impl Drop for Recursion {
    fn drop(&mut self) {
        RECURSION.set(RECURSION.get().saturating_sub(1));
    }
}

/// Whether the objects and arrays of `text` nest at most `max` deep.
///
/// Only brackets outside strings count; it does not validate the text (the
/// parser that follows does), and on text that is not JSON its answer only
/// has to be safe, not meaningful.
pub(crate) fn depth_within(text: &[u8], max: usize) -> bool {
    // The depth never exceeds the number of opening brackets (those inside
    // strings counted too). Counting them settles nearly every frame and
    // small body; the exact scan runs only past `max` of them.
    openers(text, max) <= max || depth_scan(text, max)
}

/// The number of `{` and `[` in `text`, counted until it passes `max`.
///
/// `{` and `[` differ only in bit 5 (0x7B, 0x5B), so one compare finds
/// both, and each block sums into `u8` lanes, a loop the compiler
/// vectorizes fully (the `usize` count per byte it replaces was 8 % of an
/// event decode's samples). A block of 240 bytes, 15 vectors of 16, leaves
/// no bytes for a scalar tail and cannot overflow a lane.
fn openers(text: &[u8], max: usize) -> usize {
    let mut n = 0;
    for block in text.chunks(240) {
        let mut count: u8 = 0;
        for &c in block {
            count += u8::from(c | 0x20 == b'{');
        }
        n += usize::from(count);
        if n > max {
            break;
        }
    }
    n
}

/// The exact test: brackets counted outside strings.
fn depth_scan(text: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(at) = text[i..].iter().position(|&c| STRUCTURAL[c as usize]) {
        i += at;
        match text[i] {
            b'"' => match string_end(text, i) {
                Some((end, _)) => i = end,
                // Unterminated: the parser reports it.
                None => return true,
            },
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            _ => depth = depth.saturating_sub(1),
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::depth_within;

    #[test]
    fn counts_brackets_outside_strings() {
        assert!(depth_within(br#"{"a":[1,{"b":2}]}"#, 3));
        assert!(!depth_within(br#"{"a":[1,{"b":2}]}"#, 2));
        assert!(depth_within(br#"{"a":"[[[[[[\"{{{{"}"#, 1));
        assert!(depth_within(b"", 0));
        assert!(depth_within(br#""unterminated \"#, 0));
        assert!(!depth_within(&b"[".repeat(65), 64));
        assert!(depth_within(&b"[]".repeat(1000), 1));
    }

    #[test]
    fn counts_openers_across_blocks() {
        let text = b"{a[b}]".repeat(300);
        assert_eq!(super::openers(&text, usize::MAX), 600);
        assert_eq!(super::openers(b"{[{[", 2), 4);
        // Only `{` and `[` share the compare (0x7B and 0x5B under bit 5).
        let others: Vec<u8> = (0..=255u8).filter(|c| !matches!(c, b'{' | b'[')).collect();
        assert_eq!(super::openers(&others, usize::MAX), 0);
    }
}
