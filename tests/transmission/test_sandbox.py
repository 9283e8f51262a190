"""The local NTA sandbox's own files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.factories import DocumentFactory, finalize, item
from transmission.dispatch import record_send
from transmission.sandbox.server import Sandbox

pytestmark = pytest.mark.django_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_what_the_sandbox_received_is_readable_by_its_owner_only(clerk, certified, nta):
    document = DocumentFactory(customer__store=certified, number="TZ1112223")
    assert record_send(finalize(clerk, document, [item(10_000)]).record.pk) == "ok"
    with sqlite3.connect(nta.directory / "sandbox.sqlite3") as db:
        assert "TZ1112223" in db.execute("SELECT body FROM received").fetchone()[0]  # in clear: the NTA's view
    assert mode(nta.directory) == 0o700
    assert {p.name: mode(p) for p in nta.directory.iterdir()} == {p.name: 0o600 for p in nta.directory.iterdir()}


def test_an_older_runs_open_files_are_tightened_whatever_the_umask(tmp_path):
    directory = tmp_path / "sandbox"
    directory.mkdir()
    for name in ("sandbox.sqlite3", "ca-cert.pem"):
        (directory / name).touch()
    os.chmod(directory, 0o755)
    for path in directory.iterdir():
        path.chmod(0o644)
    (directory / "ca-cert.pem").unlink()  # the CA is made again, under the umask below
    previous = os.umask(0o022)
    try:
        sandbox = Sandbox(directory, port=0, control_port=0).start()
    finally:
        os.umask(previous)
    try:
        names = {p.name: mode(p) for p in directory.iterdir()}
        assert {"sandbox.sqlite3", "sandbox.sqlite3-wal", "ca-cert.pem", "ca-key.pem", "server-key.pem"} <= set(names)
        assert mode(directory) == 0o700 and set(names.values()) == {0o600}, names
    finally:
        sandbox.stop()
