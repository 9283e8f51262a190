"""Headers, the schema's access, start-up checks and commands that fail cleanly."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import Client

from taxfree.checks import field_keys, production_exposure, production_keys
from taxfree.devkeys import DEV_SECRET, dev_fernet_key

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def test_every_page_has_a_content_security_policy_without_inline_code(client, clerk):
    client.force_login(clerk)
    policy = client.get("/staff/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy


def test_no_template_carries_inline_script_style_or_handlers():
    for path in TEMPLATES.rglob("*.html"):
        if path.parent.name == "documents":
            continue  # laid out into PDFs by WeasyPrint, never served to a browser
        text = path.read_text()
        assert not re.search(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", text), path


def test_only_the_customer_step_may_use_the_camera(client, clerk, store):
    client.force_login(clerk)
    assert "camera=(self)" in client.get(f"/staff/stores/{store.pk}/sale/")["Permissions-Policy"]
    assert "camera=()" in client.get("/staff/")["Permissions-Policy"]


def test_the_schema_needs_a_login_when_debug_is_off(settings):
    settings.DEBUG = False
    assert Client().get("/api/schema/").status_code in (401, 403)
    settings.DEBUG = True
    assert Client().get("/api/schema/").status_code == 200


def test_unusable_encryption_keys_stop_the_start(settings):
    settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY = ["not-a-key"], "short"
    assert {e.id for e in field_keys()} == {"taxfree.E001", "taxfree.E002"}
    settings.FIELD_ENCRYPTION_KEYS = []
    assert "taxfree.E001" in {e.id for e in field_keys()}


def test_certificate_import_without_a_terminal_says_how_to_give_the_password(tmp_path):
    p12 = tmp_path / "c.p12"
    p12.write_bytes(b"not really")
    with pytest.raises(CommandError, match="--password-file"):
        call_command("certificate_import", "--identifier", "1" * 21, "--file", str(p12))
    secret = tmp_path / "pw"
    secret.write_text("pw\n")
    with pytest.raises(CommandError, match="PKCS#12"):  # read the password, then refused the file cleanly
        call_command("certificate_import", "--identifier", "1" * 21, "--file", str(p12), "--password-file", str(secret))


def production_environment() -> dict[str, str]:
    """Production settings as an operator makes them (and as .ci/run does): keys of their own."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "shop.example",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(50),
        "NTA_API_URL": "https://nta.example.jp",
    }


@pytest.fixture
def production(settings):
    settings.DEBUG, settings.SECRET_KEY = False, secrets.token_urlsafe(50)
    settings.ALLOWED_HOSTS, settings.NTA_API_URL, settings.OTP_REQUIRED = (
        ["shop.example"],
        "https://nta.example.jp",
        True,
    )
    settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY = (
        [Fernet.generate_key().decode()],
        secrets.token_urlsafe(50),
    )
    return settings


def findings() -> set[str]:
    return {message.id for message in [*production_keys(), *production_exposure()]}


def test_production_settings_of_their_own_pass_the_deployment_check(production):
    assert findings() == set()


@pytest.mark.parametrize(
    ("setting", "value", "finding"),
    [
        ("SECRET_KEY", DEV_SECRET, "taxfree.E003"),
        ("SECRET_KEY", "dev-only-insecure-but-edited", "taxfree.E003"),
        ("FIELD_ENCRYPTION_KEYS", [Fernet.generate_key().decode(), dev_fernet_key("fields")], "taxfree.E004"),
        ("FIELD_HASH_KEY", dev_fernet_key("hash"), "taxfree.E004"),
        ("ALLOWED_HOSTS", ["shop.example", "*"], "taxfree.E006"),
        ("NTA_API_URL", "http://nta.example.jp", "taxfree.E007"),
        ("NTA_API_URL", "nta.example.jp", "taxfree.E007"),
        ("OTP_REQUIRED", False, "taxfree.W001"),
    ],
)
def test_each_public_key_or_open_door_is_a_deployment_finding(production, setting, value, finding):
    setattr(production, setting, value)
    assert findings() == {finding}


def test_the_hash_key_is_a_key_of_its_own(production):
    production.FIELD_HASH_KEY = production.FIELD_ENCRYPTION_KEYS[0]
    assert findings() == {"taxfree.E005"}
    production.FIELD_HASH_KEY = production.SECRET_KEY
    assert findings() == {"taxfree.E005"}


def deploy_check(**environment: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    env = {**os.environ, **environment}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_deployment_check_stops_on_the_repositorys_development_settings():
    development = {
        "SECRET_KEY": DEV_SECRET,
        "FIELD_ENCRYPTION_KEYS": dev_fernet_key("fields"),
        "FIELD_HASH_KEY": dev_fernet_key("fields"),
        "ALLOWED_HOSTS": "*",
        "OTP_REQUIRED": "false",
        "NTA_API_URL": "http://127.0.0.1:8443",
    }
    refused = deploy_check(**{**production_environment(), **development})
    assert refused.returncode == 1
    for finding in ("E003", "E004", "E005", "E006", "E007", "W001"):
        assert f"taxfree.{finding}" in refused.stderr, finding
    assert deploy_check(**production_environment()).returncode == 0
