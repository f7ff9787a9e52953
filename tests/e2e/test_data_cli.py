"""`python app.py import|export|backup|restore|audit|members` in-process (typer's runner), on SQLite and on
PostgreSQL: imports never destroy, a file imported twice changes nothing, export and import round-trip,
a dry run writes nothing, restore keeps the audit log whole, and every write is in the log."""

from __future__ import annotations

import gc
import gzip
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from cli import cli
from config import get_settings
from db.backup import wipe
from db.migrate import current_revision
from db.models import AuditEvent, Base, Customer, Invoice, Payment, Product
from tests.conftest import DEMO_NOW
from tests.helpers import state
from tools import FixedClock
from tools.exporter import IMPORTABLE
from tools.members import Members

TODAY = datetime.now(UTC).date()  # the commands run on the system clock


@pytest.fixture
def app(db, backend, monkeypatch):
    """Run a command against the test database; check its exit code; return the result."""
    monkeypatch.setenv("DATABASE_URL", backend.url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args, code: int = 0):
        result = runner.invoke(cli, [str(a) for a in args])
        gc.collect()  # the command's engine and its pooled connections go with it
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert result.stderr.startswith(f"Database: {backend.db.engine.url.render_as_string()}"), result.stderr
        return result

    yield run
    get_settings.cache_clear()


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def rows(db, *, audit: bool = False) -> dict[str, list[dict]]:
    """Every table in primary-key order (the audit log only when asked)."""
    data = state(db)
    for name, table_rows in data.items():
        key = [c.name for c in Base.metadata.tables[name].primary_key.columns]
        table_rows.sort(key=lambda row: tuple(str(row[k]) for k in key))
    if not audit:
        data.pop("audit_events")
    return data


def record(db, model, **where) -> dict:
    with db.session() as session:
        found = session.scalars(select(model).filter_by(**where)).one()
        return {c.name: getattr(found, c.name) for c in model.__table__.columns}


def audit_log(db) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_a_partial_customer_file_changes_only_its_columns_and_empty_cells_never_clear(app, db, tally, actors,
                                                                                      tmp_path):
    acme, globex = record(db, Customer, code="ACME"), record(db, Customer, code="GLOBEX")
    out = app("import", "customers", write(tmp_path / "names.csv", "code,name\nACME,Acme Corporation")).stdout
    assert "customers from names.csv: 0 created, 1 updated, 0 unchanged, 0 refused." in out
    assert record(db, Customer, code="ACME") == {**acme, "name": "Acme Corporation"}  # limit, owner, collector kept
    assert tally.read(actors["U0SALES1"], "check_credit", {"customer": "ACME"}).customer.code == "ACME"

    cells = write(tmp_path / "cells.csv", """
code,credit_limit,owner_rep,collector,email,notes
ACME,,U0SALES1,U0COLL1,,
GLOBEX,45000,,U0COLL2,ap@globex.example,Key account
ACME,70000,U0SALES1,U0COLL1,,Pays by wire
""")
    result = app("import", "customers", cells, code=2)
    assert result.stdout.splitlines() == [
        "  line 2: refused: credit_limit is empty: import never clears it. Give a value, or leave the column out "
        "to keep the current one.",
        "  line 3: refused: owner_rep is empty: import never clears it. Give a value, or leave the column out "
        "to keep the current one.",
        "customers from cells.csv: 0 created, 1 updated, 0 unchanged, 2 refused.",
    ]
    assert record(db, Customer, code="GLOBEX") == globex
    assert record(db, Customer, code="ACME") == {**acme, "name": "Acme Corporation", "credit_limit": Decimal(70000),
                                                 "notes": "Pays by wire"}
    app("import", "customers", write(tmp_path / "clear.csv", "code,notes\nACME,"))  # notes may be cleared
    assert record(db, Customer, code="ACME")["notes"] is None

    event = audit_log(db)[-1]
    assert (event.actor, event.action, event.entity, event.entity_id) == ("cli", "import", "customers", "clear.csv")
    assert {k: event.after[k] for k in ("created", "updated", "unchanged", "refused")} == {
        "created": 0, "updated": 1, "unchanged": 0, "refused": 0}


