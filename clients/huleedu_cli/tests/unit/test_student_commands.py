"""`huleedu student erase`: the teacher's choice for the essays reaches the gateway."""

from __future__ import annotations

import json
from typing import Any


class TestStudentErase:
    def test_essays_are_deleted_by_default(self, cli: Any, gateway: Any) -> None:
        cli.signed_in()
        gateway.students.add("s-1")

        result = cli("student", "erase", "s-1", "--yes")

        assert result.exit_code == 0, result.output
        assert gateway.erasures == [("s-1", "delete")]
        assert "deleted everywhere" in result.stdout

    def test_keep_is_passed_on_and_reported_as_json(self, cli: Any, gateway: Any) -> None:
        cli.signed_in()
        gateway.students.add("s-1")

        result = cli("--json", "student", "erase", "s-1", "--essays", "KEEP", "--yes")

        assert result.exit_code == 0, result.output
        assert gateway.erasures == [("s-1", "keep")]
        assert json.loads(result.stdout) == {"student_id": "s-1", "erased": True, "essays": "keep"}

    def test_nothing_happens_unless_confirmed(self, cli: Any, gateway: Any) -> None:
        cli.signed_in()
        gateway.students.add("s-1")

        result = cli("student", "erase", "s-1")  # no answer to the question: aborted

        assert result.exit_code == 1
        assert gateway.erasures == []

    def test_an_unknown_student_names_the_code(self, cli: Any, gateway: Any) -> None:
        cli.signed_in()

        result = cli("student", "erase", "s-404", "--yes")

        assert result.exit_code == 1
        assert "STUDENT_NOT_FOUND" in result.output
