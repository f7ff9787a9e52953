"""The command line: `python app.py COMMAND`. Each command is a thin shell over the service layer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from config import get_settings

cli = typer.Typer(help="Tally: order-to-cash in Slack.", no_args_is_help=True, add_completion=False)
members = typer.Typer(help="Map Slack users to roles.", no_args_is_help=True)
cli.add_typer(members, name="members")
out = Console(soft_wrap=True)  # one message, one line: output is read by people and by scripts
err = Console(stderr=True, soft_wrap=True)  # what is not the command's answer: scripts reading stdout skip it


def _say(text: str) -> None:
    out.print(text, markup=False, highlight=False)


def _fail(message: str) -> None:
    out.print(f"[red]{escape(message)}[/red]", highlight=False)
    raise typer.Exit(code=1)


@cli.command()
def doctor() -> None:
    """Check settings, the database and its migrations, Slack and the model endpoint; say what to fix."""
    from doctor import report, run_checks

    if not report(run_checks(), _say):
        raise typer.Exit(code=1)


@cli.command()
def migrate() -> None:
    """Apply database migrations (also done on every start)."""
    from db.migrate import current_revision

    db = _db()
    _say(f"Database at revision {current_revision(db.engine)}: {db.engine.url.render_as_string()}")


@cli.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="the demo company, dated relative to today")] = False,
    scale: Annotated[int, typer.Option("--scale", help="N invoices with orders and payments, deterministic")] = 0,
    reset: Annotated[bool, typer.Option("--reset", help="delete all data first")] = False,
) -> None:
    """Load demo data (`--demo`) or a large data set for benchmarks (`--scale N`)."""
    from db.scale_seed import load_data

    if scale < 0:
        _fail("--scale N needs a positive number of invoices.")
    if demo == bool(scale):
        _fail("Choose one: --demo or --scale N.")
    db = _db()
    try:
        if demo:
            load_data(db, datetime.now(UTC), reset=reset)
        else:
            with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=out) as bar:
                task = bar.add_task("invoices", total=scale)
                load_data(db, datetime.now(UTC), scale=scale, reset=reset, progress=lambda n: bar.advance(task, n))
    except ValueError as exc:
        _fail(str(exc))
    _say("Demo data loaded." if demo else f"{scale:,} invoices loaded.")


@members.command("add")
def members_add(
    slack_user_id: str,
    role: Annotated[str, typer.Option(help="sales, collector, manager or admin")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    tz: Annotated[str, typer.Option(help="IANA timezone, e.g. Europe/Paris")] = "",
) -> None:
    """Add a Slack user with a role (or change the role of an existing one)."""
    from core.errors import TallyError

    try:
        member = _tally().members.add(slack_user_id, role, name, tz or None)
    except TallyError as exc:
        _fail(str(exc))
    _say(f"{member.slack_user_id} {member.name}: {member.role}")


@members.command("list")
def members_list() -> None:
    """List members and their roles."""
    for m in _tally().members.all():
        _say(f"{m.slack_user_id:<12} {m.role:<10} {m.timezone or '':<20} {m.name}"
             + ("" if m.active else "  (removed)"))


@members.command("remove")
def members_remove(slack_user_id: str) -> None:
    """Remove a member's access (their history stays)."""
    from core.errors import TallyError

    try:
        _tally().members.remove(slack_user_id)
    except TallyError as exc:
        _fail(str(exc))
    _say(f"{slack_user_id.strip().upper()} removed.")


