//! Opening a websocket without the ticket ever reaching a log.
//!
//! Slack's websocket URLs carry a connection ticket in their query.
//! tungstenite's client handshake logs the whole request line
//! (`GET /link/?ticket=… HTTP/1.1`) through the `log` crate at TRACE, which
//! `tracing`'s `log` bridge turns into tracing events. So the client writes
//! the upgrade request itself, checks the answer (status 101, `Upgrade`,
//! `Connection`, `Sec-WebSocket-Accept`), and only then hands the stream to
//! tungstenite, which never sees the URL.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::{Result, RtmError};

/// An open websocket to Slack.
pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The most a handshake answer may take before its blank line.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// A transport error with a fixed message (never the URL).
fn fail(msg: impl Into<String>) -> RtmError {
    RtmError::transport(io::Error::other(msg.into()))
}

/// Connects to `url` (`ws://` or `wss://`) and performs the upgrade.
pub(crate) async fn open(url: &slack_api::redact::Secret) -> Result<Ws> {
    let u = url::Url::parse(url.expose()).map_err(|_| fail("the websocket url is not a URL"))?;
    let tls = match u.scheme() {
        "wss" => true,
        "ws" => false,
        _ => return Err(fail("the websocket url is neither ws:// nor wss://")),
    };
    let host = match u.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(fail("the websocket url has no host")),
    };
    let port = u
        .port_or_known_default()
        .ok_or_else(|| fail("the websocket url has no port"))?;
    let tcp = match u.host() {
        Some(url::Host::Ipv6(ip)) => TcpStream::connect((ip, port)).await,
        _ => TcpStream::connect((host.as_str(), port)).await,
    }
    .map_err(RtmError::transport)?;
    let _ = tcp.set_nodelay(true);
    let stream = if tls {
        let config = crate::tls::config()?;
        let name = rustls::pki_types::ServerName::try_from(host)
            .map_err(|_| fail("the websocket url's host is not a valid TLS name"))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(RtmError::transport)?;
        MaybeTlsStream::Rustls(tls)
    } else {
        MaybeTlsStream::Plain(tcp)
    };
    // Request target and Host header, straight from the URL.
    let target = &u[url::Position::BeforePath..url::Position::AfterQuery];
    let authority = &u[url::Position::BeforeHost..url::Position::AfterPort];
    upgrade(stream, target, authority).await
}

/// Sends the upgrade request for `target` and reads Slack's answer.
async fn upgrade(
    mut stream: MaybeTlsStream<TcpStream>,
    target: &str,
    authority: &str,
) -> Result<Ws> {
    let key = generate_key();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(RtmError::transport)?;
    stream.flush().await.map_err(RtmError::transport)?;

    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(i) = find_blank_line(&buf) {
            break i;
        }
        if buf.len() > MAX_RESPONSE_HEAD {
            return Err(fail("the websocket handshake answer is too long"));
        }
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk).await.map_err(RtmError::transport)?;
        if n == 0 {
            return Err(fail("the socket closed during the websocket handshake"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| fail("the websocket handshake answer is not text"))?;
    check_answer(head, &derive_accept_key(key.as_bytes()))?;
    // Frames the server sent right after its answer belong to the websocket.
    let rest = buf[head_end + 4..].to_vec();
    Ok(WebSocketStream::from_partially_read(stream, rest, Role::Client, None).await)
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Checks the status line and the upgrade headers of the answer's head.
fn check_answer(head: &str, accept: &str) -> Result<()> {
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or("");
    let mut parts = status.split_whitespace();
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(fail("the websocket handshake answer is not HTTP/1"));
    }
    if code != "101" {
        let code: String = code.chars().filter(char::is_ascii_digit).take(3).collect();
        return Err(fail(format!(
            "the server refused the websocket upgrade (HTTP {code})"
        )));
    }
    let (mut upgrade, mut connection, mut accepted) = (false, false, false);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("upgrade") {
            upgrade = value.eq_ignore_ascii_case("websocket");
        } else if name.eq_ignore_ascii_case("connection") {
            connection = value
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
        } else if name.eq_ignore_ascii_case("sec-websocket-accept") {
            accepted = value == accept;
        }
    }
    match (upgrade, connection, accepted) {
        (true, true, true) => Ok(()),
        (false, _, _) => Err(fail(
            "the websocket handshake answer lacks Upgrade: websocket",
        )),
        (_, false, _) => Err(fail(
            "the websocket handshake answer lacks Connection: upgrade",
        )),
        (_, _, false) => Err(fail(
            "the websocket handshake answer has a wrong Sec-WebSocket-Accept",
        )),
    }
}
