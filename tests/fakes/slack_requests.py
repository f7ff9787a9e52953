"""Signed requests from "Slack" to a Bolt app in HTTP mode: payload builders, signing and a client."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

TEAM_ID, APP_ID, BOT_USER_ID = "T0TEAM", "A0TALLY", "U0TALLYBOT"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
_TOKEN = "verification-token-unused"
_TEAM = {"id": TEAM_ID, "domain": "tally-test"}


def sign(body: str, secret: str, timestamp: int | None = None,
         content_type: str | None = None) -> dict[str, str]:
    """Headers Slack sends: v0 HMAC-SHA256 of "v0:{timestamp}:{body}" keyed by the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    kind = content_type or (JSON if body.lstrip().startswith("{") else FORM)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": kind}


def event_callback(event: dict, event_id: str, team_id: str = TEAM_ID,
                   api_app_id: str = APP_ID) -> tuple[str, str]:
    """Events API envelope around `event` (app_mention, message, app_home_opened...)."""
    payload = {
        "token": _TOKEN, "team_id": team_id, "api_app_id": api_app_id, "event": event,
        "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": f"4-{event_id}",
    }
    return json.dumps(payload), JSON


def slash_command(text: str, user_id: str, channel_id: str = "C0GENERAL", command: str = "/tally",
                  response_url: str = "https://hooks.slack.invalid/commands/T0TEAM/1/x",
                  trigger_id: str = "1.2.trigger") -> tuple[str, str]:
    """Form-encoded slash command invocation."""
    form = {"token": _TOKEN, "team_id": TEAM_ID, "team_domain": "tally-test", "channel_id": channel_id,
            "channel_name": "general", "user_id": user_id, "user_name": user_id.lower(), "command": command,
            "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": trigger_id}
    return urlencode(form), FORM


def _interactive(payload: dict) -> tuple[str, str]:
    return urlencode({"payload": json.dumps(payload)}), FORM


def _user(user_id: str) -> dict:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": TEAM_ID}


def block_actions(user_id: str, action_id: str, value: str = "", channel_id: str = "C0GENERAL",
                  message_ts: str = "1700000000.000100", message: dict | None = None,
                  trigger_id: str = "1.2.trigger", block_id: str = "actions", container: dict | None = None,
                  view: dict | None = None,
                  response_url: str = "https://hooks.slack.invalid/actions/T0TEAM/1/x",
                  action_type: str = "button") -> tuple[str, str]:
    """A button click (`action_type` "feedback_buttons" for a thumbs up or down); on a message by default,
    or on `view` (App Home / modal) when given."""
    action = {"type": action_type, "action_id": action_id, "block_id": block_id, "value": value,
              "text": {"type": "plain_text", "text": value or action_id}, "action_ts": f"{time.time():.6f}"}
    payload: dict = {"type": "block_actions", "user": _user(user_id), "api_app_id": APP_ID,
                     "token": _TOKEN, "trigger_id": trigger_id, "team": _TEAM, "enterprise": None,
                     "is_enterprise_install": False, "actions": [action], "state": {"values": {}}}
    if view is not None:
        payload["view"] = view
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "V0VIEW")}
    else:
        payload["container"] = container or {"type": "message", "message_ts": message_ts,
                                             "channel_id": channel_id, "is_ephemeral": False}
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = message or {"type": "message", "ts": message_ts, "user": BOT_USER_ID,
                                         "bot_id": "B0TALLYBOT", "text": ""}
        payload["response_url"] = response_url
    return _interactive(payload)


def view_submission(user_id: str, callback_id: str, private_metadata: str = "",
                    state_values: dict | None = None, view_id: str = "V0VIEW",
                    trigger_id: str = "1.2.trigger") -> tuple[str, str]:
    """A modal submitted; `state_values` is `{block_id: {action_id: {"type": ..., "value": ...}}}`."""
    view = {"id": view_id, "team_id": TEAM_ID, "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "state": {"values": state_values or {}},
            "hash": "h1", "title": {"type": "plain_text", "text": "Tally"}, "blocks": [],
            "app_id": APP_ID, "bot_id": "B0TALLYBOT", "root_view_id": view_id, "previous_view_id": None}
    payload = {"type": "view_submission", "team": _TEAM,
               "user": _user(user_id), "api_app_id": APP_ID, "token": _TOKEN, "trigger_id": trigger_id,
               "view": view, "response_urls": [], "is_enterprise_install": False, "enterprise": None}
    return _interactive(payload)


def url_verification(challenge: str) -> tuple[str, str]:
    return json.dumps({"token": _TOKEN, "challenge": challenge, "type": "url_verification"}), JSON


class SlackClientSim:
    """Posts signed bodies to a Bolt app, like Slack does: `sim.post(*event_callback(...))`."""

    def __init__(self, url: str, secret: str, timeout: float = 10.0) -> None:
        self.url = url if url.rstrip("/").endswith("/slack/events") else url.rstrip("/") + "/slack/events"
        self.secret = secret
        self.timeout = timeout

    def post(self, body: str, content_type: str | None = None, *, retry_num: int | None = None,
             retry_reason: str | None = None, timestamp_offset: int = 0,
             bad_signature: bool = False) -> tuple[int, dict[str, str], str]:
        """Send `body`; returns (status, headers, body text) also for 4xx/5xx answers."""
        headers = sign(body, self.secret, int(time.time()) + timestamp_offset, content_type)
        if bad_signature:
            headers["X-Slack-Signature"] = "v0=" + "0" * 64
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return resp.status, dict(resp.headers.items()), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), err.read().decode()
