"""Company names as sentences write them: where a name starts and ends in running text."""
from __future__ import annotations

import re

from .text import fold, soft_fold

_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NAME_START = re.compile(r"[\W_]*[^\W\d_]?")


def party_name(written: str, vocabulary, from_end: bool = False) -> str:
    """The company's name a sentence's slot starts with: 'der Medcom Systemhaus GmbH' -> 'Medcom Systemhaus GmbH',
    'Ridgeway Surveyors LLP (end customer only)' -> 'Ridgeway Surveyors LLP', 'Redpoint Networks and will be
    managed by us' -> 'Redpoint Networks'.

    Leading articles (the language's `value_lead_words`) go; the name runs over capitalised words, numbers and
    quoted words, and over the lowercase words a name may hold (`name_words`: "do", "z", "o.o."), and ends at
    any other word or at an opening parenthesis. A slot that does not start with a capital is left as written:
    not every writer capitalises names."""
    if from_end:   # a slot that opens its pattern: "Hallo, wir möchten den Kunden Gasthof Zur Linde (SUB-1)"
        return _name_at_end(written, vocabulary)
    lead = vocabulary.value_lead.match(soft_fold(written)[0]) if vocabulary.value_lead is not None else None
    if lead and lead.end() < len(written):
        written = written[soft_fold(written)[1][lead.end()]:]
    head, comma, rest = written.partition(",")
    if comma and rest.strip() and fold(head) in vocabulary.we_words:
        written = rest.strip()   # "zu uns, Voralpen IT": the name after "us,"
    tokens = written.split()
    if not tokens or not _capitalised(tokens[0]):
        # Left as written, unless the slot ran over the end of its sentence: "take over as below. Northgate …"
        # is no sentence naming a company.
        return "" if any(_ends_sentence(token, vocabulary) for token in tokens[:-1]) else written
    kept = []
    for token in tokens:
        if token.startswith("("):
            break
        if not _in_name(token, vocabulary) or (kept and kept[-1].endswith(".") and fold(token) in we_words(vocabulary)):
            break   # "Solent Comms Ltd. We are …": a "we" after a legal form's full stop opens a sentence
        if _ends_sentence(token, vocabulary):
            kept.append(token[:-1])   # "Telcia Services. Ci-joint …": a full stop after a word ends the sentence
            break                     # ("Dr.", "Sp.", "S.L." are abbreviations)
        kept.append(token)
    while kept and not _capitalised(kept[-1]) and "." not in kept[-1] and kept[-1] != "&":
        kept.pop()   # "… Networks and" before "will be": a joining word ends no name
    name = " ".join(kept).rstrip(",;:") if kept else written
    for opening, closing in _QUOTE_PAIRS:   # 'ООО «Сибирь ИТ»,': the slot stops before the punctuation after it
        if name.count(opening) > name.count(closing):
            name += closing
    return name


_QUOTE_PAIRS = (("«", "»"), ("„", "“"))


def we_words(vocabulary) -> frozenset[str]:
    """The folded "we" and "our" words of every language."""
    return vocabulary.we_words | vocabulary.our_words


def _name_at_end(written: str, vocabulary) -> str:
    """The run of a name's words that ends the text, remarks in parentheses aside."""
    text = _PARENTHETICAL.sub(" ", written)
    if "(" in text:
        text = text[:text.rindex("(")]   # "… Zur Linde (SUB-1" the slot cut before its ")"
    tokens = text.split()
    kept: list[str] = []
    for token in reversed(tokens):
        if not _in_name(token, vocabulary) or token.endswith(","):
            break
        kept.insert(0, token)
    while kept and not _capitalised(kept[0]):
        kept.pop(0)   # "den Kunden …" has no name word left of the name
    return " ".join(kept).rstrip(",;:") if kept else written


def _in_name(token: str, vocabulary) -> bool:
    """A word a company's name may hold: a capitalised one, a number, or one of the language's `name_words`."""
    return _capitalised(token) or token.casefold().strip(",;:.") in vocabulary.name_words


def _ends_sentence(token: str, vocabulary) -> bool:
    """A word followed by the end of its sentence or a colon: 'Services.', 'below.', 'three:' (not 'Dr.', 'S.L.')."""
    if token.endswith(":"):
        return True
    return token.endswith((".", "!", "?")) and "." not in token[:-1] and len(token) > 4 \
        and token.casefold().strip(".") not in vocabulary.name_words


def _capitalised(token: str) -> bool:
    """A word as names are written: a capital first letter (after quotes), or a number ('1&1', '«Связь-Регион»')."""
    first = _NAME_START.match(token).group()[-1:]
    return not first or first.isupper() or token.lstrip("«\"„“'(").startswith(tuple("0123456789"))
