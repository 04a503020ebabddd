"""Reading vocabulary and fuzzy label matching, compiled once from the catalog's data files."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .text import fold, soft_fold, words_of

# A label written differently from the catalog is accepted from this similarity on (0..1) ...
FUZZY_THRESHOLD = 0.85
# ... and only when the runner-up item scores at least this much lower: otherwise we do not guess.
AMBIGUITY_MARGIN = 0.1
# Two items both scoring from here on, within the margin, make a label the agent is told about.
DOUBT_THRESHOLD = 0.75
_TOKEN_MIN_RATIO = 80          # two words are the same word from this rapidfuzz ratio on
_SHORT_TOKEN = 3               # words this short ("id", "sub", "ec") must match exactly
_PREFILTER_LIMIT = 12
_NO_SHARED_WORD_CUTOFF = 59.9   # 60, less a margin for floating point: token_set_ratio's cutoff, for keys sharing no word
_MAX_LABEL_WORDS = 9
_GAP = r".{0,160}?"
_WORD = re.compile(r"\w+")
_EMAIL_SLOT = r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+"
_LIST_KEYS = ("yes_phrases", "no_phrases", "negation_words", "same_as_words", "attachment_words", "label_qualifiers",
              "quote_headers", "forward_markers", "header_from", "header_sent", "header_other",
              "statement_verbs", "value_end_words", "and_words", "withdraw_phrases", "value_lead_words",
              "date_words", "name_words", "we_words", "placeholder_words", "other_document_words", "correction_words", "pay_words", "own_address_words",
              "wish_words", "greeting_words", "closing_words", "our_words", "document_words", "number_marks",
              "other_address_words", "also_words", "wrong_value_phrases", "pending_words", "draft_words",
              "writer_intro_words", "legal_form_words", "move_words", "everyone_words",
              "person_intro_words", "person_company_words", "common_nouns", "sender_address_words", "with_all_words")


_THREAD = threading.local()


def _stemmer(algorithm: str):
    """This thread's stemmer for the language: a Snowball stemmer keeps the word it works on, so
    consumers that stem at the same time must each have their own."""
    stemmers = _THREAD.__dict__.setdefault("stemmers", {})
    found = stemmers.get(algorithm)
    if found is None:
        import snowballstemmer   # imported on the first fuzzy lookup: it loads every language's algorithm

        found = stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return found


@lru_cache(maxsize=65536)
def stem(word: str, algorithm: str | None) -> str:
    """The word's Snowball stem in that language ('sprzedawcy' -> 'sprzedawc'); the word itself without one.
    Folding made a Russian "й" an "и" ('ежемесячной' -> 'ежемесячнои'): after a vowel at the end it is one again,
    so the adjective stems as the adverb does ('ежемесячн')."""
    if algorithm == "russian" and len(word) > 2 and word[-1] == "и" and word[-2] in _RUSSIAN_VOWELS:
        word = word[:-1] + "й"
    return _stemmer(algorithm).stemWord(word) if algorithm else word


_RUSSIAN_VOWELS = frozenset("аеёиоуыэюя")


class Phrases:
    """Any of a list of folded phrases, found as whole words in folded text (fold() output).

    The regex alternation costs microseconds on every paragraph, and most prose holds none of the
    phrases: in folded text a phrase can only be found where each of its words is one of the text's
    words, so `search` first asks whether the longest word of some phrase is there at all."""

    __slots__ = ("regex", "keys")

    def __init__(self, folded: list[str]):
        self.regex = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(phrase) for phrase in folded) + r")(?!\w)")
        self.keys = frozenset(max(phrase.split(), key=len) for phrase in folded)

    def search(self, folded: str) -> re.Match | None:
        return None if self.keys.isdisjoint(words_of(folded)) else self.regex.search(folded)

    def finditer(self, folded: str):
        return self.regex.finditer(folded)

    def sub(self, replacement: str, folded: str) -> str:
        return self.regex.sub(replacement, folded)


def _phrase_pattern(phrases: Iterable[str]) -> Phrases | None:
    """Finds any of the folded phrases as whole words, longest first."""
    folded = sorted({fold(phrase) for phrase in phrases if fold(phrase)}, key=len, reverse=True)
    return Phrases(folded) if folded else None


def _soft_phrase_pattern(phrases: Iterable[str]) -> re.Pattern | None:
    """Like _phrase_pattern, over soft-folded text (punctuation kept), so that matches map back to the original."""
    soft = sorted({soft_fold(str(phrase).strip())[0] for phrase in phrases if str(phrase).strip()}, key=len, reverse=True)
    if not soft:
        return None
    # Never inside an address or a domain: the "es" of "admin@ferreteria.es" is no verb.
    return re.compile(r"(?<![\w.@])(?:" + "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in soft)
                      + r")(?![\w@]|\.\w)")


def _lead_pattern(words: Iterable[str]) -> re.Pattern | None:
    """Over the start of a soft-folded value: any run of the lead words ("the", "of course", "l'")."""
    soft = sorted({soft_fold(str(word).strip())[0] for word in words if str(word).strip()}, key=len, reverse=True)
    if not soft:
        return None
    alternatives = "|".join(re.escape(word) + ("" if word.endswith("'") else r"(?!\w)") for word in soft)
    return re.compile(r"^(?:\s*(?:" + alternatives + r"))+\s*")


def _header_pattern(templates: Iterable[str]) -> re.Pattern | None:
    """'W dniu … napisał:' -> a whole-line regex over soft-folded text; '…' stands for anything."""
    alternatives = []
    for template in templates:
        parts = [re.escape(soft_fold(part.strip())[0]) for part in str(template).split("…")]
        body = r".{1,240}?".join(part.replace(r"\ ", r"\s+") for part in parts)
        alternatives.append(body.rstrip(":").rstrip() if body.endswith(":") else body)
    if not alternatives:
        return None
    return re.compile(r"^[\s>*_-]*(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")\s*:?[\s*_-]*$")


@dataclass(frozen=True)
class Vocabulary:
    """Words and headers of every language that reading needs: one object per catalog."""
    stemmers: Mapping[str, str | None]                 # lang -> Snowball algorithm
    yes: Phrases | None
    no: Phrases | None
    negations: frozenset[str]
    same_as: frozenset[str]
    attachment_words: Phrases | None
    qualifiers: Phrases | None
    quote_header: re.Pattern | None
    forward_marker: re.Pattern | None
    header_from: frozenset[str]
    header_sent: frozenset[str]
    header_any: frozenset[str]
    statement_words: Phrases | None = None   # over fold(): does a paragraph hold a joining verb at all
    statement_verb: re.Pattern | None = None    # over soft_fold(): "is actually", "powinien być", "est en fait"
    value_end: re.Pattern | None = None         # "not", "a nie", "en lugar de": the value stops there
    and_word: re.Pattern | None = None          # "and", "oraz", "und": may start another statement
    withdraw: Phrases | None = None          # over fold(): "please ignore", "nieaktualny", "не учитывайте"
    wrong_value: Phrases | None = None       # over fold(): "is wrong", "está mal", "указан неверно"
    value_lead: re.Pattern | None = None        # "the", "of course", "el", "am": words before a value in prose
    date_words: frozenset[str] = frozenset()    # "date", "fecha", "дата": the type's one date item in prose
    placeholder: Phrases | None = None       # over fold(), at the start: "to be confirmed", "folgt", "à définir"
    placeholder_starts: frozenset[str] = frozenset()   # the first words of those phrases
    pending: Phrases | None = None           # over fold(), anywhere: "not yet", "czekamy", "todavía no", "ждём"
    other_documents: frozenset[str] = frozenset()   # in file names: "kundigung", "devis": no proof of anything here
    drafts: frozenset[str] = frozenset()   # in file names: "entwurf", "minuta", "rascunho": a draft proves nothing
    correction: Phrases | None = None        # over fold(): "instead", "zamiast tego", "stattdessen"
    pay_words: frozenset[str] = frozenset()     # "pay", "pagar", "płacić": a prose clause naming how and how often
    own_address: Phrases | None = None       # over fold(): "my email is", "meine E-Mail-Adresse", "mon adresse e-mail"
    wish: Phrases | None = None              # over fold(): "we would like", "nos gustaría", "хотелось бы"
    name_words: frozenset[str] = frozenset()   # lowercase words inside a company's name: "do", "von", "z", "o.o."
    we_words: frozenset[str] = frozenset()     # "we", "wir", "nous", "мы": the writer's own party in a sentence
    and_words: frozenset[str] = frozenset()    # "and", "und", "oraz" as written (and_word finds them in text)
    we_written: frozenset[str] = frozenset()   # we_words as written, accents kept ("nós")
    greetings: frozenset[str] = frozenset()    # folded: "hello", "dzien dobry", "sehr geehrte damen und herren"
    closings: frozenset[str] = frozenset()     # folded: "kind regards", "pozdrawiam", "mit freundlichen grussen"
    our_words: frozenset[str] = frozenset()    # "our", "unser", "nuestro": a name after one is the writer's party
    lead_words: frozenset[str] = frozenset()   # value_lead_words folded ("the", "der", "el"): articles before a name
    document_words: frozenset[str] = frozenset()   # "letter", "solicitud", "zgoda": a document that is an agreement
    number_marks: frozenset[str] = frozenset()   # folded words of "n°", "nr", "№": between an item's word and its code
    other_address: Phrases | None = None   # over fold(): "his email is", "o email dele", "её адрес": the other party's
    also_words: frozenset[str] = frozenset()   # folded: "also", "ebenfalls", "también": an answer repeating the last
    writer_intro: re.Pattern | None = None   # over soft_fold(): "writing on behalf of", "les escribo desde", "пишу от имени"
    legal_forms: frozenset[str] = frozenset()   # folded words of "GmbH", "Sp. z o.o.", "ООО": in a name, no one's
    # folded nouns a capital opens that start no company's name ("Mandantin", "Betreuung", "Namen", "Customer")
    common_nouns: frozenset[str] = frozenset()
    sender_address: Phrases | None = None   # over fold(): "the address I'm writing from", "адрес, с которого пишу"
    with_all: Phrases | None = None   # over fold(): "together with all", "samt", "со всеми": what follows comes along
    move: Phrases | None = None   # over fold(): "transfer", "Umstellung", "перевод": the move a wished date is for
    everyone: Phrases | None = None   # over fold(): "everyone", "tout le monde", "wszyscy": all parties as a subject
    person_intro: re.Pattern | None = None   # over soft_fold(): "I'm", "Sou a", "ici", "меня зовут": a person, then…
    person_company: frozenset[str] = frozenset()   # folded: "from", "da", "von", "из": … the company they write from

    @cached_property
    def same_as_words(self) -> frozenset[str]:
        """Every word of the "same as above" phrases: a text with none of them holds no such phrase."""
        return frozenset(word for phrase in self.same_as for word in phrase.split())

    @cached_property
    def repeats(self) -> frozenset[str]:
        """What repeats the answer before it: the also_words and the "same as above" phrases ("igual que arriba")."""
        return self.also_words | self.same_as

    @cached_property
    def list_parts(self) -> re.Pattern:
        """Where a list of clauses splits: at a comma (and an "and" after it), and at an "and" before a "we"
        ("Ridgeway asked for the move, Carrick agreed and we obviously agree too")."""
        ands = "|".join(re.escape(word) for word in sorted(self.and_words, key=len, reverse=True)) or "(?!)"
        wes = "|".join(re.escape(word) for word in sorted(self.we_written | self.we_words, key=len, reverse=True)) or "(?!)"
        return re.compile(rf",\s+(?:(?:{ands})\s+)?|\s+(?:{ands})\s+(?=(?:{wes})\b)", re.IGNORECASE)

    @cached_property
    def header_from_chars(self) -> int:
        """The length of the longest 'From' header word: a line whose colon comes later starts no header block."""
        return max(map(len, self.header_from), default=0)


def build_vocabulary(reading_data: Mapping[str, Mapping]) -> Vocabulary:
    """reading_data: lang -> the reading keys of ticket_forms/common/<lang>.yaml."""
    def every(key: str) -> list[str]:
        return [str(word) for data in reading_data.values() for word in data.get(key) or ()]

    forward = [re.escape(soft_fold(marker)[0]).replace(r"\ ", r"\s+") for marker in every("forward_markers")]
    return Vocabulary(
        stemmers={lang: (str(data.get("stemmer")) if data.get("stemmer") else None) for lang, data in reading_data.items()},
        yes=_phrase_pattern(every("yes_phrases")),
        no=_phrase_pattern(every("no_phrases")),
        negations=frozenset(fold(word) for word in every("negation_words")),
        same_as=frozenset(fold(word) for word in every("same_as_words")),
        also_words=frozenset(fold(word) for word in every("also_words")),
        attachment_words=_phrase_pattern(every("attachment_words")),
        qualifiers=_phrase_pattern(every("label_qualifiers")),
        quote_header=_header_pattern(every("quote_headers")),
        forward_marker=re.compile(r"^[\s>*_-]*(?:" + "|".join(sorted(forward, key=len, reverse=True)) + r")\b[\s:*_-]*$")
        if forward else None,
        header_from=frozenset(fold(word) for word in every("header_from")),
        header_sent=frozenset(fold(word) for word in every("header_sent")),
        header_any=frozenset(fold(word) for key in ("header_from", "header_sent", "header_other") for word in every(key)),
        statement_words=_phrase_pattern(every("statement_verbs")),
        statement_verb=_soft_phrase_pattern(every("statement_verbs")),
        value_end=_soft_phrase_pattern(every("value_end_words")),
        and_word=_soft_phrase_pattern(every("and_words")),
        withdraw=_phrase_pattern(every("withdraw_phrases")),
        wrong_value=_phrase_pattern(every("wrong_value_phrases")),
        value_lead=_lead_pattern(every("value_lead_words")),
        date_words=frozenset(fold(word) for word in every("date_words")),
        placeholder=_phrase_pattern(every("placeholder_words")),
        placeholder_starts=frozenset(fold(word).split()[0] for word in every("placeholder_words") if fold(word)),
        pending=_phrase_pattern(every("pending_words")),
        other_documents=frozenset(fold(word).replace(" ", "") for word in every("other_document_words")),
        drafts=frozenset(fold(word).replace(" ", "") for word in every("draft_words") if fold(word)),
        correction=_phrase_pattern(every("correction_words")),
        pay_words=frozenset(fold(word) for word in every("pay_words") if fold(word)),
        own_address=_phrase_pattern(every("own_address_words")),
        wish=_phrase_pattern(every("wish_words")),
        name_words=frozenset(str(word).casefold().strip(".") for word in every("name_words")),
        we_words=frozenset(fold(word) for word in every("we_words") if fold(word)),
        and_words=frozenset(str(word).casefold() for word in every("and_words") if str(word).strip()),
        we_written=frozenset(str(word).casefold() for word in every("we_words") if str(word).strip()),
        greetings=frozenset(fold(word) for word in every("greeting_words") if fold(word)),
        closings=frozenset(fold(word) for word in every("closing_words") if fold(word)),
        our_words=frozenset(fold(word) for word in every("our_words") if fold(word)),
        lead_words=frozenset(fold(word) for word in every("value_lead_words") if fold(word)),
        document_words=frozenset(_document_key(fold(word)) for word in every("document_words") if fold(word)),
        number_marks=frozenset(part for word in every("number_marks") for part in fold(word).split()),
        other_address=_phrase_pattern(every("other_address_words")),
        writer_intro=_soft_phrase_pattern(every("writer_intro_words")),
        move=_phrase_pattern(every("move_words")),
        everyone=_phrase_pattern(every("everyone_words")),
        person_intro=_soft_phrase_pattern(every("person_intro_words")),
        person_company=frozenset(fold(word) for word in every("person_company_words") if fold(word)),
        legal_forms=frozenset(part for word in every("legal_form_words") for part in fold(word).split()),
        common_nouns=frozenset(fold(word) for word in every("common_nouns") if fold(word)),
        sender_address=_phrase_pattern(every("sender_address_words")),
        with_all=_phrase_pattern(every("with_all_words")),
    )


def _document_key(folded: str) -> str:
    """A document word as looked up: whole when short, else its first five letters ('aceptacion' -> 'acept')."""
    return folded if len(folded) < 5 else folded[:5]


def reading_keys() -> tuple[str, ...]:
    return ("stemmer", *_LIST_KEYS)


@dataclass(frozen=True)
class LabelMatch:
    """How a written label was read: the item, whether the catalog has it verbatim, and the score."""
    field: str | None
    written: str
    exact: bool
    score: float = 1.0
    candidates: tuple[str, ...] = ()      # when ambiguous: the items it could be; field is then None


@dataclass(frozen=True)
class SentencePattern:
    lang: str
    regex: re.Pattern
    anchor: str
    constants: Mapping[str, object]
    # Checked before the regex, whose gaps make a failing search slow on a long paragraph: the words
    # the sentence cannot do without (soft-folded) and how many addresses it takes.
    required: frozenset[str] = frozenset()
    emails: int = 0
    writer: str | None = None   # `we:` in the data: a match says the writer is the party this name item names
    choices: tuple[frozenset[str], ...] = ()   # per (a|b) group outside optional parts: a word one option needs

    def may_match(self, words: frozenset[str], emails: int) -> bool:
        return emails >= self.emails and self.required <= words and all(not group.isdisjoint(words)
                                                                        for group in self.choices)


@dataclass(frozen=True)
class Reader:
    """Per request type: fuzzy label choices per language, sentence patterns, same-as pairings, file words."""
    vocabulary: Vocabulary
    stopwords: frozenset[str]
    variants: Mapping[str, tuple[tuple[str, str], ...]]   # lang -> (folded label or synonym, field)
    templates: tuple[tuple[str, str, Mapping, str | None], ...]   # (lang, sentence template, constants, writer)
    same_as: Mapping[str, str]
    file_words: Mapping[str, frozenset[str]]          # attachment field -> folded words naming it in a file name
    field_kinds: Mapping[str, str] = field(default_factory=dict)
    choice_words: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)  # field -> (lang, folded word, value)
    party_words: Mapping[str, frozenset[str]] = field(default_factory=dict)   # agreement field -> folded words naming its party
    own_address: str | None = None    # the address item of the party who writes ("my email is …"): x-handover own_address
    # Parties told in prose (`prose_parties:` in the data): folded cue words -> the name item a name after them
    # gives ("from", "currently under" -> current_partner), and the words that may stand between cue and name.
    prose_cues: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    prose_between: frozenset[str] = frozenset()
    prose_opening: str | None = None   # the name item a placed clause's opening name gives ("Vantage … wishes to move")
    # Labels that count only after another item on the same line ("Service: VPS-1 / from: a@… / to: b@…"):
    # folded word -> item (`inline_labels:` of an item in the data).
    inline_labels: Mapping[str, str] = field(default_factory=dict)
    prose_kind: str | None = None   # the choice item whose choices the company's cue may name ("takeover_kind")
    # Choices the product does not offer (`unoffered:` of an item in the data): folded phrases per choice item.
    unoffered: Mapping[str, frozenset[str]] = field(default_factory=dict)
    prose_moved_to: str | None = None   # the name item a "we" after its cue makes the writer's ("moved to us")
    kind_openers: Phrases | None = None   # over fold(): "this is", "se trata de", "es geht um": a clause saying the kind
    # A party's agent told by tense (`prose_parties: agent:`): folded cue ("managed by", "gestionado por") ->
    # (the item it gives, the item it gives after a word of the future: "will be managed by", "será gestionado por").
    prose_agents: Mapping[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    prose_future: frozenset[str] = frozenset()   # folded words of the future or of a wish ("will", "should", "será")
    prose_now: frozenset[str] = frozenset()   # folded words of now beside an agent cue ("gestiona actualmente X")

    def choice_in(self, field_name: str, text: str) -> str | None:
        """The one enumeration value whose words occur, inflected, in a sentence ('переводим конечного клиента')."""
        found = self.choices_named(field_name, text)
        return found.pop() if len(found) == 1 else None

    def choices_named(self, field_name: str, text: str) -> set[str]:
        """Every enumeration value whose words occur, inflected, in a sentence ('Endkunden oder Reseller?')."""
        found = set()
        words = fold(text).split()
        stems_by_lang: dict[str, frozenset[str]] = {}
        for lang, stems, value in self.choice_stems.get(field_name, ()):
            written = stems_by_lang.get(lang)
            if written is None:
                algorithm = self.vocabulary.stemmers.get(lang)
                written = stems_by_lang[lang] = frozenset(stem(word, algorithm) for word in words)
            if stems <= written:
                found.add(value)
        return found

    @cached_property
    def choice_stems(self) -> dict[str, tuple[tuple[str, frozenset[str], str], ...]]:
        """field -> (lang, the stems of a choice's words, its value) for every choice word with a stem."""
        # Stop words count in a choice of several words: "une fois par an" is not "une fois par mois" ("an" is one).
        return {field_name: tuple((lang, stems, value) for lang, word, value in rows
                                  if (stems := frozenset(self._choice_stems(word, lang))))
                for field_name, rows in self.choice_words.items()}

    def _choice_stems(self, word: str, lang: str) -> list[str]:
        """The stems of a choice's words: the stop words too when it has several ("par an"), else none of them."""
        algorithm = self.vocabulary.stemmers.get(lang)
        words = word.split()
        return [stem(part, algorithm) for part in words if len(words) > 1 or part not in self.stopwords]

    @cached_property
    def prose_cue_ends(self) -> frozenset[str]:
        """The last word of every prose party cue: a text without one names no party in prose."""
        return frozenset(cue[-1] for cue, field_name in self.prose_cues.items() if field_name) | frozenset(
            cue[-1] for cue in self.prose_agents)

    @cached_property
    def prose_fields(self) -> frozenset[str]:
        """The name items prose party cues give."""
        return frozenset(field_name for field_name in self.prose_cues.values() if field_name)

    @cached_property
    def prose_company_phrases(self) -> tuple[str, ...]:
        """The company's cues of two words or more ("dla klienta", "end customer"): they place a name alone."""
        return tuple(" ".join(cue) for cue, field_name in self.prose_cues.items()
                     if field_name == self.prose_opening and len(cue) > 1)

    @cached_property
    def prose_markers(self) -> frozenset[str]:
        """The words that place a name in prose: the cues' last words and the "we"/"our" words."""
        return self.prose_cue_ends | self.vocabulary.we_words | self.vocabulary.our_words

    @cached_property
    def prose_skip(self) -> frozenset[str]:
        """Words a capital may open that are no name's: articles, party nouns, cue words, "we" and "our"."""
        vocabulary = self.vocabulary
        return (self.prose_between | vocabulary.lead_words | vocabulary.common_nouns
                | frozenset(cue[-1] for cue in self.prose_cues)
                | frozenset(cue[-1] for cue in self.prose_agents)
                | vocabulary.we_words | vocabulary.our_words)

    @cached_property
    def sentences(self) -> tuple[SentencePattern, ...]:
        """The compiled sentence patterns, built on first use (the templates were checked at load)."""
        return tuple(replace(_compile_sentence(template, lang, self.field_kinds, constants), writer=writer)
                     for lang, template, constants, writer in self.templates)

    @cached_property
    def sentence_anchors(self) -> re.Pattern | None:
        """Finds any sentence pattern's anchor in casefolded text: one search instead of a test per pattern."""
        anchors = sorted({pattern.anchor for pattern in self.sentences}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, anchors))) if anchors else None

    @cached_property
    def choices(self) -> dict[str, tuple[tuple[str, ...], tuple, tuple[str, ...]]]:
        """Per language: sorted-stem keys (for rapidfuzz's prefilter), word/stem pairs and fields.

        Built on the first label that no catalog label matches, so loading the catalog stays cheap.
        """
        choices = {}
        for lang, rows in self.variants.items():
            built = [(tokens, field_name) for folded, field_name in rows if (tokens := self.tokens(folded, lang))]
            choices[lang] = (tuple(" ".join(sorted(stem for _, stem in tokens)) for tokens, _ in built),
                             tuple(tokens for tokens, _ in built), tuple(field_name for _, field_name in built))
        return choices

    @cached_property
    def _key_index(self) -> dict[str, tuple[tuple[str, ...], dict[str, tuple[int, ...]]]]:
        """Per language: each key's distinct words, sorted and joined, and the keys each word is in."""
        index = {}
        for lang, (keys, _, _) in self.choices.items():
            holding: dict[str, list[int]] = {}
            for number, key in enumerate(keys):
                for word in set(key.split()):
                    holding.setdefault(word, []).append(number)
            index[lang] = (tuple(" ".join(sorted(set(key.split()))) for key in keys),
                           {word: tuple(numbers) for word, numbers in holding.items()})
        return index

    def _prefiltered(self, lang: str, query_key: str) -> list[int]:
        """The keys rapidfuzz's token_set_ratio scores 60 or more against the query, best first, at most
        _PREFILTER_LIMIT (process.extract's answer), scoring only the keys that can reach 60: those sharing
        a word with the query, and those whose distinct words, joined, are that close to the query's (with
        no word in common, token_set_ratio is exactly that ratio). Most of a language's keys are neither."""
        keys = self.choices[lang][0]
        distinct, holding = self._key_index[lang]
        words = set(query_key.split())
        candidates = {number for word in words for number in holding.get(word, ())}
        candidates.update(number for _, _, number in process.extract(
            " ".join(sorted(words)), distinct, scorer=fuzz.ratio, score_cutoff=_NO_SHARED_WORD_CUTOFF, limit=None))
        if not candidates:
            return []
        ordered = sorted(candidates)   # in key order, so ties rank as over all the keys
        return [ordered[at] for _, _, at in process.extract(query_key, [keys[number] for number in ordered],
                                                            scorer=fuzz.token_set_ratio, limit=_PREFILTER_LIMIT,
                                                            score_cutoff=60)]

    def tokens(self, folded: str, lang: str) -> tuple[tuple[str, str], ...]:
        algorithm = self.vocabulary.stemmers.get(lang)
        return tuple((word, stem(word, algorithm)) for word in folded.split() if word not in self.stopwords)

    def fuzzy(self, written: str) -> LabelMatch | None:
        """The item a label written unlike any catalog label most likely names, or None when none fits.

        Qualifiers ("corrected", "updated") are dropped first; the rest is compared word by word on
        stems (typos through rapidfuzz ratios), in any order, against every label and synonym of every
        language. Two items scoring within AMBIGUITY_MARGIN of each other give an ambiguous match.
        """
        folded = fold(written)
        if self.vocabulary.qualifiers is not None:
            folded = " ".join(self.vocabulary.qualifiers.sub(" ", folded).split())
        if not folded or len(folded.split()) > _MAX_LABEL_WORDS:
            return None
        best: dict[str, float] = {}
        # "ID usł.", "Nr. tel.", "Akt. Partner": a word written with a full stop is an abbreviation, the start of a word
        shortened = {fold(token) for token in written.split()
                     if token.endswith(".") and len(fold(token)) >= _MIN_ABBREVIATION and " " not in fold(token)}
        for lang, (keys, token_lists, fields) in self.choices.items():
            query = self.tokens(folded, lang)
            if not query:
                continue
            if shortened:
                query = tuple((word + ".", word + ".") if word in shortened else (word, token) for word, token in query)
            query_key = " ".join(sorted(token for _, token in query))
            for index in self._prefiltered(lang, query_key):
                score = _alignment(query, token_lists[index])
                if score > best.get(fields[index], 0.0):
                    best[fields[index]] = score
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < DOUBT_THRESHOLD:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < AMBIGUITY_MARGIN:
            close = tuple(name for name, score in ranked if ranked[0][1] - score < AMBIGUITY_MARGIN)
            return LabelMatch(None, written, False, ranked[0][1], close)
        if ranked[0][1] < FUZZY_THRESHOLD:
            return None
        return LabelMatch(ranked[0][0], written, False, ranked[0][1])


