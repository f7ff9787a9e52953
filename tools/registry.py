"""The registry of tools: what the agent, the console and Slack all call, as is."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel

from core.roles import Role

Kind = Literal["read", "write"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    kind: Kind
    roles: frozenset[Role]
    args_model: type[BaseModel]
    result_model: type[BaseModel]
    func: Callable[..., BaseModel]
    description: str  # one line, read by the model on every call: keep it short and exact
    # A write's arguments as asked -> the arguments that will run (see `resolves`); None: they run as asked.
    resolve: Callable[..., BaseModel] | None = None

    @property
    def is_write(self) -> bool:
        return self.kind == "write"


REGISTRY: dict[str, ToolSpec] = {}

ALL_ROLES = frozenset(Role)


def tool(kind: Kind, roles: set[Role] | frozenset[Role]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `func(ctx, args) -> result`; the docstring's first paragraph is the description."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        hints = get_type_hints(func)
        params = list(inspect.signature(func).parameters)
        description = " ".join((inspect.getdoc(func) or "").split("\n\n")[0].split())
        REGISTRY[func.__name__] = ToolSpec(
            name=func.__name__, kind=kind, roles=frozenset(roles) | {Role.ADMIN},
            args_model=hints[params[1]], result_model=hints["return"], func=func, description=description,
        )
        return func

    return register


def resolves(write: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `resolve(ctx, args) -> args` for a write tool: what was asked, made exact for the person
    who asks (names and numbers as stored, "me" and "today" and list prices filled in). A proposal stores
    its output and shows the tool's rendering of it; Confirm runs exactly that, whoever confirms."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[write.__name__] = replace(REGISTRY[write.__name__], resolve=func)
        return func

    return register


def get(name: str) -> ToolSpec:
    from core.errors import NotFound

    try:
        return REGISTRY[name]
    except KeyError:
        raise NotFound(f"There is no tool called {name!r}.", candidates=sorted(REGISTRY)) from None
