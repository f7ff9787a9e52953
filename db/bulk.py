"""Inserting many rows of one table fast, in the session's transaction. SQLAlchemy's executemany
converts every value of every row through its column type, and psycopg sends an executemany as one
INSERT per row: at 100k+ rows that is most of the time. PostgreSQL gets COPY; SQLite gets one
executemany of plain tuples, each distinct value converted once by its column type's own converter
(a bulk of rows repeats a few timestamps and names many times)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`; no defaults are applied."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    if dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect.name != "sqlite":
        raise NotImplementedError(f"bulk insert on {dialect.name}")
    convert = [_memoized(table.c[name].type._cached_bind_processor(dialect)) for name in columns]
    connection.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join('?' for _ in columns)})",
                               [tuple(c(v) for c, v in zip(convert, row, strict=True)) for row in rows])


def _memoized(process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if process is None:
        return lambda value: value
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = process(value)
            return converted
        except TypeError:  # not hashable: converted each time
            return process(value)

    return convert
