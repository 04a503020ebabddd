"""A comment's own lines: HTML tables as rows, quoted history cut off, forwarded messages kept and marked."""
from __future__ import annotations

import re
from typing import NamedTuple
from html.parser import HTMLParser
from collections.abc import Mapping

from .text import fold, soft_fold

_SIGNATURE = frozenset({"--", "-- ", "—", "__"})
_RULE_LINE = re.compile(r"^[_=-]{8,}$")
_HEADER_LINE = re.compile(r"^\s*\**([^:：]{1,30}?)\**\s*[:：]\s*(.*)$")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|pd|enc|i|доб|пересл|переслано|wd)\s*:", re.IGNORECASE)
_EMAILISH = re.compile(r"@|<[^>]+>|\[mailto:")
_HEADER_LOOKAHEAD = 4
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                         "hr", "pre", "section", "article", "header", "footer", "dt", "dd"})
_SKIPPED_TAGS = frozenset({"blockquote", "style", "script", "head", "title"})


class Line(NamedTuple):
    """One line of a comment and where it belongs: the requester's own text, a table row, or a forward."""
    text: str
    origin: str = "email"       # "email" | "html_table" | "forwarded" | QUOTED_PROMPT


class _HtmlLines(HTMLParser):
    """Text lines of an html_body: block elements break lines, table cells are joined by tabs.

    Quoted history (<blockquote>) is skipped. Rows of a table are marked so their items read as
    "html_table".
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self.current: list[str] = []
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.skip = 0
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "table":
            self.tables += 1
            self._flush()
        elif tag == "tr" and self.tables:
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")
        elif tag in _BLOCK_TAGS and self.cell is None:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag in ("td", "th") and self.cell is not None and self.cells is not None:
            self.cells.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            if any(self.cells):
                self.lines.append(("\t".join(self.cells), True))
            self.cells = None
        elif tag == "table":
            self.tables = max(0, self.tables - 1)
            self._flush()
        elif tag in _BLOCK_TAGS and self.cell is None:
            self._flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.current.append(data)

    def _flush(self):
        text = "".join(self.current)
        self.current = []
        for part in text.split("\n"):
            self.lines.append((" ".join(part.split()), False))

    def close(self):
        super().close()
        self._flush()


def html_lines(html: str) -> list[tuple[str, bool]]:
    """(text, is a table row) for each line of an HTML body, parsed with the standard HTML parser."""
    parser = _HtmlLines()
    parser.feed(html)
    parser.close()
    return parser.lines


def _raw_lines(comment: Mapping) -> list[tuple[str, bool]]:
    html = comment.get("html_body")
    if isinstance(html, str) and "<table" in html.lower():
        return html_lines(html)
    body = str(comment.get("body") or comment.get("plain_body") or "")
    return [(line.strip(), False) for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _header_key(line: str) -> tuple[str, str] | None:
    match = _HEADER_LINE.match(line)
    return (fold(match.group(1)), match.group(2)) if match else None


def _header_block(lines: list[tuple[str, bool]], start: int, vocabulary) -> tuple[int, bool] | None:
    """An Outlook-style 'From: … / Sent: … / Subject: …' block at `start`: (its end, is it a forward)."""
    key = _header_key(lines[start][0])
    if key is None or key[0] not in vocabulary.header_from:
        return None
    end, sent, forward = start + 1, False, False
    while end < len(lines) and end <= start + _HEADER_LOOKAHEAD + 1:
        other = _header_key(lines[end][0])
        if other is None or other[0] not in vocabulary.header_any:
            break
        sent = sent or other[0] in vocabulary.header_sent
        forward = forward or bool(_FORWARD_SUBJECT.match(other[1]))
        end += 1
    if not sent and not _EMAILISH.search(key[1]):
        return None
    return end, forward


def _skip_headers(lines: list[tuple[str, bool]], start: int, vocabulary) -> int:
    """After a forward marker: the forwarded message's own From/Date/Subject/To lines are not data."""
    index = start
    while index < len(lines) and (not lines[index][0] or (_header_key(lines[index][0]) or ("",))[0] in vocabulary.header_any):
        index += 1
    return index