_MIN_ABBREVIATION = 3        # "usł." for "usługi", "akt." for "aktueller"; "n." or "z." shorten too many words
_ABBREVIATION_SCORE = 0.9   # an abbreviation is a little less sure than the word itself


def _edit_budget(length: int) -> int:
    return 0 if length <= _SHORT_TOKEN else (1 if length < 8 else 2)


@lru_cache(maxsize=65536)
def _word_similarity(left: tuple[str, str], right: tuple[str, str]) -> float:
    """1 for the same word or stem; less for a typo (a letter wrong, missing, extra or swapped); else 0.

    The same pairs come up again and again (every label of every language holds "email" or "partner"):
    the answer is kept."""
    if left[1] == right[1] or left[0] == right[0]:
        return 1.0
    if left[0].endswith(".") or right[0].endswith("."):   # an abbreviation: the start of the other word
        short, full = (left[0], right[0]) if left[0].endswith(".") else (right[0], left[0])
        return _ABBREVIATION_SCORE if not full.endswith(".") and full.startswith(short[:-1]) \
            and len(full) > len(short) - 1 else 0.0
    shorter = min(len(left[0]), len(right[0]))
    if shorter <= _SHORT_TOKEN:
        return 0.0
    edits = OSA.distance(left[0], right[0], score_cutoff=_edit_budget(shorter))
    by_edits = 1.0 - 0.08 * edits if edits <= _edit_budget(shorter) else 0.0
    ratio = max(fuzz.ratio(left[0], right[0]), fuzz.ratio(left[1], right[1]))
    return max(by_edits, ratio / 100 if ratio >= _TOKEN_MIN_RATIO else 0.0)


