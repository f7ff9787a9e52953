"""The weekly digest against a mock Slack that fails like Slack does: sent, then marked; a failure is
tried again on the next hourly run, a crash after the post is reconciled, two schedulers send once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.digest import send_digests
from bot.slack_app import slack_client
from db.models import DigestLog
from tests.fakes.slack_api import MockSlack
from tools import FixedClock, Tally
from tools.digests import Digests
from tools.outbox import Outbox

MONDAY_9AM_NY = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)  # the manager, U0MGR1, is in New York
HOUR = timedelta(hours=1)


class Crash(BaseException):
    """The process dies: nothing after this line runs, no handler catches it."""


@pytest.fixture
def slack():
    with MockSlack() as mock:
        yield mock


def run_at(db, tally, slack, at: datetime) -> int:
    """One hourly run of the digest job, as the scheduler makes it, at `at`."""
    return send_digests(Tally(db, tally.rules, FixedClock(at)), slack_client("xoxb-test", slack.base_url),
                        Outbox(db, FixedClock(at)))


def digests(slack) -> list[dict]:
    return [m for m in slack.messages("DU0MGR1") if "Receivables" in m["text"]]


def log_row(db) -> DigestLog:
    with db.session() as s:
        return s.scalar(select(DigestLog).where(DigestLog.manager == "U0MGR1"))


@pytest.mark.parametrize("fault", ["fail", "rate_limit_then_fail", "drop_connection"])
def test_a_failed_post_is_sent_on_the_next_run_and_only_once(tally, db, slack, fault):
    if fault == "fail":
        slack.fail("chat.postMessage", error="internal_error")
    elif fault == "rate_limit_then_fail":
        slack.rate_limit("chat.postMessage", times=1, retry_after=0)
        slack.fail("chat.postMessage", error="fatal_error")
    else:  # the connection dies: the client must not post again blindly
        slack.drop_connection("chat.postMessage")
    assert run_at(db, tally, slack, MONDAY_9AM_NY) == 0
    row = log_row(db)
    assert row.sent_at is None and row.lease_until is None and row.last_error and not digests(slack)
    assert run_at(db, tally, slack, MONDAY_9AM_NY + HOUR) == 1
    row = log_row(db)
    (digest,) = digests(slack)
    assert (row.channel, row.ts) == ("DU0MGR1", digest["ts"]) and row.sent_at is not None
    assert digest["metadata"]["event_payload"] == {"manager": "U0MGR1", "week": "2026-W49"}
    assert run_at(db, tally, slack, MONDAY_9AM_NY + 2 * HOUR) == 0 and len(digests(slack)) == 1


def test_a_week_that_failed_on_monday_night_is_retried_on_tuesday(tally, db, slack):
    slack.fail("chat.postMessage", error="internal_error", times=15)  # Slack is down all Monday evening
    at = MONDAY_9AM_NY
    while at.astimezone(UTC).hour != 5:  # 00:xx in New York
        assert run_at(db, tally, slack, at) == 0
        at += HOUR
    assert run_at(db, tally, slack, at) == 1 and len(digests(slack)) == 1
    assert log_row(db).attempts == 16


def test_no_digest_starts_before_monday_9am(tally, db, slack):
    assert run_at(db, tally, slack, MONDAY_9AM_NY - timedelta(hours=16)) == 0  # Sunday evening
    assert run_at(db, tally, slack, MONDAY_9AM_NY - timedelta(minutes=10)) == 0  # Monday 08:55
    assert log_row(db) is None and not slack.calls_to("chat.postMessage")


def test_a_crash_between_post_and_mark_is_reconciled_not_posted_twice(tally, db, slack, monkeypatch):
    def die(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(Digests, "mark_sent", die)
        with pytest.raises(Crash):
            run_at(db, tally, slack, MONDAY_9AM_NY)
    assert len(digests(slack)) == 1 and log_row(db).sent_at is None
    assert run_at(db, tally, slack, MONDAY_9AM_NY + timedelta(minutes=20)) == 0  # the lease still holds
    assert run_at(db, tally, slack, MONDAY_9AM_NY + HOUR) == 0  # taken over: found in Slack, not re-posted
    (digest,) = digests(slack)
    row = log_row(db)
    assert row.sent_at is not None and row.ts == digest["ts"] and len(slack.calls_to("chat.postMessage")) == 1


def test_two_schedulers_at_once_send_one_digest(tally, db, slack):
    start = threading.Barrier(3, timeout=30)
    counts: list[int] = []

    def scheduler() -> None:
        start.wait()
        counts.append(run_at(db, tally, slack, MONDAY_9AM_NY))

    threads = [threading.Thread(target=scheduler) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 1] and len(digests(slack)) == 1


def test_a_failed_chart_does_not_send_the_digest_again(tally, db, slack):
    slack.fail("files.getUploadURLExternal", error="internal_error")
    assert run_at(db, tally, slack, MONDAY_9AM_NY) == 1
    assert run_at(db, tally, slack, MONDAY_9AM_NY + HOUR) == 0 and len(digests(slack)) == 1
