"""`python app.py serve --workers N`: HTTP mode under gunicorn, N worker processes, each building its own
app (its own database connections) after the fork. `GET /healthz` answers 200 while the database
answers, 503 otherwise. Bodies are capped and unsigned requests refused by bot.http_guard; gunicorn
stops gracefully on SIGTERM, letting requests in flight finish."""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.http_guard import MAX_BODY_BYTES, SignedRequestsOnly
from bot.serve import PATH

log = logging.getLogger(__name__)
HEALTH = "/healthz"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class WithHealth:
    """WSGI: GET /healthz answers from `healthy()` (the database), everything else goes to the app."""

    def __init__(self, app: Callable, healthy: Callable[[], bool]) -> None:
        self.app, self.healthy = app, healthy

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEALTH:
            return self.app(environ, start_response)
        try:
            ok = self.healthy()
        except Exception:
            log.warning("health check failed", exc_info=True)
            ok = False
        body = b"ok\n" if ok else b"database unreachable\n"
        start_response("200 OK" if ok else "503 Service Unavailable",
                       [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]


def wsgi_app(app: App, signing_secret: str, healthy: Callable[[], bool]) -> WithHealth:
    return WithHealth(SignedRequestsOnly(SlackRequestHandler(app, path=PATH), signing_secret), healthy)


def _ends_with_parent() -> None:
    """In a companion, before it starts: on Linux it gets SIGTERM when the master dies, however it dies,
    so a killed master never leaves a scheduler or answer worker running without it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class _Gunicorn(BaseApplication):
    def __init__(self, build: Callable[[], Callable], options: dict[str, Any], companions: list[list[str]]) -> None:
        self.build, self.options, self.companions = build, options, companions
        self.processes: list[subprocess.Popen] = []
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.companions:
            self.cfg.set("when_ready", self._start_companions)
            self.cfg.set("on_exit", self._stop_companions)

    def _start_companions(self, server: object) -> None:
        # Their own processes, never threads of the master: the master forks workers at any time, and a
        # fork copies a thread's held locks but not the thread.
        self.processes = [subprocess.Popen(command, preexec_fn=_ends_with_parent) for command in self.companions]

    def _stop_companions(self, server: object) -> None:
        running = [p for p in self.processes if p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def load(self) -> Callable:
        return self.build()  # in each worker, after the fork


def run_workers(build: Callable[[], Callable], *, port: int, workers: int,
                companions: list[list[str]] | None = None) -> None:
    """Serve `build()`'s WSGI app on `port` with `workers` processes. `companions` are commands run beside
    them for as long as they serve (the scheduler, whose jobs run in one process however many workers
    answer; the answer worker, which answers what they queue)."""
    _Gunicorn(build, {
        "bind": f"0.0.0.0:{port}", "workers": workers, "worker_class": "gthread", "threads": 4,
        "timeout": 30, "graceful_timeout": 20, "keepalive": 5,
        "limit_request_line": 8190, "limit_request_fields": 100, "limit_request_field_size": MAX_BODY_BYTES // 128,
        "accesslog": None, "errorlog": "-", "loglevel": "info", "proc_name": "tally",
    }, companions or []).run()
