"""Sending the reminder outbox to Slack: one DM per row, with the row's id in the message metadata.

Exactly once, also when Slack misbehaves. A post is never repeated blindly: reminder posts go through
a client without retry handlers, and a row that may have been posted before (its earlier attempt got
no answer, or its sender's lease ran out) is first looked for in the recipient's DM by that id. A 429
hands the row back for after its Retry-After instead of waiting on it; and a post starts only while
the row's lease outlives the post's own timeout (renewed when short), so no other sender can take a
row over while it is being posted."""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.reminders import reminder_blocks, reminder_text
from bot.slack_posts import posted_before
from tools import Tally
from tools.outbox import MANUAL, Claimed, Outbox, Verdict

log = logging.getLogger(__name__)
METADATA_TYPE = "tally_reminder"
TZ_MAX_AGE = timedelta(days=1)
FRESH_FOR = 5.0  # seconds: re-read a batch's invoices before posting when the last read is older
SKEW = timedelta(minutes=1)  # between our clock and Slack's, when looking for an earlier post by its time
DEFAULT_RETRY_AFTER = 60  # seconds, when a 429 names none


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    failed: int = 0
    reconciled: int = 0
    rate_limited: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"sent {self.sent}, skipped {self.skipped}, deferred {self.deferred}, failed {self.failed}, "
                f"reconciled {self.reconciled}, rate limited {self.rate_limited}")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def without_retries(client: Any, timeout: timedelta) -> Any:
    """The client reminder posts go through: the same Slack, no retry handlers, a bounded wait. A post
    retried by the HTTP client after a lost answer is a second DM; the outbox decides about retries."""
    if not isinstance(client, WebClient):
        return client  # a stand-in from a test or benchmark, used as given
    return WebClient(token=client.token, base_url=client.base_url, timeout=max(1, int(timeout.total_seconds())),
                     retry_handlers=[])


def retry_after(headers: dict) -> int:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return max(1, int(value[0] if isinstance(value, list) else value))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


@dataclass
class _Lease:
    """The rows of a batch this sender still holds, and until when (as of its last claim or renewal)."""

    held: set[int]
    until: datetime


