"""HTTP mode against hostile bodies: the real server (bot.serve.http_server in front of the real Bolt app)
refuses what is too large, of unknown length or unsigned before Bolt reads it, and logs one short line."""

from __future__ import annotations

import json
import logging
import socket
import threading
import tracemalloc

import pytest

from bot.http_guard import MAX_BODY_BYTES
from tests.e2e.slack_harness import slack_world
from tests.fakes.slack_requests import event_callback, sign

THIRTY_MB = 30 * 1024 * 1024


@pytest.fixture
def world(tally):
    with slack_world(tally) as w:
        yield w


def port_of(world) -> int:
    return int(world.sim.url.split(":")[2].split("/")[0])


def raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """Send headers, then the body from another thread, and read the answer as soon as it comes: a server
    that refuses a body unread answers while the body is still on its way."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())

        def send_body() -> None:
            try:
                sock.sendall(body)
            except OSError:  # the server may stop reading once it has answered
                pass

        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        sender.join(timeout=10)
    return int(answer.split()[1]), answer


def refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.http_guard"]


def test_thirty_megabytes_with_a_bad_signature_are_refused_unread(world, caplog):
    caplog.set_level(logging.DEBUG)
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention", "text": "A" * THIRTY_MB}}).encode()
    headers = sign("not this body", world.sim.secret, content_type="application/json")
    headers["Content-Length"] = str(len(body))
    tracemalloc.start()
    try:
        status, answer = raw_post(port_of(world), headers, body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 413 and b"Content Too Large" in answer
    assert peak < 4 * 1024 * 1024, f"{peak} bytes traced while a {len(body)}-byte body was refused"
    [line] = refusals(caplog)
    assert "413" in line.getMessage() and len(line.getMessage()) < 200
    assert all(len(r.getMessage()) < 1000 for r in caplog.records)
    assert world.llm.calls_count == 0 and not world.slack.calls_to("chat.postMessage")


def test_a_body_just_under_the_limit_with_a_bad_signature_is_logged_without_it(world, caplog):
    caplog.set_level(logging.DEBUG)
    event = {"type": "app_mention", "user": "U0MGR1", "text": "x" * (MAX_BODY_BYTES - 1000), "ts": "1.1",
             "channel": "C1"}
    body, kind = event_callback(event, "Ev0BIGBAD")
    assert len(body) <= MAX_BODY_BYTES
    assert world.sim.post(body, kind, bad_signature=True)[0] == 401
    [line] = refusals(caplog)
    assert "invalid signature" in line.getMessage() and "xxxxxxxx" not in line.getMessage()
    assert all(len(r.getMessage()) < 1000 for r in caplog.records)
    assert world.llm.calls_count == 0


@pytest.mark.parametrize("headers, status", [
    ({"Transfer-Encoding": "chunked"}, 411),  # wsgiref does not de-chunk: the length would be unknown
    ({}, 411),  # no Content-Length at all
    ({"Content-Length": "-5"}, 411),
    ({"Content-Length": str(MAX_BODY_BYTES + 1)}, 413),
    ({"Content-Length": "10"}, 401),  # no signature headers: refused before reading
])
def test_unknown_lengths_and_unsigned_bodies_are_refused(world, caplog, headers, status):
    assert raw_post(port_of(world), {"Content-Type": "application/json", **headers})[0] == status
    assert len(refusals(caplog)) == 1 and world.llm.calls_count == 0


def test_a_stalled_body_ends_in_a_refusal_not_a_hung_thread(world, monkeypatch):
    from bot import serve

    monkeypatch.setattr(serve._Handler, "timeout", 0.5)
    headers = sign('{"type": "event_callback"}', world.sim.secret)
    headers["Content-Length"] = "1000"  # promised, never sent
    assert raw_post(port_of(world), headers, b'{"type": ')[0] == 400


def test_signed_events_still_work_after_the_refusals(world):
    big = {"Content-Length": str(THIRTY_MB), **sign("x", world.sim.secret)}
    assert raw_post(port_of(world), big)[0] == 413
    (status, _, _), ts = world.mention("U0SALES1", "credit ACME")  # a command: no model call
    assert status == 200
    update = world.slack.wait_for("chat.update")[0]
    assert "Acme Corp" in json.dumps(update.params.get("blocks"))
