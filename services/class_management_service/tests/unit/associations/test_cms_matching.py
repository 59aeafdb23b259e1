"""The author matcher against realistic Swedish and English class rosters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from class_management_service.domain.associations.matching import (
    AuthorMatch,
    fold_diacritics,
    match_author,
    name_tokens,
)
from class_management_service.domain.models import Student, unknown_student_email
from common_core.enums import AssociationMethod

KEEP = 0.7  # the timeout monitor's default keep threshold
_AT = datetime(2026, 9, 1, tzinfo=UTC)


def _student(
    student_id: str, first: str, last: str, email: str, placeholder: bool = False
) -> Student:
    return Student(student_id, "teacher-1", first, last, email, _AT, _AT, placeholder, ("9b",))


CLASS_9B = [
    _student("asa", "Åsa", "Öberg", "asa.oberg@skolan.se"),
    _student("erik-j", "Erik", "Johansson", "erik.johansson@skolan.se"),
    _student("erik-l", "Erik", "Lindberg", "erik.lindberg@skolan.se"),
    _student("maja", "Maja", "Lindqvist-Berg", "maja.lindqvist-berg@skolan.se"),
    _student("annamaria", "Anna Maria", "Karlsson", "annamaria.karlsson@skolan.se"),
    _student("bjorn", "Björn", "Ström", "b.strom@skolan.se"),
    _student("linnea", "Linnéa", "Holm", "linnea.holm@skolan.se"),
    _student("unknown", "Unknown", "Student", unknown_student_email("9b"), placeholder=True),
]

YEAR_10_ENGLISH = [
    _student("oliver", "Oliver", "Smith", "oliver.smith@school.org.uk"),
    _student("charlotte", "Charlotte", "O'Brien", "c.obrien@school.org.uk"),
    _student("mohammed", "Mohammed", "Khan", "mohammed.khan@school.org.uk"),
    _student("emily", "Emily", "Watson", "emily.watson@school.org.uk"),
    _student("jose", "José", "Müller", "jose.muller@school.org.uk"),
    _student("hannah", "Hannah", "Clarke", "hannah.clarke@school.org.uk"),
]


def _id(match: AuthorMatch) -> str | None:
    return match.student.student_id if match.student else None


class TestEmail:
    def test_exact_email_is_certain(self) -> None:
        match = match_author(None, "asa.oberg@skolan.se", CLASS_9B)
        assert (_id(match), match.confidence, match.method) == (
            "asa",
            1.0,
            AssociationMethod.EMAIL_MATCH,
        )

    @pytest.mark.parametrize(
        "written",
        ["Erik.Johansson@Skolan.SE", "  ERIK.JOHANSSON@SKOLAN.SE ", "<erik.johansson@skolan.se>"],
    )
    def test_case_spacing_and_brackets_do_not_matter(self, written: str) -> None:
        match = match_author(None, written, CLASS_9B)
        assert (_id(match), match.confidence, match.method) == (
            "erik-j",
            1.0,
            AssociationMethod.EMAIL_MATCH,
        )

    def test_email_wins_over_a_name_pointing_elsewhere(self) -> None:
        match = match_author("Erik Lindberg", "erik.johansson@skolan.se", CLASS_9B)
        assert _id(match) == "erik-j"
        assert match.method is AssociationMethod.EMAIL_MATCH

    def test_unmatched_email_local_part_counts_as_name_evidence(self) -> None:
        match = match_author(None, "linnea.holm@gmail.com", CLASS_9B)
        assert _id(match) == "linnea"
        assert match.method is AssociationMethod.NAME_MATCH
        assert KEEP <= match.confidence < 1.0

    def test_initial_and_surname_email_is_weaker_evidence(self) -> None:
        full = match_author(None, "emily.watson@hotmail.com", YEAR_10_ENGLISH)
        initial = match_author(None, "ewatson@hotmail.com", YEAR_10_ENGLISH)
        assert _id(full) == _id(initial) == "emily"
        assert initial.confidence < full.confidence

    def test_a_placeholder_students_email_matches_nobody(self) -> None:
        match = match_author(None, unknown_student_email("9b"), CLASS_9B)
        assert match.student is None
        assert match.method is AssociationMethod.NAME_MATCH


class TestNames:
    def test_exact_full_name_is_strong_but_below_an_email(self) -> None:
        match = match_author("Oliver Smith", None, YEAR_10_ENGLISH)
        assert _id(match) == "oliver"
        assert 0.9 <= match.confidence < 1.0
        assert match.method is AssociationMethod.NAME_MATCH

    @pytest.mark.parametrize(
        ("written", "student_id"),
        [
            ("Oliver Smyth", "oliver"),
            ("Olivr Smith", "oliver"),
            ("Charlote O'Brian", "charlotte"),
            ("Emely Watson", "emily"),
            ("Mohamed Khan", "mohammed"),
        ],
    )
    def test_small_typos_still_match(self, written: str, student_id: str) -> None:
        match = match_author(written, None, YEAR_10_ENGLISH)
        assert _id(match) == student_id
        assert match.confidence >= KEEP

    def test_a_typo_costs_confidence(self) -> None:
        exact = match_author("Emily Watson", None, YEAR_10_ENGLISH)
        typo = match_author("Emely Watson", None, YEAR_10_ENGLISH)
        assert typo.confidence < exact.confidence

    @pytest.mark.parametrize(
        ("written", "student_id"),
        [
            ("Asa Oberg", "asa"),
            ("Bjorn Strom", "bjorn"),
            ("Linnea Holm", "linnea"),
            ("Jose Muller", "jose"),
        ],
    )
    def test_missing_diacritics_match_with_high_confidence(
        self, written: str, student_id: str
    ) -> None:
        roster = CLASS_9B + YEAR_10_ENGLISH
        match = match_author(written, None, roster)
        assert _id(match) == student_id
        assert match.confidence >= 0.9

    def test_diacritics_as_written_score_higher_than_folded(self) -> None:
        written = match_author("Åsa Öberg", None, CLASS_9B)
        folded = match_author("Asa Oberg", None, CLASS_9B)
        assert written.confidence > folded.confidence

    @pytest.mark.parametrize("written", ["Öberg, Åsa", "Oberg Asa", "ÖBERG Åsa"])
    def test_reversed_order(self, written: str) -> None:
        match = match_author(written, None, CLASS_9B)
        assert _id(match) == "asa"
        assert match.confidence >= 0.9

    def test_middle_name_only_on_the_roster(self) -> None:
        match = match_author("Anna Karlsson", None, CLASS_9B)
        assert _id(match) == "annamaria"
        assert match.confidence >= 0.85

    def test_middle_name_only_in_the_header(self) -> None:
        match = match_author("Oliver James Smith", None, YEAR_10_ENGLISH)
        assert _id(match) == "oliver"
        assert (
            KEEP
            <= match.confidence
            < match_author("Oliver Smith", None, YEAR_10_ENGLISH).confidence
        )

    @pytest.mark.parametrize("written", ["Maja Lindqvist", "Maja Berg", "Maja Lindqvist Berg"])
    def test_hyphenated_surname_in_part_or_in_full(self, written: str) -> None:
        match = match_author(written, None, CLASS_9B)
        assert _id(match) == "maja"
        assert match.confidence >= 0.85

    @pytest.mark.parametrize(
        "written",
        ["Namn: Åsa Öberg", "Name: Åsa Öberg, 9B", "Elevens namn: Åsa Öberg", "Mrs Åsa Öberg"],
    )
    def test_labels_titles_and_class_codes_are_ignored(self, written: str) -> None:
        match = match_author(written, None, CLASS_9B)
        assert _id(match) == "asa"
        assert match.confidence == match_author("Åsa Öberg", None, CLASS_9B).confidence


class TestPartialAndAmbiguous:
    def test_a_unique_first_name_alone_is_a_weaker_suggestion(self) -> None:
        first_only = match_author("Björn", None, CLASS_9B)
        full = match_author("Björn Ström", None, CLASS_9B)
        assert _id(first_only) == "bjorn"
        assert first_only.confidence < full.confidence

    def test_two_students_with_the_header_first_name_are_ambiguous(self) -> None:
        match = match_author("Erik", None, CLASS_9B)
        assert match.student is None
        assert 0 < match.confidence < KEEP
        assert match.method is AssociationMethod.NAME_MATCH

    def test_the_surname_resolves_the_two_eriks(self) -> None:
        johansson = match_author("Erik Johansson", None, CLASS_9B)
        initial = match_author("Erik J.", None, CLASS_9B)
        assert _id(johansson) == _id(initial) == "erik-j"
        assert johansson.confidence >= 0.9

    def test_namesakes_in_one_class_are_never_guessed(self) -> None:
        twins = [
            _student("hannah", "Hannah", "Clarke", "hannah.clarke@school.org.uk"),
            _student("hannah-2", "Hannah", "Clarke", "hannah.clarke2@school.org.uk"),
        ]
        match = match_author("Hannah Clarke", None, twins)
        assert match.student is None
        assert match.confidence < KEEP

    def test_near_namesakes_lower_the_confidence(self) -> None:
        roster = [
            _student("anna", "Anna", "Svensson", "anna.svensson@skolan.se"),
            _student("hanna", "Hanna", "Svensson", "hanna.svensson@skolan.se"),
        ]
        alone = match_author("Anna Svensson", None, roster[:1])
        beside_hanna = match_author("Anna Svensson", None, roster)
        assert _id(beside_hanna) == "anna"
        assert beside_hanna.confidence < alone.confidence


class TestNoMatch:
    def test_no_header_at_all(self) -> None:
        match = match_author(None, None, CLASS_9B)
        assert (match.student, match.confidence, match.method) == (
            None,
            0.0,
            AssociationMethod.NAME_MATCH,
        )

    def test_blank_header_fields(self) -> None:
        assert match_author("  ", "", CLASS_9B).student is None

    def test_a_name_not_on_the_roster(self) -> None:
        match = match_author("Karin Persson", None, CLASS_9B)
        assert match.student is None
        assert match.confidence == 0.0

    def test_a_shared_first_name_with_another_surname_is_not_a_match(self) -> None:
        match = match_author("Hannah Nilsson", None, YEAR_10_ENGLISH)
        assert match.student is None
        assert match.confidence < KEEP

    def test_an_empty_roster(self) -> None:
        assert match_author("Åsa Öberg", "asa.oberg@skolan.se", []) == AuthorMatch(
            None, 0.0, AssociationMethod.NAME_MATCH
        )

    def test_only_placeholders_on_the_roster(self) -> None:
        match = match_author("Unknown Student", None, CLASS_9B[-1:])
        assert match.student is None


class TestNormalisation:
    def test_fold_diacritics(self) -> None:
        assert fold_diacritics("Åsa Öberg Linnéa Müller Søren Æbelø Straße") == (
            "Asa Oberg Linnea Muller Soren Aebelo Strasse"
        )

    def test_name_tokens(self) -> None:
        assert name_tokens("Namn:  Öberg,   Åsa (9B) 2024-05-01") == ["öberg", "åsa"]
        assert name_tokens("Charlotte O'Brien-Smith") == ["charlotte", "obrien", "smith"]

    def test_every_confidence_is_within_zero_and_one(self) -> None:
        roster = CLASS_9B + YEAR_10_ENGLISH
        headers = ["Åsa", "E", "Smith Smith Smith", "O", "x" * 40, "Erik Erik", "Maja-Lindqvist"]
        for header in headers:
            assert 0.0 <= match_author(header, None, roster).confidence <= 1.0