class ReminderSender:
    """Posts the reminder outbox; the alert sender is the same machinery over the alert outbox."""

    metadata_type = METADATA_TYPE
    id_key = "reminder_id"  # the row's id in the message metadata, how an earlier post is found
    missing = "invoice not found"  # why a row whose subject is gone is skipped

    def __init__(self, tally: Tally, outbox: Outbox, client: Any, worker: str | None = None,
                 poster: Any = None):
        self.tally, self.outbox, self.client = tally, outbox, client
        self.worker = worker or worker_name()
        # A post waits at most a sixth of the lease; a lease with less than two of those left is renewed.
        self.post_timeout = outbox.timing.lease / 6
        self.poster = poster or without_retries(client, self.post_timeout)
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
            self._deliver_batch(jobs, report)
            handled += len(jobs)
        return report

    def _deliver_batch(self, jobs: list[Claimed], report: SendReport) -> None:
        """Post a claimed batch one by one; the posted rows are marked sent together (at the end, or when
        the lease is renewed). A sender dying before that is covered like any other crash: the rows are
        taken over and found in Slack by their metadata."""
        lease = _Lease({j.reminder_id for j in jobs}, jobs[0].lease_until)
        posted: list[tuple[int, str, str]] = []
        found: set[int] = set()
        try:
            fresh = [j for j in jobs if not j.maybe_posted or not self._found(j, lease, posted, found, report)]
            read_at: float | None = None
            for i, job in enumerate(fresh):
                if read_at is None or time.monotonic() - read_at > FRESH_FOR:
                    read_at = time.monotonic()
                    verdicts, messages = self._read([j.reminder_id for j in fresh[i:] if j.reminder_id in lease.held])
                now = self.tally.clock.now()
                if job.reminder_id in verdicts and self._hold(job, lease, posted, found, now):
                    self._deliver(job, verdicts[job.reminder_id], messages.get(job.reminder_id), posted, report, now)
        finally:
            self.outbox.mark_sent_many(self.worker, posted, found)

    def _hold(self, job: Claimed, lease: _Lease, posted: list, found: set[int], now: datetime) -> bool:
        """Whether this row may be posted now: still ours, with a lease that outlives the post. A lease
        running short is renewed, after marking what is already posted."""
        if lease.until - now < 2 * self.post_timeout:
            self.outbox.mark_sent_many(self.worker, posted, found)
            lease.held -= {p[0] for p in posted}
            posted.clear()
            lease.held, lease.until = self.outbox.renew(self.worker, sorted(lease.held), now)
        return job.reminder_id in lease.held

    def _found(self, job: Claimed, lease: _Lease, posted: list, found: set[int], report: SendReport) -> bool:
        """A row that may have been posted before: is it in Slack already? Then it is recorded, not posted."""
        if not self._hold(job, lease, posted, found, self.tally.clock.now()):
            return True  # no longer ours: its new holder decides
        try:
            channel = self._dm(job.recipient)
            ts = self._already_posted(channel, job.reminder_id, job.since - SKEW)
        except Exception as exc:  # cannot tell whether it is there: try again later, never post blind
            self._failed(job, f"could not check Slack for an earlier post: {exc!r}", report)
            return True
        if ts is None:
            return False
        posted.append((job.reminder_id, channel, ts))
        found.add(job.reminder_id)
        report.reconciled += 1
        return True

    def _read(self, reminder_ids: list[int]) -> tuple[dict[int, Verdict], dict[int, Any]]:
        """Right before posting: whether and to whom each row goes, and the messages of those that go."""
        verdicts = self.outbox.verdicts(reminder_ids, self.tally.clock.now())
        ready = [r for r, v in verdicts.items() if v.skip is None]
        return verdicts, self._messages(ready)

    def _messages(self, ready: list[int]) -> dict[int, Any]:
        return self.tally.reminder_messages.many(ready, self.outbox.policy.stages)

    def _compose(self, message: Any) -> tuple[str, list[dict]]:
        """The text and blocks of one row's message."""
        return reminder_text(message), reminder_blocks(message)

    def _deliver(self, job: Claimed, verdict: Verdict, message: Any,
                 posted: list[tuple[int, str, str]], report: SendReport, now: datetime) -> None:
        if verdict.skip is not None or message is None:
            self.outbox.mark_skipped(job.reminder_id, self.worker, verdict.skip or self.missing)
            report.skipped += 1
            return
        try:
            if not job.stage.startswith(MANUAL):
                deliver_at = self.outbox.deliver_again_at(self._timezone(verdict.recipient), now)
                if deliver_at > now:
                    self.outbox.defer(job.reminder_id, self.worker, deliver_at, "outside working hours")
                    report.deferred += 1
                    return
            channel = self._dm(verdict.recipient)
        except Exception as exc:  # nothing was posted; the row is tried again later
            self._failed(job, repr(exc), report)
            return
        try:
            text, blocks = self._compose(message)
            result = self.poster.chat_postMessage(
                channel=channel, text=text, blocks=blocks,
                metadata={"event_type": self.metadata_type, "event_payload": {self.id_key: job.reminder_id}})
        except SlackApiError as exc:
            if exc.response.status_code == 429:  # not posted: hand it back for after Retry-After, not wait
                wait = retry_after(exc.response.headers)
                self.outbox.defer(job.reminder_id, self.worker, now + timedelta(seconds=wait), "rate limited")
                report.rate_limited += 1
                return
            # an error, or a 5xx that may have posted: a retry looks for it first
            self._failed(job, f"Slack answered HTTP {exc.response.status_code}: {exc.response.get('error')}", report)
            return
        except Exception as exc:  # no answer (dropped, timed out): it may be posted; looked for before a retry
            self._failed(job, repr(exc), report)
            return
        posted.append((job.reminder_id, channel, result["ts"]))
        report.sent += 1

    def _failed(self, job: Claimed, error: str, report: SendReport) -> None:
        log.warning("reminder %s to %s failed: %s", job.reminder_id, job.recipient, error)
        self.outbox.mark_failed(job.reminder_id, self.worker, error, job.attempts)
        report.failed += 1
        report.errors.append(error)

    def _timezone(self, user_id: str) -> str | None:
        """The recipient's Slack timezone, read with users.info at most once a day."""
        if user_id not in self._zones:
            self._zones[user_id] = self._read_timezone(user_id)
        return self._zones[user_id]

    def _read_timezone(self, user_id: str) -> str | None:
        member = self.tally.members.get(user_id)
        tz, checked = (member.timezone, member.tz_checked_at) if member else (None, None)
        now = self.tally.clock.now()
        if checked is None or now - checked > TZ_MAX_AGE:
            try:
                fresh = self.client.users_info(user=user_id)["user"].get("tz")
            except Exception:
                log.info("users.info failed for %s; keeping %s", user_id, tz, exc_info=True)
                fresh = None
            if fresh:
                self.tally.members.set_timezone(user_id, fresh, now)
                tz = fresh
        return tz

    def _dm(self, user_id: str) -> str:
        if user_id not in self._channels:
            self._channels[user_id] = self.client.conversations_open(users=user_id)["channel"]["id"]
        return self._channels[user_id]

    def _already_posted(self, channel: str, reminder_id: int, since: datetime) -> str | None:
        """The ts of a message in `channel` since `since` carrying this row's id in its metadata."""
        return posted_before(self.client, channel, self.metadata_type,
                             lambda payload: payload.get(self.id_key) == reminder_id, since)
