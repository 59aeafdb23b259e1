"""HuleEdu teacher flow: what teachers experience, from upload to results and live progress."""

from __future__ import annotations

from .panels import Query, Row, Spec, Threshold, graph, single

DAY = 24 * 3600
# StudentAssociationsNearAutoConfirm fires from here on.
NEAR_AUTO_CONFIRM = 20 * 3600


def quantiles(histogram: str, by: str = "") -> tuple[Query, ...]:
    """p50 and p95 of a histogram over the last hour, optionally per label."""
    labels = f"{by}, le" if by else "le"
    legend = f"{{{{{by}}}}} " if by else ""
    return tuple(
        Query(
            f"histogram_quantile({q}, sum by ({labels}) (rate({histogram}_bucket[1h])))",
            f"{legend}p{round(q * 100)}",
        )
        for q in (0.5, 0.95)
    )


BATCHES = Row(
    "Batches",
    (
        graph(
            "Batches registered by course (1 h)",
            "Batches teachers registered in the last hour, per course.",
            Query("sum by (course) (increase(huleedu_batches_registered_total[1h]))", "{{course}}"),
            width=6,
        ),
        graph(
            "Batches ready (1 h)",
            "Batches that became ready in the last hour: every essay, or partial after a timeout.",
            Query(
                "sum by (partial) (increase(huleedu_batches_ready_total[1h]))",
                "partial={{partial}}",
            ),
            width=6,
        ),
        graph(
            "Batches finished by outcome (1 h)",
            "Pipelines that finished in the last hour: completed, with failures, or failed.",
            Query(
                "sum by (outcome) (increase(huleedu_batches_completed_total[1h]))", "{{outcome}}"
            ),
            width=6,
        ),
        graph(
            "Phases past their deadline",
            "Batches whose phase is still running after its deadline, per phase.",
            Query("sum by (phase) (huleedu_phases_past_deadline)", "{{phase}}"),
            width=6,
        ),
    ),
)

TIMES = Row(
    "Time to results",
    (
        graph(
            "Upload to ready",
            "From a batch's first accepted upload to its readiness (last hour).",
            *quantiles("huleedu_batch_upload_to_ready_seconds"),
            unit="s",
        ),
        graph(
            "Ready to results",
            "From a pipeline request to the teacher's results being ready (last hour).",
            *quantiles("huleedu_batch_ready_to_results_seconds"),
            unit="s",
        ),
        graph(
            "Phase duration",
            "How long each pipeline phase took (last hour).",
            *quantiles("huleedu_pipeline_phase_duration_seconds", by="phase"),
            unit="s",
        ),
    ),
)

ESSAYS = Row(
    "Essays",
    (
        graph(
            "Essays uploaded by file type (1 h)",
            "Files accepted as essays in the last hour, per file type.",
            Query(
                "sum by (file_type) (increase(huleedu_essays_uploaded_total[1h]))", "{{file_type}}"
            ),
            width=6,
        ),
        graph(
            "Files rejected by reason (1 h)",
            "Uploaded files refused in the last hour, per error code.",
            Query(
                "sum by (error_code) (increase(huleedu_essays_rejected_total[1h]))",
                "{{error_code}}",
            ),
            width=6,
        ),
        graph(
            "Essays spell checked (1 h)",
            "Essays spell checked in the last hour, per language and outcome.",
            Query(
                "sum by (language, outcome) (increase(huleedu_essays_spellchecked_total[1h]))",
                "{{language}} {{outcome}}",
            ),
            width=6,
        ),
        graph(
            "Misspellings per essay",
            "Misspellings found per spell-checked essay, per language (last hour).",
            Query(
                "sum by (language) (increase(huleedu_misspellings_found_total[1h]))"
                " / sum by (language) (increase(huleedu_essays_spellchecked_total[1h]))",
                "{{language}}",
            ),
            width=6,
        ),
        graph(
            "Essays grammar checked (1 h)",
            "Essays grammar checked with LanguageTool in the last hour, per language and outcome.",
            Query(
                "sum by (language, outcome) (increase(huleedu_essays_grammar_checked_total[1h]))",
                "{{language}} {{outcome}}",
            ),
            width=12,
        ),
        graph(
            "Grammar matches per essay by category",
            "LanguageTool matches reported per grammar-checked essay (last hour), per category.",
            Query(
                "sum by (category) (increase(huleedu_grammar_matches_found_total[1h]))"
                " / scalar(sum(increase(huleedu_essays_grammar_checked_total[1h])))",
                "{{category}}",
            ),
            width=12,
        ),
    ),
)

AUTHORS = Row(
    "Classes and essay authors",
    (
        single(
            "Students imported (1 h)",
            "Students created from roster imports in the last hour.",
            Query("sum(increase(huleedu_students_imported_total[1h]))", "students"),
            width=8,
        ),
        single(
            "Author associations confirmed (1 h)",
            "Essay-student associations confirmed in the last hour, by a teacher or the timeout.",
            Query(
                "sum by (method) (increase(huleedu_associations_confirmed_total[1h]))",
                "{{method}}",
            ),
            width=8,
        ),
        single(
            "Oldest batch awaiting its authors",
            "At 24 h the timeout monitor confirms the suggestions itself; the alert fires at 20 h.",
            Query("max(huleedu_associations_pending_oldest_age_seconds)", "oldest"),
            unit="s",
            width=8,
            thresholds=(Threshold(NEAR_AUTO_CONFIRM, "orange"), Threshold(DAY, "red")),
        ),
    ),
)

LIVE = Row(
    "Live progress",
    (
        graph(
            "Open teacher sockets",
            "WebSockets open at the gateway processes.",
            Query("sum(huleedu_ws_sockets)", "sockets"),
            width=12,
        ),
        graph(
            "Notifications delivered",
            "Notifications delivered to sockets per second: live, or replayed on reconnect.",
            Query("sum by (kind) (rate(huleedu_ws_deliveries_total[5m]))", "{{kind}}"),
            unit="ops",
            width=12,
        ),
    ),
)

TEACHER_FLOW = Spec(
    uid="huleedu-teacher-flow",
    title="HuleEdu teacher flow",
    description="What teachers see: batches, time to results, essays, authors, live progress.",
    rows=(BATCHES, TIMES, ESSAYS, AUTHORS, LIVE),
)
