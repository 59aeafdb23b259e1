"""find_course: the course an essay header names, and essay text that names none."""

from __future__ import annotations

import pytest

from common_core.enums import CourseCode
from file_service.domain import NamedCourse, find_course, parse_student_header
from huleedu_testing.sample_files import essay_text

pytestmark = pytest.mark.unit

EN_DASH = "\u2013"
BODY = "\n\nJag tycker att skolan borde börja senare på morgonen eftersom vi är trötta."


def course_of(header: str, max_lines: int = 6) -> CourseCode | None:
    found = find_course(header + BODY, max_lines)
    return found.code if found else None


class TestLabelledCourses:
    @pytest.mark.parametrize(
        ("header", "code"),
        [
            ("Namn: Åsa Öberg / Klass: NA22b / Kurs: Engelska 6", CourseCode.ENG6),
            ("Course: English 5", CourseCode.ENG5),
            ("Kurs: SV2", CourseCode.SV2),
            ("kurs:svenska 3", CourseCode.SV3),
            ("KURS : ENG 7", CourseCode.ENG7),
            ("Ämne: Engelska 7", CourseCode.ENG7),
            ("Subject: Swedish 1", CourseCode.SV1),
            ("Course code: ENGENG06", CourseCode.ENG6),
            ("Kurskod: SVESVE02", CourseCode.SV2),
            ("Kurs/ämne: Engelska 5", CourseCode.ENG5),
            (f"Kurs {EN_DASH} Svenska 1", CourseCode.SV1),
            ("Kurs\tEngelska 6", CourseCode.ENG6),
            ("Kurs: Engelska 6 (vt 2024)", CourseCode.ENG6),
            ("Kurs: Engelska 6 Klass: NA22b", CourseCode.ENG6),
            ("Namn: Åsa Öberg\nKlass: NA22b\nKurs: Eng. 5", CourseCode.ENG5),
        ],
    )
    def test_labelled_course(self, header: str, code: CourseCode) -> None:
        assert course_of(header) == code

    def test_the_written_words_are_kept(self) -> None:
        found = find_course("Kurs: Engelska 6, vt 2024" + BODY)
        assert found == NamedCourse(CourseCode.ENG6, "Engelska 6")

    def test_a_labelled_course_wins_over_a_bare_one(self) -> None:
        assert course_of("Engelska 5\nKurs: Engelska 6") == CourseCode.ENG6


class TestCourseForms:
    @pytest.mark.parametrize(
        ("form", "code"),
        [
            ("ENG5", CourseCode.ENG5),
            ("eng6", CourseCode.ENG6),
            ("Eng 5", CourseCode.ENG5),
            ("English 5", CourseCode.ENG5),
            ("english7", CourseCode.ENG7),
            ("Engelska 5", CourseCode.ENG5),
            ("Engelska6", CourseCode.ENG6),
            ("ENG-05", CourseCode.ENG5),
            ("SV2", CourseCode.SV2),
            ("Sv 2", CourseCode.SV2),
            ("sv1", CourseCode.SV1),
            ("Sve 3", CourseCode.SV3),
            ("Svenska 2", CourseCode.SV2),
            ("SVENSKA 1", CourseCode.SV1),
            ("Svenska 1:an", CourseCode.SV1),
        ],
    )
    def test_each_form_alone_on_a_header_line(self, form: str, code: CourseCode) -> None:
        assert course_of(form) == code

    @pytest.mark.parametrize(
        ("form", "code"),
        [
            ("Svenska som andraspråk 2", CourseCode.SV2),
            ("svenska som andrasprak 1", CourseCode.SV1),
            ("SvA 3", CourseCode.SV3),
            ("SVA1", CourseCode.SV1),
            ("SVASVA02", CourseCode.SV2),
            ("Swedish as a second language 1", CourseCode.SV1),
        ],
    )
    def test_swedish_as_a_second_language_with_a_level_is_that_swedish_level(
        self, form: str, code: CourseCode
    ) -> None:
        assert course_of(f"Kurs: {form}") == code
        assert course_of(form) == code

    @pytest.mark.parametrize(
        "header",
        [
            "Kurs: Svenska som andraspråk",
            "Svenska som andraspråk",
            "Ämne: SVA",
            "Swedish as a second language",
        ],
    )
    def test_swedish_as_a_second_language_without_a_level_is_no_course(self, header: str) -> None:
        assert course_of(header) is None

    @pytest.mark.parametrize(
        "header",
        [
            "Ämne: Svenska",
            "Subject: English",
            "Engelska 1",
            "Svenska 5",
            "SV4",
            "ENG8",
            "Engelska 6b",
            "Kurs: Engelska 56",
            "SV 2024",
            "Klass: SV2a",
        ],
    )
    def test_no_level_or_a_level_the_subject_lacks(self, header: str) -> None:
        assert course_of(header) is None