IMPORT_HELP = """Import a CSV file whose first line names the columns.

Rows are matched by their key (members: slack_user_id, customers: code, products: sku) and create a record
or change the fields their columns name; a column the file lacks never changes anything. An empty cell is
an error where it would clear a value, except in the columns that may be cleared (marked *). A new record
takes the default of a column that is absent or empty. Importing the same file again changes nothing.
Bad rows are refused by line number and the good ones are kept.

\b
members:   slack_user_id, name, role, timezone*, active
customers: code, name, owner_rep, collector, credit_limit, payment_terms_days, on_hold, email*, notes*
products:  sku, name, price, cost, stock_on_hand, active
invoices:  number, customer, issue_date, due_date, amount, tax, cost, rep, disputed, dispute_reason,
           promised_on, promised_amount
payments:  invoice_number, amount, received_on, method, reference, source

Invoices and payments are only ever added. An invoice whose number exists is left alone when its customer,
dates and amounts agree with the row, and refused when they do not. A payment already recorded is left
alone: the same reference (per source), or, without a reference, the same invoice, amount, date and method.
`export` writes files in exactly these columns.

`import bank FILE` reads a bank statement instead (camt.053, MT940 or a bank CSV, detected from the file):
credits that certainly pay open invoices are applied at once, the rest waits for review, and lines
imported before change nothing."""


