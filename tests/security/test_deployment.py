"""Headers, the schema's access, start-up checks and commands that fail cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from taxfree.checks import field_keys

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


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
