"""`python app.py serve` from its real entry point, and manifest.yml against what the code calls and listens to.

The serve process runs on a temporary SQLite file, with the Web API pointed at a mock Slack and no model."""

from __future__ import annotations

import ast
import inspect
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient

from bot.listeners import register_listeners
from bot.serve import PATH
from db.migrate import upgrade
from db.seed import seed_demo
from db.session import Database
from tests.fakes.slack_api import MockSlack
from tests.fakes.slack_requests import SlackClientSim, event_callback, slash_command

ROOT = Path(__file__).resolve().parents[2]
SECRET = "0d1f5a7c2b9e4d6a8c3b1e5f7a9d2c4b"
TOKEN = "xoxb-1234-5678-serve-test"

# Web API method (as slack_sdk names it) → the bot scope it needs; None when no scope is needed.
SCOPES = {
    "chat_postMessage": "chat:write", "chat_update": "chat:write", "chat_postEphemeral": "chat:write",
    "chat_delete": "chat:write", "chat_stream": "chat:write",  # chat.startStream, appendStream, stopStream
    "conversations_open": "im:write",
    "conversations_history": "im:history",  # only ever read in the DM where a reminder was sent
    "users_info": "users:read",
    "files_upload_v2": "files:write",
    "files_info": "files:read",  # a bank statement a collector uploads to Tally's DM
    "assistant_threads_setStatus": "assistant:write", "assistant_threads_setSuggestedPrompts": "assistant:write",
    "views_open": None, "views_publish": None, "views_update": None, "views_push": None,
    "auth_test": None,
}
EVENT_SCOPES = {"app_mention": "app_mentions:read", "message.im": "im:history", "app_home_opened": None,
                "assistant_thread_started": "assistant:write", "assistant_thread_context_changed": "assistant:write",
                "file_shared": "files:read"}
# Answered for workspaces that installed the legacy assistant view; the agent view sends app_home_opened instead.
LEGACY_EVENTS = {"assistant_thread_started", "assistant_thread_context_changed"}


# --- manifest.yml ---------------------------------------------------------------------------------------------

class _Registrations:
    """Stands in for the Bolt App: records what `register_listeners` asks for."""

    def __init__(self) -> None:
        self.seen: dict[str, list] = {"event": [], "command": [], "action": [], "view": [], "shortcut": [],
                                      "options": []}

    def __getattr__(self, kind: str):
        if kind not in self.seen:
            raise AttributeError(f"App.{kind}: teach _Registrations what it registers, for the manifest checks")

        def register(key, *_, **__):
            self.seen[kind].append(key)
            return lambda *a, **kw: None

        return register


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


@pytest.fixture(scope="module")
def registered() -> dict[str, list]:
    recorder = _Registrations()
    register_listeners(recorder)
    return recorder.seen


def web_api_calls() -> set[str]:
    """Every WebClient method called anywhere in bot/, by name; Bolt's set_status is assistant.threads.setStatus."""
    methods = {n for n, _ in inspect.getmembers(WebClient, inspect.isfunction) if not n.startswith("_")}
    found = set()
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                found.add(node.func.attr)
        if "set_status" in source:
            found.add("assistant_threads_setStatus")
    return found


def test_manifest_has_a_scope_for_every_web_api_method_the_code_calls(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    calls = web_api_calls()
    assert {"chat_postMessage", "conversations_open", "views_publish", "files_upload_v2"} <= calls  # the scan works
    unknown = calls - SCOPES.keys()
    assert not unknown, f"add these methods and their scopes to SCOPES and to manifest.yml: {sorted(unknown)}"
    needed = {SCOPES[m] for m in calls if SCOPES[m]} | {"commands"}
    missing = needed - scopes
    assert not missing, f"manifest.yml lacks bot scopes {sorted(missing)}"
    assert "agent_view" in manifest["features"]  # assistant.threads.* work for agent (and legacy assistant) apps


def test_manifest_subscribes_exactly_the_events_the_app_listens_to(manifest, registered):
    # The message listener answers only DMs (channel_type im), so it needs message.im and nothing wider.
    wanted = {"message.im" if e == "message" else e for e in registered["event"]} - LEGACY_EVENTS
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # An event without a listener is answered 404 by Bolt, and Slack retries it.
    assert subscribed == wanted, f"listened to but not subscribed: {sorted(wanted - subscribed)}; " \
                                 f"subscribed without a listener: {sorted(subscribed - wanted)}"
    unknown = subscribed - EVENT_SCOPES.keys()
    assert not unknown, f"add these events and the scopes they need to EVENT_SCOPES: {sorted(unknown)}"
    missing = {EVENT_SCOPES[e] for e in subscribed if EVENT_SCOPES[e]} - set(manifest["oauth_config"]["scopes"]["bot"])
    assert not missing, f"manifest.yml lacks bot scopes {sorted(missing)}"


def test_manifest_declares_tally_and_routes_everything_to_one_url(manifest, registered):
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(registered["command"]) == {"/tally"} <= commands.keys()
    assert commands["/tally"]["description"] and commands["/tally"]["usage_hint"]
    assert commands["/tally"]["should_escape"] is True  # people arrive as <@U…|name>, which the grammar reads
    settings = manifest["settings"]
    assert registered["action"] and registered["view"] and settings["interactivity"]["is_enabled"] is True
    urls = [c["url"] for c in commands.values()] + [settings["event_subscriptions"]["request_url"],
                                                    settings["interactivity"]["request_url"]]
    assert set(urls) == {f"https://YOUR-HOST{PATH}"}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert (settings["socket_mode_enabled"], settings["token_rotation_enabled"],
            settings["org_deploy_enabled"]) == (False, False, False)


# --- python app.py serve ----------------------------------------------------------------------------------------

def environment(database: Path, **settings: str) -> dict[str, str]:
    """The test's environment without any Tally, model or Slack settings, plus the given ones."""
    prefixes = ("DATABASE_URL", "TALLY_", "OPENAI_", "SLACK_", "PORT")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**environ, "DATABASE_URL": f"sqlite:///{database}", **settings}


