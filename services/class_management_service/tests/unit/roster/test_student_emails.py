"""Student email validation and the one normal form stored and hashed."""

from __future__ import annotations

import pytest

from class_management_service.domain.roster.emails import InvalidEmail, normalise_student_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anna.svensson@skola.se", "anna.svensson@skola.se"),
        ("  Anna.Svensson@Skola.SE ", "anna.svensson@skola.se"),
        ("ÅSA.öberg@Elev.Skola.se", "åsa.öberg@elev.skola.se"),
        ("erik+svenska@gmail.com", "erik+svenska@gmail.com"),
        ("elev@xn--skla-6qa.se", "elev@sköla.se"),  # IDNA domains in their Unicode form
    ],
)
def test_valid_addresses_are_normalised(raw: str, expected: str) -> None:
    assert normalise_student_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("anna.svensson", "@"),
        ("anna svensson@skola.se", "invalid characters"),
        ("anna@@skola.se", "invalid characters"),
        ("anna@skola", "period"),
        ("anna@", "after the @-sign"),
        ("a" * 250 + "@skola.se", "longer than 254"),
        ("unknown.abc@huleedu.system", "reserved"),
        ("UNKNOWN.abc@HULEEDU.SYSTEM", "reserved"),
    ],
)
def test_invalid_addresses_say_why(raw: str, reason: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalise_student_email(raw)
    assert reason in str(caught.value)
