"""A strict reader of a multipart part's Content-Disposition header (RFC 7578 and RFC 6266).

Lenient parsers guess: given `filename="a"b.txt"` or a quote left open by a raw line break
inside the filename, they return a shortened name or none, and the part silently stops being a
file. This one either returns exactly what the header says or names what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

__all__ = ["ContentDisposition", "DispositionError", "parse_content_disposition"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_OWS = re.compile(r"[ \t]*")
# Unquoted values: token characters, plus the non-ASCII letters clients send in raw UTF-8.
_BARE_VALUE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z\u0080-\U0010ffff]+")
_EXT_VALUE = re.compile(r"(?P<charset>[A-Za-z0-9!#$&+\-^_`{}~]+)'[A-Za-z0-9\-]*'(?P<text>.*)")


class DispositionError(ValueError):
    """The header breaks the grammar; `reason` says how, for a person to fix the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ContentDisposition:
    """A form-data part's field name and, for a file, its filename."""

    name: str
    filename: str | None


def parse_content_disposition(value: str) -> ContentDisposition:
    """The form-data disposition's name and filename; DispositionError if malformed."""
    kind, params = _Reader(value).read()
    if kind.lower() != "form-data":
        raise DispositionError(f"its type is {kind!r}, not form-data")
    if "name" not in params:
        raise DispositionError("it has no name parameter")
    filename = params.get("filename")
    if "filename*" in params:
        filename = _decode_ext_value(params["filename*"])
    return ContentDisposition(params["name"], filename)


def _decode_ext_value(raw: str) -> str:
    match = _EXT_VALUE.fullmatch(raw)
    if match is None:
        raise DispositionError("filename* is not of the form charset'language'percent-encoded")
    charset = match["charset"].lower()
    if charset not in ("utf-8", "iso-8859-1"):
        raise DispositionError(f"filename* uses the charset {match['charset']!r}")
    try:
        return unquote_to_bytes(match["text"]).decode(charset)
    except UnicodeDecodeError:
        raise DispositionError("filename* is not valid UTF-8 once percent-decoded") from None


class _Reader:
    """A cursor over the header value: disposition-type *( ";" param )."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._hint = ""

    def read(self) -> tuple[str, dict[str, str]]:
        self._skip_space()
        kind = self._token("the disposition type")
        params: dict[str, str] = {}
        last = "the disposition type"
        while True:
            self._skip_space()
            if self._pos == len(self._text):
                return kind, params
            if self._text[self._pos] != ";":
                raise DispositionError(
                    f"unexpected {self._text[self._pos :][:20]!r} after {last}{self._hint}"
                )
            self._pos += 1
            self._skip_space()
            if self._pos == len(self._text):
                return kind, params  # a trailing ";" is harmless
            key = self._token("a parameter name").lower()
            self._skip_space()
            if not self._text.startswith("=", self._pos):
                raise DispositionError(f"the parameter {key} has no '=value'")
            self._pos += 1
            self._skip_space()
            if key in params:
                raise DispositionError(f"the parameter {key} is given twice")
            params[key] = self._value(key)
            last = f"the {key} value"

    def _skip_space(self) -> None:
        match = _OWS.match(self._text, self._pos)
        self._pos = match.end() if match else self._pos

    def _token(self, what: str) -> str:
        match = _TOKEN.match(self._text, self._pos)
        if match is None:
            found = self._text[self._pos :][:20]
            raise DispositionError(
                f"expected {what}, found {found!r}" if found else f"{what} is missing"
            )
        self._pos = match.end()
        return match.group()

    def _value(self, key: str) -> str:
        if self._text.startswith('"', self._pos):
            # Text right after a closing quote almost always means a quote inside the value.
            self._hint = " (an unescaped quote inside the quoted value?)"
            return self._quoted(key)
        match = _BARE_VALUE.match(self._text, self._pos)
        if match is None:
            raise DispositionError(f"the {key} value is empty or must be quoted")
        self._hint = " (a value with spaces or separators must be quoted)"
        self._pos = match.end()
        return match.group()

    def _quoted(self, key: str) -> str:
        out: list[str] = []
        pos = self._pos + 1
        while pos < len(self._text):
            char = self._text[pos]
            if char == '"':
                self._pos = pos + 1
                return "".join(out)
            if char == "\\" and self._text[pos + 1 : pos + 2] in ('"', "\\"):
                out.append(self._text[pos + 1])
                pos += 2
                continue
            if (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F:
                raise DispositionError(f"the {key} value contains the control character {char!r}")
            out.append(char)
            pos += 1
        raise DispositionError(
            f"the quoted {key} value is not closed (a raw line break or quote inside the {key}?)"
        )