@cli.command("import", help=IMPORT_HELP)
def import_(
    kind: Annotated[str, typer.Argument(help="members, customers, products, invoices, payments or bank")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what each line would do; write nothing")] = False,
) -> None:
    from core.errors import TallyError
    from tools.importer import KINDS, import_csv

    if kind == "bank":
        return _import_bank(file, dry_run)
    if kind not in KINDS:
        _fail(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")
    try:
        report = import_csv(_tally(), kind, file, dry_run=dry_run)
    except TallyError as exc:
        _fail(str(exc))
    for line in report.lines if dry_run else report.refused:
        _say(f"  {line.describe()}")
    _say(report.summary())
    if report.refused:
        raise typer.Exit(code=2)


@cli.command()
def export(out_dir: Annotated[Path, typer.Option("--out", help="folder for the CSV files")] = Path("export")) -> None:
    """Write members, customers, products, invoices and payments as CSV files that `import` takes back
    unchanged (import them in that order into an empty database), and orders with their lines for reading."""
    from tools.exporter import export_csv

    db = _db()
    try:
        written = export_csv(db, out_dir)
    except OSError as exc:
        _fail(f"Cannot write to {out_dir}: {exc.strerror or exc}.")
    for path, count in written:
        _say(f"{path}: {count} rows")


@cli.command()
def document(
    kind: Annotated[str, typer.Argument(help="invoice, receipt or statement")],
    number: Annotated[str, typer.Argument(help="the document's number (a receipt: RCPT-<payment id>); "
                                               "for a statement, the customer")],
    out: Annotated[Path | None, typer.Option("--out", help="the PDF file to write", dir_okay=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="a statement's date (default today)")] = None,
    xml: Annotated[Path | None, typer.Option("--xml", help="an invoice's e-invoice (EN 16931 CII XML) to write",
                                             dir_okay=False)] = None,
) -> None:
    """Write a document a customer receives as a PDF file: an invoice, a receipt or a statement of account.
    An invoice's PDF is a Factur-X PDF, its EN 16931 XML inside, once the seller's details are set."""
    from core.errors import TallyError
    from core.roles import Role
    from tools import Actor
    from tools.documents.files import KINDS

    if kind not in KINDS:
        _fail(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")
    if as_of and kind != "statement":
        _fail("--as-of is for a statement only.")
    if xml and kind != "invoice":
        _fail("--xml is for an invoice only.")
    if out is None and xml is None:
        _fail("Say where to write it: --out FILE.pdf (or, for an invoice, --xml FILE.xml).")
    tool, field = KINDS[kind]
    args = {field: number, **({"as_of": as_of} if as_of else {})}
    try:
        result = _tally().via("cli").read(Actor("cli", Role.ADMIN, "document"), tool, args)
    except TallyError as exc:
        _fail(str(exc))
    missing = "; ".join(result.e_invoice_missing)
    if xml and result.e_invoice is None:
        _fail(f"No e-invoice for {result.number}: EN 16931 needs {missing}. Nothing was written.")
    for path, content in ((out, result.content), (xml, result.e_invoice)):
        if path is not None and content is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    _say(f"{result.describe(done=True)} Written to {', '.join(str(p) for p in (out, xml) if p)}")
    if missing:
        _say(f"No e-invoice inside, a plain PDF: EN 16931 needs {missing}.")


@cli.command()
def backup(file: Path) -> None:
    """Write every table to FILE (gzipped JSON lines, portable between SQLite and PostgreSQL)."""
    from db.backup import BackupError
    from db.backup import backup as do_backup

    db = _db()
    try:
        counts = do_backup(db, file)
    except BackupError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"Cannot write {file}: {exc.strerror or exc}. No backup was written.")
    _say(f"Backed up {sum(counts.values())} rows to {file}.")


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    replace: Annotated[bool, typer.Option("--replace", help="replace the data of a database that has some")] = False,
) -> None:
    """Load a backup made by `backup` into an empty database (or, with --replace, instead of its data).
    The audit log is never replaced: the backup's events are added to it, with one for the restore."""
    from db.backup import BackupError
    from db.backup import restore as do_restore

    db = _db()
    try:
        restored = do_restore(db, file, replace=replace)
    except BackupError as exc:
        _fail(f"{exc} The database was not changed.")
    if restored.replaced:
        _say("Replaced " + ", ".join(f"{name} {n:,}" for name, n in restored.replaced.items()) + ".")
    _say(f"Restored {sum(restored.rows.values())} rows from {file}; {restored.audit_added} audit events added "
         f"to the log.")


@cli.command()
def audit(
    user: Annotated[str | None, typer.Option(help="only what this Slack user (or cli, slack) did")] = None,
    document: Annotated[str | None, typer.Option(help="only events about this record, e.g. INV-2026-00042")] = None,
    since: Annotated[str | None, typer.Option(help="from this day or time on (UTC unless it has an offset)")] = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many events")] = 50,
    reads: Annotated[bool, typer.Option("--reads", help="who viewed which documents, and unusual reading")] = False,
    surface: Annotated[str | None, typer.Option(help="with --reads: only through slack, slash, console...")] = None,
) -> None:
    """Show the audit log, newest first: one line per event (time in UTC, who, what, which record, changes).
    With --reads, the read log instead: who viewed what, when, through which front end, and whose days
    of reading were unusual."""
    from tools.audit_log import read_audit

    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            _fail(f"--since {since!r} is not a date or time; e.g. 2026-11-01 or 2026-11-01T09:00")
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
    if reads:
        return _audit_reads(user=user, document=document, surface=surface, since=start, limit=limit)
    if surface:
        _fail("--surface goes with --reads: the audit log of changes is not kept per front end.")
    entries = read_audit(_db(), user=user, document=document, since=start, limit=limit)
    for entry in entries:
        _say(entry.line())
    if not entries:
        _say("No audit events match.")


def _audit_reads(*, user: str | None, document: str | None, surface: str | None, since: datetime | None,
                 limit: int) -> None:
    """Reads newest first, each line marked when its reader's day was unusual, then those days."""
    from datetime import timedelta

    from core.reading import HISTORY_DAYS, MULTIPLE
    tally = _tally()
    watch, floor = tally.read_watch, tally.rules.read_alert_floor
    entries = watch.log(user=user, document=document, surface=surface, since=since, limit=limit)
    today = tally.clock.now().astimezone(UTC).date()
    first = since.date() - timedelta(days=1) if since else today - timedelta(days=HISTORY_DAYS)
    unusual = watch.unusual(first, today + timedelta(days=1), user=user)
    marked = {(u.user_id, u.day) for u in unusual}  # days are the readers' own, as each read stored it
    for entry in entries:
        _say(entry.line() + ("  [unusual day]" if (entry.user_id, entry.day) in marked else ""))
    if not entries:
        _say("No reads match.")
    rule = f"more than {MULTIPLE}× their own {HISTORY_DAYS}-day daily median and more than {floor} views a day"
    if not unusual:
        _say(f"Nobody read unusually ({rule}) since {first}.")
        return
    _say(f"Over the threshold ({rule}):")
    for u in unusual:
        _say(f"  {u.user_id} ({u.name}) on {u.day}: {u.views:,} views; daily median {u.median}, alert above {u.above}")


@cli.command()
def console(as_user: Annotated[str, typer.Option("--as", help="the Slack user id to act as, e.g. U0SALES1")]) -> None:
    """Talk to Tally in a terminal as a given Slack user (commands; plain language with a model)."""
    from bot.console import Console as TallyConsole
    from bot.console import run_interactive, run_lines
    from wiring import conversation as agent_for

    tally = _tally(demo_if_new=not get_settings().database_url_given).via("console")  # demo on first start
    actor = tally.actor_for(as_user.strip().upper())
    if actor is None:
        _fail(f"{as_user} is not a Tally member. Add them with: python app.py members add {as_user} --role sales")
    conversation = agent_for(tally, get_settings())
    agent = partial(conversation.handle_turn, actor, f"console:{actor.user_id}") if conversation else None
    session = TallyConsole(tally, actor, sys.stdout, agent=agent, files_dir=get_settings().data_dir / "documents")
    _console_log(get_settings().data_dir / "console.log")
    if sys.stdin.isatty():
        run_interactive(session)
    else:
        run_lines(session, sys.stdin)


def _console_log(path: Path) -> None:
    """Warnings and failures of a console session go to a file, so the terminal shows only the short
    message the console prints, never a traceback."""
    import logging

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)  # the root stays at WARNING


