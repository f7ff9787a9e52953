"""APScheduler only triggers the passes; the database decides what is due, so a restart or a second
process neither loses nor doubles a reminder."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.alerts import AlertSender, run_alerts
from bot.digest import send_digests
from bot.read_alerts import send_read_alerts
from bot.reminders import ReminderSender
from tools import Tally
from tools.outbox import Outbox

log = logging.getLogger(__name__)
SWEEP_MINUTES = 60
SEND_SECONDS = 30
READ_CHECK_MINUTES = 15  # how soon admins and managers hear of unusual reading


def _logged(name: str, job: Any) -> Any:
    def run() -> None:
        try:
            result = job()
            log.info("%s: %s", name, result)
        except Exception:  # one failed pass must not stop the next one
            log.exception("%s failed", name)

    return run


def build_scheduler(tally: Tally, client: Any, outbox: Outbox) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    sender = ReminderSender(tally, outbox, client)
    now = datetime.now(UTC)
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 300}
    scheduler.add_job(_logged("sweep", outbox.sweep), "interval", minutes=SWEEP_MINUTES, id="sweep",
                      next_run_time=now, **common)
    scheduler.add_job(_logged("send", sender.run_once), "interval", seconds=SEND_SECONDS, id="send", **common)
    scheduler.add_job(_logged("digest", lambda: send_digests(tally, client, outbox)), "interval",
                      minutes=SWEEP_MINUTES, id="digest", next_run_time=now, **common)
    scheduler.add_job(_logged("read alerts", lambda: send_read_alerts(tally, client)), "interval",
                      minutes=READ_CHECK_MINUTES, id="read_alerts", **common)
    # the hourly pass sends what it found at once; the sender job takes the deferred and retried ones
    scheduler.add_job(_logged("alerts", lambda: run_alerts(tally, client)), "interval", minutes=SWEEP_MINUTES,
                      id="alerts", next_run_time=now, **common)
    scheduler.add_job(_logged("send alerts", AlertSender(tally, tally.alert_outbox, client).run_once), "interval",
                      seconds=SEND_SECONDS, id="send_alerts", **common)
    scheduler.add_job(_logged("expire proposals", tally.expire_pending), "interval", minutes=SWEEP_MINUTES,
                      id="expire", **common)
    return scheduler


def run_until_stopped(scheduler: BackgroundScheduler) -> None:
    """Run the jobs until Ctrl-C or SIGTERM. The passes run in worker threads and the main thread only
    waits: APScheduler's own blocking loop swallows a KeyboardInterrupt that lands inside it."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    scheduler.start()
    try:
        while not stop.wait(1):
            pass
    finally:
        log.info("Scheduler stopping; a pass under way finishes first")
        scheduler.shutdown(wait=True)
