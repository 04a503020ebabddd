"""Whose public comments are the requester's (DESIGN: "Where field values come from").

The requester's own, and those of the people the requester brought into the ticket from their own organisation:
the same Zendesk organisation, or, where the requester has none, the same email domain (a webmail domain such as
gmail.com makes nobody a colleague). A colleague the requester's own text names by address is a party to the
transfer (the new holder at the same company, say): their comment counts only for their consent, never as data.
Agents never count."""
from __future__ import annotations

import re
from collections.abc import Mapping

from .reading import _EMAIL_SLOT

# Domains anyone can have an address at: two people there are not colleagues.
WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "mail.com", "gmx.com", "proton.me", "protonmail.com", "zoho.com",
    "hotmail.es", "yahoo.es", "hotmail.fr", "yahoo.fr", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "bluewin.ch", "wp.pl", "o2.pl", "onet.pl",
    "interia.pl", "op.pl", "mail.ru", "yandex.ru", "ya.ru", "rambler.ru", "bk.ru", "list.ru", "inbox.ru",
    "terra.com.br", "uol.com.br", "bol.com.br", "sapo.pt", "skynet.be", "videotron.ca", "libero.it",
})
_ADDRESS = re.compile(_EMAIL_SLOT)


def _domain(user: Mapping) -> str:
    email = str(user.get("email") or "").strip().lower()
    return email.rpartition("@")[2] if "@" in email else ""


def public_by_others(document: Mapping) -> frozenset:
    """The authors of public comments other than the requester (usually none: only the requester writes in public)."""
    requester_id = (document.get("ticket") or {}).get("requester_id")
    return frozenset(comment.get("author_id") for comment in document.get("comments") or () if isinstance(comment, Mapping)
                     and comment.get("author_id") != requester_id and comment.get("public", True))


def requester_side(document: Mapping) -> frozenset:
    """The author ids whose public comments are read as the requester's: the requester and their colleagues."""
    ticket = document.get("ticket") or {}
    requester_id = ticket.get("requester_id")
    if requester_id is None:
        return frozenset()
    others = public_by_others(document)
    if not others:
        return frozenset((requester_id,))   # the common case: only the requester writes in public
    comments = [comment for comment in document.get("comments") or () if isinstance(comment, Mapping)]
    users = {user.get("id"): user for user in document.get("users") or () if isinstance(user, Mapping)}
    requester = users.get(requester_id) or {}
    organisation, domain = requester.get("organization_id"), _domain(requester)
    named = {address.lower() for comment in comments if comment.get("author_id") == requester_id
             for address in _ADDRESS.findall(str(comment.get("body") or ""))}
    side = {requester_id}
    for author in others:
        user = users.get(author)
        if not user or user.get("role", "end-user") != "end-user" or str(user.get("email") or "").lower() in named:
            continue
        if organisation is not None:
            if user.get("organization_id") == organisation:
                side.add(author)
        elif domain and domain not in WEBMAIL_DOMAINS and _domain(user) == domain:
            side.add(author)
    return frozenset(side)