@contextmanager
def _opening_database() -> Iterator[None]:
    """A database that cannot be reached or migrated is reported in one line, not a traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = get_settings().database_url
    try:
        yield
    except SQLAlchemyError as exc:
        try:
            url = make_url(url).render_as_string(hide_password=True)
        except SQLAlchemyError:
            url = "(unreadable URL)"
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        _fail(f"Cannot open the database {url}: {reason[0] if reason else type(exc).__name__}. "
              "Check DATABASE_URL.")


def _announce() -> None:
    """Every command that opens the database first says which one, on stderr, the password hidden."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    settings = get_settings()
    try:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
    except ArgumentError:
        url = "(unreadable URL)"
    err.print(f"Database: {url}" + ("" if settings.database_url_given else " (the embedded default)"),
              markup=False, highlight=False)


def _db():
    from wiring import open_database

    _announce()
    with _opening_database():
        return open_database(get_settings())


def _tally(*, demo_if_new: bool = False):
    from wiring import build_tally

    _announce()
    with _opening_database():
        return build_tally(get_settings(), demo_if_new=demo_if_new)


def _import_bank(file: Path, dry_run: bool) -> None:
    from core.errors import TallyError
    from core.money import fmt
    from tools.cash_application import import_statement
    from tools.importer import IMPORT_ACTOR

    if dry_run:
        _fail("A bank statement has no dry run: import it, then review the lines that need you.")
    try:
        report = import_statement(_tally(), IMPORT_ACTOR, file.read_bytes(), file.name,
                                  get_settings().bank_csv_mapping)
    except TallyError as exc:
        _fail(str(exc))
    for item in report.review:
        offer = f"; perhaps {', '.join(item.suggestions)}" if item.suggestions else ""
        _say(f"  review line {item.line_id}: {item.said} ({item.why}{offer})")
    for w in report.write_offs:  # proposed only: a person issues each credit note
        who = "; a manager's, above the credit-note limit" if w.manager_only else ""
        _say(f"  write off {fmt(w.amount)} on {w.invoice_number} (short payment, line {w.line_id}{who}): "
             f"credit-note {w.invoice_number} {w.amount} {w.reason}")
    _say(report.summary())


