"""The writer's own party, read the way an accounts agent reads an email's first lines.

A writer often says which company they are before saying anything else: "I'm writing on behalf of Bluewater
Telecom", "Les escribimos desde Andes Cloud Distribución", "Пишу от имени дистрибьютора ООО «Мегадистрибуция»"
(the language's `writer_intro_words`, then at most the words that may stand between a cue and a name). Which
party that company is, the rest of the request tells: a "we" right after a new partner's cue ("has asked to be
moved to us", "переходит к нам", "quiere pasarse a nosotros"), or the company being a party already named.
A name the writer introduces and sets beside a take-over kind ("We are Compunet Systems Ltd, an indirect reseller",
"Somos a Farmácia Lusitana, Lda., cliente final") is the company, and the writer speaks for it, unless another
reader found the writer's party ("on behalf of Greenway …, an end customer. Greenway have asked us, BlueRidge
Telecom, to manage their account")."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .prose_parties import introduces, kind_beside, names_in, person_then_company
from .text import fold, soft_fold


class Introduced(NamedTuple):
    name: str     # the company as written ("ООО «Мегадистрибуция»")
    clause: str   # the clause it was read from
    kind: str | None = None   # the take-over kind an apposition sets beside it ("…, an end customer"): the company


def introduced_company(clauses: Sequence[str], reader) -> Introduced | None:
    """The company the first clause with an introduction names right after it, or None."""
    vocabulary = reader.vocabulary
    if vocabulary.writer_intro is None and vocabulary.person_intro is None:
        return None
    for clause in clauses:
        company = person_then_company(clause, reader)
        if company is not None:   # "Sou a Inês Ferreira, da Telvia Comunicações"
            return Introduced(company.name, clause, kind_beside(clause, company, reader))
        folded, where = soft_fold(clause)
        match = vocabulary.writer_intro.search(folded) if vocabulary.writer_intro is not None else None
        if match is None:
            continue
        at = where[match.end() - 1] + 1
        names = names_in(clause[at:], vocabulary, reader.prose_skip, reader.prose_cues)
        if not names or not introduces(clause[:at + names[0].start], reader):
            continue   # "on behalf of our client X", "desde la gestoría X": someone the writer speaks for
        return Introduced(names[0].name, clause, kind_beside(clause[at:], names[0], reader))
    return None


def moved_to_us(clauses: Sequence[str], reader) -> str | None:
    """The name item of the party the company moves to (the type's `prose_parties: moved_to`) when a "we" or an
    "our" follows one of its cues ("moved to us", "к нам", "a nosotros", "zu uns", "chez nous", "do nas", "a nuestra
    cuenta"); else None.
    Only that party is told so: "from us", "у нас", "de nosotros" say too little."""
    target = reader.prose_moved_to
    if target is None:
        return None
    # "moved to us", or to something of ours ("queremos pasarla a nuestra cuenta de revendedor", "to our portfolio")
    cues, we_words = reader.prose_cues, reader.vocabulary.we_words | reader.vocabulary.our_words
    longest = max(map(len, cues), default=0)
    for clause in clauses:
        words = fold(clause).split()
        if we_words.isdisjoint(words):
            continue
        for at, word in enumerate(words):
            if word in we_words and any(cues.get(tuple(words[at - size:at])) == target
                                        or cues.get(tuple(words[at - size + 1:at + 1])) == target
                                        for size in range(min(longest, at), 0, -1)):
                return target   # "to us", or a cue holding the "we" ("por nosotros", "pela gente")
    return None


def writer_party(clauses: Sequence[str], reader, known: Mapping[str, str], writer: str | None
                 ) -> tuple[str | None, Introduced | None]:
    """The name item of the writer's party and the company the writer introduces (to fill that item when it is
    open). `known`: the party names read so far; `writer`: the party other readers already found the writer is."""
    introduced = introduced_company(clauses, reader)
    if introduced is None:
        return writer, None
    if introduced.kind is not None:   # "Somos a Farmácia Lusitana, Lda., cliente final"
        return writer or reader.prose_opening, introduced
    if writer is not None:
        return writer, introduced
    folded = fold(introduced.name)
    named = {field_name for field_name, name in known.items() if name and fold(name) == folded}
    if len(named) == 1:
        return named.pop(), introduced
    return (moved_to_us(clauses, reader) if not named else None), introduced
