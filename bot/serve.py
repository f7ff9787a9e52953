"""`python app.py serve`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT at /slack/events."""

from __future__ import annotations

import logging
import signal
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.http_guard import SignedRequestsOnly

PATH = "/slack/events"
log = logging.getLogger(__name__)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Handler(WSGIRequestHandler):
    timeout = 10  # seconds for any one read or write: Slack sends a request whole, and waits 3 s for the ack

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - fixed by the base class
        log.debug("%s " + format, self.address_string(), *args)


def http_server(app: App, port: int, host: str = "0.0.0.0", *, signing_secret: str) -> WSGIServer:
    """A threaded WSGI server: acks never wait behind another request's work; bodies too large or not
    signed by Slack are refused before Bolt sees them."""
    wsgi_app = SignedRequestsOnly(SlackRequestHandler(app, path=PATH), signing_secret)
    return make_server(host, port, wsgi_app, server_class=_Server, handler_class=_Handler)


def _stop(signum: int, frame: object) -> None:
    """Service managers stop processes with SIGTERM: treat it like Ctrl-C, so shutdown runs its course."""
    raise KeyboardInterrupt


def run(app: App, *, port: int, app_token: str = "", signing_secret: str = "") -> None:
    signal.signal(signal.SIGTERM, _stop)
    if app_token:
        _run_socket_mode(app, app_token)
        return
    server = http_server(app, port, signing_secret=signing_secret)
    log.info("Tally listens on http://0.0.0.0:%s%s", port, PATH)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("Tally is stopping")
    finally:
        server.server_close()


def _run_socket_mode(app: App, app_token: str) -> None:
    """Slack's WebSocket: the URL comes from apps.connections.open on the app's Web API client, and
    slack_sdk's client reconnects by itself when Slack asks it to (`disconnect`) or the link drops."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    log.info("Tally is connecting to Slack in Socket Mode")
    handler = SocketModeHandler(app, app_token)
    try:
        handler.start()
    except KeyboardInterrupt:
        log.info("Tally is stopping")
    finally:
        handler.close()