def _alignment(query: tuple[tuple[str, str], ...], target: tuple[tuple[str, str], ...]) -> float:
    """F-score of a soft word alignment: every word of each side should find its twin on the other
    (the similarity is symmetric: one table of it serves both sides)."""
    if not query or not target:
        return 0.0
    table = [[_word_similarity(word, other) for other in target] for word in query]
    recall = sum(max(row[column] for row in table) for column in range(len(target))) / len(target)
    precision = sum(max(row) for row in table) / len(query)
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


_TEMPLATE_PARTS = re.compile(r"(\{[^}]+\}|…|\[[^\]]+\]|\([^)]*\|[^)]*\))")


def _literal(text: str) -> tuple[str, list[str]]:
    """Regex for literal template words (any punctuation between them) and the words usable as anchors."""
    words = _WORD.findall(soft_fold(text)[0])
    plain = [word for word in _WORD.findall(text.casefold()) if soft_fold(word)[0] == word]
    if not words:
        return (r"[\W_]*+" if text.strip() else ""), []
    # Whole words only: "я" is not the last letter of "моя", "para" not the start of "Paraná". The runs of
    # punctuation between words are possessive: two runs side by side (a literal's end, an option's start)
    # could otherwise split the same spaces in many ways, and a sentence that almost matches took seconds.
    return r"[\W_]*+(?<!\w)" + r"[\W_]++".join(re.escape(word) for word in words) + r"(?!\w)[\W_]*+", plain


