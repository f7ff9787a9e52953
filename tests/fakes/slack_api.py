"""A mock Slack Web API for the real `slack_sdk.WebClient(base_url=mock.base_url)`; records every call.
Streamed messages (chat.startStream and friends) behave as in slack_streams.py.

It fails the way Slack does, when told to: a 429 with a Retry-After (however long), an error answer, a
500, a connection dropped before the call is handled, a response lost after the call was handled (the
message exists, the client sees a dropped connection or a timeout), random mixes of those at given
rates, and the whole server dying mid-run (`die_after`), to be started again on the same port.

Every message and view is checked as Slack checks it (tests/fakes/block_kit.py): one Slack would refuse is
answered as Slack answers it (`ok: false`, `invalid_blocks` or `invalid_arguments`, the reasons in
`response_metadata.messages`) and nothing is stored; one Slack would take but should not get (blocks
without a `text` fallback) is taken. Both are recorded, on the mock (`invalid`) and for the test run
(`take_invalid_payloads`): the tests' autouse fixture fails a test that sent any, even when the product
swallowed the error."""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import block_kit
from tests.fakes._http import BackgroundServer, QuietHandler
from tests.fakes.slack_methods import BOT_ID, BOT_USER_ID, TEAM_ID, SlackMethods
from tests.fakes.slack_streams import StreamMethods

__all__ = ["BOT_ID", "BOT_USER_ID", "TEAM_ID", "Call", "Invalid", "MockSlack", "parse_params", "take_invalid_payloads"]
_JSON_PARAMS = {"blocks", "attachments", "metadata", "view", "files", "prompts", "chunks"}
_received_invalid: list[Invalid] = []  # by every mock in this test process, until the fixture takes them
_invalid_lock = threading.Lock()


def take_invalid_payloads() -> list[Invalid]:
    """The invalid payloads any mock received since the last call, and forget them."""
    with _invalid_lock:
        taken = list(_received_invalid)
        _received_invalid.clear()
    return taken


@dataclass
class Call:
    method: str
    params: dict
    headers: dict = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ") if auth else self.params.get("token")


@dataclass(frozen=True)
class Invalid:
    """A payload Slack would refuse (`refused`) or that lacks what it should carry."""

    method: str
    messages: list[str]
    refused: bool
    mock: int  # id() of the mock that received it

    def __str__(self) -> str:
        return f"{self.method}: " + "; ".join(self.messages)


def parse_params(query: str, body: bytes, content_type: str) -> dict:
    """Merge query string and body (form, JSON or multipart); JSON-encoded fields are decoded."""
    params: dict = dict(parse_qsl(query))
    if body and content_type.startswith("application/json"):
        params.update(json.loads(body))
    elif body and content_type.startswith("multipart/form-data"):
        msg = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in msg.iter_parts():
            payload = part.get_payload(decode=True)
            params[part.get_param("name", header="content-disposition")] = (
                payload if part.get_filename() else payload.decode())
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    for key in _JSON_PARAMS & params.keys():
        if isinstance(params[key], str) and params[key][:1] in "[{":
            params[key] = json.loads(params[key])
    return params


class _Handler(QuietHandler):
    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.read_body()
        mock: MockSlack = self.server.fake
        if url.path.startswith("/download/"):  # a shared file's url_private_download
            data = mock.uploaded_files.get(url.path.removeprefix("/download/"))
            self.send_bytes(200 if data is not None else 404, data or b"", "application/octet-stream")
            return
        if url.path.startswith("/upload/"):
            mock._store_upload(url.path.removeprefix("/upload/"), body)
            self.send_bytes(200, f"OK - {len(body)}".encode(), "text/plain")
            return
        method = url.path.removeprefix("/api/").strip("/")
        params = parse_params(url.query, body, self.headers.get("Content-Type", ""))
        kind, status, payload, headers = mock._handle(method, params, dict(self.headers.items()))
        if kind == "die":
            threading.Thread(target=mock.stop, daemon=True).start()
        if kind in ("drop", "lost", "die"):
            if kind == "lost" and status:  # handled, then silent until the client gives up
                mock.stopping.wait(status)
            self.close_connection = True  # no status line: the client sees the connection drop
            return
        self.send_json(status, payload, headers)

    do_GET = do_POST