@cli.command("eval")
def eval_(
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8091/v1")],
    model: Annotated[str, typer.Option(help="model name")],
    repeat: Annotated[int, typer.Option(help="runs per task, for pass^K")] = 1,
    api_key: Annotated[str, typer.Option(envvar="OPENAI_API_KEY", help="API key, if the server needs one")] = "none",
    only: Annotated[list[str] | None, typer.Option(help="run only these task ids")] = None,
    category: Annotated[list[str] | None, typer.Option(help="run only these categories")] = None,
    tasks: Annotated[str, typer.Option(help="task files in evals/tasks, e.g. frozen.json")] = "*.json",
    timeout: Annotated[float, typer.Option(help="seconds per model call")] = 120.0,
) -> None:
    """Run the agent evals (evals/tasks) against a model, each task on a fresh demo database."""
    from langchain_openai import ChatOpenAI

    from evals.runner import run_eval

    chat = ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=0, timeout=timeout,
                      max_retries=1, use_responses_api=False)
    summary = run_eval(chat, repeat=repeat, pattern=tasks, only=set(only or []) or None,
                       categories=set(category or []) or None,
                       progress=lambda run: out.print(("PASS " if run.passed else "FAIL ") + run.task
                                                      + ("" if run.passed else f": {run.reason}"), highlight=False))
    out.print(summary.report(), highlight=False)


@cli.command()
def stats(days: Annotated[int, typer.Option(help="how many days back")] = 30) -> None:
    """Model usage of the agent: turns, model calls, tokens and latency per day, per user and per tool; then
people's feedback on the answers: the thumbs-up share per tool and per day, and the latest thumbs down."""
    from datetime import timedelta

    tally = _tally()
    since = tally.clock.now() - timedelta(days=days)
    summary = tally.usage(since)
    for title, key in (("per day", "by_day"), ("per user", "by_user")):
        out.print(f"[bold]{title}[/bold]")
        out.print(f"{'':<12} {'turns':>6} {'calls':>6} {'prompt tok':>11} {'compl tok':>10} {'p50 ms':>7} "
                  f"{'failed':>7}")
        for name, u in summary[key].items():
            out.print(f"{name:<12} {u.turns:>6} {u.model_calls:>6} {u.prompt_tokens:>11} {u.completion_tokens:>10} "
                      f"{u.p50_ms:>7} {u.failures:>7}", highlight=False)
    out.print("[bold]per tool[/bold]")
    for name, count in summary["by_tool"].items():
        out.print(f"{name:<24} {count:>6}", highlight=False)
    if not summary["by_day"]:
        out.print("No turns logged yet.")
    _print_feedback(tally.feedback.summary(since))


def _print_feedback(summary) -> None:
    """Votes per tool and per day with the share of thumbs up; the latest thumbs down with what was asked."""
    for title, rows in (("feedback per tool", summary.by_tool), ("feedback per day", summary.by_day)):
        out.print(f"[bold]{title}[/bold]")
        out.print(f"{'':<24} {'up':>5} {'down':>5} {'up share':>9}", highlight=False)
        for name, votes in rows.items():
            out.print(f"{name:<24} {votes.up:>5} {votes.down:>5} {votes.share_up:>9.0%}", highlight=False, markup=False)
    if not summary.by_day:
        out.print("No feedback on answers yet.")
        return
    out.print("[bold]latest thumbs down[/bold]")
    if not summary.latest_down:
        out.print("None.")
    for down in summary.latest_down:
        asked = f'"{" ".join((down.asked or "").split())}"' if down.asked else "(words not kept)"
        out.print(f"{down.voted_at:%Y-%m-%d %H:%M} UTC  {down.voter} on {down.asker}'s answer of "
                  f"{down.asked_at:%Y-%m-%d %H:%M}: {asked}; tools: {', '.join(down.tools) or 'none'}; "
                  f"{down.status}", highlight=False, markup=False)


