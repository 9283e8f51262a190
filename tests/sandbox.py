"""The NTA sandbox for the transmission tests: a real HTTPS server with client-certificate
authentication on free ports, started once; each test starts from an empty sandbox in mode ok."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests

from stores.certificates import certificate_import
from transmission import client
from transmission.sandbox.server import Sandbox

RUNNING: dict[str, Sandbox] = {}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    server = Sandbox(tmp_path_factory.mktemp("sandbox"), port=0, control_port=0, slow_seconds=2).start()
    RUNNING["sandbox"] = server
    yield server
    server.stop()


@pytest.fixture
def nta(sandbox, settings):
    settings.NTA_API_URL, settings.NTA_CA_BUNDLE = sandbox.url, str(sandbox.ca_bundle)
    settings.NTA_READ_TIMEOUT, settings.NTA_CONNECT_TIMEOUT = 1.0, 1.0
    requests.post(f"{sandbox.control_url}/sandbox/reset", timeout=5)
    sandbox.set_mode("ok", delay=2, every=2)
    yield sandbox
    client.forget_sessions()


def received(*_ignored) -> list[dict]:
    """What the sandbox of this test session holds (its control API)."""
    url = RUNNING["sandbox"].control_url
    return requests.get(f"{url}/sandbox/records", timeout=5).json()["records"]


def import_certificate(sandbox, identifier: str, *, days: int = 365):
    now = datetime.now().astimezone()
    issued = sandbox.ca.issue_client(identifier, now - timedelta(days=1), now + timedelta(days=days))
    return certificate_import(
        actor=None, identifier=identifier, data=issued.pkcs12(b"secret-pw"), password=b"secret-pw"
    )


@pytest.fixture
def certified(nta, store):
    """The store with its client certificate from the sandbox CA."""
    import_certificate(nta, store.identifier)
    return store


def through_customs(number: str, **fields) -> requests.Response:
    """The customer passes customs in the sandbox (its control API)."""
    url = RUNNING["sandbox"].control_url
    return requests.post(f"{url}/sandbox/customs", json={"transmission_number": number, **fields}, timeout=5)


def customs_pass(sale, **fields):
    """Send the sale's record, let the customer through customs (every item unless `missing_lines`)
    and pull: the record as the shop then sees it."""
    from transmission.customs.pull import confirmations_pull
    from transmission.dispatch import record_send

    record = sale.record
    assert record_send(record.pk) in ("ok", "warning")
    record.refresh_from_db()
    assert through_customs(record.transmission_number, **fields).status_code == 201
    confirmations_pull()
    record.refresh_from_db()
    return record
