"""The one path for teacher notifications: outbox -> Kafka -> gateway -> WebSocket."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from common_core.enums import NotificationCategory, NotificationPriority
from common_core.events.base import EventModel


class TeacherNotificationRequestedV1(EventModel):
    """Something a teacher would want to see live (progress, results, problems)."""

    user_id: str
    notification_type: str
    category: NotificationCategory
    priority: NotificationPriority = NotificationPriority.STANDARD
    batch_id: str | None = None
    class_id: str | None = None
    message: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
    action_required: bool = False