@cli.command()
def serve(workers: Annotated[int, typer.Option(help="HTTP worker processes under gunicorn; 0: one process, "
                                                    "Python's own server")] = 0,
          scheduler: Annotated[bool, typer.Option(help="run the reminder and digest jobs too; off when "
                                                       "`python app.py scheduler` runs as its own service")] = True,
          ) -> None:
    """Run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on PORT at /slack/events)."""
    settings, client = _slack()  # first: a missing token is reported before the slow imports
    if workers < 0 or workers > 64:
        _fail("--workers takes 1 to 64 processes (0 for one process without gunicorn).")
    if workers:
        return _serve_workers(settings, client, workers, scheduler)

    from bot.serve import run
    from bot.slack_app import create_app
    from wiring import conversation, secret

    tally, outbox = _outbox(None)
    app = create_app(tally, client, secret(settings.slack_signing_secret), conversation(tally, settings),
                     tables=settings.slack_tables)
    jobs = _guarded_jobs(settings, tally, client, outbox) if scheduler else None
    if jobs is not None:
        jobs.start()
    try:
        run(app, port=settings.port, app_token=secret(settings.slack_app_token),
            signing_secret=secret(settings.slack_signing_secret))
    finally:
        if jobs is not None:
            jobs.shutdown(wait=True)  # a pass under way finishes, then the lease is handed back


def _serve_workers(settings, client, workers: int, scheduler: bool) -> None:
    """gunicorn: each worker builds its own service and app after the fork; the scheduler runs once, as
    its own process beside them."""
    from bot.slack_app import create_app, slack_client
    from bot.workers import run_workers, wsgi_app
    from wiring import conversation, secret

    if secret(settings.slack_app_token):
        _fail("--workers serves HTTP; Socket Mode (SLACK_APP_TOKEN) runs in one process: leave --workers out.")
    signing = secret(settings.slack_signing_secret)

    queued = settings.database_url.startswith("postgresql")  # SQLite: one writer, answers stay in process

    def build():
        tally = _tally()
        worker_client = slack_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        app = create_app(tally, worker_client, signing, conversation(tally, settings), tables=settings.slack_tables,
                         answer_queue=tally.answer_queue if queued else None)
        return wsgi_app(app, signing, tally.healthy)

    companions = ([[sys.executable, sys.argv[0], "scheduler"]] if scheduler else []) + (
        [[sys.executable, sys.argv[0], "answers"]] if queued else [])
    run_workers(build, port=settings.port, workers=workers, companions=companions)


def _slack():
    """Settings checked for Slack (a clear message naming what is missing), and the Web API client."""
    import logging

    from bot.slack_app import slack_client
    from wiring import SettingsProblem, check_slack_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        check_slack_settings(settings)
    except SettingsProblem as exc:
        _fail(str(exc))
    return settings, slack_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


reminders = typer.Typer(help="The reminder outbox: sweep due dunning stages, send, list.", no_args_is_help=True)
cli.add_typer(reminders, name="reminders")
NOW_HELP = "stand-in for the clock, ISO date-time (UTC unless it has an offset), e.g. 2026-12-01T09:00"


def _outbox(now: str | None):
    """The outbox on a real clock, or on `--now` for operators and tests."""
    from tools import FixedClock, SystemClock

    clock = SystemClock()
    if now:
        try:
            at = datetime.fromisoformat(now)
        except ValueError:
            _fail(f"--now {now!r} is not an ISO date-time; e.g. 2026-12-01T09:00")
        clock = FixedClock(at if at.tzinfo else at.replace(tzinfo=UTC))
    tally = _tally()
    tally.clock = clock
    return tally, tally.outbox


@reminders.command("sweep")
def reminders_sweep(now: Annotated[str | None, typer.Option(help=NOW_HELP)] = None) -> None:
    """Insert the dunning stages that have come due into the outbox."""
    _, outbox = _outbox(now)
    report = outbox.sweep()
    out.print(f"Scanned {report.invoices} open invoices: {report.created} reminders queued, "
              f"{report.passed_over} older stages passed over for a later one.")


