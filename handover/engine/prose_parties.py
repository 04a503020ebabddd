"""Parties told in prose, the way an accounts agent reads them.

"Vantage Networks Ltd, an indirect reseller, wishes to move … from their current distributor, Meridian
Distribution, to us (Halcyon VAD UK)": each company name in a clause is given its party by the words just
before it (the type's `prose_parties:` cues: "from" -> the current partner, "to" -> the new one, "the
reseller" -> the company), over the words that may stand between ("their", "distributor", a comma). A "we"
or "our" right before a name ("to us (Halcyon …)", "zu uns, der ElbeCom") makes that name the writer's party.
A clause counts only when two of its names are placed so (or its one name follows the company's role in
full: "dla klienta X"); its one name left over then takes the one party left open, and its opening name the
type's `opening` item ("Vantage Networks Ltd …" is the company). The word that places the company, or the
apposition after its name, may name the type's `kind` choice ("the reseller ProTel", "X, cliente final")."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from .names import _QUOTE_PAIRS, _capitalised, _ends_sentence, _in_name, we_words
from .text import fold, fold_words, soft_fold, unnegated

_TOKEN = re.compile(r"\S+")
_CUE_TOKEN = re.compile(r"[^\W_]+|[,(–—]")   # words, and the marks an apposition stands behind ("us, X", "us (X)")
_APPOSITION = frozenset(",(–—")
_MIN_PLACED = 2          # names a clause must place by their cues before it says anything
_NAME_CLOSERS = ",;:)"
_APPOSITION_WORDS = 4    # the words after a name's comma that may say its kind ("an end customer", "un client final")


class Named(NamedTuple):
    start: int
    end: int
    name: str


class Placed(NamedTuple):
    named: Named
    field: str | None     # the name item its cue gives
    writer: bool          # a "we"/"our" stands right before it
    before: str = ""      # the words between the name before it and this one


class ProseParties(NamedTuple):
    names: dict[str, tuple[str, str]]   # name item -> (name, the clause it was read from)
    writer: str | None                  # the name item of the party the writer is
    kind: str | None = None             # the choice of the type's `kind` item the company's cue names


def read_prose_parties(clauses: Sequence[str], rtype, known: Mapping[str, str]) -> ProseParties:
    """The parties' names the clauses give for the items still open, and the writer's party.

    `known`: the names already read (name item -> name); a name equal to one of them is that party."""
    reader = rtype.reader
    names: dict[str, tuple[str, str]] = {}
    writer = kind = None
    roles = {party.name_field: reader.party_words[party.field] for party in rtype.consents
             if party.name_field and party.field in reader.party_words}
    for number, clause in enumerate(clauses):
        placed = _place(clause, reader, roles)
        if placed is None:
            continue
        fields = _fields(placed, reader, {**known, **{field_name: name for field_name, (name, _) in names.items()}})
        kind = kind or _kind(placed, fields, clause, reader)
        for field_name, (named, _) in fields.items():
            if field_name not in known and field_name not in names:
                names[field_name] = (named.name, clause)
        opening = reader.prose_opening
        if opening and fields and opening not in fields and opening not in known and opening not in names:
            referent = _noun_referent(clause, clauses[:number], reader)   # "Die Kanzlei möchte … vom … zu uns …"
            if referent is not None and referent not in {name for name, _ in names.values()}:
                names[opening] = (referent, clause)
        writer = writer or next((field_name for field_name, (_, wrote) in fields.items() if wrote), None)
    return ProseParties(names, writer, kind)


_BRACKETED = re.compile(r"\s*\(([^()]{2,40})\)")


def _role_in_brackets(after: str, roles: Mapping[str, frozenset[str]], reader) -> str | None:
    """The name item of the one party whose role fills the brackets right after a name: "Coastline Comms (the
    incoming partner)", "Mosel-IT (bisheriger Partner)"; None otherwise."""
    match = _BRACKETED.match(after)
    if match is None:
        return None
    words = [word for word in fold(match.group(1)).split() if word not in reader.vocabulary.lead_words]
    named = [name for name, phrases in roles.items() if " ".join(words) in phrases]
    return named[0] if len(named) == 1 else None


