"""Where the CLI finds the gateway and the teacher's token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from common_core.notifications import DEFAULT_LOCALE, Locale

DEFAULT_API_URL = "http://127.0.0.1:8080"
TOKEN_FILE_NAME = "token"  # noqa: S105 - a file name, not a secret


def config_dir() -> Path:
    """`$HULEEDU_CONFIG_DIR`, else ~/.config/huleedu."""
    override = os.environ.get("HULEEDU_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    return Path.home() / ".config" / "huleedu"


def token_path() -> Path:
    """The file `huleedu login` writes the token to."""
    return config_dir() / TOKEN_FILE_NAME


def save_token(token: str) -> Path:
    """Write the token readable by its owner only (0600), replacing any earlier one."""
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Create with 0600 from the start so the secret is never briefly world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    return path


def load_token() -> str | None:
    """The saved token, or None when nobody has logged in."""
    path = token_path()
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


@dataclass(frozen=True)
class CliSettings:
    """Global options, resolved once per invocation."""

    api_url: str
    token: str | None
    json_output: bool
    # The language notifications are shown in (--lang / HULEEDU_LANG).
    locale: Locale = DEFAULT_LOCALE

    def resolved_token(self) -> str | None:
        """The --token/HULEEDU_TOKEN value, else the token saved by `huleedu login`."""
        return self.token or load_token()
