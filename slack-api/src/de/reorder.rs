//! A JSON text rewritten with a union's tag first in every object.
//!
//! A Block Kit union decodes in one pass when its tag is its first key
//! (`de/direct.rs`). When it is not (keys sorted, `type` after `elements`),
//! the union used to take the buffered path at every level: its object's
//! text copied, scanned for the tag and parsed again, and inside it each
//! nested union the same, so a rich text block's innermost text was copied,
//! scanned and parsed once per level above it. Rewriting the union's text
//! once, with the tag moved first in every object at every depth, lets the
//! parse that follows take the one-pass path all the way down.
//!
//! The text comes from the running parser, which has read it as JSON, and
//! from inside a depth-checked decode; anything unexpected (an escaped key,
//! which might spell the tag; a repeated tag, whose winner is the parser's
//! call; odd text) gives `None`, and the caller keeps the buffered path.

use super::MAX_DEPTH;
use super::tagged::{skip_ws, string_end};

/// `text` (one JSON object) with `tag` the first key of every object, and
/// the whitespace between tokens dropped; `None` as well when the object
/// itself has no `tag` (its union would take the buffered path again).
pub(crate) fn tag_first(text: &str, tag: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let end = value(b, 0, tag.as_bytes(), &mut out, 0)?;
    if skip_ws(b, end) != b.len() {
        return None;
    }
    let opens_with_tag = out.len() > tag.len() + 4
        && out.starts_with(b"{\"")
        && out[2..].starts_with(tag.as_bytes())
        && out[2 + tag.len()..].starts_with(b"\":");
    if !opens_with_tag {
        return None;
    }
    // Only whole tokens of valid UTF-8 text were copied, and ASCII
    // punctuation between them.
    String::from_utf8(out).ok()
}

/// Writes the value starting at (or after whitespace from) `i`; returns
/// the index just past it.
fn value(b: &[u8], i: usize, tag: &[u8], out: &mut Vec<u8>, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let i = skip_ws(b, i);
    match *b.get(i)? {
        b'{' => object(b, i, tag, out, depth),
        b'[' => {
            out.push(b'[');
            let mut i = skip_ws(b, i + 1);
            if b.get(i) == Some(&b']') {
                out.push(b']');
                return Some(i + 1);
            }
            loop {
                i = skip_ws(b, value(b, i, tag, out, depth + 1)?);
                match *b.get(i)? {
                    b',' => out.push(b','),
                    b']' => {
                        out.push(b']');
                        return Some(i + 1);
                    }
                    _ => return None,
                }
                i += 1;
            }
        }
        b'"' => {
            let (end, _) = string_end(b, i)?;
            out.extend_from_slice(&b[i..=end]);
            Some(end + 1)
        }
        // A number, `true`, `false` or `null`: runs to the next delimiter.
        _ => {
            let len = b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(b.len() - i);
            if len == 0 {
                return None;
            }
            out.extend_from_slice(&b[i..i + len]);
            Some(i + len)
        }
    }
}

/// An object: its members written in order, then the tag's member moved
/// to the front.
fn object(b: &[u8], i: usize, tag: &[u8], out: &mut Vec<u8>, depth: usize) -> Option<usize> {
    out.push(b'{');
    let start = out.len();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        out.push(b'}');
        return Some(i + 1);
    }
    // Where the tag's member starts and ends in `out`, when it is not first.
    let mut tag_at: Option<(usize, usize)> = None;
    let mut first = true;
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end(b, i)?;
        if escaped {
            return None;
        }
        let is_tag = &b[i + 1..end] == tag;
        let member = out.len();
        out.extend_from_slice(&b[i..=end]);
        i = skip_ws(b, end + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        out.push(b':');
        i = skip_ws(b, value(b, i + 1, tag, out, depth + 1)?);
        if is_tag {
            if tag_at.is_some() {
                return None;
            }
            // An empty span when it is first already: nothing to move.
            tag_at = Some(if first {
                (start, start)
            } else {
                (member, out.len())
            });
        }
        first = false;
        match *b.get(i)? {
            b',' => out.push(b','),
            b'}' => break,
            _ => return None,
        }
        i = skip_ws(b, i + 1);
    }
    if let Some((from, to)) = tag_at
        && from != to
    {
        // `{A,T` becomes `{T,A`: T to the front, then the comma before it
        // (now last) back between T and A.
        let len = to - from;
        out[start..to].rotate_right(len);
        out[start + len..to].rotate_right(1);
    }
    out.push(b'}');
    Some(i + 1)
}

#[cfg(test)]
mod tests {
    use super::tag_first;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(tag_first(input, "type").as_deref(), expected, "{input}");
    }

    #[test]
    fn moves_the_tag_first_at_every_depth() {
        check(
            r#"{"block_id":"b","elements":[{"elements":[{"text":"hi","type":"text"}],"type":"rich_text_section"}],"type":"rich_text"}"#,
            Some(
                r#"{"type":"rich_text","block_id":"b","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hi"}]}]}"#,
            ),
        );
        check(
            r#" { "a" : 1 , "type" : "x" , "b" : [ true , null , "s\"]" ] } "#,
            Some(r#"{"type":"x","a":1,"b":[true,null,"s\"]"]}"#),
        );
        check(r#"{"type":"x","a":{}}"#, Some(r#"{"type":"x","a":{}}"#));
        check(
            r#"{"l":[{"a":1,"type":2},[],{}],"type":3}"#,
            Some(r#"{"type":3,"l":[{"type":2,"a":1},[],{}]}"#),
        );
        check(
            r#"{"a":[{"b":1,"type":"x"}],"type":"y"}"#,
            Some(r#"{"type":"y","a":[{"type":"x","b":1}]}"#),
        );
    }

    #[test]
    fn gives_up_when_unsure() {
        // An escaped key, a repeated tag, odd or truncated text.
        check(r#"{"typ\u0065":"x"}"#, None);
        check(r#"{"type":"x","a":1,"type":"y"}"#, None);
        check(r#"{"a":1,"type":"x","type":"y"}"#, None);
        check(r#"{"a" 1}"#, None);
        check(r#"{"a":1"#, None);
        check(r#"[1 2]"#, None);
        check(r#"{"a":1} x"#, None);
        check("", None);
        // Not an object, or one without the tag (only nested ones have it).
        check(r#"[{"a":1,"type":2}]"#, None);
        check("-1.5e3", None);
        check(r#"{"a":{"type":"x"}}"#, None);
        check(r#"{"types":"x"}"#, None);
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        check(&deep, None);
    }
}
