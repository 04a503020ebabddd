"""The parties of a request type whose consent it needs, and how each consents (schema `x-handover.consents`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

METHODS = frozenset({"reply", "link", "declaration"})


@dataclass(frozen=True)
class Party:
    """One party of a request type (schema `x-handover.consents`), as data."""
    party: str
    method: str
    email_field: str | None = None     # reply/link: the request item holding the party's address
    email_from: str | None = None      # reply/link: "requester" — the ticket's requester is the party
    field: str | None = None           # declaration: the yes/no item that carries the consent
    name_field: str | None = None      # the item holding the party's name ("Axis Telecom: they have agreed")

    @property
    def source(self) -> str | None:
        return self.email_field or (f"ticket.{self.email_from}" if self.email_from else None)


def parse_parties(entries: Sequence[Mapping], field_kinds: Mapping[str, str]) -> tuple[Party, ...]:
    """The schema's consent entries as Parties; raises ValueError naming what is wrong."""
    parties = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not entry.get("party"):
            raise ValueError("every consent needs a 'party' name")
        method = str(entry.get("method") or ("declaration" if entry.get("field") else "reply"))
        if method not in METHODS:
            raise ValueError(f"consent {entry['party']}: unknown method {method!r} (known: {', '.join(sorted(METHODS))})")
        party = Party(str(entry["party"]), method, entry.get("email_field"), entry.get("email_from"), entry.get("field"),
                      entry.get("name_field"))
        if party.name_field and field_kinds.get(party.name_field) != "text":
            raise ValueError(f"consent {party.party}: 'name_field' names no text field")
        if method == "declaration" and field_kinds.get(party.field or "") != "yesno":
            raise ValueError(f"consent {party.party}: a declaration names a yes/no field ('field')")
        if method == "declaration" and party.email_field and field_kinds.get(party.email_field) != "email":
            raise ValueError(f"consent {party.party}: 'email_field' names no email field")
        if method != "declaration":
            if party.email_from not in (None, "requester"):
                raise ValueError(f"consent {party.party}: email_from can only be 'requester'")
            if not party.email_from and field_kinds.get(party.email_field or "") != "email":
                raise ValueError(f"consent {party.party}: name the email field of the party ('email_field')")
        parties.append(party)
    return tuple(parties)


def with_method(parties: Sequence[Party], method: str | None) -> tuple[Party, ...]:
    """The parties consenting by `method` instead (a per-type setting), where each one's address is known."""
    if method is None:
        return tuple(parties)
    if method not in METHODS:
        raise ValueError(f"unknown consent method {method!r} (known: {', '.join(sorted(METHODS))})")
    return tuple(replace(party, method=method) if (method == "declaration" and party.field)
                 or (method != "declaration" and (party.email_field or party.email_from)) else party
                 for party in parties)