def _compile_sentence(template: str, lang: str, kinds: Mapping[str, str], constants: Mapping) -> SentencePattern:
    """'soy {_}, mi correo de cliente es {current_holder_email} … pase a nombre …' -> a regex with named slots.

    Literal words match case- and accent-free with any punctuation between them; `{field}` captures
    that item (an email slot takes an address; a slot before a gap takes one word, e.g. an ID, which holds a digit),
    `{_}` and `…` skip words, `[words]` are optional and `(a|b)` are alternatives.
    The anchor (the longest literal word outside optional parts) is looked up in the casefolded text
    before the regex runs: a word that folding leaves unchanged is found there with or without accents.
    """
    pieces = [piece for piece in _TEMPLATE_PARTS.split(template) if piece]
    regex, anchor = [], ""
    required: set[str] = set()
    choices: list[frozenset[str]] = []
    for number, piece in enumerate(pieces):
        following = "".join(pieces[number + 1:])
        if piece == "…":
            regex.append(_GAP)
        elif piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name == "_":
                regex.append(r".{1,120}?")
            elif kinds.get(name) == "email":
                regex.append(rf"(?P<{name}>{_EMAIL_SLOT})")
            elif not following.strip(" .,;!"):
                # A full stop before a short word is an abbreviation's ("Budmax Sp. z o.o., obecnie …").
                # A sentence's end right after the words before it ends the sentence, not opens the slot.
                regex.append(rf"(?<![.!?;])(?<![.!?;]\s)(?<![.!?;]\s[«\"„“(])(?P<{name}>[^\n;]{{1,120}}?)(?=\s*(?:[!?;,](?:\s|$)|\.(?:\s*$|\s+(?!\w{{1,2}}\b))|$))")
            elif not _WORD.search(following) and "…" not in following:
                # "… para a nossa empresa ({new_partner})": the slot runs to the punctuation after it
                closing = re.escape(following.strip()[0])
                regex.append(rf"(?P<{name}>[^\n;{closing}]{{1,120}}?)(?=\s*{closing})")
            elif following.lstrip().startswith(("…", "{")):
                # An identifier holds a digit: "el servicio que tengo activo … pase" names no service "que".
                digit = r"(?=[^\s,;]*\d)" if name.endswith("_id") else ""
                regex.append(rf"(?P<{name}>{digit}[^\s,;]+)")
            else:
                regex.append(rf"(?P<{name}>[^\n;]{{1,120}}?)")
        elif piece.startswith("[") and piece.endswith("]"):
            regex.append("(?:" + _literal(piece[1:-1])[0] + ")?")
        elif piece.startswith("(") and piece.endswith(")") and "|" in piece:
            options = piece[1:-1].split("|")
            regex.append("(?:" + "|".join(_literal(option)[0] for option in options) + ")")
            # One of the options' words must be there: each option's longest word, found in the words of the text.
            firsts = [max(words, key=len) for option in options if (words := _WORD.findall(soft_fold(option)[0]))]
            if len(firsts) == len(options):
                choices.append(frozenset(firsts))
        else:
            literal, plain = _literal(piece)
            regex.append(literal)
            anchor = max([anchor, *plain], key=len)
            required.update(_WORD.findall(soft_fold(piece)[0]))
    if not anchor:
        raise ValueError(f"sentence pattern {template!r} needs at least one literal word")
    emails = sum(1 for piece in pieces if piece.startswith("{") and kinds.get(piece[1:-1]) == "email")
    return SentencePattern(lang, re.compile("".join(regex)), anchor, dict(constants), frozenset(required), emails,
                           choices=tuple(choices))