_REFERENT_AT = 3   # words a clause may open with before the noun that refers back to a company ("Die Kanzlei")


def _noun_referent(clause: str, earlier: Sequence[str], reader) -> str | None:
    """The company a clause's opening noun refers back to: "Die Kanzlei möchte …" after "im Namen der Kanzlei Dr.
    Steiner & Partner", "La pharmacie souhaite …" after "la pharmacie Centrale": the latest earlier name written
    right after the same noun; None when the clause opens otherwise or no name follows that noun before."""
    vocabulary = reader.vocabulary
    nouns = reader.prose_between | vocabulary.common_nouns
    words = fold(clause).split()[:_REFERENT_AT]
    at = next((index for index, word in enumerate(words) if word not in vocabulary.lead_words), None)
    if at is None or words[at] not in nouns:
        return None
    for text in reversed(earlier):
        for named in reversed(names_in(text, vocabulary, reader.prose_skip, reader.prose_cues)):
            if fold(text[:named.start]).split()[-1:] == [words[at]] or _alias_after(text[named.end:]) == words[at]:
                return named.name
    return None


_ALIAS = re.compile(r"(?:\s+[^\s(]+){0,2}?\s*\([^()«„“\"']{0,30}[«„“\"']\s*([^»“”\"']{1,40}?)\s*[»“”\"']")


def _alias_after(text: str) -> str | None:
    """The last word, folded, of the name a company is given in brackets right after its own: 'Müller & Kaiser
    mbH (nachfolgend „Mandantin“)', 'Northgate Logistics Limited ("the Customer")', '(ci-après « le Client »)'."""
    match = _ALIAS.match(text)
    words = fold(match.group(1)).split() if match else []
    return words[-1] if words else None


def _kind(placed: list[Placed], fields: Mapping[str, tuple[Named, bool]], clause: str, reader) -> str | None:
    """The one choice of the type's `kind` item ("takeover_kind") the cue placing the company names ("the
    reseller ProTel" -> reseller, "o cliente final Construtora Ipê" -> end_customer), or else the apposition
    after the company's name ("El Hotel Mirador del Tajo, cliente final gestionado …", "Vantage Networks Ltd,
    an indirect reseller, …")."""
    if reader.prose_kind is None:
        return None
    cue = next((item.before for item in placed if item.field == reader.prose_opening), None)
    kind = reader.choice_in(reader.prose_kind, cue) if cue else None
    company = fields.get(reader.prose_opening)
    if kind is None and company is not None:
        start, end, _ = company[0]
        after = clause[start:end].rstrip()[-1:] == "," or clause[end:].lstrip().startswith(",")   # "Tajo, cliente …"
        if after:
            kind = kind_beside(clause, company[0], reader)
        elif clause[end:].lstrip().startswith("("):   # "Transbud (to klient końcowy, nie reseller)"
            aside = clause[end:].lstrip()[1:].split(")", 1)[0]
            kind = reader.choice_in(reader.prose_kind, unnegated(aside, reader.vocabulary.negations))
        elif not reader.vocabulary.negations.isdisjoint(fold_words(clause[end:])):
            # "Calder Logistics Ltd as an end customer - just the one company, not a reseller": the writer
            # contrasts the kinds; the one not denied is the company's
            kind = reader.choice_in(reader.prose_kind, unnegated(clause[end:], reader.vocabulary.negations))
    return kind


def may_name_parties(text: str, rtype) -> bool:
    """Cheap test before any clause is read: does the text hold a word that ends one of the cues, and another
    word that places a name (a second cue's, or a "we"), or a company's cue in full."""
    words = fold_words(text)
    reader = rtype.reader
    if reader.prose_cue_ends.isdisjoint(words):
        return False
    return len(reader.prose_markers & words) >= _MIN_PLACED or _company_phrase_in(f" {fold(text)} ", reader)


def _company_phrase_in(padded: str, reader) -> bool:
    """Whether the padded folded text holds a company's cue of two words or more ("dla klienta")."""
    return any(f" {phrase} " in padded for phrase in reader.prose_company_phrases)


