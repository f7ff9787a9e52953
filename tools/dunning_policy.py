"""The dunning policy the outbox follows (stages and working hours, from a TOML file or built in), and
the sender's timing (leases and retries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from core.dunning import DEFAULT_POLICY, Stage, WorkingHours, parse_policy, parse_working_hours


@dataclass(frozen=True)
class Timing:
    """How long a sender holds the rows it claimed, and when a failed row is tried again."""

    lease: timedelta = timedelta(minutes=2)
    retry_after: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
                                          timedelta(hours=1))

    @property
    def max_attempts(self) -> int:
        return len(self.retry_after) + 1


@dataclass(frozen=True)
class Policy:
    stages: tuple[Stage, ...] = DEFAULT_POLICY
    hours: WorkingHours = WorkingHours()


def load_policy(path: Path | None) -> Policy:
    """The dunning policy from a TOML file (stages and working hours), or the built-in default."""
    if path is None:
        return Policy()
    text = Path(path).read_text(encoding="utf-8")
    stages = parse_policy(text) if "[[stage]]" in text else DEFAULT_POLICY
    return Policy(stages, parse_working_hours(text))
