"""Roster CSV parsing: encodings, delimiters, Swedish headers, name forms, every row error."""

from __future__ import annotations

import codecs
import sys
import unicodedata

import pytest

from class_management_service.domain.errors import RosterRejected
from class_management_service.domain.roster.csv_import import (
    CONTROL_CHARACTERS,
    RosterRow,
    decode_roster,
    parse_roster,
    sniff_delimiter,
    split_full_name,
)


def parse(data: bytes | str, max_rows: int = 100) -> list[RosterRow]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_roster(raw, max_rows=max_rows)


def rejected(data: bytes | str, max_rows: int = 100) -> RosterRejected:
    with pytest.raises(RosterRejected) as caught:
        parse(data, max_rows)
    return caught.value


class TestEncodingsAndDelimiters:
    def test_swedish_excel_semicolons_and_headers(self) -> None:
        rows = parse("Förnamn;Efternamn;E-post\nÅsa;Öberg;Asa.Oberg@Skola.se\n")
        assert rows == [RosterRow(1, "Åsa", "Öberg", "asa.oberg@skola.se")]

    def test_utf8_bom_does_not_hide_the_first_header(self) -> None:
        data = codecs.BOM_UTF8 + b"first_name,last_name,email\nAnna,Svensson,a@x.se\n"
        assert parse(data)[0].first_name == "Anna"

    def test_cp1252_from_swedish_windows_excel(self) -> None:
        data = "förnamn;efternamn;epost\nÅsa;Öberg;asa@skola.se\r\n".encode("cp1252")
        assert parse(data) == [RosterRow(1, "Åsa", "Öberg", "asa@skola.se")]

    def test_utf16_unicode_text_with_tabs(self) -> None:
        data = "Förnamn\tEfternamn\tE-postadress\r\nÄlva\tÅström\tälva@skola.se\r\n"
        rows = parse(data.encode("utf-16"))
        assert rows == [RosterRow(1, "Älva", "Åström", "älva@skola.se")]

    def test_decomposed_letters_are_stored_composed(self) -> None:
        decomposed = "A\u030asa"  # "Åsa" as macOS may write it
        assert decode_roster(decomposed.encode()) == "Åsa"

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("first;last;email", ";"),
            ("first,last,email", ","),
            ("first\tlast\temail", "\t"),
            ('"name, full";email', ";"),
            ("email", ","),
        ],
    )
    def test_delimiter_is_sniffed_from_the_header(self, header: str, expected: str) -> None:
        assert sniff_delimiter(f"\n\n{header}\nx;y,z\n") == expected


class TestHeaders:
    @pytest.mark.parametrize(
        "header",
        [
            "first_name,last_name,email",
            "FIRST NAME,Last Name,E-mail",
            "firstname,surname,mail",
            "Fornamn,Efternamn,e-post",
        ],
    )
    def test_recognised_case_insensitively(self, header: str) -> None:
        assert parse(f"{header}\nAnna,Svensson,a@x.se\n")[0].last_name == "Svensson"

    def test_extra_columns_are_ignored_and_order_is_free(self) -> None:
        data = "Klass;E-post;Personnr;Efternamn;Förnamn\n9A;a@x.se;x;Svensson;Anna\n"
        assert parse(data) == [RosterRow(1, "Anna", "Svensson", "a@x.se")]

    def test_missing_email_column(self) -> None:
        error = rejected("first_name,last_name\nAnna,Svensson\n")
        assert error.details["missing_columns"] == ["email"]
        assert error.rows == []

    def test_missing_names_and_no_header_at_all(self) -> None:
        error = rejected("Anna;Svensson;anna@x.se\n")
        assert error.details["missing_columns"] == ["email", "name"]

    def test_empty_file(self) -> None:
        assert "empty" in rejected("\n \n").message

    def test_header_without_students(self) -> None:
        assert "no students" in rejected("namn;epost\n\n").message