def _check_template(template: str, kinds: Mapping[str, str], constants: Mapping) -> None:
    """A template's slots and constants name the type's fields, and it has a literal word to anchor on."""
    slots = {piece[1:-1] for piece in _TEMPLATE_PARTS.split(template) if piece.startswith("{") and piece.endswith("}")}
    unknown = (slots - {"_"} | set(constants)) - set(kinds)
    if unknown:
        raise ValueError(f"sentence pattern {template!r} names unknown fields: {', '.join(sorted(unknown))}")
    literal = _TEMPLATE_PARTS.sub(" ", template)
    if not _WORD.search(literal):
        raise ValueError(f"sentence pattern {template!r} needs at least one literal word")


def build_reader(texts: Mapping[str, Mapping], extension: Mapping, kinds: Mapping[str, str],
                 vocabulary: Vocabulary, stopwords: frozenset[str]) -> Reader:
    """texts: lang -> the parsed ticket_forms/<type>/<lang>.yaml; extension: the schema's x-handover."""
    per_lang: dict[str, list[tuple[str, str]]] = {}
    templates: list[tuple[str, str, Mapping, str | None]] = []
    choice_words: dict[str, list[tuple[str, str, str]]] = {}
    file_words: dict[str, set[str]] = {name: set() for name, kind in kinds.items() if kind == "attachment"}
    party_words: dict[str, set[str]] = {}
    unoffered: dict[str, set[str]] = {}
    prose_cues: dict[tuple[str, ...], str] = {}
    prose_between: set[str] = set()
    prose_opening = prose_kind = prose_moved_to = None
    kind_openers: list[str] = []
    inline: dict[str, str] = {}
    agents: dict[tuple[str, ...], tuple[str, str]] = {}
    future: set[str] = set()
    now: set[str] = set()
    for lang, data in texts.items():
        opening, kind, moved_to = _prose_parties(data.get("prose_parties") or {}, kinds, prose_cues, prose_between,
                                                 kind_openers)
        _prose_agents((data.get("prose_parties") or {}).get("agent"), kinds, agents, future, now)
        prose_opening, prose_kind = opening or prose_opening, kind or prose_kind
        prose_moved_to = moved_to or prose_moved_to
        for field_name, entry in (data.get("fields") or {}).items():
            entry = entry or {}
            variants = [str(entry.get("label") or field_name), field_name.replace("_", " "),
                        *(str(word) for word in entry.get("synonyms") or ())]
            per_lang.setdefault(lang, []).extend((fold(variant), field_name) for variant in variants if fold(variant))
            for value, words in (entry.get("values") or {}).items():
                choice_words.setdefault(field_name, []).extend(
                    (lang, fold(str(word)), value) for word in [value.replace("_", " "), *(words or ())] if fold(str(word)))
            if field_name in file_words:
                file_words[field_name].update(fold(str(word)).replace(" ", "") for word in entry.get("file_words") or ())
                file_words[field_name].discard("")
            for word in entry.get("inline_labels") or ():
                folded_word = fold(str(word))
                inline[folded_word] = field_name if inline.get(folded_word, field_name) == field_name else ""
            if entry.get("party_words"):
                party_words.setdefault(field_name, set()).update(
                    fold(str(word)) for word in entry["party_words"] if fold(str(word)))
            if entry.get("unoffered"):
                unoffered.setdefault(field_name, set()).update(
                    fold(str(word)) for word in entry["unoffered"] if fold(str(word)))
        for item in data.get("sentences") or ():
            template, constants = (item, {}) if isinstance(item, str) else (str(item.get("pattern")), item.get("set") or {})
            writer = None if isinstance(item, str) else item.get("we")
            _check_template(template, kinds, constants)
            if writer is not None and writer not in kinds:
                raise ValueError(f"sentence pattern {template!r}: 'we' names unknown field {writer!r}")
            templates.append((lang, template, dict(constants), writer))
    variants = {lang: tuple(dict.fromkeys(rows)) for lang, rows in per_lang.items()}
    return Reader(vocabulary, stopwords, variants, tuple(templates), dict(extension.get("same_as") or {}),
                  {name: frozenset(words) for name, words in file_words.items()}, dict(kinds),
                  {name: tuple(rows) for name, rows in choice_words.items()},
                  {name: frozenset(words) for name, words in party_words.items()}, extension.get("own_address"),
                  prose_cues, frozenset(prose_between), prose_opening,
                  {word: name for word, name in inline.items() if word and name}, prose_kind,
                  {name: frozenset(words) for name, words in unoffered.items()}, prose_moved_to,
                  _phrase_pattern(kind_openers), agents, frozenset(future), frozenset(now))


