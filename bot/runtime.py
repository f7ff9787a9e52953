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
                 credit_max_days_overdue=settings.credit_max_days_overdue, tax_rate=settings.tax_rate)


def open_database(settings: Settings) -> Database:
    db = Database(settings.database_url)
    upgrade(db.engine)
    return db


def build_tally(settings: Settings, clock: Clock | None = None, *, seed_if_new: bool | None = None) -> Tally:
    """Migrate on start; on the embedded default database, seed the demo company the first time."""
    db = open_database(settings)
    clock = clock or SystemClock()
    if seed_if_new is None:
        seed_if_new = not settings.database_url_given
    if seed_if_new:
        load_data(db, clock.now(), only_if_empty=True)
    return Tally(db, rules_from(settings), clock, timedelta(minutes=settings.pending_action_ttl_minutes))
