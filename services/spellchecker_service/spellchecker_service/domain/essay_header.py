"""The essay's header lines are never checked: the rule is shared with the Grammar Service and
lives in huleedu_service_libs.essay_header."""

from huleedu_service_libs.essay_header import HEADER_LINES, header_spans, in_header

__all__ = ["HEADER_LINES", "header_spans", "in_header"]
