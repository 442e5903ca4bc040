"""Where the CLI keeps the service's URL and the token `reports login` got.

A JSON file in the user's config directory (platformdirs; XDG_CONFIG_HOME is
respected), readable by its owner only. REPORTS_URL and REPORTS_TOKEN, when set,
win over it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path

from client.cli.exit_codes import UsageError

URL_VARIABLE = "REPORTS_URL"
TOKEN_VARIABLE = "REPORTS_TOKEN"
DEFAULT_URL = "http://127.0.0.1:8000"
CONFIG_FILE = "credentials.json"


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str | None


def config_file() -> Path:
    return user_config_path("reports") / CONFIG_FILE


def _stored() -> dict[str, str]:
    try:
        stored = json.loads(config_file().read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {key: value for key, value in stored.items() if isinstance(value, str)}


def normal_url(url: str) -> str:
    """`url` as stored and compared: a scheme, no trailing slash; UsageError otherwise."""
    url = url.strip().rstrip("/")
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        raise UsageError(f"{url!r} is not a service URL like http://127.0.0.1:8000")
    return f"{scheme.lower()}://{rest}"


def credentials(url: str | None = None) -> Credentials:
    """The URL (the argument, else REPORTS_URL, else the stored one, else the local
    default) and token (REPORTS_TOKEN, else the stored one for that URL)."""
    stored = _stored()
    chosen = normal_url(url or os.environ.get(URL_VARIABLE) or stored.get("url") or DEFAULT_URL)
    token = os.environ.get(TOKEN_VARIABLE) or (
        stored.get("token") if stored.get("url") == chosen else None
    )
    return Credentials(chosen, token)


def stored_credentials() -> Credentials | None:
    """What `reports login` stored, if anything."""
    stored = _stored()
    if "url" not in stored or "token" not in stored:
        return None
    return Credentials(stored["url"], stored["token"])


def store(url: str, token: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    # Written whole to a file made owner-only from the start, then put in place.
    partial = path.with_suffix(".tmp")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"url": normal_url(url), "token": token}, file)
    os.replace(partial, path)
    return path


def forget() -> None:
    config_file().unlink(missing_ok=True)
