"""The audit log is append-only in the database itself: UPDATE, DELETE (and TRUNCATE on PostgreSQL) fail,
whoever asks, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.models import AuditEvent
from tests.conftest import DEMO_NOW


def audit_rows(db) -> list[tuple]:
    with db.session() as session:
        return session.execute(select(AuditEvent.id, AuditEvent.actor, AuditEvent.action)
                               .order_by(AuditEvent.id)).all()


def test_update_delete_and_truncate_of_audit_events_are_refused(db, backend):
    with db.session(write=True) as session:
        session.add(AuditEvent(at=DEMO_NOW, actor="U0SALES1", action="create_order", entity="order",
                               entity_id="SO-2026-99999", before=None, after={"total": "10.00"}))
        session.commit()
    before = audit_rows(db)
    assert before
    statements = ["UPDATE audit_events SET actor = 'U0MGR1'", "DELETE FROM audit_events",
                  "DELETE FROM audit_events WHERE entity_id = 'SO-2026-99999'"]
    if backend.name == "postgresql":
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with db.session(write=True) as session, pytest.raises(DBAPIError) as refused:
            session.execute(text(statement))
            session.commit()
        assert "audit_events is append-only" in str(refused.value), statement
    assert audit_rows(db) == before
