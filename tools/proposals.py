"""What the service hands back about a write: the proposal a person confirms, and what deciding it did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Proposal:
    pending_id: str
    tool: str
    summary: str
    requested_by: str
    preview: BaseModel | None  # None when the request repeats one proposed before (same request_key)


@dataclass(frozen=True)
class PendingView:
    """A stored proposal as it stands: the arguments that will run, as confirmed, and its status."""

    id: str
    tool: str
    args: dict[str, Any]
    summary: str
    requested_by: str
    status: str  # pending, done, failed, cancelled, expired
    thread_key: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What a confirmation or cancellation did. `result` is set when the tool ran (now or before)."""

    pending_id: str
    tool: str
    status: str  # done, failed, cancelled, expired
    summary: str
    result: BaseModel | None = None
    error: str | None = None
    already: bool = False  # the action had been decided before this call
    decided_by: str | None = None
    decided_at: datetime | None = None