def serve_once(cwd: Path, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "serve"], capture_output=True, text=True, cwd=cwd,
                          env=environment(cwd / "tally.db", **settings), timeout=60)


def test_serve_refuses_to_start_and_names_the_setting(tmp_path):
    cases = [({}, ["SLACK_BOT_TOKEN", "missing"]),
             ({"SLACK_BOT_TOKEN": "abc", "SLACK_SIGNING_SECRET": SECRET}, ["SLACK_BOT_TOKEN", "xoxb-"]),
             ({"SLACK_BOT_TOKEN": TOKEN}, ["SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"]),
             ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, ["SLACK_APP_TOKEN", "xapp-"])]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: serve_once(tmp_path, **case[0]), cases))
    for (settings, words), result in zip(cases, results, strict=True):
        said = result.stdout + result.stderr
        assert result.returncode != 0, (settings, said)
        assert all(w in said for w in words) and "Traceback" not in said, (settings, said)
    assert not (tmp_path / "tally.db").exists()  # settings are checked before anything is opened


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}: {process.communicate()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout}s")


def text_of(call) -> str:
    return json.dumps(call.params.get("blocks") or [], ensure_ascii=False) + (call.params.get("text") or "")


@pytest.fixture
def demo_file(tmp_path) -> Path:
    path = tmp_path / "tally.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    now = datetime.now(UTC)  # the subprocess runs on the system clock
    with db.session(write=True) as session:
        seed_demo(session, now.date(), now)
        session.commit()
    db.dispose()
    return path


def test_serve_answers_signed_requests_over_http_and_stops_on_interrupt(tmp_path, demo_file):
    port = free_port()
    with MockSlack() as slack:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve"], cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
            env=environment(demo_file, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_API_URL=slack.base_url, PORT=str(port)))
        try:
            wait_for_port(port, process)
            sim = SlackClientSim(f"http://127.0.0.1:{port}", SECRET)
            assert slack.calls_to("auth.test")[0].token == TOKEN  # Bolt checked the token against SLACK_API_URL

            response_url = f"{slack.base_url}response.credit"
            status, _, _ = sim.post(*slash_command("credit ACME", "U0SALES1", response_url=response_url))
            assert status == 200
            answer = slack.wait_for("response.credit", timeout=15)[0]
            assert answer.params["response_type"] == "ephemeral" and "Acme Corp" in text_of(answer)

            mention = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> credit ACME",
                       "ts": "1700000001.000100", "channel": "C0SALES", "event_ts": "1700000001.000100"}
            assert sim.post(*event_callback(mention, "Ev0SERVE1"))[0] == 200
            update = next(c for c in slack.wait_for("chat.update", timeout=15) if c.params["channel"] == "C0SALES")
            placeholder = next(m for m in slack.messages("C0SALES") if m["ts"] == update.params["ts"])
            assert placeholder["thread_ts"] == "1700000001.000100" and "Acme Corp" in text_of(update)

            stranger = dict(mention, user="U0NOBODY", ts="1700000002.000100", event_ts="1700000002.000100")
            assert sim.post(*event_callback(stranger, "Ev0SERVE2"), bad_signature=True)[0] == 401
            assert sim.post(*event_callback(stranger, "Ev0SERVE2"), timestamp_offset=-600)[0] == 401
            huge = dict(stranger, text="x" * (3 << 20))  # over the body limit: refused unread
            assert sim.post(*event_callback(huge, "Ev0SERVE3"), bad_signature=True)[0] == 413
            # Refused before Bolt dispatches anything: a 401 or 413 left no work running.
            assert not [m for m in slack.messages("C0SALES") if m.get("thread_ts") == "1700000002.000100"]
        finally:
            process.send_signal(signal.SIGINT)
            try:
                out, err = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
                raise AssertionError(f"serve did not stop on SIGINT:\n{out}\n{err}") from None
    assert process.returncode in (0, 130), (process.returncode, out, err)  # 130: stopped by an interrupt
    assert f":{port}{PATH}" in err, err  # it said where it listens
    assert "Traceback" not in out + err and " ERROR " not in err, out + err
    assert "x" * 100 not in err and len(err) < 20_000, err[:2000]  # refusals are logged in a line, without bodies


def test_serve_with_workers_answers_from_each_process_reports_health_and_stops_on_sigterm(tmp_path, demo_file):
    port = free_port()
    with MockSlack() as slack:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "serve", "--workers", "2"], cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
            env=environment(demo_file, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_API_URL=slack.base_url, PORT=str(port)))
        try:
            wait_for_port(port, process)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
                assert health.status == 200 and health.read() == b"ok\n"
            sim = SlackClientSim(f"http://127.0.0.1:{port}", SECRET)
            for n in range(4):  # several requests: both workers answer
                url = f"{slack.base_url}response.credit{n}"
                assert sim.post(*slash_command("credit ACME", "U0SALES1", response_url=url))[0] == 200
                assert "Acme Corp" in text_of(slack.wait_for(f"response.credit{n}", timeout=20)[0])
            mention = {"type": "app_mention", "user": "U0SALES1", "text": "<@U0TALLYBOT> credit ACME",
                       "ts": "1700000001.000100", "channel": "C0SALES", "event_ts": "1700000001.000100"}
            assert sim.post(*event_callback(mention, "Ev0WORKERS1"), bad_signature=True)[0] == 401
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                out, err = process.communicate(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in out + err and "Booting worker" in err, err