def test_a_product_file_without_stock_keeps_stock_and_stock_never_drops_below_reservations(app, db, tmp_path):
    widget = record(db, Product, sku="WIDGET-1")
    app("import", "products", write(tmp_path / "prices.csv", "sku,price\nwidget-1,13.00"))
    assert record(db, Product, sku="WIDGET-1") == {**widget, "price": Decimal("13.00")}
    with db.session(write=True) as session:
        session.execute(update(Product).where(Product.sku == "WIDGET-1").values(stock_reserved=5))
        session.commit()
    result = app("import", "products", write(tmp_path / "stock.csv", "sku,stock_on_hand\nWIDGET-1,\nWIDGET-1,4"),
                 code=2)
    assert "line 2: refused: stock_on_hand is empty: import never clears it." in result.stdout
    assert ("line 3: refused: stock_on_hand 4 is less than the 5 WIDGET-1 reserved for confirmed orders."
            in result.stdout)
    assert record(db, Product, sku="WIDGET-1")["stock_on_hand"] == widget["stock_on_hand"]


def test_a_dry_run_says_what_each_line_would_do_and_writes_nothing(app, db, tmp_path):
    before = state(db)
    file = write(tmp_path / "plan.csv", """
code,name,credit_limit,owner_rep
ACME,Acme Corp,75000,U0SALES1
NEWCO,New Co,1000,U0SALES2
GLOBEX,Globex,40000,U0SALES2
BADCO,Bad Co,1000,U0NOBODY
""")
    result = app("import", "customers", file, "--dry-run", code=2)
    assert result.stdout.splitlines() == [
        "  line 2: update ACME: credit_limit 60000.00 → 75000.00",
        "  line 3: create NEWCO",
        "  line 4: unchanged GLOBEX",
        "  line 5: refused: owner_rep U0NOBODY is not an active member; add it with `members add` first.",
        "customers from plan.csv: 1 created, 1 updated, 1 unchanged, 1 refused. Dry run: nothing was written.",
    ]
    assert state(db) == before  # not even an audit event


def test_the_same_payments_file_twice_changes_nothing_and_equal_payments_stay_distinct(app, db, tmp_path):
    with db.session() as session:
        number, other = session.scalars(select(Invoice.number).where(Invoice.status == "open")
                                        .order_by((Invoice.total - Invoice.paid_amount).desc()).limit(2)).all()
    paid = TODAY - timedelta(days=1)
    file = write(tmp_path / "bank.csv", f"""
invoice_number,amount,received_on,method
{number},100.00,{paid},card
{number},100.00,{paid},card
{other},50.00,{paid},cheque
""")
    first = app("import", "payments", file).stdout
    assert "payments from bank.csv: 3 created, 0 updated, 0 unchanged, 0 refused." in first
    before = rows(db, audit=True)
    second = app("import", "payments", file).stdout
    assert "payments from bank.csv: 0 created, 0 updated, 3 unchanged, 0 refused." in second
    after = rows(db, audit=True)
    assert [e["action"] for e in after.pop("audit_events")[len(before["audit_events"]):]] == ["import"]
    assert after == {k: v for k, v in before.items() if k != "audit_events"}

    # A third equal payment is new: the file has one more than the database.
    three = write(tmp_path / "three.csv", "\n".join([*file.read_text().splitlines()[:3],
                                                     f"{number},100.00,{paid},card"]))
    assert "payments from three.csv: 1 created, 0 updated, 2 unchanged, 0 refused." in app(
        "import", "payments", three).stdout
    with db.session() as session:
        amounts = session.scalars(select(Payment.amount).join(Invoice, Invoice.id == Payment.invoice_id).where(
            Invoice.number == number, Payment.received_on == paid)).all()
    assert amounts == [Decimal("100.00")] * 3


