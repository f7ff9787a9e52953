"""The cash forecast: every open invoice lands in one week or after them, what is overdue is told apart,
and last week's actual is what was received; from the console as a manager, refused to a rep."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from bot.console import Console
from core.money import ZERO
from db.models import Payment


def test_the_weeks_and_what_comes_later_add_up_to_the_open_receivables(tally, actors):
    manager = actors["U0MGR1"]
    forecast = tally.read(manager, "cash_forecast", {})
    ageing = tally.read(manager, "ar_ageing", {})
    assert len(forecast.weeks) == 13 and forecast.weeks[0].starts.weekday() == 0
    assert forecast.weeks[0].starts <= forecast.as_of < forecast.weeks[0].starts + timedelta(days=7)
    assert forecast.total + forecast.beyond == ageing.total.total
    overdue = ageing.total.total - ageing.total.buckets["current"]
    assert forecast.overdue_now == overdue
    assert sum((w.from_overdue for w in forecast.weeks), ZERO) <= overdue
    assert all(w.starts > forecast.as_of - timedelta(days=7) for w in forecast.weeks)  # nothing in the past


def test_last_weeks_actual_is_what_was_received(tally, actors, db):
    forecast = tally.read(actors["U0MGR1"], "cash_forecast", {"weeks": 4})
    monday = forecast.weeks[0].starts
    with db.session() as s:
        received = s.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.received_on >= monday - timedelta(days=7), Payment.received_on < monday))
    assert len(forecast.weeks) == 4 and forecast.last_week_actual == received


def test_forecast_from_the_console(tally):
    out = io.StringIO()
    Console(tally, tally.actor_for("U0MGR1"), out).handle("forecast 8")
    text = out.getvalue()
    assert "Cash forecast from" in text and "Expected in 8 weeks" in text and "overdue" in text
    rep = io.StringIO()
    Console(tally, tally.actor_for("U0SALES1"), rep).handle("forecast")
    assert "a manager can" in rep.getvalue()