class TestNames:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("Öberg, Åsa", ("Åsa", "Öberg")),
            ("Svensson,  Anna Maria", ("Anna Maria", "Svensson")),
            ("Anna Maria Svensson", ("Anna Maria", "Svensson")),
            ("Anna  Svensson", ("Anna", "Svensson")),
            ("Madonna", None),
            ("Svensson,", None),
        ],
    )
    def test_split_full_name(self, value: str, expected: tuple[str, str] | None) -> None:
        assert split_full_name(value) == expected

    def test_single_name_column_in_both_forms(self) -> None:
        data = 'Namn;E-post\nÖberg, Åsa;asa@x.se\n"Erik Johan Lind";erik@x.se\n'
        assert parse(data) == [
            RosterRow(1, "Åsa", "Öberg", "asa@x.se"),
            RosterRow(2, "Erik Johan", "Lind", "erik@x.se"),
        ]

    def test_quoted_last_first_in_a_comma_file(self) -> None:
        assert parse('name,email\n"Lind, Erik",e@x.se\n')[0].first_name == "Erik"

    def test_whitespace_is_tidied(self) -> None:
        row = parse("first_name,last_name,email\n  Anna   Maria ,  Svensson , a@x.se \n")[0]
        assert (row.first_name, row.last_name, row.email) == ("Anna Maria", "Svensson", "a@x.se")


class TestRows:
    def test_blank_lines_are_skipped_but_keep_their_number(self) -> None:
        data = "\nfirst_name,last_name,email\n\nAnna,Svensson,a@x.se\n , ,\n,,\nErik,Lind,e@x.se\n"
        rows = parse(data)
        assert [(r.row, r.first_name) for r in rows] == [(2, "Anna"), (5, "Erik")]

    def test_every_row_error_is_reported_together(self) -> None:
        long_name = "X" * 101
        data = "\n".join(
            [
                "first_name;last_name;email",
                "Anna;Svensson;anna@x.se",  # 1 ok
                "Erik;Lind;",  # 2 missing email
                "Sara;Berg;sara(at)x.se",  # 3 invalid email
                ";Holm;holm@x.se",  # 4 missing first name
                "Maja;;maja@x.se",  # 5 missing last name
                "Anna;Svensson;ANNA@x.se",  # 6 same email as row 1
                f"{long_name};Ek;ek@x.se",  # 7 first name too long
                f"Ali;Ek;{'a' * 250}@x.se",  # 8 email too long
                ";;bad",  # 9 three errors on one row
                "Omar;Ali;omar@x.se",  # 10 ok
            ]
        )
        error = rejected(data)
        found = {(e.row, e.field) for e in error.rows}
        assert found == {
            (2, "email"),
            (3, "email"),
            (4, "first_name"),
            (5, "last_name"),
            (6, "email"),
            (7, "first_name"),
            (8, "email"),
            (9, "first_name"),
            (9, "last_name"),
            (9, "email"),
        }
        assert error.details["rows"][0] == {
            "row": 2,
            "field": "email",
            "message": "The email address is missing.",
        }
        duplicate = next(e for e in error.rows if e.row == 6)
        assert "row 1" in duplicate.message
        assert "8 row(s)" in error.message

    def test_name_column_errors(self) -> None:
        error = rejected(f"namn,epost\nMadonna,m@x.se\n,n@x.se\n{'Y' * 101} Z,y@x.se\n")
        assert [(e.row, e.field) for e in error.rows] == [(1, "name"), (2, "name"), (3, "name")]

    def test_reserved_placeholder_domain_is_refused(self) -> None:
        error = rejected("namn,epost\nAnna Svensson,unknown.x@huleedu.system\n")
        assert error.rows[0].field == "email"

    def test_too_many_rows(self) -> None:
        data = "namn,epost\n" + "".join(f"A B{i},a{i}@x.se\n" for i in range(4))
        assert len(parse(data, max_rows=4)) == 4
        error = rejected(data, max_rows=3)
        assert error.details["max_rows"] == 3

    def test_control_characters_in_names(self) -> None:
        error = rejected("namn,epost\nAnna\x00 B,a@x.se\n")
        assert [(e.row, e.field) for e in error.rows] == [(1, "name")]
        error = rejected("first_name,last_name,email\nAn\x07na,B,a@x.se\n")
        assert [(e.row, e.field) for e in error.rows] == [(1, "first_name")]

    def test_unreadable_csv(self) -> None:
        huge_field = "x" * 200_000  # beyond the csv module's field size limit
        assert "CSV" in rejected(f"namn,epost\n{huge_field},a@x.se\n").message


def test_control_characters_are_exactly_unicode_category_cc() -> None:
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        is_cc = unicodedata.category(character) == "Cc"
        assert (CONTROL_CHARACTERS.search(character) is not None) == is_cc, hex(code)
