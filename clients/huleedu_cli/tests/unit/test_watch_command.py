"""`huleedu watch` and `huleedu pipeline run --watch` over the fake gateway's WebSocket."""

from __future__ import annotations

import json
from typing import Any


def note(
    kind: str, batch_id: str = "b-1", params: dict[str, Any] | None = None, **payload: Any
) -> dict[str, Any]:
    """A notification message as the gateway forwards it."""
    return {
        "type": "notification",
        "event_id": f"ev-{kind}-{batch_id}",
        "notification_type": kind,
        "category": "batch_progress",
        "priority": "standard",
        "batch_id": batch_id,
        "message": f"{kind} happened",
        "payload": payload,
        "params": params or {},
        "timestamp": "2025-03-01T12:00:05+00:00",
    }


RUN = [
    {"type": "ping"},
    note("phase_started"),
    note("essay_results_available", params={"processed_count": 1, "expected_count": 2}),
    note("batch_results_ready", batch_id="b-2"),  # another batch of the teacher: not ours
    note("essay_results_available", params={"processed_count": 2, "expected_count": 2}),
    note("phase_completed"),
    note("batch_results_ready"),
]


RESULTS = {"processed_count": 2, "failed_count": 0}


class TestNotificationLanguage:
    def test_texts_are_rendered_in_swedish_by_default(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[note("batch_results_ready", params=RESULTS)]]

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert "Resultaten är klara: 2 uppsats(er) bearbetade" in result.stdout

    def test_lang_en_renders_the_catalogue_in_english(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        denied = {"variant": "already_running", "pipeline": "spellcheck"}
        cli.gateway.ws_scripts = [[note("pipeline_denied", params=denied)]]

        result = cli("--lang", "en", "watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 1
        assert "Stopped: A pipeline is already running for the batch." in result.stdout

    def test_a_code_the_catalogue_does_not_know_shows_the_gateways_text(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[note("something_new"), note("batch_results_ready")]]

        result = cli("--lang", "en", "watch", "b-1", "--until-done", "--timeout", "20")

        assert "something_new [b-1] something_new happened" in result.stdout


class TestWatchUntilDone:
    def test_answers_pings_and_exits_0_when_results_are_ready(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [RUN]

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert cli.gateway.pongs == 1
        assert "phase_started [b-1]" in result.stdout
        assert "2/2" in result.stdout
        assert "b-2" not in result.stdout
        assert "Done (batch_results_ready)" in result.stdout

    def test_json_prints_one_line_per_notification_of_the_batch(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [RUN]

        result = cli("--json", "watch", "b-1", "--until-done", "--timeout", "20")

        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.exit_code == 0
        assert [n["notification_type"] for n in lines] == [
            "phase_started",
            "essay_results_available",
            "essay_results_available",
            "phase_completed",
            "batch_results_ready",
        ]

    def test_pipeline_denied_exits_1(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="ready_for_pipeline")
        cli.gateway.ws_scripts = [[note("pipeline_denied")]]

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 1
        assert "Stopped: pipeline_denied happened" in result.stdout

    def test_pipeline_completed_without_results_notification_exits_0(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[note("pipeline_completed")]]

        result = cli("watch", "b-1", "--until-done", "--results-grace", "0.2", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert "Done (pipeline_completed)" in result.stdout

    def test_a_batch_already_finished_ends_at_once(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="completed", completed_at="2025-03-01T12:10:00+00:00")

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert "Done (batch completed)" in result.stdout

    def test_timeout_exits_1_with_a_timeout_error(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")

        result = cli("--json", "watch", "b-1", "--until-done", "--timeout", "0.3")

        assert result.exit_code == 1
        assert json.loads(result.stderr)["error"]["code"] == "TIMEOUT"


class TestWatchConnection:
    def test_reconnects_once_with_a_new_ticket(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [
            [note("phase_started"), {"type": "close"}],
            [note("batch_results_ready")],
        ]

        result = cli("--json", "watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert cli.gateway.ws_tickets == ["ticket-1", "ticket-2"]
        assert len(result.stdout.splitlines()) == 2

    def test_the_reconnect_resumes_after_the_last_notification_of_any_batch(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [
            [note("phase_started"), note("batch_registered", batch_id="b-9"), {"type": "close"}],
            [note("batch_results_ready")],
        ]

        result = cli("--json", "watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert cli.gateway.ws_resumed_after == [None, "ev-batch_registered-b-9"]

    def test_a_second_drop_is_an_error(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[{"type": "close"}], [{"type": "close"}]]

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 1
        assert "dropped again after reconnecting" in result.stderr

    def test_a_refused_ticket_is_not_retried(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[{"type": "close", "code": 1008, "reason": "expired ticket"}]]

        result = cli("watch", "b-1", "--until-done", "--timeout", "20")

        assert result.exit_code == 1
        assert cli.gateway.ws_tickets == ["ticket-1"]
        assert "refused the live connection (close code 1008): expired ticket." in result.stderr

    def test_without_until_done_the_timeout_just_ends_watching(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.ws_scripts = [[note("batch_registered", batch_id="b-5")]]

        result = cli("watch", "--timeout", "0.5")

        assert result.exit_code == 0, result.output
        assert "batch_registered [b-5]" in result.stdout
        assert "Stopped watching after 0.5 s." in result.stdout

    def test_watch_needs_a_token(self, cli: Any) -> None:
        result = cli("watch", "b-1", "--timeout", "1")

        assert result.exit_code == 1
        assert "huleedu login" in result.stderr


class TestPipelineRunWatch:
    def test_requests_once_subscribed_and_follows_to_the_results(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="ready_for_pipeline")
        cli.gateway.ws_scripts = [RUN]

        result = cli("--json", "pipeline", "run", "b-1", "--watch", "--timeout", "20")

        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.exit_code == 0, result.output
        assert cli.gateway.pipeline_requests == [{"pipeline": "spellcheck"}]
        assert lines[0]["request_id"] == "req-1"
        assert lines[-1]["notification_type"] == "batch_results_ready"

    def test_a_second_ready_does_not_request_the_pipeline_again(self, cli: Any) -> None:
        cli.signed_in()
        cli.gateway.add_batch("b-1", status="processing")
        cli.gateway.ws_scripts = [[{"type": "ready"}, note("batch_results_ready")]]

        result = cli("pipeline", "run", "b-1", "--watch", "--timeout", "20")

        assert result.exit_code == 0, result.output
        assert cli.gateway.pipeline_requests == [{"pipeline": "spellcheck"}]
        assert "Done (batch_results_ready)" in result.stdout
