"""The official Python SDK (slack_sdk) against the standalone `fake-slack` server.

run.sh starts the server and passes its URLs in FAKE_SLACK_API, FAKE_SLACK_RTM
and FAKE_SLACK_ADMIN. Only the standard library's unittest is used, and every
wait has a deadline, so a broken fake fails the run instead of hanging it.
"""

import json
import os
import queue
import time
import unittest
import urllib.request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.rtm_v2 import RTMClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

# Seconds to wait for one websocket frame or one HTTP answer.
WAIT = 10

BOT_TOKEN = "xoxb-test"
# A user token acts as Alice in the simulated workspace.
USER_TOKEN = "xoxp-test"


def _env(name):
    value = os.environ.get(name)
    if not value:
        # Failing, not skipping: this test must never pass by doing nothing.
        raise RuntimeError(f"{name} is not set; run this file through testkit/tests/python/run.sh")
    return value


API = _env("FAKE_SLACK_API")
ADMIN = _env("FAKE_SLACK_ADMIN")
RTM = _env("FAKE_SLACK_RTM")
if not API.endswith("/"):
    API += "/"
if not ADMIN.endswith("/"):
    ADMIN += "/"


def admin(path, body=None):
    """Calls the fake's admin API and returns the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(
        ADMIN + path,
        data=data,
        method="GET" if body is None and path in ("journal", "clock") else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=WAIT) as resp:
        return json.loads(resp.read().decode("utf-8"))


def web(token=BOT_TOKEN):
    return WebClient(token=token, base_url=API, timeout=WAIT)


class FakeSlackTestCase(unittest.TestCase):
    def setUp(self):
        # Each test starts from the seeded workspace.
        self.assertTrue(admin("reset", {})["ok"])


class WebApiTest(FakeSlackTestCase):
    def test_auth_test_identifies_the_bot(self):
        resp = web().auth_test()
        self.assertEqual(resp.status_code, 200)
        self.assertTrue(resp["ok"])
        self.assertEqual(resp["user_id"], "U_BOT")
        self.assertEqual(resp["bot_id"], "B_BOT")
        self.assertEqual(resp["team_id"], "T0001")

    def test_posted_message_appears_in_history(self):
        client = web()
        posted = client.chat_postMessage(channel="C_GENERAL", text="hello from python")
        self.assertTrue(posted["ok"])
        self.assertEqual(posted["channel"], "C_GENERAL")
        ts = posted["ts"]
        self.assertEqual(posted["message"]["text"], "hello from python")

        history = client.conversations_history(channel="C_GENERAL")
        found = [m for m in history["messages"] if m.get("ts") == ts]
        self.assertEqual(len(found), 1, history["messages"])
        self.assertEqual(found[0]["text"], "hello from python")
        self.assertEqual(found[0]["user"], "U_BOT")

        # A threaded reply is counted on its parent.
        client.chat_postMessage(channel="C_GENERAL", text="a reply", thread_ts=ts)
        replies = client.conversations_replies(channel="C_GENERAL", ts=ts)
        self.assertEqual([m["text"] for m in replies["messages"]], ["hello from python", "a reply"])

    def test_blocks_are_sent_as_json(self):
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*bold*"}}]
        client = web()
        posted = client.chat_postMessage(channel="C_GENERAL", text="fallback", blocks=blocks)
        journal = admin("journal")
        calls = [e for e in journal["entries"] if e["kind"] == "call" and e["method"] == "chat.postMessage"]
        self.assertEqual(len(calls), 1, journal["snapshot"])
        sent = calls[0]["args"]["blocks"]
        if isinstance(sent, str):
            sent = json.loads(sent)
        self.assertEqual(sent, blocks)
        self.assertTrue(posted["ok"])

    def test_reactions_add_then_get(self):
        client = web()
        ts = client.chat_postMessage(channel="C_GENERAL", text="react to me")["ts"]
        self.assertTrue(client.reactions_add(channel="C_GENERAL", timestamp=ts, name="thumbsup")["ok"])

        got = client.reactions_get(channel="C_GENERAL", timestamp=ts)
        reactions = got["message"]["reactions"]
        self.assertEqual([(r["name"], r["count"], r["users"]) for r in reactions], [("thumbsup", 1, ["U_BOT"])])

        with self.assertRaises(SlackApiError) as ctx:
            client.reactions_add(channel="C_GENERAL", timestamp=ts, name="thumbsup")
        self.assertEqual(ctx.exception.response["error"], "already_reacted")

    def test_conversations_list_follows_cursors(self):
        client = web()
        everything = client.conversations_list(limit=1000)
        all_ids = [c["id"] for c in everything["channels"]]
        self.assertGreaterEqual(len(all_ids), 2, "need at least two channels to paginate")

        pages = 0
        paged_ids = []
        # Iterating a SlackResponse makes the SDK send each next_cursor back.
        for page in client.conversations_list(limit=1):
            pages += 1
            self.assertLessEqual(len(page["channels"]), 1)
            paged_ids.extend(c["id"] for c in page["channels"])
            self.assertLess(pages, 100, "pagination does not end")
        self.assertEqual(paged_ids, all_ids)
        self.assertGreaterEqual(pages, len(all_ids))

        journal = admin("journal")
        cursors = [
            e["args"].get("cursor")
            for e in journal["entries"]
            if e["kind"] == "call" and e["method"] == "conversations.list" and e["args"].get("limit") in (1, "1")
        ]
        self.assertEqual(cursors[0], None)
        self.assertTrue(all(cursors[1:]), cursors)

    def test_unknown_channel_raises_slack_api_error(self):
        with self.assertRaises(SlackApiError) as ctx:
            web().conversations_history(channel="C_NOPE")
        self.assertEqual(ctx.exception.response["error"], "channel_not_found")
        self.assertFalse(ctx.exception.response["ok"])

    def test_missing_token_is_not_authed(self):
        with self.assertRaises(SlackApiError) as ctx:
            WebClient(base_url=API, timeout=WAIT).auth_test()
        self.assertEqual(ctx.exception.response["error"], "not_authed")

    def test_malformed_token_is_invalid_auth(self):
        with self.assertRaises(SlackApiError) as ctx:
            web(token="not-a-token").auth_test()
        self.assertEqual(ctx.exception.response["error"], "invalid_auth")

    def test_rate_limit_fault_reaches_the_sdk(self):
        admin("fault", {"method": "chat.postMessage", "fault": {"kind": "rate_limited", "retry_after": 7}})
        with self.assertRaises(SlackApiError) as ctx:
            web().chat_postMessage(channel="C_GENERAL", text="too fast")
        resp = ctx.exception.response
        self.assertEqual(resp.status_code, 429)
        self.assertEqual(resp.headers.get("Retry-After"), "7")
        # The fault fires once; the next call goes through.
        self.assertTrue(web().chat_postMessage(channel="C_GENERAL", text="later")["ok"])


class ClockAndViewsTest(FakeSlackTestCase):
    MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Deploy"}, "blocks": []}

    def test_clock_advances_through_the_admin_api(self):
        self.assertEqual(admin("clock")["ts"], "1700000000.000000")
        self.assertEqual(admin("clock/advance", {"seconds": 3.5})["now"], 1700000003.5)
        posted = web().chat_postMessage(channel="C_GENERAL", text="later")
        self.assertEqual(posted["ts"], "1700000004.000100")

    def test_a_minted_trigger_id_opens_a_modal_once(self):
        trigger = admin("trigger_id", {"user": "U_BOB"})["trigger_id"]
        opened = web().views_open(trigger_id=trigger, view=self.MODAL)
        self.assertTrue(opened["view"]["id"].startswith("V"))
        self.assertEqual(opened["view"]["title"]["text"], "Deploy")
        with self.assertRaises(SlackApiError) as ctx:
            web().views_open(trigger_id=trigger, view=self.MODAL)
        self.assertEqual(ctx.exception.response["error"], "exchanged_trigger_id")

    def test_a_trigger_id_expires_after_three_seconds(self):
        trigger = admin("trigger_id", {})["trigger_id"]
        admin("clock/advance", {"seconds": 3.1})
        with self.assertRaises(SlackApiError) as ctx:
            web().views_open(trigger_id=trigger, view=self.MODAL)
        self.assertEqual(ctx.exception.response["error"], "expired_trigger_id")


class RtmTest(FakeSlackTestCase):
    def setUp(self):
        super().setUp()
        self.events = queue.Queue()
        self.rtm = RTMClient(
            token=BOT_TOKEN,
            base_url=API,
            timeout=WAIT,
            # A reconnect would hide a dropped socket from the assertions.
            auto_reconnect_enabled=False,
        )

        @self.rtm.on("*")
        def collect(client, event):
            self.events.put(event)

        self.rtm.connect()
        self.addCleanup(self.close_rtm)

    def close_rtm(self):
        # close() waits for the SDK's reader thread, which sits in recv() for up
        # to 3 s; a short socket timeout and a ping to wake it make that ~0 s.
        session = self.rtm.current_session
        if session is not None and session.sock is not None:
            session.sock.settimeout(0.05)
            session.ping("bye")
        self.rtm.close()

    def wait_for(self, predicate, what):
        """Returns the first event matching predicate, failing after WAIT seconds."""
        deadline = time.monotonic() + WAIT
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"no {what} within {WAIT}s; saw {seen}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if predicate(event):
                return event
            seen.append(event)

    def test_connects_through_rtm_connect_and_gets_hello(self):
        self.assertTrue(self.rtm.wss_uri.startswith(RTM), (self.rtm.wss_uri, RTM))
        self.wait_for(lambda e: e.get("type") == "hello", "hello")
        self.assertTrue(self.rtm.is_connected())
        self.assertEqual(self.rtm.bot_id, "B_BOT")

    def test_message_from_admin_api_is_pushed(self):
        self.wait_for(lambda e: e.get("type") == "hello", "hello")
        posted = admin("message", {"user": "U_ALICE", "channel": "C_GENERAL", "text": "deploy please"})
        self.assertTrue(posted["ok"], posted)
        event = self.wait_for(lambda e: e.get("type") == "message", "message event")
        self.assertEqual(event["text"], "deploy please")
        self.assertEqual(event["user"], "U_ALICE")
        self.assertEqual(event["channel"], "C_GENERAL")
        self.assertEqual(event["ts"], posted["message"]["ts"])

    def test_message_posted_with_web_client_is_pushed(self):
        self.wait_for(lambda e: e.get("type") == "hello", "hello")
        # Posted as Alice: the SDK's listeners drop events from the bot itself.
        ts = web(USER_TOKEN).chat_postMessage(channel="C_RANDOM", text="from the web api")["ts"]
        event = self.wait_for(lambda e: e.get("type") == "message", "message event")
        self.assertEqual((event["channel"], event["ts"], event["text"]), ("C_RANDOM", ts, "from the web api"))

    def test_pushed_custom_event_arrives(self):
        self.wait_for(lambda e: e.get("type") == "hello", "hello")
        pushed = admin("event", {"type": "user_typing", "channel": "C_DEV", "user": "U_BOB"})
        self.assertEqual(pushed["clients"], 1, pushed)
        event = self.wait_for(lambda e: e.get("type") == "user_typing", "user_typing event")
        self.assertEqual(event["user"], "U_BOB")

    def test_message_sent_over_rtm_is_acked_and_stored(self):
        self.wait_for(lambda e: e.get("type") == "hello", "hello")
        self.rtm.send({"id": 1, "type": "message", "channel": "C_DEV", "text": "sent over rtm"})
        ack = self.wait_for(lambda e: e.get("reply_to") == 1, "ack for id 1")
        self.assertTrue(ack["ok"], ack)
        history = web().conversations_history(channel="C_DEV")
        found = [m for m in history["messages"] if m.get("ts") == ack["ts"]]
        self.assertEqual([m["text"] for m in found], ["sent over rtm"])

        journal = admin("journal")
        frames = [json.loads(e["text"]) for e in journal["entries"] if e["kind"] == "frame"]
        self.assertIn({"id": 1, "type": "message", "channel": "C_DEV", "text": "sent over rtm"}, frames)


class SocketModeTest(FakeSlackTestCase):
    """The SDK's built-in Socket Mode client, as Bolt for Python uses it."""

    def setUp(self):
        super().setUp()
        self.requests = queue.Queue()
        self.client = SocketModeClient(
            app_token="xapp-1-test",
            web_client=WebClient(token=BOT_TOKEN, base_url=API, timeout=WAIT),
            auto_reconnect_enabled=True,
            ping_interval=1,
        )

        def listener(client, req):
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            self.requests.put(req)

        self.client.socket_mode_request_listeners.append(listener)
        self.client.connect()

    def tearDown(self):
        self.client.close()

    def wait_for_message(self, text):
        deadline = time.monotonic() + WAIT
        seen = []
        while time.monotonic() < deadline:
            try:
                req = self.requests.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                continue
            event = (req.payload or {}).get("event", {})
            if req.type == "events_api" and event.get("text") == text:
                return req
            seen.append((req.type, event.get("type")))
        self.fail(f"no message {text!r} over Socket Mode within {WAIT}s; saw {seen}")

    def connections_opened(self):
        journal = admin("journal")
        return sum(
            1 for e in journal["entries"] if e.get("kind") == "call" and e.get("method") == "apps.connections.open"
        )

    def test_events_arrive_and_are_acked(self):
        posted = admin("message", {"user": "U_ALICE", "channel": "C_GENERAL", "text": "over socket mode"})
        self.assertTrue(posted["ok"], posted)
        self.wait_for_message("over socket mode")

    def test_reconnects_when_slack_asks_for_a_refresh(self):
        self.wait_for_message_after_post("before the refresh")
        told = admin("fault", {"socket_mode": {"kind": "disconnect", "reason": "refresh_requested"}})
        self.assertTrue(told["ok"], told)
        deadline = time.monotonic() + WAIT
        while self.connections_opened() < 2:
            if time.monotonic() > deadline:
                self.fail("the client did not open a new connection after refresh_requested")
            time.sleep(0.05)
        # The new connection delivers.
        self.wait_for_message_after_post("after the refresh")

    def wait_for_message_after_post(self, text):
        posted = admin("message", {"user": "U_ALICE", "channel": "C_GENERAL", "text": text})
        self.assertTrue(posted["ok"], posted)
        return self.wait_for_message(text)


if __name__ == "__main__":
    program = unittest.main(exit=False, verbosity=2)
    result = program.result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    # One plain closing line that CI reads; skips count as failures here.
    print(f"python-sdk: {passed} passed, {failed + len(result.skipped)} failed")
    raise SystemExit(0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1)
