"""Write the contracts (`make contracts`): AsyncAPI, a schema per topic, notification texts.

Usage: contracts.py [--check]. Writes documentation/asyncapi.yaml,
libs/common_core/schemas/<topic>.json (the JSON Schema of the topic's message value) and
documentation/notifications.json (the notification texts, which the web app's test compares
its own vue-i18n copy with). Refuses, writing nothing, when a topic's model would refuse
messages its committed schema allowed (see "Contracts" in documentation/events.md: such a
change needs a new topic version). With --check, writes nothing and exits 1 when a file is
stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from common_core.notifications import catalogue_document
from common_core.schema_compat import BreakingChange, message_schema, topic_breaking_changes
from common_core.topics import EVENT_TOPICS
from huleedu_service_libs.kafka.asyncapi import asyncapi_document

ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI = Path("documentation/asyncapi.yaml")
NOTIFICATIONS = Path("documentation/notifications.json")
SCHEMAS = Path("libs/common_core/schemas")
REGENERATE = "make contracts"


class _Dumper(yaml.SafeDumper):
    """Writes repeated mappings out in full: anchors and aliases would only confuse readers."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Multi-line descriptions as literal blocks, so they read like the docstrings they are.
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    )


_Dumper.add_representer(str, _represent_str)


def render_asyncapi() -> str:
    """documentation/asyncapi.yaml as the registry and models describe it now."""
    # No line folding: a description stays on one line, easy to read and to grep.
    return yaml.dump(
        asyncapi_document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000
    )


def schema_path(topic: str) -> Path:
    """Where a topic's committed schema lives, relative to the repository root."""
    return SCHEMAS / f"{topic}.json"


def rendered_files() -> dict[Path, str]:
    """Every generated file (relative path -> text) as the code produces it now."""
    files = {ASYNCAPI: render_asyncapi()}
    texts = json.dumps(catalogue_document(), indent=2, ensure_ascii=False)
    files[NOTIFICATIONS] = texts + "\n"
    for model, topic in EVENT_TOPICS.items():
        text = json.dumps(message_schema(model), indent=2, ensure_ascii=False)
        files[schema_path(topic)] = text + "\n"
    return files


def breaking(root: Path) -> dict[str, list[BreakingChange]]:
    """Registry topics whose committed schema allows messages the current model would refuse."""
    found: dict[str, list[BreakingChange]] = {}
    for model, topic in EVENT_TOPICS.items():
        committed = root / schema_path(topic)
        if committed.is_file():  # a new topic version has nothing committed yet
            changes = topic_breaking_changes(json.loads(committed.read_text()), model)
            if changes:
                found[topic] = changes
    return found


def stale_files(root: Path, files: dict[Path, str] | None = None) -> list[Path]:
    """Generated files under `root` that are missing or differ from `files` (the code's output)."""
    files = rendered_files() if files is None else files
    return [
        name
        for name, text in files.items()
        if not (root / name).is_file() or (root / name).read_text() != text
    ]


def write_files(root: Path, files: dict[Path, str] | None = None) -> list[Path]:
    """Write every stale generated file under `root`; return the ones written."""
    files = rendered_files() if files is None else files
    changed = stale_files(root, files)
    for name in changed:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(files[name])
    return changed


def report_breaking(found: dict[str, list[BreakingChange]]) -> str:
    """What the gate refuses, and the way out, for people reading a test failure or the CLI."""
    lines = [f"{topic}: {change}" for topic, changes in found.items() for change in changes]
    lines.append(
        "These changes would refuse messages the topic already carries. Keep the field (optional "
        "is fine) or publish the new shape on a new topic version (.v2): documentation/events.md."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or with --check, verify) the AsyncAPI document and the committed schemas."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify; write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    refused = breaking(args.root)
    if refused:
        print(report_breaking(refused), file=sys.stderr)
        return 1
    files = rendered_files()
    if args.check:
        stale = stale_files(args.root, files)
        for name in stale:
            print(f"stale: {name} (run {REGENERATE})", file=sys.stderr)
        return 1 if stale else 0
    changed = write_files(args.root, files)
    for name in changed:
        print(f"wrote: {name}")
    print(f"{len(files) - len(changed)} contract files unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
