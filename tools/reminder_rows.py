"""A reminder as the outbox lists it to operators and the digest: plain values, read inside the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.models import Reminder


@dataclass(frozen=True)
class ReminderRow:
    id: int
    status: str
    stage: str
    invoice_number: str
    recipient: str
    due_at: datetime
    skip_reason: str | None
    last_error: str | None


def reminder_row(reminder: Reminder) -> ReminderRow:
    return ReminderRow(reminder.id, reminder.status, reminder.stage, reminder.invoice.number, reminder.recipient,
                       reminder.due_at, reminder.skip_reason, reminder.last_error)
