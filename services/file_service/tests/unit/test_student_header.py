"""parse_student_header: names and e-mails in essay headers, and titles that are not names."""

from __future__ import annotations

import pytest

from file_service.domain import ParsedHeader, parse_student_header

pytestmark = pytest.mark.unit

EN_DASH = "\u2013"
BODY = "\n\nJag tycker att skolan borde börja senare på morgonen eftersom vi är trötta."


def parse(header: str, max_lines: int = 6) -> ParsedHeader:
    return parse_student_header(header + BODY, max_lines)


class TestLabelledNames:
    @pytest.mark.parametrize(
        ("line", "name"),
        [
            ("Namn: Anna Svensson", "Anna Svensson"),
            ("namn:anna svensson", "anna svensson"),
            ("NAMN : Anna Svensson", "Anna Svensson"),
            ("Name: Erik Berg", "Erik Berg"),
            ("Elev: Karl-Johan Öberg", "Karl-Johan Öberg"),
            ("Student: Li Andersson", "Li Andersson"),
            ("Författare: Åsa Öberg", "Åsa Öberg"),
            ("Elevens namn: Sara Lind", "Sara Lind"),
            ("Namn - Anna Svensson", "Anna Svensson"),
            (f"Namn {EN_DASH} Anna Svensson", "Anna Svensson"),
            ("Namn—Anna Svensson", "Anna Svensson"),
            ("Namn; Anna Svensson", "Anna Svensson"),
            ("Namn:\tAnna Svensson", "Anna Svensson"),
            ("Namn\tAnna Svensson", "Anna Svensson"),
            ("**Namn:** Anna Svensson", "Anna Svensson"),
            ("Namn:   Anna    Svensson.", "Anna Svensson"),
            ('Namn: "Anna Svensson"', "Anna Svensson"),
            ("Namn: Anna", "Anna"),
            ("Namn: Anna Maria af Klint", "Anna Maria af Klint"),
            ("Namn: Anna Svensson, NA22b", "Anna Svensson"),
            ("Namn: Anna Svensson (NA22b)", "Anna Svensson"),
            ("Namn: Anna Svensson   Klass: NA22b", "Anna Svensson"),
            ("Namn: Anna Svensson Klass: NA22b", "Anna Svensson"),
            ("Namn: ANNA SVENSSON", "ANNA SVENSSON"),
        ],
    )
    def test_label_variants(self, line: str, name: str) -> None:
        assert parse(line) == ParsedHeader(name, None, 0.9)

    @pytest.mark.parametrize("label", ["Nman", "Nam", "Namnn", "Studnet", "Forfatare", "Nmae"])
    def test_misspelt_labels(self, label: str) -> None:
        assert parse(f"{label}: Anna Svensson") == ParsedHeader("Anna Svensson", None, 0.9)

    @pytest.mark.parametrize(
        ("line", "name"),
        [
            ("Namn: Ana Svenson", "Ana Svenson"),
            ("Namn: Asa Oberg", "Asa Oberg"),
            ("Namn: Karl johan oberg", "Karl johan oberg"),
        ],
    )
    def test_names_are_kept_as_written(self, line: str, name: str) -> None:
        assert parse(line).student_name == name

    def test_surname_first_is_turned_round(self) -> None:
        assert parse("Namn: Svensson, Anna") == ParsedHeader("Anna Svensson", None, 0.9)
        assert parse("Namn: Öberg, Karl-Johan") == ParsedHeader("Karl-Johan Öberg", None, 0.9)

    @pytest.mark.parametrize(
        "line",
        [
            "Lärare: Per Holm",
            "Teacher: Per Holm",
            "Klass: NA22b",
            "Datum: 2024-03-01",
            "Kurs: Engelska 6",
            "Game: Minecraft",
            "Namn: ________",
            "Namn: [Skriv ditt namn här]",
            "Name: what's in it for me?",
            "Namn: Anna Svensson och Erik Berg och Sara Lind",
        ],
    )
    def test_other_labels_and_placeholders_are_not_names(self, line: str) -> None:
        assert parse(line) == ParsedHeader(None, None, 0.0)

    def test_labelled_name_on_a_later_line(self) -> None:
        header = "Mitt liv som sjuttonåring\nDatum: 2024-05-02\nNamn: Anna Svensson"
        assert parse(header) == ParsedHeader("Anna Svensson", None, 0.9)

    def test_labelled_name_beats_a_bare_first_line(self) -> None:
        assert parse("Erik Berg\nNamn: Anna Svensson").student_name == "Anna Svensson"


class TestNameWithClassCode:
    @pytest.mark.parametrize(
        ("line", "name"),
        [
            ("Anna Svensson, NA22b", "Anna Svensson"),
            (f"Anna Svensson {EN_DASH} SA21a", "Anna Svensson"),
            ("Anna Svensson - TE23", "Anna Svensson"),
            ("Anna Svensson NA22b", "Anna Svensson"),
            ("Anna Svensson (EK22A)", "Anna Svensson"),
            (f"NA22b {EN_DASH} Anna Svensson", "Anna Svensson"),
            ("Anna Svensson, NA22b, 2024-05-01", "Anna Svensson"),
            ("Anna Svensson, klass NA22b", "Anna Svensson"),
            ("Svensson, Anna, NA22b", "Anna Svensson"),
            ("Karl-Johan Öberg | NA21c", "Karl-Johan Öberg"),
        ],
    )
    def test_name_next_to_class_code(self, line: str, name: str) -> None:
        assert parse(line) == ParsedHeader(name, None, 0.8)

    def test_on_a_later_line_after_a_title(self) -> None:
        header = "Min sommar i Norrland\nAnna Svensson, NA22b"
        assert parse(header) == ParsedHeader("Anna Svensson", None, 0.8)

    @pytest.mark.parametrize("line", ["Engelska 6, NA22b", "Svenska, NA22b", "Uppsats NA22b"])
    def test_course_names_beside_class_codes_are_not_names(self, line: str) -> None:
        assert parse(line).student_name is None


