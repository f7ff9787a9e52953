"""Serve a real `slack_bolt.App` over HTTP (threaded WSGI) for end-to-end tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature fixed by the base class
        pass


@contextmanager
def serve_bolt_app(app: App, path: str = "/slack/events") -> Iterator[str]:
    """Run `app` on 127.0.0.1 at a free port; yields the base URL ("http://127.0.0.1:PORT")."""
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app, path=path),
                         server_class=ThreadingWSGIServer, handler_class=_QuietWSGIHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                              name=f"bolt-app-{server.server_port}")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
