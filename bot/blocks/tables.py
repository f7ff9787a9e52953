"""Tables in one of two layouts: Slack's table block where the surface renders it (messages), or the
monospace code block everywhere else (App Home and modals have no table block, and some workspaces'
clients do not show it: `Layout(tables=False)`).

Slack's rules for the table block: one table a message, at most 100 rows of at most 20 cells, every
`raw_text` cell non-empty, and the table is drawn at the bottom of the message whatever its place among
the blocks. So a message keeps its table last (`table_last`), with its caption just above it, and what is
sent reads in the order it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.blocks.elements import context
from bot.blocks.monospace import table_section

MAX_ROWS = 100
MAX_COLUMNS = 20
MAX_CELLS_TEXT = 10_000  # all cells of a message together; over it Slack refuses the table
TABLE_ID, CAPTION_ID = "tally_table", "tally_table_caption"


def _cell(text: str, bold: bool = False) -> dict:
    text = str(text).strip() or " "  # an empty cell is refused: a space draws the same blank
    if not bold or text == " ":
        return {"type": "raw_text", "text": text}
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": text, "style": {"bold": True}}]}]}


def table_block(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset(),
                totals: Sequence[Sequence[str]] = ()) -> dict | None:
    """Slack's table block: a bold header row, the rows, bold totals; `right` columns right-aligned.
    None when it would not fit Slack's limits (the caller falls back to the monospace table)."""
    grid = [[_cell(h, bold=True) for h in headers], *([_cell(c) for c in row] for row in rows),
            *([_cell(c, bold=True) for c in row] for row in totals)]
    text = sum(len(str(c)) for row in (headers, *rows, *totals) for c in row)
    if len(grid) > MAX_ROWS or len(headers) > MAX_COLUMNS or text > MAX_CELLS_TEXT:
        return None
    if any(len(row) != len(headers) for row in (*rows, *totals)):
        raise ValueError("every row of a table has one cell a column")
    settings = [{"align": "right" if i in right else "left"} for i in range(len(headers))]
    return {"type": "table", "block_id": TABLE_ID, "rows": grid, "column_settings": settings}


@dataclass(frozen=True)
class Layout:
    """How a surface draws tables: `tables` is Slack's table block, else monospace text."""

    tables: bool = False

    def table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
              right: set[int] = frozenset(), totals: Sequence[Sequence[str]] = ()) -> list[dict]:
        """The blocks of one table with its `caption` (mrkdwn, may be empty)."""
        block = table_block(headers, rows, right, totals) if self.tables else None
        if block is None:
            return [table_section(caption, headers, rows, right, totals)]
        return ([{**context(caption), "block_id": CAPTION_ID}] if caption else []) + [block]


MONOSPACE = Layout(tables=False)
NATIVE = Layout(tables=True)


def table_last(blocks: list[dict]) -> list[dict]:
    """`blocks` with the table and its caption moved to the end, where Slack draws a table anyway."""
    ids = (TABLE_ID, CAPTION_ID)
    moved = [b for b in blocks if b.get("block_id") in ids]
    return [b for b in blocks if b.get("block_id") not in ids] + moved if moved else blocks
