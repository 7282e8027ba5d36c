//! The admin API's drivers (`/_testkit/run_command`, `click`, ...): what a
//! person does, run by [`Drive`] exactly as [`FakeSlack`](super::FakeSlack)'s
//! methods run it, answering the app's ack as JSON.
//!
//! A driver waits for the app, and the app may call the Web API before it
//! acks; the Web API's thread must stay free meanwhile. So the drivers are
//! served on the websocket port's own thread (`ws.rs` hands over any
//! connection that opens with `POST`), and `admin.rs` answers their paths
//! on the main port with a `307` to here.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

use super::Inner;
use super::drivers::{Drive, Target};

/// The drivers' paths under `/_testkit/`.
pub(super) const DRIVERS: &[&str] = &[
    "run_command",
    "click",
    "select_options",
    "shortcut",
    "submit_view",
    "close_view",
    "open_home",
    "run_function",
    "start_assistant_thread",
];

/// Serves one HTTP/1 connection of driver requests.
pub(super) async fn serve(inner: Arc<Inner>, stream: TcpStream) {
    let service = service_fn(move |req| {
        let inner = inner.clone();
        async move { Ok::<_, Infallible>(answer(&inner, req).await) }
    });
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer(inner: &Arc<Inner>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req
        .uri()
        .path()
        .trim_start_matches("/_testkit/")
        .trim_end_matches('/')
        .to_owned();
    let (status, body) = match req.into_body().collect().await {
        Err(e) => (400, bad(format!("cannot read the body: {e}"))),
        Ok(b) => match parse(&b.to_bytes()) {
            Err(e) => (400, bad(e)),
            Ok(body) => match drive(&Drive(inner), &path, &body).await {
                Ok(v) => (200, v),
                Err(e) => (400, bad(e)),
            },
        },
    };
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

fn bad(msg: impl Into<String>) -> Value {
    json!({"ok": false, "error": msg.into()})
}

fn parse(body: &[u8]) -> Result<Value, String> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err("expected a JSON object".into())
    }
}

/// Runs the driver `path` with the arguments in `body`.
async fn drive(d: &Drive<'_>, path: &str, body: &Value) -> Result<Value, String> {
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let need = |k: &str| text(k).ok_or_else(|| format!("expected {k}, a string"));
    let user = text("user").unwrap_or(crate::simulator::DEFAULT_USER);
    Ok(match path {
        "run_command" => d
            .run_command(
                user,
                text("channel").unwrap_or("C_GENERAL"),
                need("command")?,
                text("text").unwrap_or(""),
            )
            .await?
            .to_json(),
        "click" => {
            let target = match (text("view_id"), text("channel"), text("ts")) {
                (Some(view), ..) => Target::view(view),
                (None, Some(channel), Some(ts)) => Target::message(channel, ts),
                _ => return Err("expected view_id, or channel and ts".into()),
            };
            d.click(
                user,
                target,
                need("action_id")?,
                text("value").unwrap_or(""),
            )
            .await?
            .to_json()
        }
        "select_options" => d
            .select_options(user, need("action_id")?, text("value").unwrap_or(""))
            .await?
            .to_json(),
        "shortcut" => d.shortcut(user, need("callback_id")?).await?.to_json(),
        "submit_view" => {
            let values = body.get("values").cloned().unwrap_or(json!({}));
            d.submit_view(user, need("view_id")?, values)
                .await?
                .to_json()
        }
        "close_view" => match d.close_view(user, need("view_id")?).await? {
            Some(delivery) => {
                let mut v = delivery.to_json();
                v["delivered"] = json!(true);
                v
            }
            None => json!({"ok": true, "delivered": false, "ack": null}),
        },
        "open_home" => d.open_home(user).await?.to_json(),
        "run_function" => {
            let inputs = body.get("inputs").cloned().unwrap_or(json!({}));
            d.run_function(need("callback_id")?, inputs)
                .await?
                .to_json()
        }
        "start_assistant_thread" => {
            let (delivery, channel, thread_ts) = d.start_assistant_thread(user).await?;
            let mut v = delivery.to_json();
            v["channel"] = json!(channel);
            v["thread_ts"] = json!(thread_ts);
            v
        }
        _ => return Err("unknown_admin_endpoint".into()),
    })
}