def test_export_then_import_changes_nothing_and_rebuilds_an_emptied_database(app, db, tmp_path):
    tricky = {"name": "=HYPERLINK(\"http://evil.example\",\"Acme\")", "email": "@acme.example",
              "notes": "'=already quoted"}
    with db.session(write=True) as session:
        session.execute(update(Customer).where(Customer.code == "ACME").values(**tricky))
        session.execute(update(Product).where(Product.sku == "WIDGET-1").values(name="-2+3 Widget"))
        session.commit()
    app("export", "--out", tmp_path / "a")
    text = (tmp_path / "a" / "customers.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text and ",'@acme.example," in text and ",''=already quoted" in text
    assert ",60000.00," in text  # numbers are written as numbers
    before = rows(db)
    for kind in IMPORTABLE:
        out = app("import", kind, tmp_path / "a" / f"{kind}.csv").stdout
        assert " 0 created, 0 updated, " in out and " 0 refused." in out, out
    assert rows(db) == before

    invoices = {i["number"]: i for i in before["invoices"]}
    with db.session(write=True) as session:
        wipe(session)  # everything but the audit log
        session.commit()
    for kind in IMPORTABLE:
        assert " 0 refused." in app("import", kind, tmp_path / "a" / f"{kind}.csv").stdout
    app("export", "--out", tmp_path / "b")
    for kind in IMPORTABLE:
        assert (tmp_path / "b" / f"{kind}.csv").read_bytes() == (tmp_path / "a" / f"{kind}.csv").read_bytes(), kind
    assert {k: record(db, Customer, code="ACME")[k] for k in tricky} == tricky
    derived = ("status", "paid_amount", "paid_on", "total")
    for number, invoice in invoices.items():
        assert {k: record(db, Invoice, number=number)[k] for k in derived} == {k: invoice[k] for k in derived}


def test_members_changes_and_orders_are_in_the_audit_log_which_the_audit_command_shows(app, db, tally, actors):
    app("members", "add", "U0NEW1", "--role", "sales", "--tz", "Europe/Paris")
    app("members", "add", "U0NEW1", "--role", "collector")
    app("members", "add", "U0NEW1", "--role", "collector")  # as it is: nothing to record
    app("members", "remove", "U0NEW1")
    members = Members(db, FixedClock(DEMO_NOW))
    members.set_timezone("U0SALES1", "Europe/Berlin")
    members.set_timezone("U0SALES1", "Europe/Berlin", DEMO_NOW + timedelta(hours=1))  # same zone: no event
    proposal = tally.propose(actors["U0SALES1"], "create_order", {"customer": "ACME", "lines": [
        {"sku": "WIDGET-1", "quantity": 2}, {"sku": "GADGET-2", "quantity": 1, "unit_price": "45.00"}]})
    order = tally.confirm(actors["U0SALES1"], proposal.pending_id).result.order

    lines = app("audit", "--document", "U0NEW1").stdout.splitlines()
    assert [line.split()[2] for line in lines] == ["member_remove", "member_change", "member_add"]  # newest first
    assert all(line.split()[0].endswith("Z") and datetime.fromisoformat(line.split()[0]) for line in lines)
    assert lines[1].split(" | ")[1] == "role: sales → collector"
    assert "timezone: Europe/Paris" in lines[2]
    assert app("audit", "--document", "U0SALES1").stdout.split(" | ")[1].strip() == (
        "timezone: America/New_York → Europe/Berlin")

    [created] = app("audit", "--document", order.number.lower()).stdout.splitlines()
    at, event = created.split(" ", 1)
    assert at.startswith(DEMO_NOW.date().isoformat())
    assert event.startswith(f"U0SALES1 create_order order {order.number}")
    assert '"sku":"WIDGET-1","quantity":2,"unit_price":"12.50","unit_cost":' in created
    assert '"sku":"GADGET-2","quantity":1,"unit_price":"45.00","unit_cost":' in created

    assert len(app("audit", "--user", "cli", "--limit", "2").stdout.splitlines()) == 2
    assert {line.split()[1] for line in app("audit", "--user", "u0sales1").stdout.splitlines()} == {"U0SALES1"}
    since = app("audit", "--since", TODAY.isoformat()).stdout  # the members' events are today's, the order not
    assert "member_remove" in since and "create_order" not in since
    assert app("audit", "--since", "2999-01-01").stdout == "No audit events match.\n"


def test_restore_refuses_a_database_with_data_and_another_revision_and_keeps_the_log(app, db, backend, tmp_path):
    app("backup", tmp_path / "b.jsonl.gz")
    saved = rows(db)
    app("members", "add", "U0NEW1", "--role", "sales")
    history = [e.id for e in audit_log(db)]

    refused = app("restore", tmp_path / "b.jsonl.gz", code=1).stdout
    assert "The database is not empty (customers 20, " in refused and "Run again with --replace" in refused
    assert "The database was not changed." in refused

    with gzip.open(tmp_path / "b.jsonl.gz", "rt") as fh:
        header, *lines = fh.read().splitlines()
    with gzip.open(tmp_path / "old.jsonl.gz", "wt") as fh:
        fh.write("\n".join([json.dumps({**json.loads(header), "revision": "0003"}), *lines]) + "\n")
    other = app("restore", tmp_path / "old.jsonl.gz", "--replace", code=1).stdout
    head = current_revision(db.engine)
    assert f"old.jsonl.gz is a backup of schema revision 0003, and this database is at revision {head}." in other
    assert "Restore it with the Tally version that made it" in other and "The database was not changed." in other
    assert [e.id for e in audit_log(db)] == history

    done = app("restore", tmp_path / "b.jsonl.gz", "--replace").stdout
    assert "Replaced customers 20, " in done and "members 8" in done
    assert rows(db) == saved  # U0NEW1 is gone again...
    log = audit_log(db)
    assert [e.id for e in log[:len(history)]] == history  # ...but not from the history
    assert [(e.action, e.entity_id) for e in log[len(history):]] == [("restore", "b.jsonl.gz")]
    assert log[-1].before["rows"]["members"] == 8 and log[-1].after["rows"]["customers"] == 20

    # A database without data takes the backup without --replace.
    with db.session(write=True) as session:
        wipe(session)
        session.commit()
    app("restore", tmp_path / "b.jsonl.gz")
    assert rows(db) == saved


def test_backup_to_a_folder_is_refused_and_leaves_nothing(app, tmp_path):
    (tmp_path / "backups").mkdir()
    out = app("backup", tmp_path / "backups", code=1).stdout
    assert f"{tmp_path / 'backups'} is a folder; name a file in it" in out
    missing = app("backup", tmp_path / "nowhere" / "b.jsonl.gz", code=1).stdout
    assert "Cannot write" in missing and "No backup was written." in missing
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["backups"]


def test_import_help_names_every_column_and_which_ones_may_be_cleared():
    from tools.import_rows import CLEARABLE, COLUMNS

    result = CliRunner().invoke(cli, ["import", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    listed: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        kind, _, rest = line.strip().partition(":")
        if kind in COLUMNS and rest:
            listed[kind] = [c.strip() for c in rest.split(",") if c.strip()]
        elif listed and line.startswith(" " * 10) and "," in line and not rest:  # a wrapped list goes on
            listed[list(listed)[-1]] += [c.strip() for c in line.split(",") if c.strip()]
    assert {kind: [c.rstrip("*") for c in names] for kind, names in listed.items()} == {
        kind: list(names) for kind, names in COLUMNS.items()}
    assert {kind: tuple(c[:-1] for c in names if c.endswith("*")) for kind, names in listed.items()} == {
        kind: CLEARABLE.get(kind, ()) for kind in COLUMNS}
