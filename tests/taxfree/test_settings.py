"""Settings read from the environment: the sandbox's addresses follow its ports."""

from __future__ import annotations

import runpy
from pathlib import Path

import environ
import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "taxfree" / "settings.py"
ADDRESSES = ("SANDBOX_PORT", "SANDBOX_CONTROL_PORT", "NTA_API_URL", "NTA_SANDBOX_CONTROL_URL")


def settings_from(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict:
    """The settings module run afresh on this environment alone (no .env file)."""
    for name in ADDRESSES:
        monkeypatch.delenv(name, raising=False)
    for name, value in {"DEBUG": "true", **environment}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda cls, *args, **kwargs: None))
    return runpy.run_path(str(SETTINGS))


def test_the_nta_addresses_follow_the_sandboxs_ports(monkeypatch):
    moved = settings_from(monkeypatch, SANDBOX_PORT="8111", SANDBOX_CONTROL_PORT="8112")
    assert (moved["NTA_API_URL"], moved["NTA_SANDBOX_CONTROL_URL"]) == (
        "https://127.0.0.1:8111",
        "http://127.0.0.1:8112",
    )
    default = settings_from(monkeypatch)
    assert (default["NTA_API_URL"], default["NTA_SANDBOX_CONTROL_URL"]) == (
        "https://127.0.0.1:8443",
        "http://127.0.0.1:8444",
    )


def test_an_address_given_outright_wins_over_the_ports(monkeypatch):
    given = settings_from(monkeypatch, SANDBOX_PORT="8111", NTA_API_URL="https://nta.example.jp")
    assert (given["NTA_API_URL"], given["SANDBOX_PORT"]) == ("https://nta.example.jp", 8111)