QUOTED_PROMPT = "quoted_prompt"
"""The origin of a quoted line the requester answered right below it: a label it may name, never a value."""
_MAX_PROMPT_CHARS = 100


def _unquoted(text: str) -> str:
    return text.lstrip("> ").strip()


def _answer_after(raw: list[tuple[str, bool]], index: int) -> int | None:
    """Where the requester's answer to the quoted line at `index` starts: the next line that is not
    quoted, at most one blank line below it; None when the quote simply goes on."""
    for ahead in (index + 1, index + 2):
        if ahead >= len(raw):
            return None
        text = raw[ahead][0]
        if text and not text.startswith(">"):
            return ahead
        if text:
            return None
    return None


def comment_lines(comment: Mapping, vocabulary) -> list[Line]:
    """The lines a requester wrote or forwarded on purpose, in order; quoted history never counts.

    A quote header ('On … wrote:', 'W dniu … napisał:', '-----Original Message-----', Outlook's
    From:/Sent: block) ends the comment's own text, except for answers typed right below a quoted
    line ('> Subscription ID:' then 'SUB-1234'): the quoted line comes out as a QUOTED_PROMPT (it may
    name the item) followed by the answer. A forward marker ('Forwarded message', 'Weitergeleitete
    Nachricht', an Outlook block whose subject is 'FW:') opens content that counts and is marked
    "forwarded". After a signature delimiter only a forwarded message is read.
    """
    raw = _raw_lines(comment)
    lines: list[Line] = []
    origin = "email"
    reading = True
    history = False     # past a quote header: only answers typed under quoted lines are the requester's
    answering = False   # the lines of such an answer
    index = 0
    while index < len(raw):
        text, in_table = raw[index]
        if text.startswith(">"):
            answer = _answer_after(raw, index) if len(text) <= _MAX_PROMPT_CHARS else None
            if answer is not None and _unquoted(text):
                lines.append(Line(_unquoted(text), QUOTED_PROMPT))
                index, answering = answer, True
                continue
            index += 1
            continue
        if history:
            if not text:
                answering = False
            elif answering:
                lines.append(Line(text, "email"))
            index += 1
            continue
        if vocabulary is not None and text and (text.endswith(_MARKER_ENDS) or text.startswith(_MARKER_STARTS)):
            folded = soft_fold(text)[0]
            if vocabulary.forward_marker is not None and vocabulary.forward_marker.match(folded):
                origin, reading = "forwarded", True
                index = _skip_headers(raw, index + 1, vocabulary)
                continue
            if vocabulary.quote_header is not None and vocabulary.quote_header.match(folded):
                history, answering = True, False
                index += 1
                continue
        colon = text.find(":", 0, 26) if vocabulary is not None else -1
        if colon > 0 and _starts_with_from(text, colon, vocabulary):
            block = _header_block(raw, index, vocabulary)
            if block is not None:
                if not block[1]:
                    break   # Outlook's history has no quote marks: nothing in it can be told apart as an answer
                origin, reading = "forwarded", True
                index = _skip_headers(raw, block[0], vocabulary)
                continue
        if text in _SIGNATURE:
            reading = False
        elif reading and not (text and text[0] in "_=-" and _RULE_LINE.match(text)):
            lines.append(Line(text, "html_table" if in_table and origin == "email" else origin))
        index += 1
    return lines


# Cheap test before the header regexes: every quote header or forward marker ends with ':' or is set off by dashes.
_MARKER_ENDS = (":", "：", "--", "*")
_MARKER_STARTS = ("--", "**", "__", "—")


def _starts_with_from(text: str, colon: int, vocabulary) -> bool:
    """Whether the text before the colon at `colon` is a 'From' header word ('Subscription ID:' is none, markup aside)."""
    return colon <= vocabulary.header_from_chars + 6 and fold(text[:colon].strip("*_ ")) in vocabulary.header_from
