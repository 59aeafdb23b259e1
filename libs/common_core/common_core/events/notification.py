"""The one path for teacher notifications: outbox -> Kafka -> gateway -> WebSocket."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from common_core.enums import NotificationCategory, NotificationPriority
from common_core.events.base import EventModel


class TeacherNotificationRequestedV1(EventModel):
    """Something a teacher would want to see live (progress, results, problems).

    `notification_type` is a code of common_core.notifications and `params` the values its
    text shows, so every client renders it in the teacher's language; `message` is that text
    rendered in the producer's default language, for clients that show it as it is.
    """

    user_id: str
    notification_type: str
    category: NotificationCategory
    priority: NotificationPriority = NotificationPriority.STANDARD
    batch_id: str | None = None
    class_id: str | None = None
    message: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, str | int | float] = Field(default_factory=dict)
    action_required: bool = False
