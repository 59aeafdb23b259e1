"""Domain records as the contract's response models (common_core.class_api)."""

from __future__ import annotations

from class_management_service.domain.models import SchoolClass, Student
from class_management_service.domain.records import AuditRecord, AuthoredEssay, Course
from class_management_service.domain.roster.rosters import RosterImport
from class_management_service.domain.roster.students import StudentExport
from common_core.class_api import (
    AuditRecordV1,
    ClassDetailV1,
    ClassV1,
    CourseV1,
    EssayAssociationV1,
    RosterImportResultV1,
    StudentExportV1,
    StudentV1,
)


def course_v1(course: Course) -> CourseV1:
    """One course."""
    return CourseV1(
        course_code=course.course_code,
        name=course.name,
        language=course.language,
        level=course.level,
    )


def class_v1(school_class: SchoolClass) -> ClassV1:
    """A class without its roster."""
    c = school_class
    return ClassV1(
        class_id=c.class_id,
        name=c.name,
        course_code=c.course_code,
        student_count=c.student_count,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def student_v1(student: Student) -> StudentV1:
    """A student as the owning teacher sees them."""
    s = student
    return StudentV1(
        student_id=s.student_id,
        first_name=s.first_name,
        last_name=s.last_name,
        email=s.email,
        class_ids=list(s.class_ids),
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def class_detail_v1(school_class: SchoolClass, students: list[Student]) -> ClassDetailV1:
    """A class with its roster (student_count is the roster's length, placeholder included)."""
    c = school_class
    return ClassDetailV1(
        class_id=c.class_id,
        name=c.name,
        course_code=c.course_code,
        student_count=len(students),
        created_at=c.created_at,
        updated_at=c.updated_at,
        students=[student_v1(s) for s in students],
    )


def roster_import_v1(result: RosterImport) -> RosterImportResultV1:
    """What a roster import did."""
    return RosterImportResultV1(
        class_id=result.school_class.class_id,
        created_count=result.created_count,
        existing_count=result.existing_count,
        students=[student_v1(s) for s in result.students],
    )


def _essay_v1(essay: AuthoredEssay, student: Student) -> EssayAssociationV1:
    # Name the decided author, and show what the essay's header says, only when this
    # student is the author (or the pending suggestion): where the teacher chose another
    # student, the header is that student's name and email, not part of this student's data.
    is_author = essay.student_id == student.student_id
    return EssayAssociationV1(
        batch_id=essay.batch_id,
        essay_id=essay.essay_id or "",  # a file not yet an essay (batch still filling)
        file_upload_id=essay.file_upload_id,
        filename=essay.filename,
        parsed_name=essay.parsed_name if is_author else None,
        parsed_email=essay.parsed_email if is_author else None,
        suggested_student_id=essay.suggested_student_id,
        student_id=essay.student_id,
        student_name=student.full_name if is_author else None,
        confidence=max(0.0, min(1.0, essay.confidence)),
        method=essay.method,
        status=essay.status,
        updated_at=essay.updated_at,
    )


def _audit_v1(record: AuditRecord) -> AuditRecordV1:
    return AuditRecordV1(
        action=record.action,
        actor_user_id=record.actor_user_id,
        occurred_at=record.occurred_at,
        correlation_id=record.correlation_id,
        class_id=record.class_id,
    )


def export_v1(export: StudentExport) -> StudentExportV1:
    """Everything stored about the student."""
    return StudentExportV1(
        student=student_v1(export.student),
        classes=[class_v1(c) for c in export.classes],
        associations=[_essay_v1(e, export.student) for e in export.essays],
        audit=[_audit_v1(a) for a in export.audit],
        exported_at=export.exported_at,
    )
