"""Student email checks: syntax by `email_validator`, one normal form for storage and hashing."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from class_management_service.domain.models import UNKNOWN_STUDENT_DOMAIN
from common_core.class_api import EMAIL_MAX


class InvalidEmail(ValueError):
    """The address is not a usable student email; the message says why (in English)."""


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
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    email = result.normalized.lower()
    if email.endswith("@" + UNKNOWN_STUDENT_DOMAIN):
        # The platform's own placeholder students live there; a teacher may not claim one.
        raise InvalidEmail(f"Addresses at {UNKNOWN_STUDENT_DOMAIN} are reserved.")
    return email