def _place(clause: str, reader, roles: Mapping[str, frozenset[str]] | None = None) -> list[Placed] | None:
    """Each name of the clause with the party its cue gives; None when fewer than two names are placed, unless
    the clause's one name follows a company's cue of two words or more. `roles`: name item -> the role phrases of
    its party, for a role in brackets after a name ("Coastline Comms (the incoming partner)")."""
    names = names_in(clause, reader.vocabulary, reader.prose_skip, reader.prose_cues)
    if len(names) == 1 and roles and (role := _role_in_brackets(clause[names[0].end:], roles, reader)):
        return [Placed(names[0], role, False, clause[:names[0].start])]
    if len(names) == 1:   # "zmianę resellera dla klienta Kancelaria Radcy Prawnego Anna Dąbrowska"
        before = clause[:names[0].start]
        field_name, writer = cue_before(before, reader)
        if field_name == reader.prose_opening and f" {fold(before)}".endswith(
                tuple(f" {phrase}" for phrase in reader.prose_company_phrases)):
            return [Placed(names[0], field_name, writer, before)]
        role = _writer_role(clause, reader)
        if role:
            return [Placed(names[0], role, True, before)]
        if field_name and field_name != reader.prose_opening and _strong_cue(before, field_name, reader):
            # "Derzeit wird die Mandantin von der Telekom Service Nord GmbH betreut.", "… is currently managed by X":
            # a partner's cue of two words or more, or one told by tense, places a clause's one name
            return [Placed(names[0], field_name, writer, before)]
        return None
    if len(names) < _MIN_PLACED:
        return None
    placed, previous = [], 0
    company = person_then_company(clause, reader)
    if company is not None:   # "Sou a Inês Ferreira, da Telvia": the person is no party, the company is the writer's
        names = [company, *(named for named in names if named.start >= company.end)]
        previous = company.start
    for number, named in enumerate(names):
        # The name a writer introduces ("Somos a Serra Digital", where "a" is no cue) is the writer's party.
        introduced = number == 0 and (company is not None or introduces(clause[:named.start], reader))
        field_name, writer = (None, True) if introduced else cue_before(clause[previous:named.start], reader)
        weak = field_name is not None and field_name != reader.prose_opening and not _strong_cue(
            clause[previous:named.start], field_name, reader)   # "hacernos cargo de X, que es cliente final"
        if (field_name is None or weak) and (introduced or not writer) and kind_beside(
                clause, named, reader, names[number + 1].start if number + 1 < len(names) else None):
            field_name = reader.prose_opening   # "Harlow Freight Services Ltd, an end customer currently …"
        if field_name is None and roles and not introduced:
            field_name = _role_in_brackets(clause[named.end:], roles, reader)
        placed.append(Placed(named, field_name, writer, clause[previous:named.start]))
        previous = named.end
    if sum(1 for item in placed if item.field or item.writer) >= _MIN_PLACED:
        return placed
    strong = [item for item in placed if item.field and item.field != reader.prose_opening and not item.writer
              and _strong_cue(item.before, item.field, reader)]
    return strong or None   # "Derzeit wird die Mandantin von der Telekom Service Nord GmbH betreut."


_PERSON_INTRO_AT = 2   # words before a person's introduction in its clause ("Hi, I'm …", "Bom dia, sou a …")