class TestBareFirstLine:
    @pytest.mark.parametrize(
        "line",
        ["Anna Svensson", "Karl-Johan Öberg", "Li Andersson", "Sara O'Brien", "Élise Müller"],
    )
    def test_short_first_line_name(self, line: str) -> None:
        assert parse(line) == ParsedHeader(line, None, 0.5)

    def test_surname_first_with_comma_is_turned_round(self) -> None:
        assert parse("Svensson, Anna") == ParsedHeader("Anna Svensson", None, 0.5)

    def test_surname_first_without_comma_is_kept_as_written(self) -> None:
        assert parse("Svensson Anna") == ParsedHeader("Svensson Anna", None, 0.5)

    def test_trailing_date_is_ignored(self) -> None:
        assert parse("Anna Svensson, 2024-05-03") == ParsedHeader("Anna Svensson", None, 0.5)

    def test_markdown_heading_marks_are_ignored(self) -> None:
        assert parse("# Anna Svensson") == ParsedHeader("Anna Svensson", None, 0.5)

    def test_leading_blank_lines_are_skipped(self) -> None:
        assert parse("\n\n   \nAnna Svensson") == ParsedHeader("Anna Svensson", None, 0.5)

    def test_only_the_first_line_may_be_a_bare_name(self) -> None:
        assert parse("Min sommar i Norrland\nAnna Svensson") == ParsedHeader(None, None, 0.0)

    @pytest.mark.parametrize(
        "title",
        [
            "Min sommar i Norrland",
            "The Importance of Sleep",
            "Climate Change",
            "Social Media",
            "Artificial Intelligence",
            "Why We Need Sleep",
            "My Summer Holiday",
            "Om Vänskap",
            "Mitt Liv",
            "Education Matters",
            "Friendship Forever",
            "Ensamhet Och Gemenskap",
            f"Mobilförbud i skolan {EN_DASH} en bra idé?",
            "Should Schools Start Later?",
            "Anna Svensson Writes About Sleep And Dreams",
            "Anna",
            "ANNA SVENSSON",
            "Anna svensson",
            "Stockholm, Sweden",
            "Sweden: A Country of Contrasts",
        ],
    )
    def test_titles_are_not_names(self, title: str) -> None:
        assert parse(title).student_name is None

    def test_a_long_first_line_is_not_a_name(self) -> None:
        assert parse("Anna Svensson Anna Svensson Anna Svensson Berg").student_name is None


class TestEmails:
    def test_labelled_email(self) -> None:
        parsed = parse("E-post: Anna.Svensson@Skola.se")
        assert parsed == ParsedHeader(None, "anna.svensson@skola.se", 1.0)

    def test_bare_email_line(self) -> None:
        assert parse("anna.svensson@elev.goteborg.se") == ParsedHeader(
            None, "anna.svensson@elev.goteborg.se", 1.0
        )

    def test_email_and_labelled_name(self) -> None:
        parsed = parse("Namn: Anna Svensson\nE-post: anna.svensson@skola.se.")
        assert parsed == ParsedHeader("Anna Svensson", "anna.svensson@skola.se", 1.0)

    def test_email_inside_a_name_line(self) -> None:
        parsed = parse("Anna Svensson <Anna.Svensson@skola.se>")
        assert parsed == ParsedHeader("Anna Svensson", "anna.svensson@skola.se", 1.0)

    def test_everything_on_one_line(self) -> None:
        parsed = parse("Student: Anna-Karin Lööf, EK21b, anna-karin.loof@skola.se")
        assert parsed == ParsedHeader("Anna-Karin Lööf", "anna-karin.loof@skola.se", 1.0)

    def test_first_email_wins(self) -> None:
        parsed = parse("a.a@skola.se\nLärare: per.holm@skola.se")
        assert parsed.student_email == "a.a@skola.se"

    def test_not_an_email(self) -> None:
        assert parse("Skicka till anna@skola").student_email is None


class TestWindow:
    def test_nothing_found(self) -> None:
        assert parse_student_header("Jag tycker att skolan är viktig.") == ParsedHeader(
            None, None, 0.0
        )

    def test_empty_text(self) -> None:
        assert parse_student_header("") == ParsedHeader(None, None, 0.0)

    def test_lines_past_max_lines_are_not_read(self) -> None:
        header = "Rubrik\n" + "rad\n" * 5 + "Namn: Anna Svensson"
        assert parse(header).student_name is None
        assert parse(header, max_lines=7).student_name == "Anna Svensson"

    def test_name_in_the_essay_body_is_not_taken(self) -> None:
        text = "Sömn och skola\n\n" + "Jag sov dåligt.\n\n" * 6 + "Namn: Anna Svensson"
        assert parse_student_header(text) == ParsedHeader(None, None, 0.0)

    def test_long_lines_are_prose_not_headers(self) -> None:
        line = "Namn: Anna Svensson " + "och här fortsätter en lång mening " * 4
        assert parse(line).student_name is None
