//! Request signature verification: vectors that must pass and ones that must fail.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue};
use slack_api::inbound::signing::{
    Clock, SIGNATURE_HEADER, SignatureError, Signer, TIMESTAMP_HEADER, Verifier,
};

/// The example from Slack's documentation of request signing.
const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const TS: &str = "1531420618";
const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn verifier() -> Verifier {
    Verifier::new(SECRET).now(at(1_531_420_618 + 10))
}

/// Runs one verification and compares the outcome.
fn check(v: &Verifier, ts: &str, sig: &str, body: &str, expected: Result<(), SignatureError>) {
    assert_eq!(
        v.verify(ts, sig, body.as_bytes()),
        expected,
        "ts={ts} sig={sig} body={body:.40}"
    );
}

#[test]
fn documented_vector_passes() {
    check(&verifier(), TS, SIG, BODY, Ok(()));
    // Uppercase hex and surrounding whitespace are tolerated.
    check(
        &verifier(),
        TS,
        &SIG.to_uppercase().replace("V0", "v0"),
        BODY,
        Ok(()),
    );
    check(&verifier(), &format!(" {TS} "), SIG, BODY, Ok(()));
}

#[test]
fn independently_computed_vector_passes() {
    // HMAC-SHA256("other-secret", "v0:1700000000:{...}") computed with openssl.
    let v = Verifier::new("other-secret").now(at(1_700_000_000));
    check(
        &v,
        "1700000000",
        "v0=3dc7bc7216f6b018ae74e11b6598779b8d00aa0ae8bddd833bb53a1fcc5c6f25",
        r#"{"type":"url_verification"}"#,
        Ok(()),
    );
}

#[test]
fn failing_vectors() {
    let v = verifier();
    // Tampered body, timestamp or signature.
    check(
        &v,
        TS,
        SIG,
        &BODY.replace("roadrunner", "coyote"),
        Err(SignatureError::Mismatch),
    );
    check(
        &v,
        TS,
        SIG,
        &format!("{BODY}&x=1"),
        Err(SignatureError::Mismatch),
    );
    check(&v, "1531420619", SIG, BODY, Err(SignatureError::Mismatch));
    check(
        &v,
        TS,
        &SIG.replace("a2114d", "a2114e"),
        BODY,
        Err(SignatureError::Mismatch),
    );
    // Wrong secret.
    let wrong = Verifier::new("8f742231b10e8888abcd99yyyzzz85a6").now(at(1_531_420_618));
    check(&wrong, TS, SIG, BODY, Err(SignatureError::Mismatch));
    // Malformed timestamp.
    for ts in [
        "",
        "abc",
        "-1531420618",
        "1531420618.5",
        "99999999999999999999999",
    ] {
        check(&v, ts, SIG, BODY, Err(SignatureError::MalformedTimestamp));
    }
    // Malformed signature.
    for sig in [
        "",
        "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=a2114d57",
        "v0=g2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50300",
        "v0=é114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
    ] {
        check(&v, TS, sig, BODY, Err(SignatureError::MalformedSignature));
    }
}

#[test]
fn stale_and_future_timestamps() {
    let base = 1_531_420_618;
    // Exactly at the limit passes; one second over fails.
    check(
        &Verifier::new(SECRET).now(at(base + 300)),
        TS,
        SIG,
        BODY,
        Ok(()),
    );
    check(
        &Verifier::new(SECRET).now(at(base + 301)),
        TS,
        SIG,
        BODY,
        Err(SignatureError::StaleTimestamp {
            age: Duration::from_secs(301),
        }),
    );
    check(
        &Verifier::new(SECRET).now(at(base - 301)),
        TS,
        SIG,
        BODY,
        Err(SignatureError::FutureTimestamp {
            ahead: Duration::from_secs(301),
        }),
    );
    // Today's clock rejects the 2018 vector.
    assert!(matches!(
        Verifier::new(SECRET).verify(TS, SIG, BODY.as_bytes()),
        Err(SignatureError::StaleTimestamp { .. })
    ));
    // A configured window.
    let strict = Verifier::new(SECRET)
        .max_age(Duration::from_secs(5))
        .now(at(base + 6));
    check(
        &strict,
        TS,
        SIG,
        BODY,
        Err(SignatureError::StaleTimestamp {
            age: Duration::from_secs(6),
        }),
    );
    let lax = Verifier::new(SECRET)
        .max_age(Duration::from_secs(3600))
        .now(at(base + 3000));
    check(&lax, TS, SIG, BODY, Ok(()));
}

#[test]
fn headers_and_missing_headers() {
    let v = verifier();
    let mut headers = HeaderMap::new();
    assert_eq!(
        v.verify_headers(&headers, BODY.as_bytes()),
        Err(SignatureError::MissingHeader(TIMESTAMP_HEADER))
    );
    // Header names are case-insensitive.
    headers.insert("X-Slack-Request-Timestamp", HeaderValue::from_static(TS));
    assert_eq!(
        v.verify_headers(&headers, BODY.as_bytes()),
        Err(SignatureError::MissingHeader(SIGNATURE_HEADER))
    );
    headers.insert("X-Slack-Signature", HeaderValue::from_static(SIG));
    assert_eq!(v.verify_headers(&headers, BODY.as_bytes()), Ok(()));
    assert_eq!(
        v.verify_headers(&headers, b"tampered"),
        Err(SignatureError::Mismatch)
    );

    // A framework-neutral lookup.
    let lookup = |name: &str| match name {
        TIMESTAMP_HEADER => Some(TS),
        _ => None,
    };
    assert_eq!(
        v.verify_with(lookup, BODY.as_bytes()),
        Err(SignatureError::MissingHeader(SIGNATURE_HEADER))
    );
}

#[test]
fn signer_round_trips_and_matches_vector() {
    let signer = Signer::new(SECRET);
    assert_eq!(signer.signature(1_531_420_618, BODY.as_bytes()), SIG);

    let now = at(1_800_000_000);
    let signer = Signer::new("s3cret").clock(Clock::fixed(now));
    let headers = signer.sign_now(b"payload=%7B%7D");
    assert_eq!(headers.timestamp, "1800000000");
    let v = Verifier::new("s3cret").now(now);
    assert_eq!(
        v.verify_headers(&headers.to_header_map(), b"payload=%7B%7D"),
        Ok(())
    );
    assert_eq!(
        Verifier::new("other")
            .now(now)
            .verify_headers(&headers.to_header_map(), b"payload=%7B%7D"),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn secret_never_in_debug() {
    let v = Verifier::new("super-secret-value");
    let s = Signer::new("super-secret-value");
    for text in [format!("{v:?}"), format!("{s:?}")] {
        assert!(!text.contains("super-secret-value"), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}

#[test]
fn errors_display_without_secrets() {
    assert_eq!(
        SignatureError::StaleTimestamp {
            age: Duration::from_secs(400)
        }
        .to_string(),
        "request timestamp is 400s old"
    );
    assert_eq!(
        SignatureError::MissingHeader(SIGNATURE_HEADER).to_string(),
        "missing header `x-slack-signature`"
    );
}
