"""Per-object memos for data that never changes once loaded (a catalog, a request type).

Catalog objects are frozen dataclasses holding dicts, so they cannot be dictionary keys themselves:
a memo is found by the object's id and kept together with the object, so that the id stays its own
while the memo lives. Values stored must depend only on the object and the key they are stored under.
"""
from __future__ import annotations

_MEMOS: dict[int, tuple[object, dict]] = {}
_MEMOS_MAX = 256


def memo_for(owner: object) -> dict:
    """The memo dict of `owner` (created empty the first time)."""
    known = _MEMOS.get(id(owner))
    if known is not None and known[0] is owner:
        return known[1]
    if len(_MEMOS) >= _MEMOS_MAX:
        _MEMOS.clear()
    memo: dict = {}
    _MEMOS[id(owner)] = (owner, memo)
    return memo
