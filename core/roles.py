"""Roles and who may do what. Tools consult this; prompts never do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SALES = "sales"
    COLLECTOR = "collector"
    MANAGER = "manager"
    ADMIN = "admin"


# Roles that see every customer; sales see only the customers they own.
SEES_ALL = frozenset({Role.COLLECTOR, Role.MANAGER, Role.ADMIN})
# Roles that may act for someone else (confirm another user's pending action, approve holds).
SUPERVISES = frozenset({Role.MANAGER, Role.ADMIN})


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {text!r}; use one of: {choices}") from exc
