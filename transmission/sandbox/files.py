"""The sandbox's directory holds what it received (clear passport numbers) and its keys: readable
by its owner only, whatever the umask, and tightened where an older run left it open."""

from __future__ import annotations

import os
from pathlib import Path

DIRECTORY_MODE, FILE_MODE = 0o700, 0o600


def owner_only_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    directory.chmod(DIRECTORY_MODE)
    for path in directory.iterdir():
        if path.is_file():
            path.chmod(FILE_MODE)


def create_owner_only(path: Path) -> None:
    """The file made empty for its owner if it is missing (SQLite gives its journal files the same mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))


def write_owner_only(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