def _prose_agents(data: Mapping | None, kinds: Mapping[str, str], agents: dict, future: set, now: set) -> None:
    """One language's `prose_parties: agent:` ({current: item, new: item, cues: [...], future: [...], now: [...]})
    into the table of cues told by tense, the words of the future and the words of now."""
    if not data:
        return
    current, new = data.get("current"), data.get("new")
    if kinds.get(current) != "text" or kinds.get(new) != "text":
        raise ValueError(f"prose_parties: agent names no text fields ({current!r}, {new!r})")
    for cue in data.get("cues") or ():
        if fold(str(cue)):
            agents[tuple(fold(str(cue)).split())] = (current, new)
    future.update(fold(str(word)) for word in data.get("future") or () if fold(str(word)))
    now.update(fold(str(word)) for word in data.get("now") or () if fold(str(word)))


def _prose_parties(data: Mapping, kinds: Mapping[str, str], cues: dict, between: set, openers: list
                   ) -> tuple[str | None, str | None, str | None]:
    """One language's `prose_parties:` into the cue table, the in-between words (both folded) and the kind
    openers; its `opening`, `kind` and `moved_to` items."""
    opening, kind, moved_to = data.get("opening"), data.get("kind"), data.get("moved_to")
    for key, item in (("opening", opening), ("moved_to", moved_to)):
        if item is not None and kinds.get(item) != "text":
            raise ValueError(f"prose_parties: {key} {item!r} names no text field")
    if kind is not None and kinds.get(kind) != "enum":
        raise ValueError(f"prose_parties: kind {kind!r} names no enumeration")
    for key, words in data.items():
        if key in ("opening", "kind", "moved_to", "agent"):
            continue
        if key == "kind_openers":
            openers.extend(str(word) for word in words or ())
            continue
        if key == "between":
            between.update(fold(str(word)) for word in words or () if fold(str(word)))
            continue
        if kinds.get(key) != "text":
            raise ValueError(f"prose_parties: {key!r} names no text field")
        for cue in words or ():
            if fold(str(cue)):
                words_of = tuple(fold(str(cue)).split())
                cues[words_of] = key if cues.get(words_of, key) == key else None   # two items' cue names neither
    return opening, kind, moved_to
