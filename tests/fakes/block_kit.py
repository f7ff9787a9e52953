"""What Slack refuses in a message or a view, checked the way Slack checks: slack_sdk's Block Kit models
(`Block.parse(...)` then validation of the block and everything in it, `View(...).validate_json()`), and
the limits Slack enforces that the models leave out: 50 blocks a message and 100 a view, block ids unique,
no empty text, a block type Slack knows, one table a message (and none in a view), at most 100 rows of at
most 20 non-empty cells, and no field the models do not know (Slack answers `invalid_blocks` for those).

`problems(method, params)` gives Slack's error and its messages for a call Slack would refuse;
`warnings(method, params)` what Slack accepts but should not get (a message with blocks and no `text`
fallback: notifications and screen readers get nothing)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"}
STREAM_METHODS = {"chat.startStream", "chat.appendStream", "chat.stopStream"}  # blocks, but markdown, not text
VIEW_METHODS = {"views.publish", "views.open", "views.update", "views.push"}
MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS = 50, 100
MAX_TABLE_ROWS, MAX_TABLE_CELLS = 100, 20
MAX_TABLE_TEXT = 10_000  # all cells of a table together, as Slack refuses past it
TEXT_TYPES = {"plain_text", "mrkdwn"}


def is_message(method: str) -> bool:
    """chat.* posts, and what a response_url gets (the mock serves those as `response.<name>`)."""
    return method in MESSAGE_METHODS or method.startswith("response.")


def problems(method: str, params: dict) -> tuple[str, list[str]] | None:
    """(Slack's error, its messages) when Slack would refuse this call, else None."""
    if is_message(method) or method in STREAM_METHODS:
        found = [*_blocks(params.get("blocks"), "/blocks", MAX_MESSAGE_BLOCKS, tables=True)]
        for n, attachment in enumerate(params.get("attachments") or []):
            found += _blocks(attachment.get("blocks"), f"/attachments/{n}/blocks", MAX_MESSAGE_BLOCKS, tables=True)
        return ("invalid_blocks", found) if found else None
    if method in VIEW_METHODS:
        found = _view(params.get("view"))
        return ("invalid_arguments", found) if found else None
    return None


def warnings(method: str, params: dict) -> list[str]:
    """What Slack takes but should not be sent: blocks without the `text` that notifications show."""
    if is_message(method) and params.get("blocks") and not str(params.get("text") or "").strip():
        return [f"{method}: blocks without a `text` fallback for notifications and screen readers"]
    return []


def _view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["a view is an object [json-pointer:/view]"]
    found = []
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, AttributeError) as exc:
        found.append(f"{exc} [json-pointer:/view]")
    if view.get("type") == "modal" and not (view.get("title") or {}).get("text"):
        found.append("a modal needs a title [json-pointer:/view/title]")
    return found + _blocks(view.get("blocks"), "/view/blocks", MAX_VIEW_BLOCKS, tables=False)


def _blocks(blocks: Any, where: str, limit: int, *, tables: bool) -> list[str]:
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"blocks are a list [json-pointer:{where}]"]
    found = []
    if len(blocks) > limit:
        found.append(f"no more than {limit} items allowed [json-pointer:{where}]")
    ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    found += [f"duplicate block_id {i!r} [json-pointer:{where}]" for i in sorted({i for i in ids if ids.count(i) > 1})]
    kinds = [b.get("type") for b in blocks if isinstance(b, dict)]
    if kinds.count("table") > (1 if tables else 0):
        found.append(f"{'only one table is allowed in a message' if tables else 'a table is not allowed in a view'}"
                     f" [json-pointer:{where}]")
    for n, block in enumerate(blocks):
        found += _block(block, f"{where}/{n}")
    return found


def _block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"a block is an object [json-pointer:{where}]"]
    parsed = Block.parse(block)
    if parsed is None or type(parsed) is Block:
        return [f"unknown block type {block.get('type')!r} [json-pointer:{where}/type]"]
    try:
        parsed.validate_json()
        shown = parsed.to_dict()  # validates every element and text object inside it too
    except (SlackObjectFormationError, TypeError, AttributeError, KeyError) as exc:
        return [f"{exc} [json-pointer:{where}]"]
    found = [f"unknown field {path} [json-pointer:{where}]" for path in _lost(block, shown, "")]
    found += [f"must be more than 0 characters [json-pointer:{where}{path}]" for path in _empty_texts(block, "")]
    if block.get("type") == "table":
        found += _table(block, where)
    return found


def _lost(sent: Any, kept: Any, path: str) -> list[str]:
    """Keys of what was sent that the models dropped: fields Slack does not know."""
    if isinstance(sent, dict) and isinstance(kept, dict):
        return [p for key, value in sent.items()
                for p in ([f"{path}/{key}"] if key not in kept else _lost(value, kept[key], f"{path}/{key}"))]
    if isinstance(sent, list) and isinstance(kept, list) and len(sent) == len(kept):
        return [p for n, (a, b) in enumerate(zip(sent, kept, strict=True)) for p in _lost(a, b, f"{path}/{n}")]
    return []


def _empty_texts(node: Any, path: str) -> list[str]:
    if isinstance(node, dict):
        own = [f"{path}/text"] if node.get("type") in TEXT_TYPES and not str(node.get("text") or "") else []
        return own + [p for key, value in node.items() for p in _empty_texts(value, f"{path}/{key}")]
    if isinstance(node, list):
        return [p for n, value in enumerate(node) for p in _empty_texts(value, f"{path}/{n}")]
    return []


def _table(block: dict, where: str) -> list[str]:
    rows, found = block.get("rows") or [], []
    if len(rows) > MAX_TABLE_ROWS:
        found.append(f"no more than {MAX_TABLE_ROWS} rows allowed [json-pointer:{where}/rows]")
    settings = block.get("column_settings") or []
    if len(settings) > MAX_TABLE_CELLS:
        found.append(f"no more than {MAX_TABLE_CELLS} column settings allowed [json-pointer:{where}/column_settings]")
    for n, setting in enumerate(settings):
        if setting is not None and (setting.get("align", "left") not in ("left", "center", "right")
                                    or not isinstance(setting.get("is_wrapped", False), bool)
                                    or set(setting) - {"align", "is_wrapped"}):
            found.append(f"invalid column setting [json-pointer:{where}/column_settings/{n}]")
    text = 0
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not 0 < len(row) <= MAX_TABLE_CELLS:
            found.append(f"a row has 1 to {MAX_TABLE_CELLS} cells [json-pointer:{where}/rows/{r}]")
            continue
        for c, cell in enumerate(row):
            at = f"{where}/rows/{r}/{c}"
            kind = cell.get("type") if isinstance(cell, dict) else None
            if kind == "raw_text":
                if not isinstance(cell.get("text"), str) or not cell["text"] or set(cell) - {"type", "text"}:
                    found.append(f"must be more than 0 characters [json-pointer:{at}/text]")
                text += len(cell.get("text") or "")
            elif kind == "rich_text":
                found += _block(cell, at)
                text += _chars(cell)
            else:
                found.append(f"a cell is raw_text or rich_text [json-pointer:{at}]")
    if text > MAX_TABLE_TEXT:
        found.append(f"no more than {MAX_TABLE_TEXT} characters in a table's cells [json-pointer:{where}/rows]")
    return found


def _chars(node: Any) -> int:
    """The characters of text in a rich text cell."""
    if isinstance(node, dict):
        return len(node["text"]) if isinstance(node.get("text"), str) else sum(map(_chars, node.values()))
    return sum(map(_chars, node)) if isinstance(node, list) else 0
