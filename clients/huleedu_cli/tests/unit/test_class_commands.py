"""`huleedu class ...`, `huleedu roster import`, `huleedu associations ...`, `batch --class`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOW = "2025-03-01T12:00:00+00:00"
ROSTER = "förnamn;efternamn;e-post\nÅsa;Öberg;asa.oberg@elev.skola.se\nErik;Lind;erik@skola.se\n"


def _association(essay_id: str, student_id: str | None, **fields: Any) -> dict[str, Any]:
    return {
        "batch_id": "b-1",
        "essay_id": essay_id,
        "filename": f"{essay_id}.txt",
        "parsed_name": "Asa Oberg",
        "suggested_student_id": student_id,
        "student_id": student_id,
        "student_name": "Åsa Öberg" if student_id else None,
        "confidence": 0.86 if student_id else 0.0,
        "method": "name_match",
        "status": "pending_validation",
        "updated_at": NOW,
        **fields,
    }


def _class_batch(gateway: Any) -> None:
    gateway.associations["b-1"] = {
        "batch_id": "b-1",
        "class_id": "c-1",
        "status": "pending_validation",
        "associations": [_association("e-1", "s-1"), _association("e-2", None)],
    }


class TestClasses:
    def test_create_list_and_show(self, cli: Any) -> None:
        cli.signed_in()

        created = cli("class", "create", "--name", "9A engelska", "--course", "eng5")
        listed = cli("class", "list")
        shown = cli("--json", "class", "show", "c-1")

        assert created.exit_code == 0, created.output
        assert "Created class c-1 (9A engelska, ENG5)" in created.stdout
        assert "huleedu roster import c-1" in created.stdout
        assert listed.exit_code == 0, listed.output
        assert "9A engelska" in listed.stdout
        assert "Classes (1-1 of 1)" in listed.stdout
        assert json.loads(shown.stdout)["name"] == "9A engelska"

    def test_unknown_class_names_the_code(self, cli: Any) -> None:
        cli.signed_in()

        result = cli("class", "show", "c-404")

        assert result.exit_code == 1
        assert "CLASS_NOT_FOUND" in result.stderr


class TestRosterImport:
    def test_the_file_goes_unchanged_in_the_file_part(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()
        cli("class", "create", "--name", "9A", "--course", "SV1")
        csv_file = tmp_path / "klasslista 9A.csv"
        csv_file.write_text(ROSTER, encoding="utf-8")

        result = cli("roster", "import", "c-1", str(csv_file))

        assert result.exit_code == 0, result.output
        assert "Imported 2 students into class c-1: 2 new, 0 already known" in result.stdout
        assert "Öberg" in result.stdout
        assert cli.gateway.roster_uploads == [
            ("file", "klasslista 9A.csv", "text/csv", ROSTER.encode())
        ]

    def test_refused_rows_are_listed_and_the_exit_is_1(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()
        cli("class", "create", "--name", "9A", "--course", "SV1")
        csv_file = tmp_path / "roster.csv"
        csv_file.write_text("förnamn;efternamn;e-post\nÅsa;Öberg;\n", encoding="utf-8")

        human = cli("roster", "import", "c-1", str(csv_file))
        machine = cli("--json", "roster", "import", "c-1", str(csv_file))

        assert human.exit_code == 1
        assert "Rows refused" in human.stdout
        assert "email address is missing" in human.stdout
        assert "VALIDATION_ERROR" in human.stderr
        assert machine.exit_code == 1
        assert machine.stdout == ""
        assert json.loads(machine.stderr)["error"]["details"]["rows"][0]["row"] == 1

    def test_a_missing_file_is_a_usage_error(self, cli: Any, tmp_path: Path) -> None:
        cli.signed_in()

        result = cli("roster", "import", "c-1", str(tmp_path / "nope.csv"))

        assert result.exit_code == 2
        assert cli.gateway.roster_uploads == []


class TestAssociations:
    def test_show_lists_each_essay_and_what_to_do(self, cli: Any) -> None:
        cli.signed_in()
        _class_batch(cli.gateway)

        result = cli("associations", "show", "b-1")

        assert result.exit_code == 0, result.output
        assert "Åsa Öberg (s-1)" in result.stdout
        assert "0.86" in result.stdout
        assert "2 essay(s) await confirmation" in result.stdout

    def test_confirm_sends_set_and_accept_suggestions(self, cli: Any) -> None:
        cli.signed_in()
        _class_batch(cli.gateway)

        result = cli(
            "--json", "associations", "confirm", "b-1", "--set", "e-2=s-9", "--accept-suggestions"
        )

        assert result.exit_code == 0, result.output
        assert cli.gateway.confirm_requests == [
            {
                "confirmations": [{"essay_id": "e-2", "student_id": "s-9"}],
                "accept_suggestions": True,
            }
        ]
        assert json.loads(result.stdout)["status"] == "confirmed"

    def test_confirm_needs_something_to_confirm_and_well_formed_pairs(self, cli: Any) -> None:
        cli.signed_in()
        _class_batch(cli.gateway)

        nothing = cli("associations", "confirm", "b-1")
        malformed = cli("associations", "confirm", "b-1", "--set", "e-1")
        twice = cli("associations", "confirm", "b-1", "--set", "e-1=s-1", "--set", "e-1=s-2")

        assert [r.exit_code for r in (nothing, malformed, twice)] == [2, 2, 2]
        assert "Nothing to confirm" in nothing.stderr
        assert "ESSAY_ID=STUDENT_ID" in malformed.stderr
        assert cli.gateway.confirm_requests == []


def test_batch_register_takes_a_class(cli: Any) -> None:
    cli.signed_in()

    result = cli(
        "--json", "batch", "register", "--course", "ENG5", "--count", "1",
        "--instructions", "Essay", "--class", "c-7",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert cli.gateway.batches["b-1"]["class_id"] == "c-7"
