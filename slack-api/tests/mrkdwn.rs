//! Message text: escaping, builders, parsing and round trips.

use slack_api::ids::{ChannelId, UserGroupId, UserId};
use slack_api::message::mrkdwn::{self, Special, Token};

fn text(s: &str) -> Token {
    Token::Text(s.to_owned())
}

fn user(id: &str, label: Option<&str>) -> Token {
    Token::UserMention {
        id: UserId::new(id),
        label: label.map(Into::into),
    }
}

fn link(url: &str, label: Option<&str>) -> Token {
    Token::Link {
        url: url.to_owned(),
        label: label.map(Into::into),
    }
}

/// Parses `input`, compares with `expected`, and checks that rendering the
/// tokens and parsing again gives the same tokens. When `canonical`, the
/// rendered text must also equal the input.
fn check(input: &str, expected: &[Token], canonical: bool) {
    let tokens = mrkdwn::parse(input);
    assert_eq!(tokens, expected, "parse({input:?})");
    let rendered = mrkdwn::render(&tokens);
    assert_eq!(mrkdwn::parse(&rendered), tokens, "reparse of {rendered:?}");
    if canonical {
        assert_eq!(rendered, input, "render(parse({input:?}))");
    }
}

#[test]
fn escaping() {
    for (raw, escaped) in [
        ("plain", "plain"),
        ("a & b", "a &amp; b"),
        ("<script>", "&lt;script&gt;"),
        ("&amp;", "&amp;amp;"),
        (
            "emoji 🎉 & \"quotes\" 'single'",
            "emoji 🎉 &amp; \"quotes\" 'single'",
        ),
        ("", ""),
    ] {
        assert_eq!(mrkdwn::escape(raw), escaped);
        assert_eq!(mrkdwn::unescape(escaped), raw);
    }
    // Other entities and stray ampersands are left alone.
    assert_eq!(mrkdwn::unescape("&quot; & &am"), "&quot; & &am");
}

#[test]
fn builders() {
    assert_eq!(mrkdwn::user(&UserId::new("U123")), "<@U123>");
    assert_eq!(mrkdwn::channel(&ChannelId::new("C123")), "<#C123>");
    assert_eq!(
        mrkdwn::user_group(&UserGroupId::new("S123")),
        "<!subteam^S123>"
    );
    assert_eq!(mrkdwn::here(), "<!here>");
    assert_eq!(mrkdwn::channel_all(), "<!channel>");
    assert_eq!(mrkdwn::everyone(), "<!everyone>");
    assert_eq!(
        mrkdwn::link("https://example.com/?a=1&b=2", "A <b> & c"),
        "<https://example.com/?a=1&amp;b=2|A &lt;b&gt; &amp; c>"
    );
    assert_eq!(
        mrkdwn::link("https://x.test/a|b", "x"),
        "<https://x.test/a%7Cb|x>"
    );
    assert_eq!(mrkdwn::url("mailto:a@b.test"), "<mailto:a@b.test>");
    assert_eq!(
        mrkdwn::date(1_700_000_000, "{date_short} at {time}", "Nov 14"),
        "<!date^1700000000^{date_short} at {time}|Nov 14>"
    );
}

#[test]
fn parsing_canonical_text() {
    check("", &[], true);
    check("just text", &[text("just text")], true);
    check("a &amp; b &lt;c&gt;", &[text("a & b <c>")], true);
    check(
        "hi <@U123> and <@W9|bob>!",
        &[
            text("hi "),
            user("U123", None),
            text(" and "),
            user("W9", Some("bob")),
            text("!"),
        ],
        true,
    );
    check(
        "<#C1> <#C2|general>",
        &[
            Token::ChannelMention {
                id: ChannelId::new("C1"),
                label: None,
            },
            text(" "),
            Token::ChannelMention {
                id: ChannelId::new("C2"),
                label: Some("general".into()),
            },
        ],
        true,
    );
    check(
        "<!subteam^S1|@oncall> <!here> <!channel><!everyone>",
        &[
            Token::UserGroupMention {
                id: UserGroupId::new("S1"),
                label: Some("@oncall".into()),
            },
            text(" "),
            Token::Special(Special::Here),
            text(" "),
            Token::Special(Special::Channel),
            Token::Special(Special::Everyone),
        ],
        true,
    );
    check(
        "see <https://example.com/?a=1&amp;b=2|the &lt;docs&gt;> or <mailto:x@y.test>",
        &[
            text("see "),
            link("https://example.com/?a=1&b=2", Some("the <docs>")),
            text(" or "),
            link("mailto:x@y.test", None),
        ],
        true,
    );
    check(
        "<!date^1700000000^{date_short} at {time}^https://x.test|Nov 14>",
        &[Token::Date {
            timestamp: 1_700_000_000,
            format: "{date_short} at {time}".into(),
            link: Some("https://x.test".into()),
            fallback: "Nov 14".into(),
        }],
        true,
    );
    check(
        "<!foo^bar|baz>",
        &[Token::Unknown("!foo^bar|baz".into())],
        true,
    );
    // A label may itself contain `|`.
    check(
        "<https://x.test|a|b>",
        &[link("https://x.test", Some("a|b"))],
        true,
    );
}

#[test]
fn parsing_tolerates_odd_text() {
    // `<!here|here>` is the older spelling; the label is dropped.
    check("<!here|here>", &[Token::Special(Special::Here)], false);
    // An unclosed `<` and an empty `<>` stay text.
    check("a < b", &[text("a < b")], false);
    check("x <> y", &[text("x <> y")], false);
    check("<@U1", &[text("<@U1")], false);
    // A date with a bad timestamp is kept raw.
    check(
        "<!date^soon^{date}|later>",
        &[Token::Unknown("!date^soon^{date}|later".into())],
        true,
    );
}

#[test]
fn built_text_parses_back() {
    let built = format!(
        "{} pinged {} in {}: {}",
        mrkdwn::user(&UserId::new("U1")),
        mrkdwn::user_group(&UserGroupId::new("S2")),
        mrkdwn::channel(&ChannelId::new("C3")),
        mrkdwn::link("https://x.test/?q=a&r=b", "results <new>"),
    );
    check(
        &built,
        &[
            user("U1", None),
            text(" pinged "),
            Token::UserGroupMention {
                id: UserGroupId::new("S2"),
                label: None,
            },
            text(" in "),
            Token::ChannelMention {
                id: ChannelId::new("C3"),
                label: None,
            },
            text(": "),
            link("https://x.test/?q=a&r=b", Some("results <new>")),
        ],
        true,
    );
}

#[test]
fn rendering_escapes_text_tokens() {
    let tokens = [text("1 < 2 & "), Token::Special(Special::Here)];
    assert_eq!(mrkdwn::render(&tokens), "1 &lt; 2 &amp; <!here>");
    assert_eq!(mrkdwn::parse(&mrkdwn::render(&tokens)), tokens);
}
