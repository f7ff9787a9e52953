"""`python app.py ...`: every admin command through the CLI app, one run per command group as a subprocess
of app.py itself, on a temporary SQLite file, and (when TALLY_TEST_DATABASE_URL is set) one import and
backup/restore round trip on PostgreSQL.
The rules of import, export, restore and audit are tested in-process in test_data_cli.py."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer.main
from sqlalchemy import func, select

from cli import cli
from db.backup import snapshot
from db.models import (
    AuditEvent,
    Base,
    Customer,
    DocumentCounter,
    Invoice,
    Member,
    OrderLine,
    Payment,
    Product,
    SalesOrder,
)
from db.session import Database
from tests.e2e.app_runner import Ran, run_app
from tools.exporter import FILES

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TALLY_TEST_DATABASE_URL")
TODAY = datetime.now(UTC).date()  # the commands run on the system clock
YEAR = TODAY.year


def app(cwd: Path, url: str, *args: str, stdin: str | None = None, real: bool = False) -> Ran:
    """A command in this process, through the same Typer app as `python app.py` (fast), or with `real` as a
    subprocess of app.py itself: one such smoke run per command group proves the entry point."""
    result = run_app(cwd, args, {"DATABASE_URL": url}, stdin=stdin, real=real)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    if result.returncode == 0 and args[-1] != "--help":  # every command says which database it opens, on stderr
        assert result.stderr.startswith("Database: "), (args, result.stderr)
    return result


def ok(cwd: Path, url: str, *args: str, stdin: str | None = None, real: bool = False) -> str:
    result = app(cwd, url, *args, stdin=stdin, real=real)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def in_parallel(cwd: Path, url: str, *commands: tuple[str, ...]) -> list[Ran]:
    """Independent commands at once, as subprocesses: each spends most of its second starting Python."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: app(cwd, url, *args, real=True), commands))


def tables(url: str, *, audit: bool = True) -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order, as the application reads them (the audit log too,
    unless `audit` is false)."""
    db = Database(url)
    try:
        with db.session() as session:
            data = snapshot(session)
    finally:
        db.dispose()
    for name, rows in data.items():
        key = [c.name for c in Base.metadata.tables[name].primary_key.columns]
        rows.sort(key=lambda row: tuple(str(row[k]) for k in key))
    if not audit:
        data.pop(AuditEvent.__tablename__)
    return data


def query(url: str, statement):
    db = Database(url)
    try:
        with db.session() as session:
            return session.execute(statement).all()
    finally:
        db.dispose()


def count(url: str, model) -> int:
    return query(url, select(func.count()).select_from(model))[0][0]


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    """One demo database made through the CLI (migrate, then seed --demo), copied by each test that needs it."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'tally.db'}"
    assert "Database at revision" in ok(folder, url, "migrate", real=True)
    assert count(url, Customer) == 0
    assert "Demo data loaded." in ok(folder, url, "seed", "--demo", real=True)
    return folder / "tally.db"


@pytest.fixture
def demo(tmp_path, demo_template) -> str:
    """A fresh copy of the demo database: its URL."""
    for suffix in ("", "-wal", "-shm"):
        source = demo_template.with_name(demo_template.name + suffix)
        if source.exists():
            shutil.copy(source, tmp_path / ("tally.db" + suffix))
    return f"sqlite:///{tmp_path / 'tally.db'}"