@reminders.command("send")
def reminders_send(now: Annotated[str | None, typer.Option(help=NOW_HELP)] = None,
                   limit: Annotated[int, typer.Option(help="at most this many reminders")] = 500) -> None:
    """Send due reminders as Slack DMs (needs SLACK_BOT_TOKEN)."""
    from bot.reminders import ReminderSender

    _, client = _slack()
    tally, outbox = _outbox(now)
    out.print(str(ReminderSender(tally, outbox, client).run_once(limit=limit)))


@reminders.command("list")
def reminders_list(status: Annotated[str | None, typer.Option(help="pending, sent, skipped, failed...")] = None,
                   limit: Annotated[int, typer.Option()] = 50) -> None:
    """List reminders in the outbox, newest due first."""
    _, outbox = _outbox(None)
    rows = outbox.listing(status, limit)
    for r in rows:
        why = r.skip_reason or r.last_error or ""
        out.print(f"#{r.id:<6} {r.status:<9} {r.stage:<18} {r.invoice_number:<15} <@{r.recipient}> "
                  f"due {r.due_at:%Y-%m-%d %H:%M} UTC {why}", highlight=False, markup=False)
    counts = outbox.counts()
    out.print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "The outbox is empty.")


@cli.command()
def alerts(now: Annotated[str | None, typer.Option(help=NOW_HELP)] = None,
           limit: Annotated[int, typer.Option(help="send at most this many alerts")] = 500) -> None:
    """One alert pass by hand: find the conditions (limits, worsening payers, broken promises, odd orders,
    stock, late deliveries), queue the new ones and send what is due (needs SLACK_BOT_TOKEN)."""
    from bot.alerts import run_alerts

    _, client = _slack()
    tally, _ = _outbox(now)
    found, sent = run_alerts(tally, client, limit=limit)
    out.print(f"Alerts: {found}. Sent: {sent}.", highlight=False, markup=False)


@cli.command()
def answers(threads: Annotated[int, typer.Option(help="requests answered at once (model calls wait on the "
                                                      "network, not the processor)")] = 4) -> None:
    """Answer the Slack requests the web workers queued (the model's work), until stopped. `serve
    --workers N` starts one on PostgreSQL; run more on other machines to answer more at once."""
    import os
    import signal
    import threading

    from bot.answer_queue import AnswerWorker, worker_name
    from bot.slack_app import create_app
    from wiring import conversation, secret

    settings, client = _slack()
    tally = _tally()
    app = create_app(tally, client, secret(settings.slack_signing_secret), conversation(tally, settings),
                     tables=settings.slack_tables, answers_here=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    os.nice(5)  # acknowledgements first: Slack waits 3 s for those, people a few seconds for an answer
    workers = [threading.Thread(target=AnswerWorker(app, tally.answer_queue, client, f"{worker_name()}:{i}").run_until,
                                args=(stop,), name=f"answers-{i}") for i in range(max(1, threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@cli.command()
def scheduler() -> None:
    """Run the reminder sweep, sender and weekly digest on their own (serve runs them too; one process at a
    time runs them, the others stand by)."""
    from bot.scheduler import run_until_stopped

    settings, client = _slack()
    tally, outbox = _outbox(None)
    run_until_stopped(_guarded_jobs(settings, tally, client, outbox))


def _guarded_jobs(settings, tally, client, outbox):
    """The jobs, run only while this process holds the scheduler's lease: however many `serve` and
    `scheduler` processes share the database, one runs them, and a standby takes over when it dies."""
    from bot.scheduler import build_scheduler
    from bot.scheduler_guard import GuardedScheduler
    from db.scheduler_lock import SchedulerLock

    return GuardedScheduler(lambda: build_scheduler(tally, client, outbox), SchedulerLock(tally.db.engine),
                            retry_seconds=settings.scheduler_retry_seconds)