class TestBareCourses:
    @pytest.mark.parametrize(
        ("header", "code"),
        [
            ("Åsa Öberg / NA22b / Svenska 1", CourseCode.SV1),
            ("Åsa Öberg, NA22b, Engelska 6", CourseCode.ENG6),
            (f"Engelska 7 {EN_DASH} argumenterande text", CourseCode.ENG7),
            ("Svenska 1: Argumenterande text", CourseCode.SV1),
            ("# Engelska 6", CourseCode.ENG6),
            ("Åsa Öberg NA22b ENG5", CourseCode.ENG5),
            ("Mitt liv\nÅsa Öberg | SV3", CourseCode.SV3),
            ("asa.oberg@elev.skola.se, Engelska 6", CourseCode.ENG6),
        ],
    )
    def test_a_course_as_a_field_of_a_header_line(self, header: str, code: CourseCode) -> None:
        assert course_of(header) == code


class TestNoFalsePositives:
    @pytest.mark.parametrize(
        "header",
        [
            "Why English matters",
            "Why English 5 matters to me",
            "English is the language of the internet",
            "Engelska i skolan",
            "Vi pratar svenska hemma och engelska i skolan.",
            "Jag har läst Svenska 1 och tyckte om det",
            "Jag fick ett A i ENG5.",
            "Namn: Åsa Öberg\nKlass: NA22b\nDatum: 2024-05-01",
            "Kursen i Engelska 6 var rolig",
            "Svenska språket förändras",
            "anna.eng6@elev.skola.se",
            "Anna Svensson <anna.sv1@skola.se>",
            "Åsa Öberg, NA22b, asa.sv3@elev.skola.se",
        ],
    )
    def test_titles_and_sentences_name_no_course(self, header: str) -> None:
        assert course_of(header) is None

    def test_the_essay_body_is_not_read(self) -> None:
        body_line = "Kurs: Engelska 5"
        text = "Namn: Åsa Öberg\n" + "\n".join(f"Rad {n} i texten." for n in range(6)) + "\n"
        assert find_course(text + body_line, max_lines=6) is None
        assert find_course("Namn: Åsa Öberg\n" + body_line, max_lines=6) is not None

    def test_long_prose_lines_in_the_header_are_skipped(self) -> None:
        prose = "Svenska 1 " + "är en kurs som alla elever läser under första året " * 3
        assert course_of(prose.strip()) is None

    @pytest.mark.parametrize("lang", ["en", "sv"])
    def test_the_sample_essays_name_no_course(self, lang: str) -> None:
        text = essay_text(lang, 400, header="Namn: Åsa Öberg\nKlass: NA22b", seed=3)
        assert find_course(text) is None


class TestStudentHeaderIgnoresCourses:
    @pytest.mark.parametrize(
        ("line", "confidence"),
        [("Åsa Öberg, NA22b, Engelska 6", 0.8), ("Åsa Öberg, Svenska 1", 0.5)],
    )
    def test_a_course_beside_the_name_is_not_part_of_it(self, line: str, confidence: float) -> None:
        header = parse_student_header(line + BODY)
        assert (header.student_name, header.confidence) == ("Åsa Öberg", confidence)

    def test_a_course_line_is_not_a_name(self) -> None:
        assert parse_student_header("Engelska 6" + BODY).student_name is None
