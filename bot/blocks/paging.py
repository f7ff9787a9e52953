"""Long lists, ten rows a page. The "Next page" button carries the read tool and its arguments, so the
handler re-runs the read (fresh data, same permissions) and asks `blocks_for` for the next page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.blocks.elements import actions, button, context

PAGE_SIZE = 10
PAGE_ACTION = "tally_page"
PAGING_BLOCK = "tally_paging"

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """The read that produced a result: what the Next page button asks to run again."""

    tool: str
    args: dict


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int  # from 0
    count: int  # pages in all, at least 1
    start: int  # index of the first row
    total: int

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Page[T]:
    """The page asked for; past the end gives the last page (the list may have shrunk since)."""
    count = max(1, -(-len(items) // size))
    number = min(max(page, 0), count - 1)
    start = number * size
    return Page(list(items[start:start + size]), number, count, start, len(items))


def page_value(request: Request, page: int) -> str:
    return json.dumps({"tool": request.tool, "args": request.args, "page": page}, separators=(",", ":"))


def footer(page: Page, request: Request | None) -> list[dict]:
    """'Page 2 of 3 · rows 11–20 of 29' and, when more remain and the read can be re-run, a button."""
    if page.count == 1:
        return []
    where = (f"Page {page.number + 1} of {page.count} · rows {page.start + 1}–{page.start + len(page.rows)}"
             f" of {page.total}")
    blocks = [context(where)]
    if page.has_next and request is not None:
        blocks.append(actions(button("Next page", PAGE_ACTION, page_value(request, page.number + 1)),
                              block_id=PAGING_BLOCK))
    return blocks