def person_then_company(clause: str, reader) -> Named | None:
    """The company a person introducing themselves names after their own name ("Sou a Inês Ferreira, da Telvia
    Comunicações", "I'm Chris Morgan from Bluewater Telecom", "ici Maxime Gagnon de Groupe Nordik"): the person
    right after the language's `person_intro_words` near the clause's start, then only one of the
    `person_company_words` (and articles) before the company; None otherwise. In the clause's own positions."""
    vocabulary = reader.vocabulary
    if vocabulary.person_intro is None:
        return None
    folded, where = soft_fold(clause)
    for match in vocabulary.person_intro.finditer(folded):
        at = where[match.end() - 1] + 1
        if len(fold(clause[:at]).split()) > _PERSON_INTRO_AT + len(match.group().split()):
            break   # "Hi, I'm …", "Bom dia, sou a …": at the start only
        # The person's name runs to the company word: "Maxime Gagnon de Groupe …" would read as one name.
        rest = clause[at:]
        words = list(re.finditer(r"\S+", rest))
        joint = next((number for number, word in enumerate(words[1:4], 1)
                      if fold(word.group()) in vocabulary.person_company), None)
        if joint is None or not all(_capitalised(word.group()) for word in words[:joint]):
            continue
        names = names_in(rest[words[joint].end():], vocabulary, reader.prose_skip, reader.prose_cues)
        if not names:
            continue
        offset = at + words[joint].end()
        between = fold(rest[words[joint].end():words[joint].end() + names[0].start]).split()
        if set(between) <= vocabulary.lead_words:
            return Named(names[0].start + offset, names[0].end + offset, names[0].name)
    return None


def introduces(before: str, reader) -> bool:
    """Whether the words before a name end with a writer's introduction ("I'm writing on behalf of", "Somos a",
    "Пишу от имени дистрибьютора"), then at most the words that may stand between a cue and a name."""
    intro = reader.vocabulary.writer_intro
    if intro is None:
        return False
    folded, where = soft_fold(before)
    fillers = reader.prose_between | reader.vocabulary.lead_words
    return any(set(fold(before[where[match.end() - 1] + 1:]).split()) <= fillers for match in intro.finditer(folded))


def kind_beside(clause: str, named: Named, reader, until: int | None = None) -> str | None:
    """The take-over kind an apposition right after the name names, up to `until` (the next name): "Greyfriars
    Veterinary Clinics, an end customer that is currently managed by …", "Compunet Systems Ltd, an indirect
    reseller", "X, cliente final que …"."""
    comma = clause[named.start:named.end].rstrip().endswith(",") or clause[named.end:].lstrip().startswith(",")
    if reader.prose_kind is None or not comma:
        return None
    parts = clause[named.end:until].lstrip(" ,").split(",")
    while len(parts) > 1 and _legal_form(parts[0]):
        parts.pop(0)   # "Farmácia Lusitana, Lda., cliente final": the name's legal form, then the apposition
    # A noun right after the comma, not a clause ("TelcoSur, quiere pasarse a nosotros con … sus clientes finales").
    return reader.choice_in(reader.prose_kind, " ".join(parts[0].split()[:_APPOSITION_WORDS]))


def _legal_form(part: str) -> bool:
    """'Lda.', 'S.A.', 'LLC': one short word, abbreviated or in capitals, as a company's legal form is written."""
    words = part.split()
    return len(words) == 1 and ("." in words[0] or (len(words[0]) <= 4 and words[0].isupper()))


_MAX_WE_TO_ROLE_WORDS = 8


def _writer_role(clause: str, reader) -> str | None:
    """The writer's party in a clause that holds a "we" and one party's role ("und wir als neuer Partner (X)",
    "Et nous, X, en tant que nouveau partenaire"): a cue of a party other than the company, followed by one of
    the party nouns that may stand between a cue and a name; None unless exactly one party's role is there."""
    words = fold(clause).split()
    vocabulary = reader.vocabulary
    ours = vocabulary.we_words | vocabulary.our_words
    wes = [at for at, word in enumerate(words) if word in ours]
    if not wes:
        return None
    cues, between = reader.prose_cues, reader.prose_between
    # The "we" stands a few words before the role or in it ("wir als neuer Partner", "nous, X, en tant que
    # nouveau partenaire", "a nuestra empresa"); a role far after it is another party's ("we'd like to take over
    # … from their current partner").
    roles = {cues.get(tuple(words[at - size:at])) for at in range(1, len(words))
             if words[at] in between for size in (1, 2) if at >= size
             and any(-_MAX_WE_TO_ROLE_WORDS <= we - at <= 0 for we in wes)}
    roles -= {None, reader.prose_opening}
    return roles.pop() if len(roles) == 1 else None


