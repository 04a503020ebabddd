"""Frozen action objects: what the engine wants done to a ticket, as data."""
from __future__ import annotations

from dataclasses import dataclass, asdict


@dataclass(frozen=True)
class AddComment:
    """Add one comment; public=False makes it an internal note for agents."""
    body: str
    public: bool
    kind: str = "add_comment"


@dataclass(frozen=True)
class AddTags:
    tags: tuple[str, ...]
    kind: str = "add_tags"


@dataclass(frozen=True)
class RemoveTags:
    tags: tuple[str, ...]
    kind: str = "remove_tags"


@dataclass(frozen=True)
class SetGroup:
    """Route to a group, named as in the configuration (resolved to an id by integration)."""
    group: str
    kind: str = "set_group"


@dataclass(frozen=True)
class SetStatus:
    status: str
    kind: str = "set_status"


@dataclass(frozen=True)
class ApplyMacro:
    """Apply an admin's macro; its effects are merged into the same single update."""
    macro_id: int
    kind: str = "apply_macro"


@dataclass(frozen=True)
class AddCcs:
    """Copy parties on the ticket (email CCs) so they receive the reply that asks for their consent."""
    emails: tuple[str, ...]
    kind: str = "add_ccs"


Action = AddComment | AddTags | RemoveTags | SetGroup | SetStatus | ApplyMacro | AddCcs


def action_to_dict(action: Action) -> dict:
    """Plain JSON-ready form of an action (tuples become lists)."""
    data = asdict(action)
    return {"kind": data.pop("kind"), **{key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}}
