"""The inbox look before expensive work: a committed event is a counted duplicate."""

from __future__ import annotations

from uuid import UUID, uuid4

from common_core.enums import CourseCode, Language
from common_core.envelope import EventEnvelope
from common_core.events import EssayGrammarRequestedV1
from huleedu_service_libs.consumer import handled_before
from huleedu_service_libs.delivery import tracking_delivery


class CommittedInbox:
    """Event ids each consumer committed."""

    def __init__(self) -> None:
        self.committed: set[tuple[str, UUID]] = set()

    async def handled(self, *, consumer: str, event_id: UUID) -> bool:
        return (consumer, event_id) in self.committed


def an_envelope() -> EventEnvelope[EssayGrammarRequestedV1]:
    data = EssayGrammarRequestedV1(
        batch_id="b1",
        essay_id="e1",
        text_storage_id="t1",
        language=Language.ENGLISH,
        course_code=CourseCode.ENG5,
    )
    return EventEnvelope.wrap(data, source_service="test", correlation_id=str(uuid4()))


async def test_an_event_not_committed_is_to_be_handled() -> None:
    with tracking_delivery() as delivery:
        assert not await handled_before(CommittedInbox(), consumer="c", envelope=an_envelope())
    assert not delivery.duplicate


async def test_a_committed_event_is_a_duplicate_for_its_consumer_only() -> None:
    inbox = CommittedInbox()
    envelope = an_envelope()
    inbox.committed.add(("c", envelope.event_id))
    with tracking_delivery() as delivery:
        assert await handled_before(inbox, consumer="c", envelope=envelope)
    assert delivery.duplicate
    with tracking_delivery() as other:
        assert not await handled_before(inbox, consumer="other", envelope=envelope)
    assert not other.duplicate