def _fields(placed: list[Placed], reader, known: Mapping[str, str]) -> dict[str, tuple[Named, bool]]:
    """Name item -> (name, whether the writer's): by cue, then by a name already known, then by elimination."""
    fields: dict[str, tuple[Named, bool]] = {}
    taken: set[int] = set()
    folded_known = {fold(name): field_name for field_name, name in known.items()}
    for number, item in enumerate(placed):
        field_name = item.field or folded_known.get(fold(item.named.name))
        if field_name and field_name not in fields:
            fields[field_name] = (item.named, item.writer)
            taken.add(number)
    open_fields = set(reader.prose_fields - set(fields) - set(known))
    left = [number for number in range(len(placed)) if number not in taken]
    opening = reader.prose_opening
    first = next((number for number, item in enumerate(placed) if item.field or item.writer), len(placed))
    before = [number for number in left if number < first]
    if opening in open_fields and before:   # "[Dear Customer Care,] Vantage Networks Ltd, … wishes to move …"
        fields[opening] = (placed[before[-1]].named, placed[before[-1]].writer)
        open_fields.discard(opening)
        left.remove(before[-1])
    left = [number for number in left if placed[number].writer] or left   # the writer's name is a party's
    if len(open_fields) == 1 and len(left) == 1:   # "… nos ha pedido que pasemos a gestionarlo nosotros, Castilla …"
        fields[open_fields.pop()] = (placed[left[0]].named, placed[left[0]].writer)
    return fields


def cue_before(before: str, reader) -> tuple[str | None, bool]:
    """The name item the words before a name give ("from their current distributor," -> current_partner), and
    whether a "we" or "our" stands right before it ("to us (", "a nuestro partner,")."""
    tokens = [word for token in _CUE_TOKEN.findall(before)
              for word in ([token] if token in _APPOSITION else fold(token).split())]
    vocabulary = reader.vocabulary
    cues = reader.prose_cues
    longest = max(map(len, cues), default=0)
    we_words = vocabulary.we_words | vocabulary.our_words
    fillers = reader.prose_between | vocabulary.lead_words
    writer = False
    while tokens:
        while tokens and tokens[-1] in _APPOSITION:
            tokens.pop()
        agent = _agent_cue(tokens, reader)
        if agent is not None:
            return agent, writer
        for size in range(min(longest, len(tokens)), 0, -1):
            if tuple(tokens[-size:]) in cues:   # a cue holding a "we" ("par notre") names the writer's party
                writer = writer or not we_words.isdisjoint(tokens[-size:])
                if size == 1 and tokens[-1] in reader.prose_between and tokens[-2:-1] == [","]:
                    # "od obecnego partnera, firmy SoftNet": a party noun that is also a cue ("firmy"), after
                    # the comma of an apposition, stands between the name and the cue that says the party
                    ahead, we = cue_before(" ".join(tokens[:-1]), reader)
                    if ahead is not None:
                        return ahead, writer or we
                return _behind_we(tokens[:-size], cues[tuple(tokens[-size:])], reader, writer)
        we = _we_at_end(tokens, we_words)
        if we:
            del tokens[-we:]
            writer = True
        elif tokens and tokens[-1] in fillers:
            tokens.pop()
        else:
            break
    return None, writer


def _strong_cue(before: str, field_name: str, reader) -> bool:
    """Whether the words right before a name end with a cue for `field_name` of two words or more, or of one word
    and a party noun after it ("bisherigen Reseller, der X"), or one told by tense: enough to place a clause's one
    name."""
    tokens = [word for token in _CUE_TOKEN.findall(before) if token not in _APPOSITION for word in fold(token).split()]
    fillers = reader.prose_between | reader.vocabulary.lead_words | reader.prose_now
    nouns = 0
    while tokens:
        for size in range(min(4, len(tokens)), 0, -1):
            cue = tuple(tokens[-size:])
            if cue in reader.prose_agents:
                return size >= 2 or len(tokens) >= 2
            if reader.prose_cues.get(cue) == field_name and (size >= 2 or nouns > 0):
                return True
        if tokens[-1] not in fillers:
            return False
        nouns += tokens.pop() in reader.prose_between
    return False


