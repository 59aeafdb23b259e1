"""Student email validation and the one normal form stored and hashed."""

from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from class_management_service.domain.models import UNKNOWN_STUDENT_DOMAIN
from class_management_service.domain.roster.emails import (
    InvalidEmail,
    _plain_email,
    normalise_student_email,
)


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


def _validator_only(raw: str) -> str:
    """The normal form as `email_validator` alone gives it (the rules before the fast path)."""
    candidate = raw.strip()
    return validate_email(candidate, check_deliverability=False).normalized.lower()


def _generated_addresses(count: int) -> list[str]:
    """Addresses near every edge of the fast path: lengths, dots, hyphens, TLDs, case."""
    pick = random.Random(20261207)
    odd_local, odd_label = "abcXYZ019._+-'!#`{|}~ åé\"@", "abzAZ09-_.ö"
    tlds = ["se", "COM", "test", "local", "arpa", "onion", "localhost", "invalid", "123", "s1"]
    tlds += ["xn--p1ai", "a--b", "io", "x"]
    found = []

    def text(chars: str, lengths: list[int]) -> str:
        return "".join(pick.choice(chars) for _ in range(pick.choice(lengths)))

    for _ in range(count):
        # Half of them made of characters the fast path allows, so they differ in shape only.
        if pick.random() < 0.5:
            local = ".".join(text("abXZ09_+-'", [1, 3, 20, 31, 32]) for _ in range(2))
            labels = [text("abzAZ09-", [1, 2, 5, 63, 64]) for _ in range(pick.choice([1, 2]))]
        else:
            local = text(odd_local, [1, 3, 8, 64, 65])
            labels = [text(odd_label, [1, 2, 5, 63]) for _ in range(pick.choice([0, 1, 2, 4]))]
        domain = ".".join([*labels, pick.choice(tlds)])
        if pick.random() < 0.05:
            domain = "a" * pick.choice([240, 250]) + "." + domain
        found.append(f"{local}@{domain}")
    # Everyday shapes, so the fast path itself is exercised on many addresses.
    found += [f"elev{i}.{pick.choice(['Anna', 'o-k'])}@skola{i % 7}.se" for i in range(200)]
    return found


def test_the_fast_path_answers_exactly_as_email_validator_alone() -> None:
    fast_accepted = 0
    for raw in _generated_addresses(10_000):
        try:
            expected: str | type[Exception] = _validator_only(raw)
        except EmailNotValidError:
            expected = InvalidEmail
        try:
            got: str | type[Exception] = normalise_student_email(raw)
        except InvalidEmail:
            got = InvalidEmail
        if expected == InvalidEmail or "@" + UNKNOWN_STUDENT_DOMAIN not in str(expected):
            assert got == expected, raw
        fast_accepted += _plain_email(raw.strip()) is not None
    assert fast_accepted > 500  # the comparison covered the fast path, not only the fallback