def command_paths(command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The command and, for a group, all its subcommands (typer carries its own click: duck-typed)."""
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths += command_paths(sub, (*prefix, name))
    return paths


def test_help_works_for_every_command_and_subcommand_without_a_database(tmp_path):
    group = typer.main.get_command(cli)
    paths = command_paths(group)
    assert {("members", "add"), ("import",), ("restore",), ("seed",)} <= set(paths)
    url = f"sqlite:///{tmp_path / 'never.db'}"
    results = [app(tmp_path, url, *path, "--help", real=not path) for path in paths]  # the top one as a subprocess
    for path, result in zip(paths, results, strict=True):
        assert result.returncode == 0, (path, result.stdout, result.stderr)
        assert "Usage:" in result.stdout and "--help" in result.stdout, path
    top = results[paths.index(())].stdout
    for name in group.commands:
        assert name in top
    assert not (tmp_path / "never.db").exists()  # help opens no database


def test_migrate_then_seed_demo_refuses_a_second_time_unless_reset(tmp_path, demo):
    before = {t: len(rows) for t, rows in tables(demo).items()}
    assert before["customers"] >= 20 and before["invoices"] > 100 and before["members"] == 7
    assert query(demo, select(Customer.name, Customer.owner_rep).where(Customer.code == "ACME")) == [
        ("Acme Corp", "U0SALES1")]

    again = app(tmp_path, demo, "seed", "--demo")
    assert again.returncode == 1
    assert "The database already has data; add --reset to replace it." in again.stdout
    assert {t: len(rows) for t, rows in tables(demo).items()} == before

    neither = app(tmp_path, demo, "seed")
    assert neither.returncode == 1 and "Choose one: --demo or --scale N." in neither.stdout

    ok(tmp_path, demo, "members", "add", "U0EXTRA1", "--role", "sales")
    history = tables(demo)["audit_events"]
    assert "Demo data loaded." in ok(tmp_path, demo, "seed", "--demo", "--reset")
    after = tables(demo)
    # The extra member is gone; the audit log kept its history and says what happened.
    assert {t: len(rows) for t, rows in after.items() if t != "audit_events"} == {
        t: n for t, n in before.items() if t != "audit_events"}
    assert after["audit_events"][:len(history)] == history
    assert [(e["action"], e["entity_id"]) for e in after["audit_events"][len(history) - 1:]] == [
        ("member_add", "U0EXTRA1"), ("seed", "demo")]


def test_seed_scale_loads_n_invoices_deterministically_with_a_progress_bar(tmp_path, demo):
    first = app(tmp_path, demo, "seed", "--scale", "2000", "--reset")
    assert first.returncode == 0, first.stdout
    assert "2000/2000" in first.stdout and "━" in first.stdout  # the bar, drawn once when not on a terminal
    assert "2,000 invoices loaded." in first.stdout
    invoices = tables(demo)["invoices"]
    assert len(invoices) == 2000 and count(demo, Customer) == 20

    refused = app(tmp_path, demo, "seed", "--scale", "2000")
    assert refused.returncode == 1 and "add --reset" in refused.stdout
    ok(tmp_path, demo, "seed", "--scale", "2000", "--reset")
    assert tables(demo)["invoices"] == invoices

    negative = app(tmp_path, demo, "seed", "--scale", "-5", "--reset")
    assert negative.returncode == 1 and "positive number" in negative.stdout


def test_members_add_list_remove_and_clear_refusals(tmp_path, demo):
    added = ok(tmp_path, demo, "members", "add", "U0NEW1", "--role", "sales", "--name", "New Rep",
               "--tz", "Europe/Paris", real=True)
    assert "U0NEW1 New Rep: sales" in added
    listed = ok(tmp_path, demo, "members", "list")
    row = next(line for line in listed.splitlines() if line.startswith("U0NEW1"))
    assert row.split() == ["U0NEW1", "sales", "Europe/Paris", "New", "Rep"]
    assert "U0MGR1" in listed and "manager" in listed
    welcome = app(tmp_path, demo, "console", "--as", "U0NEW1", stdin="help\n", real=True)
    assert welcome.returncode == 0 and "order CUSTOMER QTY SKU" in welcome.stdout

    assert "U0NEW1 removed." in ok(tmp_path, demo, "members", "remove", "U0NEW1")
    assert query(demo, select(Member.role, Member.timezone, Member.active).where(
        Member.slack_user_id == "U0NEW1")) == [("sales", "Europe/Paris", False)]
    refused = app(tmp_path, demo, "console", "--as", "U0NEW1", stdin="credit ACME\n")
    assert refused.returncode == 1 and "U0NEW1 is not a Tally member" in refused.stdout
    assert "Credit for" not in refused.stdout

    listed, bad_role, bad_id, bad_tz, unknown = in_parallel(
        tmp_path, demo, ("members", "list"), ("members", "add", "U0NEW2", "--role", "boss"),
        ("members", "add", "not-a-user", "--role", "sales"),
        ("members", "add", "U0NEW3", "--role", "sales", "--tz", "Mars/Olympus"), ("members", "remove", "U0NOBODY"))
    assert "(removed)" in next(line for line in listed.stdout.splitlines() if line.startswith("U0NEW1"))
    assert bad_role.returncode != 0
    assert "Unknown role 'boss'; use one of: sales, collector, manager, admin." in bad_role.stdout
    assert bad_id.returncode != 0 and "'not-a-user' does not look like a Slack user id" in bad_id.stdout
    assert bad_tz.returncode != 0 and "Unknown timezone 'Mars/Olympus'" in bad_tz.stdout
    assert unknown.returncode != 0 and "U0NOBODY is not an active member." in unknown.stdout
    assert count(demo, Member) == 8  # the seven demo members and U0NEW1; no refused one slipped in


def test_import_keeps_good_rows_reports_bad_ones_and_dedupes_payments(tmp_path, demo):
    customers = write(tmp_path / "customers.csv", """
code,name,owner_rep,collector,credit_limit,payment_terms_days,on_hold,email
NEWCO,New Co,U0SALES1,U0COLL1,"25,000",30,no,ap@newco.example
BADOWN,Bad Owner,U0NOBODY,U0COLL1,1000,30,,
BADAMT,Bad Amount,U0SALES1,,lots,30,,
BADTERMS,Bad Terms,U0SALES1,,1000,thirty,,
,No Code,U0SALES1,,1000,30,,
""")
    result = app(tmp_path, demo, "import", "customers", str(customers), real=True)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "  line 3: refused: owner_rep U0NOBODY is not an active member; add it with `members add` first.",
        "  line 4: refused: credit_limit 'lots' is not an amount.",
        "  line 5: refused: payment_terms_days 'thirty' is not a whole number.",
        "  line 6: refused: code is missing.",
        "customers from customers.csv: 1 created, 0 updated, 0 unchanged, 4 refused.",
    ]
    assert query(demo, select(Customer.code, Customer.owner_rep, Customer.credit_limit).where(
        Customer.code.in_(["NEWCO", "BADOWN", "BADAMT", "BADTERMS"]))) == [("NEWCO", "U0SALES1", 25000)]

    products = write(tmp_path / "products.csv", """
sku,name,price,cost,stock_on_hand
NEW-1,New Thing,10.00,4.00,100
BAD-1,Bad Price,-3,1,5
BAD-2,Bad Stock,3,1,many
""")
    result = app(tmp_path, demo, "import", "products", str(products))
    assert result.returncode == 2
    assert "products from products.csv: 1 created, 0 updated, 0 unchanged, 2 refused." in result.stdout
    assert "line 3: refused: price -3.00 must be more than 0." in result.stdout
    assert "line 4: refused: stock_on_hand 'many' is not a whole number." in result.stdout

    issued = TODAY - timedelta(days=40)
    invoices = write(tmp_path / "invoices.csv", f"""
number,customer,issue_date,due_date,amount,tax
INV-{YEAR}-90001,NEWCO,{issued},,1000.00,80.00
INV-{YEAR}-90002,NOSUCHCO,{issued},,100,
INV-{YEAR}-90003,NEWCO,{YEAR}-13-01,,100,
INV-{YEAR}-90004,NEWCO,{issued},,ten,
INV-{YEAR}-90005,NEWCO,{issued},{issued - timedelta(days=1)},100,
inv-{YEAR}-90001,NEWCO,{issued},,1000.00,80.00
""")
    result = app(tmp_path, demo, "import", "invoices", str(invoices))
    assert result.returncode == 2
    out = result.stdout
    assert "invoices from invoices.csv: 1 created, 0 updated, 1 unchanged, 4 refused." in out
    assert "line 3: refused: No customer matches 'NOSUCHCO'." in out
    assert f"line 4: refused: issue_date '{YEAR}-13-01' is not a date (use YYYY-MM-DD)." in out
    assert "line 5: refused: amount 'ten' is not an amount." in out
    assert f"line 6: refused: due_date {issued - timedelta(days=1)} is before issue_date {issued}." in out
    assert query(demo, select(Invoice.total, Invoice.due_date, Invoice.rep).where(
        Invoice.number == f"INV-{YEAR}-90001")) == [(1080, issued + timedelta(days=30), "U0SALES1")]

    paid = TODAY - timedelta(days=5)
    payments = write(tmp_path / "payments.csv", f"""
invoice_number,amount,received_on,method,reference
INV-{YEAR}-90001,500.00,{paid},bank_transfer,REF-A1
INV-{YEAR}-90001,100.00,{paid},card,REF-A2
INV-{YEAR}-90001,5000.00,{paid},card,REF-A3
INV-{YEAR}-99999,5.00,{paid},card,REF-A4
INV-{YEAR}-90001,abc,{paid},card,REF-A5
INV-{YEAR}-90001,5.00,yesterday,card,REF-A6
INV-{YEAR}-90001,5.00,{paid},bitcoin,REF-A7
INV-{YEAR}-90001,5.00,{TODAY + timedelta(days=400)},card,REF-A8
INV-{YEAR}-90001,7.00,{paid},card,REF-A1
""")
    first = app(tmp_path, demo, "import", "payments", str(payments))
    assert first.returncode == 2
    reasons = {
        4: f"5,000.00 is more than the balance of INV-{YEAR}-90001 (480.00).",
        5: f"No invoice 'INV-{YEAR}-99999'.",
        6: "amount 'abc' is not an amount.",
        7: "received_on 'yesterday' is not a date (use YYYY-MM-DD).",
        8: "method: Input should be 'bank_transfer'",
        9: f"Received date {TODAY + timedelta(days=400)} is in the future.",
        10: "reference 'REF-A1' is already used by a payment of 500.00 on",
    }
    for number, reason in reasons.items():
        assert f"  line {number}: refused: {reason}" in first.stdout, (number, first.stdout)
    assert "payments from payments.csv: 2 created, 0 updated, 0 unchanged, 7 refused." in first.stdout
    second = app(tmp_path, demo, "import", "payments", str(payments))
    assert second.returncode == 2
    assert "payments from payments.csv: 0 created, 0 updated, 2 unchanged, 7 refused." in second.stdout
    good_only = write(tmp_path / "good.csv", "\n".join(payments.read_text().splitlines()[:3]))
    assert "payments from good.csv: 0 created, 0 updated, 2 unchanged, 0 refused." in ok(
        tmp_path, demo, "import", "payments", str(good_only))
    assert query(demo, select(Payment.reference, Payment.amount).where(Payment.source == "import")
                 .order_by(Payment.reference)) == [("REF-A1", 500), ("REF-A2", 100)]
    assert query(demo, select(Invoice.paid_amount, Invoice.status).where(
        Invoice.number == f"INV-{YEAR}-90001")) == [(600, "partially_paid")]

    # Our own numbering continues after the imported INV-YEAR-90001.
    [(order,)] = query(demo, select(SalesOrder.number).join(SalesOrder.customer).where(
        Customer.code == "ACME", SalesOrder.status == "confirmed"))
    shipped = ok(tmp_path, demo, "console", "--as", "U0SALES1", stdin=f"fulfil {order}\ny\n")
    assert f"Order {order} shipped; invoice INV-{YEAR}-90002 issued" in shipped
    assert query(demo, select(DocumentCounter.last_value).where(
        DocumentCounter.kind == "INV", DocumentCounter.year == YEAR)) == [(90002,)]


def test_import_refuses_files_it_cannot_read_and_imports_nothing(tmp_path, demo):
    before = tables(demo)
    wrong = write(tmp_path / "wrong.csv", "code,name\nACME,Acme Corp\n")
    result = app(tmp_path, demo, "import", "payments", str(wrong))
    assert result.returncode == 1
    assert "wrong.csv has no column invoice_number, amount, received_on" in result.stdout
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name\nCAFE,Caf\xe9 Noir\n".encode("latin-1"))
    result = app(tmp_path, demo, "import", "customers", str(latin))
    assert result.returncode == 1 and "latin.csv is not UTF-8 text" in result.stdout
    result = app(tmp_path, demo, "import", "orders", str(wrong))
    assert result.returncode == 1
    assert "Unknown kind 'orders'; use one of: members, customers, products, invoices, payments." in result.stdout
    assert tables(demo) == before


def test_export_writes_csv_files_whose_rows_match_the_database(tmp_path, demo):
    out = ok(tmp_path, demo, "export", "--out", str(tmp_path / "export"), real=True)
    models = {"members": Member, "customers": Customer, "products": Product, "invoices": Invoice,
              "payments": Payment, "orders": SalesOrder, "order_lines": OrderLine}
    for name, (columns, _) in FILES.items():
        path = tmp_path / "export" / f"{name}.csv"
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
        expected = count(demo, models[name])
        assert expected > 0 and len(rows) == expected, name
        assert reader.fieldnames == list(columns)
        assert f"{path}: {expected} rows" in out
    assert not list((tmp_path / "export").glob("*.partial"))
    codes = {row["code"] for row in csv.DictReader((tmp_path / "export" / "customers.csv").open())}
    assert {"ACME", "GLOBEX"} <= codes


def test_backup_then_restore_brings_back_every_table_and_refuses_what_is_not_a_backup(tmp_path, demo):
    ok(tmp_path, demo, "console", "--as", "U0SALES1", stdin="order ACME 2 WIDGET-1\ny\n")  # audit, pending
    saved = tables(demo)
    assert "Backed up" in ok(tmp_path, demo, "backup", "tally-backup.jsonl.gz", real=True)
    assert not list(tmp_path.glob("*.partial"))

    ok(tmp_path, demo, "members", "remove", "U0SALES3")
    ok(tmp_path, demo, "console", "--as", "U0SALES1", stdin="order ACME 1 WIDGET-1\ny\n")
    changed = tables(demo)
    assert changed != saved

    history = tables(demo)["audit_events"]
    refused = app(tmp_path, demo, "restore", "tally-backup.jsonl.gz")
    assert refused.returncode == 1 and "The database is not empty (customers 20, " in refused.stdout
    assert ", members 7, " in refused.stdout
    assert "Run again with --replace" in refused.stdout and "The database was not changed." in refused.stdout
    assert tables(demo) == changed
    restored = ok(tmp_path, demo, "restore", "tally-backup.jsonl.gz", "--replace", real=True)
    assert "Replaced customers 20, " in restored and ", members 7, " in restored
    assert f"Restored {sum(len(rows) for rows in saved.values())} rows" in restored
    assert "0 audit events added" in restored  # every event of the backup was already in the log
    assert tables(demo, audit=False) == {t: rows for t, rows in saved.items() if t != "audit_events"}
    log = tables(demo)["audit_events"]
    assert log[:len(history)] == history and [e["action"] for e in log[len(history):]] == ["restore"]
    [last] = ok(tmp_path, demo, "audit", "--limit", "1", real=True).splitlines()
    assert last.split()[1:5] == ["cli", "restore", "database", "tally-backup.jsonl.gz"]

    # Refused files change nothing and say why, without a traceback.
    (tmp_path / "notes.txt").write_text("not a backup\n")
    with gzip.open(tmp_path / "other.gz", "wt") as fh:
        fh.write('{"hello": "world"}\n')
    with gzip.open(tmp_path / "tally-backup.jsonl.gz", "rt") as fh:
        lines = fh.read().splitlines()
    with gzip.open(tmp_path / "orphan.gz", "wt") as fh:  # a payment whose invoice is not in the file
        orphan = {"t": "payments", "r": {**json.loads(next(x for x in lines if '"t": "payments"' in x))["r"],
                                         "id": 999999, "invoice_id": 999999, "reference": "ORPHAN"}}
        fh.write("\n".join([lines[0], json.dumps(orphan)]) + "\n")
    (tmp_path / "cut.gz").write_bytes((tmp_path / "tally-backup.jsonl.gz").read_bytes()[:4000])
    expected = {
        "notes.txt": "notes.txt is not a Tally backup",
        "other.gz": "other.gz is not a Tally backup",
        "orphan.gz": "orphan.gz could not be loaded",
        "cut.gz": "cut.gz is damaged",
    }
    *refusals, missing = in_parallel(tmp_path, demo, *[("restore", name, "--replace") for name in expected],
                                     ("restore", "no-such-file.gz"))
    for (name, message), result in zip(expected.items(), refusals, strict=True):
        assert result.returncode == 1, (name, result.stdout)
        assert message in result.stdout and "The database was not changed." in result.stdout, result.stdout
    assert missing.returncode != 0 and "does not exist" in missing.stdout + missing.stderr
    assert tables(demo, audit=False) == {t: rows for t, rows in saved.items() if t != "audit_events"}
    assert tables(demo)["audit_events"] == log


@pytest.mark.skipif(not PG_URL, reason="set TALLY_TEST_DATABASE_URL to run on PostgreSQL")
def test_postgres_takes_a_sqlite_backup_imports_backs_up_and_restores(tmp_path, demo):
    """Replaces the data of the shared PostgreSQL database (the suite reloads its own snapshot per test) and
    leaves it migrated, holding demo data; drops nothing."""
    migrated, _ = in_parallel(tmp_path, PG_URL, ("migrate",)) + [app(tmp_path, demo, "backup", "sqlite.jsonl.gz")]
    assert migrated.returncode == 0 and "Database at revision" in migrated.stdout

    # Portable: a backup taken from SQLite restores into PostgreSQL, every table equal; the audit log keeps
    # its own events and gains the backup's and the restore's.
    ok(tmp_path, PG_URL, "restore", "sqlite.jsonl.gz", "--replace")
    assert tables(PG_URL, audit=False) == tables(demo, audit=False)
    events = [(e["at"], e["action"], e["entity_id"]) for e in tables(PG_URL)["audit_events"]]
    assert {(e["at"], e["action"], e["entity_id"]) for e in tables(demo)["audit_events"]} <= set(events)
    assert events[-1][1] == "restore"

    [(number, balance)] = query(PG_URL, select(Invoice.number, Invoice.total - Invoice.paid_amount).join(
        Invoice.customer).where(Customer.code == "ACME", Invoice.status == "open").order_by(Invoice.id).limit(1))
    payments = write(tmp_path / "payments.csv", f"""
invoice_number,amount,received_on,method,reference
INV-{YEAR}-99999,5.00,{TODAY},card,PG-MISSING
{number},{balance},{TODAY},bank_transfer,PG-1
""")
    imported = app(tmp_path, PG_URL, "import", "payments", str(payments))
    assert imported.returncode == 2
    assert "payments from payments.csv: 1 created, 0 updated, 0 unchanged, 1 refused." in imported.stdout
    assert f"line 2: refused: No invoice 'INV-{YEAR}-99999'." in imported.stdout
    assert query(PG_URL, select(Invoice.status).where(Invoice.number == number)) == [("paid",)]

    ok(tmp_path, PG_URL, "backup", "pg.jsonl.gz")
    saved = tables(PG_URL)
    ordered = ok(tmp_path, PG_URL, "console", "--as", "U0SALES1", stdin="order ACME 1 WIDGET-1\ny\n")
    assert "is confirmed; stock reserved" in ordered  # ids continue after the restored rows
    assert tables(PG_URL) != saved
    ok(tmp_path, PG_URL, "restore", "pg.jsonl.gz", "--replace")
    assert tables(PG_URL, audit=False) == {t: rows for t, rows in saved.items() if t != "audit_events"}
    log = tables(PG_URL)["audit_events"]
    assert log[:len(saved["audit_events"])] == saved["audit_events"]
    assert [e["action"] for e in log[len(saved["audit_events"]):]] == ["create_order", "restore"]
    (tmp_path / "notes.txt").write_text("not a backup\n")
    refused = app(tmp_path, PG_URL, "restore", "notes.txt", "--replace")
    assert refused.returncode == 1 and "notes.txt is not a Tally backup" in refused.stdout
    assert tables(PG_URL) == {**saved, "audit_events": log}
