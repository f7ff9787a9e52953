"""Tables in Slack code blocks: Slack has no table block, so columns are padded in a monospace font.

Padding counts display columns, not characters: a CJK name such as 中华贸易 takes two columns a
character, and the console's `bot.text_views.table` (which counts characters) would misalign it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.blocks.elements import MAX_SECTION_TEXT, escape, section

NAME_WIDTH = 22  # long customer and product names are cut so a row fits a phone screen


def width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def cut(text: str, limit: int = NAME_WIDTH) -> str:
    """`text` shortened to at most `limit` display columns, marked with … when cut."""
    if width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        if used + width(ch) > limit - 1:
            break
        out, used = out + ch, used + width(ch)
    return out + "…"


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * (size - width(text))
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset()) -> str:
    """Plain text: a header, a rule and the rows; columns in `right` (amounts, counts) right-aligned."""
    sizes = [max(width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_pad(str(c), sizes[i], i in right) for i, c in enumerate(cells)).rstrip()

    return "\n".join([line(headers), line(["-" * s for s in sizes]), *(line(r) for r in rows)])


def table_section(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset(),
                  totals: Sequence[Sequence[str]] = ()) -> dict:
    """A section: `title` (mrkdwn) over the table in a code block. Rows that would take the text past
    Slack's limit are left out and counted; `totals` rows always stay."""
    shown = list(rows)
    while True:
        note = [[f"… {len(rows) - len(shown)} more"] + [""] * (len(headers) - 1)] if len(shown) < len(rows) else []
        body = escape(table(headers, [*shown, *note, *totals], right))
        text = f"{title}\n```\n{body}\n```" if title else f"```\n{body}\n```"
        if len(text) <= MAX_SECTION_TEXT or not shown:
            return section(text)
        shown.pop()
