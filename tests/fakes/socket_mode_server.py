"""A local Socket Mode server that speaks Slack's protocol, for the real `SocketModeHandler` of a Bolt app.

What Slack does, and so does this: apps.connections.open (on the mock Web API) hands out a URL to it; each
connection gets `hello`; envelopes `{envelope_id, type: events_api | slash_commands | interactive, payload,
accepts_response_payload, retry_attempt, retry_reason}` go to the newest connection; the app acks with
`{envelope_id, payload?}`; `disconnect {reason: refresh_requested}` asks the app to open a new connection,
and every envelope not acked by then is delivered again on it, `retry_attempt` one higher.

`disconnect(lose_acks=True)` also drops every ack that arrives on the old connection afterwards, as if it
were lost with the connection: what was sent just before the disconnect is then surely delivered twice."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

APP_ID = "A0TALLY"


@dataclass
class Ack:
    envelope_id: str
    payload: Any
    connection: int  # which connection (0 the first) it came back on


@dataclass
class _Link:
    socket: ServerConnection
    losing_acks: bool = False
    lost: list[str] = field(default_factory=list)


class MockSocketMode:
    def __init__(self) -> None:
        self._changed = threading.Condition(threading.RLock())
        self._ids = count(1)
        self.links: list[_Link] = []
        self.acks: list[Ack] = []
        self.unacked: dict[str, dict] = {}
        self.deliveries: list[tuple[int, dict]] = []  # (connection, envelope) in the order sent
        self._server: Server | None = None

    def __enter__(self) -> MockSocketMode:
        self._server = serve(self._serve, "127.0.0.1", 0, compression=None, ping_interval=None)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="socket-mode").start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        with self._changed:
            links = list(self.links)
        for link in links:
            link.socket.close()
        self._server.shutdown()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/"

    # --- what Slack sends -------------------------------------------------------------------------------
    def send(self, kind: str, payload: dict, *, accepts_response_payload: bool = False) -> str:
        """An envelope on the newest connection; returns its envelope_id."""
        envelope = {"envelope_id": f"env-{next(self._ids)}", "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload, "retry_attempt": 0, "retry_reason": ""}
        with self._changed:
            self.unacked[envelope["envelope_id"]] = envelope
            self._deliver(len(self.links) - 1, envelope)
        return envelope["envelope_id"]

    def disconnect(self, *, lose_acks: bool = False) -> None:
        """Ask the app to move to a new connection, as Slack does before it recycles one."""
        with self._changed:
            link = self.links[-1]
            link.losing_acks = lose_acks
            link.socket.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                         "debug_info": {"host": "mock-socket-mode"}}))

    def send_around_reconnect(self, kind: str, payload: dict) -> str:
        """An envelope, then at once `disconnect`, its ack on the old connection lost: the app gets it
        again on the new connection, and must answer it once."""
        with self._changed:
            self.links[-1].losing_acks = True
            envelope_id = self.send(kind, payload)
            self.disconnect(lose_acks=True)
        return envelope_id

    def _deliver(self, connection: int, envelope: dict) -> None:
        self.deliveries.append((connection, json.loads(json.dumps(envelope))))
        self.links[connection].socket.send(json.dumps(envelope))

    # --- inspection --------------------------------------------------------------------------------------
    def wait_for_connections(self, n: int, timeout: float = 60.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.links) >= n, timeout):
                raise AssertionError(f"{len(self.links)} Socket Mode connections, wanted {n}")

    def wait_for_ack(self, envelope_id: str, timeout: float = 30.0) -> Ack:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id not in self.unacked, timeout):
                raise AssertionError(f"{envelope_id} not acknowledged; acks so far: {self.acks}")
            return next(a for a in self.acks if a.envelope_id == envelope_id)

    def lost_acks(self) -> list[str]:
        with self._changed:
            return [e for link in self.links for e in link.lost]

    # --- one connection ----------------------------------------------------------------------------------
    def _serve(self, socket: ServerConnection) -> None:
        with self._changed:
            number = len(self.links)
            self.links.append(_Link(socket))
            socket.send(json.dumps({"type": "hello", "num_connections": number + 1,
                                    "debug_info": {"host": "mock-socket-mode", "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": APP_ID}}))
            for envelope in list(self.unacked.values()):  # what the last connection left unacknowledged
                envelope["retry_attempt"] += 1
                envelope["retry_reason"] = "timeout"
                self._deliver(number, envelope)
            self._changed.notify_all()
        try:
            for raw in socket:
                self._receive(number, json.loads(raw))
        except ConnectionClosed:
            pass

    def _receive(self, number: int, message: dict) -> None:
        envelope_id = message.get("envelope_id")
        if not envelope_id:
            return
        with self._changed:
            link = self.links[number]
            if link.losing_acks:
                link.lost.append(envelope_id)
                return
            self.acks.append(Ack(envelope_id, message.get("payload"), number))
            self.unacked.pop(envelope_id, None)
            self._changed.notify_all()
