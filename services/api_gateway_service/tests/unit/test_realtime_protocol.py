"""The notification frame: the catalogue's text in the gateway's language, params alongside."""

from __future__ import annotations

import pytest

from api_gateway_service.config import GatewaySettings
from api_gateway_service.realtime.protocol import notification_message
from common_core.enums import NotificationCategory
from common_core.envelope import EventEnvelope
from common_core.events.notification import TeacherNotificationRequestedV1
from common_core.notifications import Locale

pytestmark = pytest.mark.unit


def _envelope(
    code: str, params: dict[str, str | int | float], message: str
) -> EventEnvelope[TeacherNotificationRequestedV1]:
    data = TeacherNotificationRequestedV1(
        user_id="teacher-1",
        notification_type=code,
        category=NotificationCategory.PROCESSING_RESULTS,
        batch_id="batch-1",
        message=message,
        params=params,
    )
    return EventEnvelope.wrap(data, source_service="test", correlation_id="c-1")


def test_the_message_is_rendered_in_the_configured_language() -> None:
    envelope = _envelope(
        "batch_results_ready", {"processed_count": 3, "failed_count": 1}, "Resultaten är klara"
    )
    frame = notification_message(envelope, Locale.EN)
    assert frame["message"] == "Results are ready: 3 essay(s) processed, 1 failed."
    assert frame["params"] == {"processed_count": 3, "failed_count": 1}
    assert frame["notification_type"] == "batch_results_ready"
    swedish = notification_message(envelope)["message"]
    assert swedish == "Resultaten är klara: 3 uppsats(er) bearbetade, 1 misslyckades."


@pytest.mark.parametrize(
    ("code", "params"),
    [("a_code_from_a_newer_producer", {}), ("batch_results_ready", {"processed_count": 3})],
)
def test_what_the_catalogue_cannot_render_keeps_the_producers_text(
    code: str, params: dict[str, str | int | float]
) -> None:
    frame = notification_message(_envelope(code, params, "as sent"), Locale.EN)
    assert frame["message"] == "as sent"


def test_the_default_language_setting_is_swedish() -> None:
    assert GatewaySettings.model_fields["notification_locale"].default is Locale.SV
