"""Personal data inside events: open the File Service's sealed essay headers on arrival.

The File Service seals each parsed header's name, email and file name under the event PII key
(shared by the two services only). They are opened here, at the consumer's edge, into the
header's plaintext fields, so the matching steps work on plaintext as before and store it
under this service's own PII key. A token no configured key opens is a poison message: it
goes to the dead-letter topic and can be replayed once the keys are right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from common_core.envelope import EventEnvelope
from common_core.events import ParsedStudentHeader, StudentParsingCompletedV1
from huleedu_service_libs.crypto import KeyRing, UndecryptableError
from huleedu_service_libs.kafka.retry_policy import PoisonMessageError

EnvelopeHandler = Callable[[EventEnvelope[Any]], Awaitable[None]]


def _open(ring: KeyRing, token: str | None, legacy: str | None) -> str | None:
    # Events written before headers were sealed carry the plaintext fields themselves.
    return legacy if token is None else ring.decrypt_text(token)


def reveal_header(header: ParsedStudentHeader, ring: KeyRing) -> ParsedStudentHeader:
    """The header with its sealed fields opened into the plaintext ones."""
    return header.model_copy(
        update={
            "student_name": _open(ring, header.student_name_ciphertext, header.student_name),
            "student_email": _open(ring, header.student_email_ciphertext, header.student_email),
            "original_file_name": _open(
                ring, header.original_file_name_ciphertext, header.original_file_name
            ),
        }
    )


def reveal(event: StudentParsingCompletedV1, ring: KeyRing) -> StudentParsingCompletedV1:
    """The event with every header opened; PoisonMessageError if a token cannot be opened."""
    try:
        headers = [reveal_header(h, ring) for h in event.parsed_headers]
    except UndecryptableError as exc:
        raise PoisonMessageError(
            "a parsed header cannot be decrypted with the configured event PII keys"
        ) from exc
    return event.model_copy(update={"parsed_headers": headers})


def revealing(handler: EnvelopeHandler, ring: KeyRing) -> EnvelopeHandler:
    """`handler` fed StudentParsingCompletedV1 envelopes whose headers are opened."""

    async def handle(envelope: EventEnvelope[Any]) -> None:
        await handler(envelope.model_copy(update={"data": reveal(envelope.data, ring)}))

    return handle
