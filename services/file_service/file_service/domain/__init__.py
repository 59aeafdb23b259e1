"""The pure domain of file_service: file types, text extraction, validation, headers, courses."""

from __future__ import annotations

from file_service.domain.course_check import MixedCourses, find_mixed_courses
from file_service.domain.course_header import NamedCourse, find_course
from file_service.domain.errors import FileRejected
from file_service.domain.extraction import extract_text
from file_service.domain.file_types import FileType, detect_file_type
from file_service.domain.limits import ValidationLimits
from file_service.domain.student_header import ParsedHeader, parse_student_header
from file_service.domain.text_decoding import decode_text
from file_service.domain.validation import (
    AcceptedFile,
    RejectedFile,
    sanitize_filename,
    validate_file,
)

__all__ = [
    "AcceptedFile",
    "FileRejected",
    "FileType",
    "MixedCourses",
    "NamedCourse",
    "ParsedHeader",
    "RejectedFile",
    "ValidationLimits",
    "decode_text",
    "detect_file_type",
    "extract_text",
    "find_course",
    "find_mixed_courses",
    "parse_student_header",
    "sanitize_filename",
    "validate_file",
]
