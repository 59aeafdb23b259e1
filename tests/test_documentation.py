"""Docs that disagree with the code are bugs: check the ones that list code facts."""

from __future__ import annotations

import re
from pathlib import Path

from common_core.topics import ALL_TOPICS, EVENT_TOPICS, key_field_for
from huleedu_service_libs.config import InfraSettings

ROOT = Path(__file__).resolve().parents[1]


def test_events_doc_lists_exactly_the_registry_topics_and_models() -> None:
    text = (ROOT / "documentation" / "events.md").read_text()
    rows = re.findall(r"^\| `(huleedu\.[a-z0-9.]+)` \| `(\w+)` \|", text, flags=re.M)
    assert dict(rows) == {topic: model.__name__ for model, topic in EVENT_TOPICS.items()}
    assert len(rows) == len(ALL_TOPICS)


def test_events_doc_gives_each_topic_the_registry_record_key() -> None:
    text = (ROOT / "documentation" / "events.md").read_text()
    keys = re.findall(
        r"^\| `(huleedu\.[a-z0-9.]+)` \| `\w+` \| [^|]+ \| (\w+) \|$", text, flags=re.M
    )
    assert dict(keys) == {topic: key_field_for(model) for model, topic in EVENT_TOPICS.items()}


def test_events_doc_names_the_contract_files_and_their_command() -> None:
    text = (ROOT / "documentation" / "events.md").read_text()
    for fact in ("documentation/asyncapi.yaml", "libs/common_core/schemas/", "make contracts"):
        assert fact in text, f"documentation/events.md does not mention {fact}"
    assert "\ncontracts: ##" in (ROOT / "Makefile").read_text()


def test_readme_and_infra_doc_give_the_default_ports() -> None:
    infra = InfraSettings.model_construct()
    defaults = {name: field.default for name, field in InfraSettings.model_fields.items()}
    del infra
    for doc in ("README.md", "documentation/local-infrastructure.md"):
        text = (ROOT / doc).read_text()
        for key in ("pg_port", "redis_port", "kafka_port", "languagetool_port"):
            assert str(defaults[key]) in text, f"{doc} does not mention {key}={defaults[key]}"


def test_readme_gives_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make up" in text
    assert "make test" in text