_FUTURE_REACH = 6   # words (of two letters or more) before an agent cue where its future may be said


def _agent_cue(tokens: list[str], reader) -> str | None:
    """The party a cue told by tense gives ("currently managed by" -> the current partner, "should be managed by
    … from now on" -> the new one): the new party's item after a word of the future or of a wish among the words
    just before the cue, the current party's otherwise."""
    agents = reader.prose_agents
    if not agents:
        return None
    # "cuya cuenta gestiona actualmente Conecta Sur", "gestionado actualmente por Norte": words of now are no part
    # of the cue, after it or inside it
    tail = [token for token in tokens[-_FUTURE_REACH:] if token not in reader.prose_now]
    tokens = tokens[:-_FUTURE_REACH] + tail
    for size in range(min(max(map(len, agents)), len(tokens)), 0, -1):
        items = agents.get(tuple(tokens[-size:]))
        if items is not None:
            words = [token for token in tokens[:len(tokens) - size] if len(token) > 1 and not token.isdigit()]
            ahead = words[-_FUTURE_REACH:]   # not a date's numbers, nor "r." ("aby od 1 stycznia 2027 r. jego …")
            return items[1] if reader.prose_future.intersection(ahead) else items[0]
    return None


def _behind_we(tokens: list[str], field_name: str | None, reader, writer: bool) -> tuple[str | None, bool]:
    """A cue right behind a "we" and a comma ("para nós, a Beta": "a" is the article, "para" the cue): the
    writer's name, given its party by the cue before the "we" when there is one."""
    if not tokens or tokens[-1] not in _APPOSITION:
        return field_name, writer   # "Наш клиент X": "our" before a role word makes X no writer's name
    while tokens and tokens[-1] in _APPOSITION:
        tokens = tokens[:-1]
    vocabulary = reader.vocabulary
    if not _we_at_end(tokens, vocabulary.we_words | vocabulary.our_words):
        return field_name, writer
    ahead, _ = cue_before(" ".join(tokens), reader)
    return ahead or field_name, True


def _we_at_end(tokens: list[str], we_words: frozenset[str]) -> int:
    """How many of the last tokens are a "we" word ("nas", "a gente"), or 0."""
    for size in (2, 1):
        if len(tokens) >= size and " ".join(tokens[-size:]) in we_words:
            return size
    return 0


def names_in(clause: str, vocabulary, skip: frozenset[str], cues: Mapping | None = None) -> list[Named]:
    """The company names of a clause: runs of capitalised words (and the lowercase words a name holds), less the
    words in `skip` a capital opens (articles, party nouns, cue words: 'Distributor ALSO …', 'El Hotel …').
    A clause's first word alone before a lowercase one is no name ('Просим перевести …'). With `cues`, a party's
    cue of two lowercase name words or more after a name parts the run ('den Endkunden
    Bäckerei Frei AG von der Netzwerk Ost AG')."""
    tokens = [(match.start(), match.group()) for match in _TOKEN.finditer(clause)]
    found: list[Named] = []
    at = 0
    while at < len(tokens):
        run = _run(tokens, at, vocabulary, cues)
        at = run[-1] + 1 if run else at + 1
        while run and (fold(tokens[run[0]][1]) in skip or _cue_opening(tokens, run, cues)):
            # "Betreuung des Endkunden Autohaus Petersen GmbH": the cue and the party noun are no name's words
            del run[:max(1, _cue_opening(tokens, run, cues))]
        while run and not _capitalised(tokens[run[-1]][1]) and "." not in tokens[run[-1]][1] \
                and tokens[run[-1]][1] != "&" and not tokens[run[-1]][1].rstrip(_NAME_CLOSERS).endswith(("»", "“")):
            run.pop()   # "… Networks and": a joining word ends no name ('«Балтийская верфь-Сервис»' does)
        if not run or _no_name(tokens, run, skip):
            continue
        start = tokens[run[0]][0] + len(tokens[run[0]][1]) - len(tokens[run[0]][1].lstrip("("))
        last_start, last = tokens[run[-1]]
        name = _trimmed(clause[start:last_start + len(last)])
        if name:
            found.append(Named(start, last_start + len(last), name))
    return found


