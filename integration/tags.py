"""Ticket tags as Zendesk treats them: lowercase words in first-seen order, added and removed as lists."""
from __future__ import annotations

from typing import Any, Iterable


def tag_list(value: Any) -> list[str]:
    """Tags as Zendesk reads them from a request: a list or one space-separated string, lowercased."""
    if isinstance(value, str):
        value = value.split()
    return [str(tag).strip().lower() for tag in value or [] if str(tag).strip()]


def plus(tags: Iterable[str], extra: Iterable[str]) -> list[str]:
    """tags, then each tag of extra not already there; no duplicates."""
    merged = list(dict.fromkeys(tags))
    merged += [tag for tag in dict.fromkeys(extra) if tag not in merged]
    return merged


def minus(tags: Iterable[str], gone: Iterable[str]) -> list[str]:
    """tags without those in gone; no duplicates."""
    gone = set(gone)
    return [tag for tag in dict.fromkeys(tags) if tag not in gone]


def apply_tags(current: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    """current + add − remove, keeping first-seen order and no duplicates."""
    return minus(plus(current, add), remove)
