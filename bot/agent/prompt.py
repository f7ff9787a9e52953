"""The system prompt: a file in prompts/, filled per turn with the date, the user and the currency."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from tools import Actor

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


@lru_cache
def template(name: str = "system.md") -> str:
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


def _next(weekday: int, today_local: datetime) -> str:
    days = (weekday - today_local.weekday()) % 7 or 7
    return (today_local + timedelta(days=days)).date().isoformat()


def system_prompt() -> str:
    """The fixed part: the same for every user and day, so servers can cache it with the tools."""
    return template("system.md")


def turn_context(actor: Actor, now: datetime, currency: str) -> str:
    """The per-turn part: who is asking, and the dates that small models otherwise invent."""
    local = now.astimezone(actor.tz)
    return template("context.md").format(
        name=actor.name, role=actor.role.value, user_id=actor.user_id, weekday=local.strftime("%A"),
        today=local.date().isoformat(), timezone=actor.timezone, currency=currency,
        yesterday=(local - timedelta(days=1)).date().isoformat(),
        tomorrow=(local + timedelta(days=1)).date().isoformat(), next_monday=_next(0, local),
        next_friday=_next(4, local),
    )
