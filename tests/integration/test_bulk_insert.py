"""Rows inserted in bulk (COPY on PostgreSQL, plain tuples on SQLite) read back as the ORM wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from db.bulk import insert_rows
from db.models import Invoice, Reminder

COLUMNS = ("invoice_id", "stage", "recipient", "due_at", "status", "skip_reason", "attempts", "created_by",
           "created_at")


def test_bulk_rows_read_back_like_orm_rows(db):
    at, later = datetime(2026, 11, 24, 15, 0, 0, 123456, tzinfo=UTC), datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    with db.session(write=True) as s:
        invoice_id = s.scalar(select(Invoice.id).order_by(Invoice.id))
        s.add(Reminder(invoice_id=invoice_id, stage="orm", recipient="U0COLL1", due_at=later, status="pending",
                       skip_reason=None, attempts=0, created_by="test", created_at=at))
        insert_rows(s, Reminder.__table__, COLUMNS, [
            (invoice_id, "bulk", "U0COLL1", later, "pending", None, 0, "test", at),
            (invoice_id, "bulk", "U0SALES1", at, "skipped", "it's a \"quoted\"\ttab, and\nlines", 0, "test", at)])
        s.commit()
    with db.session() as s:
        rows = {(r.stage, r.recipient): r for r in s.scalars(select(Reminder).where(Reminder.created_by == "test"))}
        orm, bulk, other = rows["orm", "U0COLL1"], rows["bulk", "U0COLL1"], rows["bulk", "U0SALES1"]
        assert (bulk.due_at, bulk.created_at, bulk.skip_reason) == (orm.due_at, orm.created_at, orm.skip_reason)
        assert (bulk.due_at, bulk.created_at, bulk.skip_reason) == (later, at, None)
        assert other.skip_reason == "it's a \"quoted\"\ttab, and\nlines" and other.due_at == at
        due = s.scalars(select(Reminder.stage).where(Reminder.due_at <= later, Reminder.created_by == "test")).all()
        assert sorted(due) == ["bulk", "bulk", "orm"]  # compared in SQL, the stored values order like the ORM's
