"""The services a front end reaches through the Tally object, each built on the service's own database,
clock and rules when asked for: a front end holds Tally and nothing else, and a clock set on Tally (the
`--now` of an operator) is the one every service reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from core.alerts import AlertThresholds
from db.session import Database
from tools.alert_outbox import AlertOutbox
from tools.answer_queue import AnswerQueue
from tools.context import Clock, Rules
from tools.conversations import Memory, usage_summary
from tools.digests import Digests
from tools.dunning_policy import Policy
from tools.feedback import FeedbackLog
from tools.members import Members
from tools.outbox import Outbox
from tools.read_watch import ReadWatch
from tools.reminder_message import ReminderMessages
from tools.sales_trend import product_trends
from tools.slack_state import SlackState

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any


class Services:
    db: Database
    clock: Clock
    rules: Rules
    policy: Policy
    alert_thresholds: AlertThresholds

    @property
    def members(self) -> Members:
        return Members(self.db, self.clock)

    @property
    def slack_state(self) -> SlackState:
        return SlackState(self.db, self.clock)

    @property
    def feedback(self) -> FeedbackLog:
        return FeedbackLog(self.db, self.clock)

    @property
    def digests(self) -> Digests:
        return Digests(self.db, self.clock)

    @property
    def read_watch(self) -> ReadWatch:
        return ReadWatch(self.db, self.clock, self.rules.read_alert_floor)

    @property
    def reminder_messages(self) -> ReminderMessages:
        return ReminderMessages(self.db, self.clock, self.rules, self.policy.stages)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.db, self.clock, self.policy, self.rules)

    @property
    def alert_outbox(self) -> AlertOutbox:
        return AlertOutbox(self.db, self.clock, self.policy, self.rules, self.alert_thresholds, trends=product_trends)

    @property
    def answer_queue(self) -> AnswerQueue:
        return AnswerQueue(self.db, self.clock)

    def healthy(self) -> bool:
        """The database answers a trivial query."""
        with self.db.session() as session:
            return session.execute(text("select 1")).scalar() == 1

    def memory(self, keep: int = 20) -> Memory:
        return Memory(self.db, keep=keep)

    def usage(self, since: datetime | None = None) -> dict[str, Any]:
        return usage_summary(self.db, since)
