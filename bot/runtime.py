"""Wiring: settings → database (migrated) → the Tally service. Every front end starts here."""

from __future__ import annotations

from datetime import timedelta

from config import Settings
from db.migrate import upgrade
from db.scale_seed import load_data
from db.session import Database
from tools import Clock, Rules, SystemClock, Tally


def rules_from(settings: Settings) -> Rules:
    return Rules(currency=settings.currency, timezone=settings.timezone,
                 credit_max_days_overdue=settings.credit_max_days_overdue, tax_rate=settings.tax_rate,
                 max_discount=settings.max_discount)


def open_database(settings: Settings) -> Database:
    if not settings.database_url_given:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    upgrade(db.engine)
    return db


def build_tally(settings: Settings, clock: Clock | None = None, *, demo_if_new: bool = False) -> Tally:
    """Migrate on start. Only a caller that asks (the console on the embedded default database) gets the
    demo company, and only in an empty database: a real deployment is never filled with it."""
    db = open_database(settings)
    clock = clock or SystemClock()
    if demo_if_new:
        load_data(db, clock.now(), only_if_empty=True)
    return Tally(db, rules_from(settings), clock, timedelta(minutes=settings.pending_action_ttl_minutes))
