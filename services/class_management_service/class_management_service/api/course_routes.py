"""Courses: the seeded reference data a class (and a batch) can be for."""

from __future__ import annotations

from dishka import FromDishka
from quart import Blueprint, Response

from class_management_service.api.common import actor, json_response
from class_management_service.api.views import course_v1
from class_management_service.domain.roster.classes import ClassService
from common_core.class_api import CourseListV1

courses_bp = Blueprint("courses", __name__, url_prefix="/internal/v1/courses")


@courses_bp.get("")
async def list_courses(service: FromDishka[ClassService]) -> Response:
    """Every course (CourseListV1)."""
    actor()  # only gateway requests (with a teacher) are served
    courses = await service.courses()
    return json_response(CourseListV1(items=[course_v1(c) for c in courses]))
