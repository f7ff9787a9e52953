"""The command line: `python app.py COMMAND`. Each command is a thin shell over the service layer."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from config import get_settings

cli = typer.Typer(help="Tally: order-to-cash in Slack.", no_args_is_help=True, add_completion=False)
members = typer.Typer(help="Map Slack users to roles.", no_args_is_help=True)
cli.add_typer(members, name="members")
out = Console()


def _fail(message: str) -> None:
    out.print(f"[red]{message}[/red]")
    raise typer.Exit(code=1)


@cli.command()
def migrate() -> None:
    """Apply database migrations (also done on every start)."""
    from bot.runtime import open_database
    from db.migrate import current_revision

    db = open_database(get_settings())
    out.print(f"Database at revision {current_revision(db.engine)}: {db.engine.url.render_as_string()}")


@cli.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="the demo company, dated relative to today")] = False,
    scale: Annotated[int, typer.Option("--scale", help="N invoices with orders and payments, deterministic")] = 0,
    reset: Annotated[bool, typer.Option("--reset", help="delete all data first")] = False,
) -> None:
    """Load demo data (`--demo`) or a large data set for benchmarks (`--scale N`)."""
    from bot.runtime import open_database
    from db.backup import wipe
    from db.scale_seed import seed_scale
    from db.seed import is_empty, seed_demo

    if demo == bool(scale):
        _fail("Choose one: --demo or --scale N.")
    db = open_database(get_settings())
    now = datetime.now(UTC)
    with db.session(write=True) as session:
        if reset:
            wipe(session)
        elif not is_empty(session):
            _fail("The database already has data; add --reset to replace it.")
        if demo:
            seed_demo(session, now.date(), now)
        else:
            with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=out) as bar:
                task = bar.add_task("invoices", total=scale)
                seed_scale(session, scale, now.date(), now, progress=lambda n: bar.advance(task, n))
        session.commit()
    out.print("Demo data loaded." if demo else f"{scale:,} invoices loaded.")


@members.command("add")
def members_add(
    slack_user_id: str,
    role: Annotated[str, typer.Option(help="sales, collector, manager or admin")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    tz: Annotated[str, typer.Option(help="IANA timezone, e.g. Europe/Paris")] = "",
) -> None:
    """Add a Slack user with a role (or change the role of an existing one)."""
    from tools.admin import add_member

    try:
        member = add_member(_db(), slack_user_id, role, name, tz or None)
    except ValueError as exc:
        _fail(str(exc))
    out.print(f"{member.slack_user_id} {member.name}: {member.role}")


@members.command("list")
def members_list() -> None:
    """List members and their roles."""
    from tools.admin import list_members

    for m in list_members(_db()):
        out.print(f"{m.slack_user_id:<12} {m.role:<10} {m.timezone or '':<20} {m.name}"
                  + ("" if m.active else "  (removed)"))


@members.command("remove")
def members_remove(slack_user_id: str) -> None:
    """Remove a member's access (their history stays)."""
    from tools.admin import remove_member

    try:
        remove_member(_db(), slack_user_id)
    except ValueError as exc:
        _fail(str(exc))
    out.print(f"{slack_user_id} removed.")


@cli.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help="customers, products, invoices or payments")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import a CSV file; bad rows are reported by line number and the good rows are kept."""
    from tools.importer import IMPORTERS, import_csv

    if kind not in IMPORTERS:
        _fail(f"Unknown kind {kind!r}; use one of: {', '.join(IMPORTERS)}.")
    report = import_csv(_tally(), kind, file)
    out.print(f"{report.imported} {kind} imported, {report.skipped} skipped as duplicates, "
              f"{len(report.errors)} rejected.")
    for line, message in report.errors:
        out.print(f"  line {line}: {message}")
    if report.errors:
        raise typer.Exit(code=2)


@cli.command()
def export(out_dir: Annotated[Path, typer.Option("--out", help="folder for the CSV files")] = Path("export")) -> None:
    """Write customers, products, orders, invoices and payments as CSV files."""
    from db.backup import export_csv

    for path, count in export_csv(_db(), out_dir):
        out.print(f"{path}: {count} rows")


@cli.command()
def backup(file: Path) -> None:
    """Write every table to FILE (gzipped JSON lines, portable between SQLite and PostgreSQL)."""
    from db.backup import backup as do_backup

    counts = do_backup(_db(), file)
    out.print(f"Backed up {sum(counts.values())} rows to {file}.")


@cli.command()
def restore(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Replace all data with a backup made by `backup`."""
    from db.backup import restore as do_restore

    counts = do_restore(_db(), file)
    out.print(f"Restored {sum(counts.values())} rows from {file}.")


@cli.command()
def console(as_user: Annotated[str, typer.Option("--as", help="the Slack user id to act as, e.g. U0SALES1")]) -> None:
    """Talk to Tally in a terminal as a given Slack user (commands; plain language with a model)."""
    from bot.console import Console as TallyConsole
    from bot.console import run_interactive, run_lines

    tally = _tally()
    actor = tally.actor_for(as_user)
    if actor is None:
        _fail(f"{as_user} is not a Tally member. Add them with: python app.py members add {as_user} --role sales")
    session = TallyConsole(tally, actor, sys.stdout)
    if sys.stdin.isatty():
        run_interactive(session)
    else:
        run_lines(session, sys.stdin)


def _db():
    from bot.runtime import open_database

    return open_database(get_settings())


def _tally():
    from bot.runtime import build_tally

    return build_tally(get_settings())