class MockSlack(SlackMethods, StreamMethods, BackgroundServer):
    """Slack Web API fake: stores posted messages, uploads and views; failures can be injected."""

    handler_class = _Handler

    def __init__(self, clock: object = None) -> None:
        super().__init__()
        self.clock = clock  # what message timestamps are taken from: a test's clock, or the system's
        self.scopes = "app_mentions:read,chat:write"  # what auth.test says the token was granted
        self._changed = threading.Condition(self._lock)
        self.reset()

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/"

    def reset(self) -> None:
        with self._lock:
            self.calls: list[Call] = []
            self.rate_limited: list[Call] = []
            self.dropped: list[Call] = []
            self.lost: list[Call] = []  # handled, answer lost
            self.server_errors: list[Call] = []
            self.ephemeral: list[dict] = []
            self.uploaded_files: dict[str, bytes] = {}
            self.file_names: dict[str, str] = {}
            self.completed_uploads: list[dict] = []
            self.invalid: list[Invalid] = []
            self.ready_files: set[str] = set()  # uploads Slack has processed: an image block may show them
            self.files_processing = False  # True: new uploads stay unprocessed, as right after a big upload
            self._messages: list[dict] = []
            self._by_channel: dict[str, list[dict]] = {}
            self._users: dict[str, dict] = {}
            self._faults: dict[str, list[tuple]] = {}
            self._random: dict[str, tuple] = {}
            self._counter = 0
            self._last_micros = 0
            self.streams_refused = None

    # --- set-up -------------------------------------------------------------------------------------
    def set_user(self, user_id: str, tz: str = "UTC", real_name: str | None = None, **extra) -> None:
        """Profile returned by users.info (unknown users get tz "UTC")."""
        with self._lock:
            self._users[user_id] = {"tz": tz, "real_name": real_name or user_id, **extra}

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        self._add_fault(method, times, ("ratelimit", retry_after))

    def fail(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        self._add_fault(method, times, ("fail", error))

    def drop_connection(self, method: str, times: int = 1) -> None:
        """The connection drops before the call is handled: nothing happened."""
        self._add_fault(method, times, ("drop", None))

    def lose_response(self, method: str, times: int = 1, hold: float = 0) -> None:
        """The call is handled (a post is stored), then the answer is lost: the connection drops, after
        `hold` seconds of silence (longer than the client's timeout: the client sees a timeout)."""
        self._add_fault(method, times, ("lost", hold))

    def server_error(self, method: str, times: int = 1, status: int = 500) -> None:
        """HTTP 500 (or another 5xx) with Slack's JSON error; nothing is stored."""
        self._add_fault(method, times, ("5xx", status))

    def die_after(self, method: str, calls: int) -> None:
        """After `calls` more handled calls of `method`, the next one kills the server: its connection
        drops and every later call is refused, until `start()` brings it back on the same port."""
        self._add_fault(method, 1, ("die", None), after=calls)

    def random_faults(self, method: str, seed: int = 0, **rates: float | tuple[float, object]) -> None:
        """Each call of `method` meets a fault at random: `lost=0.05, ratelimit=(0.02, 150), fivexx=0.01`
        (a rate, or a rate and the fault's argument: Retry-After seconds, hold seconds, status)."""
        table = []
        for name, rate in rates.items():
            rate, arg = rate if isinstance(rate, tuple) else (rate, None)
            kind = {"lost": "lost", "ratelimit": "ratelimit", "fivexx": "5xx", "drop": "drop"}[name]
            table.append((rate, (kind, arg if arg is not None else {"ratelimit": 1, "5xx": 500}.get(kind, 0))))
        with self._lock:
            self._random[method] = (random.Random(seed), table)

    def _add_fault(self, method: str, times: int, fault: tuple, after: int = 0) -> None:
        with self._lock:
            queue = self._faults.setdefault(method, [])
            queue.extend([("ok", None)] * after + [fault] * times)

    def _next_fault(self, method: str) -> tuple:
        queued = self._faults.get(method)
        if queued:
            return queued.pop(0)
        if method in self._random:
            rng, table = self._random[method]
            roll = rng.random()
            for rate, fault in table:
                if roll < rate:
                    return fault
                roll -= rate
        return ("ok", None)

    # --- inspection ---------------------------------------------------------------------------------
    def take_invalid(self) -> list[Invalid]:
        """The invalid payloads this mock received, now no longer failing the test: for a test that sends
        them on purpose."""
        with self._lock:
            taken, self.invalid = self.invalid, []
        with _invalid_lock:
            _received_invalid[:] = [i for i in _received_invalid if i.mock != id(self)]
        return taken

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def messages(self, channel: str | None = None) -> list[dict]:
        """Posted messages, oldest first, with updates applied and deletions removed."""
        with self._lock:
            return [dict(m) for m in (self._messages if channel is None else self._by_channel.get(channel, []))]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Block until `method` was called `count` times (Bolt listeners run after the ack). The timeout
        only bounds a test that would hang: it returns as soon as the calls are there, loaded machine or not."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                raise AssertionError(f"{method} called {len(self.calls_to(method))} times, wanted {count}")
            return self.calls_to(method)

    # --- request handling ---------------------------------------------------------------------------
    def _handle(self, method: str, params: dict, headers: dict) -> tuple[str, int, dict, dict]:
        call = Call(method, params, headers)
        with self._lock:
            fault = self._next_fault(method)
            if fault[0] == "ratelimit":
                self.rate_limited.append(call)
                return "429", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": fault[1]}
            if fault[0] in ("drop", "die"):
                self.dropped.append(call)
                return fault[0], 0, {}, {}
            if fault[0] == "5xx":
                self.server_errors.append(call)
                return "5xx", fault[1], {"ok": False, "error": "internal_error"}, {}
            self.calls.append(call)
            self._changed.notify_all()
            if fault[0] == "fail":
                return "fail", 200, {"ok": False, "error": fault[1]}, {}
            refused = block_kit.problems(method, params) or self._unready_images(method, params)
            if refused is not None:
                self._record(Invalid(method, refused[1], True, id(self)))
                messages = [f"[ERROR] {m}" for m in refused[1]]
                return "fail", 200, {"ok": False, "error": refused[0], "errors": refused[1],
                                     "response_metadata": {"messages": messages}}, {}
            warned = block_kit.warnings(method, params)
            if warned:
                self._record(Invalid(method, warned, False, id(self)))
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            result = handler(params) if handler else {}
            if fault[0] == "lost":
                self.lost.append(call)
                return "lost", fault[1], {}, {}
            granted = {"x-oauth-scopes": self.scopes} if method == "auth.test" else {}
            return "ok", 200, {"ok": "error" not in result, **result}, granted

    def _unready_images(self, method: str, params: dict) -> tuple[str, list[str]] | None:
        """An image block showing an uploaded file Slack does not have, or has not processed yet."""
        view = params.get("view") if method in block_kit.VIEW_METHODS else None
        blocks = (view or {}).get("blocks") if view is not None else params.get("blocks")
        where = "/view/blocks" if view is not None else "/blocks"
        unready = [f"downloading image failed [json-pointer:{where}/{n}/slack_file]"
                   for n, b in enumerate(blocks or []) if isinstance(b, dict) and b.get("type") == "image"
                   and "slack_file" in b and (b["slack_file"] or {}).get("id") not in self.ready_files]
        if not unready:
            return None
        return ("invalid_arguments" if view is not None else "invalid_blocks"), unready

    def _record(self, invalid: Invalid) -> None:
        self.invalid.append(invalid)
        with _invalid_lock:
            _received_invalid.append(invalid)

    def _store_upload(self, file_id: str, data: bytes) -> None:
        with self._lock:
            self.uploaded_files[file_id] = data
            self._changed.notify_all()
