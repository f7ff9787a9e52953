"""Compact JSON schemas for the model: every tool's schema is sent on every call, so keep them lean, but
keep every constraint (amount > 0, at most 50 lines, text length): a model that cannot see a bound sends
a value outside it, gets an error back and is tempted to answer in prose."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DROP = {"title", "default", "additionalProperties"}
GENEROUS_TEXT = 200  # text caps from here up cost tokens on every call and guide nothing


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].split("/")[-1]], defs)
        node = {k: _inline(v, defs) for k, v in node.items() if k not in DROP and k != "$defs"}
        variants = node.get("anyOf")
        if variants is not None:
            kept = [v for v in variants if v.get("type") != "null"]
            if all(v.get("type") in ("number", "string") for v in kept) and len(kept) == 2:
                kept = [v for v in kept if v.get("type") == "number"]  # Decimal: number-or-pattern-string
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            node = {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
        for noisy in ("pattern", "format"):  # decimal patterns and formats the description already gives
            node.pop(noisy, None)
        if node.get("maxLength", 0) >= GENEROUS_TEXT:  # a cap no real value reaches: said in words if hit
            node.pop("maxLength")
        return node
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def compact_schema(model: type[BaseModel]) -> dict[str, Any]:
    full = model.model_json_schema()
    schema = _inline(full, full.get("$defs", {}))
    schema.pop("description", None)
    schema.setdefault("properties", {})
    return schema
