"""Sending the reminder outbox to Slack: one DM per row, with the row's id in the message metadata,
so a sender that crashed between posting and marking is reconciled from Slack, not sent twice."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.blocks.reminders import reminder_blocks, reminder_text
from tools import Tally
from tools.admin import member_timezone, set_member_timezone
from tools.outbox import LEASE, MANUAL, Claimed, Outbox
from tools.reminder_message import ReminderMessage, reminder_messages

log = logging.getLogger(__name__)
METADATA_TYPE = "tally_reminder"
TZ_MAX_AGE = timedelta(days=1)
POST_WITHIN = LEASE / 2  # of the claim: leaves the other half of the lease for Slack's retries
FRESH_FOR = timedelta(seconds=5)  # re-read a batch's invoices before posting when the last read is older


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0
    reconciled: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"sent {self.sent}, skipped {self.skipped}, deferred {self.deferred}, failed {self.failed}, "
                f"reconciled {self.reconciled}")


def worker_name() -> str:
    import os

    return f"{socket.gethostname()}:{os.getpid()}"


class ReminderSender:
    def __init__(self, tally: Tally, outbox: Outbox, client: Any, worker: str | None = None):
        self.tally, self.outbox, self.client = tally, outbox, client
        self.worker = worker or worker_name()
        self._channels: dict[str, str] = {}
        self._zones: dict[str, str | None] = {}

    def run_once(self, limit: int = 500, batch: int = 50) -> SendReport:
        report = SendReport()
        self._zones = {}  # timezones are read once a run, not once a row
        handled = 0
        while handled < limit:
            jobs = self.outbox.claim(self.worker, min(batch, limit - handled))
            if not jobs:
                break
            handled += self._deliver_batch(jobs, report)
        return report

    def _deliver_batch(self, jobs: list[Claimed], report: SendReport) -> int:
        """Post a claimed batch one by one and mark the posted rows sent together at the end; how many
        were handled. A sender dying before that marking is covered like any other crash: the rows are
        taken over and found in Slack by their metadata."""
        posted: list[tuple[int, str, str]] = []
        read_at: datetime | None = None
        try:
            for i, job in enumerate(jobs):
                now = self.tally.clock.now()
                if i > 0 and now >= job.claimed_at + POST_WITHIN:
                    # Slack has slowed us down: a post started now could outlive the lease, and another
                    # sender taking the row over would post it a second time. Hand the rest back.
                    self.outbox.release(self.worker, [j.reminder_id for j in jobs[i:]])
                    return i
                if read_at is None or now - read_at > FRESH_FOR:
                    read_at = now
                    reasons, messages = self._read([j.reminder_id for j in jobs[i:]])
                self._deliver(job, reasons.get(job.reminder_id), messages.get(job.reminder_id), posted, report)
            return len(jobs)
        finally:
            self.outbox.mark_sent_many(self.worker, posted)

    def _read(self, reminder_ids: list[int]) -> tuple[dict[int, str | None], dict[int, ReminderMessage]]:
        """Right before posting: why not to send each row now, and the messages of the others."""
        reasons = self.outbox.recheck_many(reminder_ids)
        ready = [r for r in reminder_ids if reasons.get(r) is None]
        return reasons, reminder_messages(self.tally.db, self.tally.clock, self.tally.rules, ready)

    def _deliver(self, job: Claimed, reason: str | None, message: ReminderMessage | None,
                 posted: list[tuple[int, str, str]], report: SendReport) -> None:
        try:
            if reason is not None:
                self.outbox.mark_skipped(job.reminder_id, self.worker, reason)
                report.skipped += 1
                return
            tz = self._timezone(job.recipient)
            if not job.stage.startswith(MANUAL):
                now = self.tally.clock.now()  # one reading: is it working hours, and if not, until when
                deliver_at = self.outbox.deliver_again_at(tz, now)
                if deliver_at > now:
                    self.outbox.defer(job.reminder_id, self.worker, deliver_at)
                    report.deferred += 1
                    return
            channel = self._dm(job.recipient)
            if job.taken_over:
                ts = self._already_posted(channel, job)
                if ts is not None:
                    self.outbox.mark_sent(job.reminder_id, self.worker, channel, ts)
                    report.reconciled += 1
                    return
            result = self.client.chat_postMessage(
                channel=channel, text=reminder_text(message), blocks=reminder_blocks(message),
                metadata={"event_type": METADATA_TYPE, "event_payload": {"reminder_id": job.reminder_id}})
            posted.append((job.reminder_id, channel, result["ts"]))
            report.sent += 1
        except Exception as exc:  # this row failed; the others still go out
            log.warning("reminder %s to %s failed: %r", job.reminder_id, job.recipient, exc)
            self.outbox.mark_failed(job.reminder_id, self.worker, repr(exc), job.attempts)
            report.failed += 1
            report.errors.append(repr(exc))

    def _timezone(self, user_id: str) -> str | None:
        """The recipient's Slack timezone, read with users.info at most once a day."""
        if user_id not in self._zones:
            self._zones[user_id] = self._read_timezone(user_id)
        return self._zones[user_id]

    def _read_timezone(self, user_id: str) -> str | None:
        tz, checked = member_timezone(self.tally.db, user_id)
        now = self.tally.clock.now()
        if checked is None or now - checked > TZ_MAX_AGE:
            try:
                fresh = self.client.users_info(user=user_id)["user"].get("tz")
            except Exception:
                log.info("users.info failed for %s; keeping %s", user_id, tz, exc_info=True)
                fresh = None
            if fresh:
                set_member_timezone(self.tally.db, user_id, fresh, now)
                tz = fresh
        return tz

    def _dm(self, user_id: str) -> str:
        if user_id not in self._channels:
            self._channels[user_id] = self.client.conversations_open(users=user_id)["channel"]["id"]
        return self._channels[user_id]

    def _already_posted(self, channel: str, job: Claimed) -> str | None:
        """A previous sender may have posted before it died: look for this row's id in the metadata."""
        oldest = f"{(job.claimed_at - timedelta(days=1)).timestamp():.6f}"
        history = self.client.conversations_history(channel=channel, oldest=oldest, limit=200,
                                                    include_all_metadata=True)
        for message in history.get("messages", []):
            meta = message.get("metadata") or {}
            if meta.get("event_type") == METADATA_TYPE and \
                    (meta.get("event_payload") or {}).get("reminder_id") == job.reminder_id:
                return message["ts"]
        return None
