"""The HTTP door in front of Bolt: a body that is too large, of unknown length, or not signed by Slack is
refused before Bolt reads or parses it, and logged in one short line, never with the body."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from typing import BinaryIO

from slack_sdk.signature import SignatureVerifier

# Slack documents no maximum for the requests it sends. Its own are small: events carry message text
# (at most 40,000 characters) and never file contents; the largest are clicks and modal submissions,
# which carry the message or view (at most 50 or 100 blocks) form-encoded. Ours are a few tens of KB;
# 1 MiB leaves ample room and keeps a hostile body from costing more than that.
MAX_BODY_BYTES = 1 << 20
LINGER_SECONDS = 2.0
_REASONS = {400: "Bad Request", 401: "Unauthorized", 411: "Length Required", 413: "Content Too Large"}

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class SignedRequestsOnly:
    """WSGI middleware: only signed POSTs of a known, bounded length reach the app."""

    def __init__(self, app: WsgiApp, signing_secret: str, max_body: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_body = app, max_body
        self.verifier = SignatureVerifier(signing_secret)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = _declared_length(environ)
        if length is None:
            return _refuse(environ, start_response, 411, "a body of known length (Content-Length) is required",
                           unread=-1)
        if length > self.max_body:
            return _refuse(environ, start_response, 413, f"body of {length} bytes is over {self.max_body}",
                           unread=length)
        timestamp, signature = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")
        if not timestamp or not signature:
            return _refuse(environ, start_response, 401, "no Slack signature", unread=length)
        try:
            body = environ["wsgi.input"].read(length)
        except OSError:  # the client stalled past the socket timeout, or went away
            return _refuse(environ, start_response, 400, "body not received in time")
        if len(body) != length:
            return _refuse(environ, start_response, 400, f"body ended after {len(body)} of {length} bytes")
        if not self._signed(body, timestamp, signature):
            return _refuse(environ, start_response, 401, f"invalid signature ({length} bytes)")
        environ["wsgi.input"] = BytesIO(body)
        return self.app(environ, start_response)

    def _signed(self, body: bytes, timestamp: str, signature: str) -> bool:
        try:
            return self.verifier.is_valid(body, timestamp, signature)
        except (ValueError, TypeError):  # a timestamp that is not a number, a signature that is not ASCII
            return False


def _declared_length(environ: dict) -> int | None:
    """The body's declared length; None when chunked or undeclared (wsgiref does not de-chunk)."""
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _refuse(environ: dict, start_response: Callable, status: int, why: str, unread: int = 0) -> Iterable[bytes]:
    """One log line, naming no header or body the client chose; `unread` bytes (-1: unknown) still to come."""
    path = environ.get("PATH_INFO", "")[:80]
    log.warning("refused POST %r from %s: HTTP %s, %s", path, environ.get("REMOTE_ADDR", "?"), status, why)
    text = f"{_REASONS[status]}: {why}\n".encode()
    start_response(f"{status} {_REASONS[status]}", [("Content-Type", "text/plain; charset=utf-8"),
                                                    ("Content-Length", str(len(text)))])
    return _Refusal(text, environ["wsgi.input"], unread) if unread else [text]


class _Refusal:
    """A refusal sent while the client may still be sending the body. The server closes it after sending
    it: then we drop what still arrives, for a moment, so that closing the socket does not reset the
    connection before the client has read the answer (a lingering close, as nginx does). The deadline is
    a network timeout on the monotonic clock, not a business time."""

    def __init__(self, text: bytes, stream: BinaryIO, unread: int) -> None:
        self.text, self.stream, self.unread = text, stream, unread

    def __iter__(self) -> Iterator[bytes]:
        return iter([self.text])

    def close(self) -> None:
        left = self.unread if self.unread > 0 else float("inf")
        deadline = time.monotonic() + LINGER_SECONDS
        try:
            while left > 0 and time.monotonic() < deadline:
                chunk = self.stream.read(int(min(left, 1 << 16)))
                if not chunk:
                    return
                left -= len(chunk)
        except OSError:  # the socket timed out or the client reset it: either way it is over
            return
