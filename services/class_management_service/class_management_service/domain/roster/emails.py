"""Student email checks: syntax by `email_validator`, one normal form for storage and hashing."""

from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from class_management_service.domain.models import UNKNOWN_STUDENT_DOMAIN
from common_core.class_api import EMAIL_MAX


class InvalidEmail(ValueError):
    """The address is not a usable student email; the message says why (in English)."""


_ATOM = r"[A-Za-z0-9_!#$%&'*+\-/=?^`{|}~]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# The everyday address (ASCII dot-atom local part of at most 64 characters; a domain of
# ASCII letter-digit-hyphen labels with at least one dot, ending in a letter, without "--"
# anywhere, so never Punycode): a strict subset of what `email_validator` accepts, which
# it returns unchanged but for the domain's case. `email_validator` costs ~28 µs per
# address, a third of a 1,000-row import's CPU; this check ~1 µs. Anything else, valid or
# not, still goes through `email_validator` (tests/unit/roster/test_student_emails.py
# compares both on generated addresses).
_PLAIN_EMAIL = re.compile(
    rf"(?=[^@]{{1,64}}@){_ATOM}(?:\.{_ATOM})*@(?!.*--)(?:{_LABEL}\.)+"
    rf"(?=[A-Za-z0-9-]*[A-Za-z]\Z){_LABEL}\Z"
)
_DOMAIN_MAX = 253
# A domain that is, or is under, one of the special-use names email_validator refuses.
_SPECIAL_USE = re.compile(
    r"(?:\A|\.)(?:" + "|".join(map(re.escape, SPECIAL_USE_DOMAIN_NAMES)) + r")\Z"
)


def _plain_email(candidate: str) -> str | None:
    """The normal form of an everyday address `email_validator` would accept, else None."""
    if not _PLAIN_EMAIL.match(candidate):
        return None
    domain = candidate.rpartition("@")[2].lower()
    if len(domain) > _DOMAIN_MAX or _SPECIAL_USE.search(domain):
        return None
    return candidate.lower()


def normalise_student_email(raw: str) -> str:
    """The validated address, lower-cased as stored; raises InvalidEmail.

    Lower-casing the local part too is deliberate: school addresses are case-insensitive in
    practice, and "Anna@x.se" and "anna@x.se" must be one student (the hash compares them so).
    """
    candidate = raw.strip()
    if not candidate:
        raise InvalidEmail("The email address is missing.")
    if len(candidate) > EMAIL_MAX:
        raise InvalidEmail(f"The email address is longer than {EMAIL_MAX} characters.")
    email = _plain_email(candidate)
    if email is None:
        try:
            result = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError as exc:
            raise InvalidEmail(str(exc)) from None
        email = result.normalized.lower()
    if email.endswith("@" + UNKNOWN_STUDENT_DOMAIN):
        # The platform's own placeholder students live there; a teacher may not claim one.
        raise InvalidEmail(f"Addresses at {UNKNOWN_STUDENT_DOMAIN} are reserved.")
    return email
