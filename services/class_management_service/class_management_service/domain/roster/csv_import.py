"""Roster CSV parsing: a pure function from the uploaded bytes to validated rows.

Teachers export rosters from Excel, Google Sheets or the school's admin system, so the
parser accepts what those produce: UTF-8 with or without BOM, UTF-16 ("Unicode text"),
cp1252 (Excel on Swedish Windows); comma, semicolon (Swedish Excel) or tab delimiters;
English or Swedish headers; a single name column as "Last, First" or "First [Middle] Last".
Every bad row is reported at once, so a teacher fixes the file in one go.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from class_management_service.domain.errors import RosterRejected, RowError
from class_management_service.domain.roster.emails import InvalidEmail, normalise_student_email
from common_core.class_api import NAME_MAX

# Header cells are compared lower-cased without spaces, underscores, hyphens or dots, so
# "First name", "first_name" and "FirstName" are one header and "E-post" is "epost".
HEADER_ALIASES: dict[str, frozenset[str]] = {
    "first_name": frozenset({"firstname", "förnamn", "fornamn"}),
    "last_name": frozenset({"lastname", "surname", "efternamn"}),
    "name": frozenset({"name", "fullname", "namn", "student"}),
    "email": frozenset({"email", "mail", "emailaddress", "epost", "epostadress"}),
}
_DELIMITERS = (",", ";", "\t")
_HEADER_NOISE = re.compile(r"[\s_\-.]+")
# Reads one row's cell by column key ("email", "name", ...), whitespace tidied.
_CellReader = Callable[[str], str]
_EXPECTED_HEADER = (
    "The first line must be a header naming an email column (email, e-post, ...) and either "
    "first and last name columns (first_name/förnamn, last_name/efternamn) or one name "
    "column (name/namn)."
)


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One valid roster line: names as written (whitespace tidied), email normalised."""

    row: int
    first_name: str
    last_name: str
    email: str


def decode_roster(data: bytes) -> str:
    """The text of the upload: UTF-8 (BOM optional) or UTF-16 with BOM, else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Not UTF-8: Excel on Swedish Windows saves "CSV" in cp1252. The five bytes
            # cp1252 leaves undefined fall back to Latin-1 rather than failing the file.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    # macOS tools may write "å" as "a" + combining ring; store one form.
    return unicodedata.normalize("NFC", text)


def sniff_delimiter(text: str) -> str:
    """The delimiter used most often (outside quotes) on the first non-blank line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_key(cell: str) -> str | None:
    normalised = _HEADER_NOISE.sub("", cell.strip().lower())
    for key, aliases in HEADER_ALIASES.items():
        if normalised in aliases:
            return key
    return None


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        if key is not None and key not in columns:  # the first of two like columns wins
            columns[key] = index
    has_names = ("first_name" in columns and "last_name" in columns) or "name" in columns
    if "email" not in columns or not has_names:
        missing = [] if "email" in columns else ["email"]
        if not has_names:
            missing.append("name")
        raise RosterRejected(_EXPECTED_HEADER, missing_columns=missing)
    return columns


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


# Exactly Unicode category Cc (C0, DEL, C1): one regex search instead of a category lookup
# per character (a tenth of the cost; tests/unit/roster/test_roster_csv.py checks every
# code point).
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def _tidy(value: str) -> str:
    return " ".join(value.split())


def split_full_name(value: str) -> tuple[str, str] | None:
    """(first, last) from "Last, First" or "First [Middle] Last"; None when not two parts."""
    if "," in value:
        last, first = (_tidy(part) for part in value.split(",", 1))
        return (first, last) if first and last else None
    parts = value.split()
    if len(parts) < 2:
        return None
    return " ".join(parts[:-1]), parts[-1]


class _RowChecker:
    """Collects every error of every row; keeps the rows that have none."""

    def __init__(self, columns: dict[str, int]) -> None:
        self._columns = columns
        self._seen_emails: dict[str, int] = {}
        self.rows: list[RosterRow] = []
        self.errors: list[RowError] = []

    def check(self, number: int, record: list[str]) -> None:
        def cell(key: str) -> str:
            index = self._columns[key]
            return _tidy(record[index]) if index < len(record) else ""

        errors_before = len(self.errors)
        names = self._names(number, cell)
        email = self._email(number, cell("email"))
        if names is not None and email is not None and len(self.errors) == errors_before:
            self.rows.append(RosterRow(number, names[0], names[1], email))

    def _names(self, number: int, cell: _CellReader) -> tuple[str, str] | None:
        if "first_name" in self._columns and "last_name" in self._columns:
            first = self._name_part(number, "first_name", cell("first_name"))
            last = self._name_part(number, "last_name", cell("last_name"))
            return (first, last) if first is not None and last is not None else None
        raw = cell("name")
        if not raw:
            self.errors.append(RowError(number, "name", "The name is missing."))
            return None
        if _has_control_characters(raw):
            self.errors.append(RowError(number, "name", "The name contains control characters."))
            return None
        split = split_full_name(raw)
        if split is None:
            message = "Write the name as 'First Last' or 'Last, First'."
            self.errors.append(RowError(number, "name", message))
            return None
        if max(len(split[0]), len(split[1])) > NAME_MAX:
            message = f"A name part is longer than {NAME_MAX} characters."
            self.errors.append(RowError(number, "name", message))
            return None
        return split

    def _name_part(self, number: int, field: str, value: str) -> str | None:
        label = field.replace("_", " ")
        if not value:
            self.errors.append(RowError(number, field, f"The {label} is missing."))
            return None
        if _has_control_characters(value):
            self.errors.append(RowError(number, field, f"The {label} contains control characters."))
            return None
        if len(value) > NAME_MAX:
            message = f"The {label} is longer than {NAME_MAX} characters."
            self.errors.append(RowError(number, field, message))
            return None
        return value

    def _email(self, number: int, raw: str) -> str | None:
        try:
            email = normalise_student_email(raw)
        except InvalidEmail as exc:
            self.errors.append(RowError(number, "email", str(exc)))
            return None
        first_row = self._seen_emails.setdefault(email, number)
        if first_row != number:
            message = f"The same email is already on row {first_row}."
            self.errors.append(RowError(number, "email", message))
            return None
        return email


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        yield from reader
    except csv.Error as exc:
        raise RosterRejected(f"The file is not readable as CSV ({exc}).") from None


def parse_roster(data: bytes, *, max_rows: int) -> list[RosterRow]:
    """The file's rows, or RosterRejected listing every bad row (or a bad header/size).

    Rows are numbered from 1 for the first record after the header; blank records are
    skipped but keep their number, so row n is line n+1 of the spreadsheet.
    """
    records = _records(decode_roster(data))
    header = next((r for r in records if not _is_blank(r)), None)
    if header is None:
        raise RosterRejected("The file is empty. " + _EXPECTED_HEADER, missing_columns=[])
    checker = _RowChecker(_columns(header))
    count = 0
    for number, record in enumerate(records, start=1):
        if _is_blank(record):
            continue
        count += 1
        if count > max_rows:
            raise RosterRejected(
                f"The roster has more than {max_rows} students; split it into several files.",
                max_rows=max_rows,
            )
        checker.check(number, record)
    if checker.errors:
        rejected = len({e.row for e in checker.errors})
        raise RosterRejected(f"{rejected} row(s) of the roster are invalid.", checker.errors)
    if not checker.rows:
        raise RosterRejected("The roster has a header but no students.")
    return checker.rows