def _cue_opening(tokens: list[tuple[int, str]], run: list[int], cues: Mapping | None) -> int:
    """How many of the run's first words are a party's cue of two words or more that a capital opens ("Betreuung
    des", in German, where nouns are capitalised), or 0."""
    if not cues or len(run) < 3:
        return 0
    words = tuple(fold(tokens[number][1]) for number in run[:3])
    return next((size for size in (3, 2) if size < len(run) and cues.get(words[:size])), 0)


def _run(tokens: list[tuple[int, str]], at: int, vocabulary, cues: Mapping | None = None) -> list[int]:
    """The tokens of a name starting at `at`: a capitalised word, then words a name may hold, to a closing mark."""
    token = tokens[at][1]
    if not _capitalised(token) or not any(char.isalpha() for char in token):
        return []
    run = [at]
    while not _closes(tokens[run[-1]][1], vocabulary) and run[-1] + 1 < len(tokens):
        following = tokens[run[-1] + 1][1]
        quoted = sum(tokens[number][1].count("«") - tokens[number][1].count("»") for number in run) > 0
        if not quoted and (not _in_name(following, vocabulary) or following.startswith(("(", "¿", "¡"))):
            break   # inside «…» any word is the name's: 'ООО «Балтийская верфь-Сервис»'
        if not quoted and tokens[run[-1]][1].endswith(".") and fold(following) in we_words(vocabulary):
            break   # "… Solent Comms Ltd. We are …": a "we" after a legal form's full stop opens a sentence
        if cues and not quoted and not _capitalised(following) \
                and _cue_between_names(tokens, run[-1] + 1, cues):
            break
        run.append(run[-1] + 1)
    return run


def _cue_between_names(tokens: list[tuple[int, str]], at: int, cues: Mapping) -> bool:
    """Whether the lowercase words from `at` are a party's cue of two words or more followed by a capitalised
    word ("… AG von der Netzwerk …"): the cue ends one name and places the next. One word is a name's own
    particle ("Hotel Mirador del Tajo", "Mutuelle des Artisans du Jura")."""
    words: list[str] = []
    for _, token in tokens[at:at + 4]:
        if _capitalised(token):
            return len(words) >= 2 and bool(cues.get(tuple(words)))
        words.append(fold(token))
    return False


def _closes(token: str, vocabulary) -> bool:
    """A word after which a name cannot go on: a comma, colon or parenthesis, or the end of a sentence."""
    return token.endswith(tuple(_NAME_CLOSERS)) or token.endswith(("».", ").", '".')) \
        or _ends_sentence(token, vocabulary)


def _no_name(tokens: list[tuple[int, str]], run: list[int], skip: frozenset[str]) -> bool:
    """A code ('SUB-42269051', 'DOM-10452'), or the clause's opening word alone before a lowercase word."""
    if len(run) > 1:
        return False
    token = tokens[run[0]][1]
    if any(char.isdigit() for char in token) or fold(token).split()[0] in skip:
        return True   # "We've been approached …"
    opening = all(fold(word) in skip for _, word in tokens[:run[0]])
    if opening and token.endswith((",", ":")):
        return True   # a greeting: "Estimados:", "Bonjour,"
    opening = opening or tokens[run[0] - 1][1].endswith((",", ":"))
    after = tokens[run[0] + 1][1] if run[0] + 1 < len(tokens) else ""
    return opening and bool(after) and not _capitalised(after)


def _trimmed(name: str) -> str:
    """The name without the marks around it: '(Halcyon VAD UK).' -> 'Halcyon VAD UK'; 'Sp. z o.o.' keeps its
    abbreviation's full stop, 'ООО «Треолан' gets its closing quote back."""
    name = name.lstrip("(\"'")
    while name and name[-1] in _NAME_CLOSERS + ".":
        if name[-1] == "." and "." in name.split()[-1][:-1]:
            break
        name = name[:-1]
    for opening, closing in _QUOTE_PAIRS:
        if name.count(opening) > name.count(closing):
            name += closing
    return name.strip()
