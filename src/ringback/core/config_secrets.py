"""Secrets generated on first start and kept in the data folder (mode 0600).

Two processes may start at once; the file is written under a temporary name and then
hard-linked into place, which fails if the other process won, so both end up using
the same value and nobody ever reads a half-written file.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from ringback.core.errors import ConfigError

FILE_MODE = 0o600
DIR_MODE = 0o700


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_signing_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def read_or_create(path: Path, generate: Callable[[], str]) -> str:
    """The secret stored at ``path``, creating it with ``generate()`` the first time."""
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    existing = _read(path)
    if existing is not None:
        return existing
    value = generate()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            # Another process created it first: use theirs.
            winner = _read(path)
            if winner is None:
                raise ConfigError(f"{path} is empty; delete it to generate a new one") from None
            return winner
    finally:
        temporary.unlink(missing_ok=True)
    return value


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    if not text:
        raise ConfigError(f"{path} is empty; delete it to generate a new one")
    # Someone may have copied the file in with a loose mode; a secret stays private.
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(FILE_MODE)
    return text
