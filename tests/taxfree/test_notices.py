"""The notices outbox against a real SMTP server on a local port (tests/mailserver.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from taxfree.models import Notice
from taxfree.notices import notice_write, notices_send

pytestmark = pytest.mark.django_db


def write(key="sale:1:paid", to="alex@example.com", **kw):
    return notice_write(key=key, to=to, language="en", subject="Your refund", body="It was paid.", **kw)


def test_a_notice_is_written_once_per_key_and_sent_once(smtp):
    assert write() is True
    assert write() is False
    assert notices_send() == {"sent": 1}
    assert notices_send() == {}
    assert [m["To"] for m in smtp.received] == ["alex@example.com"]
    assert smtp.received[0]["Subject"] == "Your refund"
    assert Notice.objects.get().state == Notice.State.SENT


def test_the_address_and_the_text_are_encrypted_at_rest(db):
    write()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('SELECT "to", body FROM taxfree_notice')
        to, body = cursor.fetchone()
    assert "alex@example.com" not in to and "paid" not in body


def test_a_change_rolled_back_tells_nobody(smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        write()
        raise RuntimeError("the workflow failed after writing its notice")
    assert notices_send() == {} and smtp.received == []


def test_a_mail_server_that_is_down_delays_the_notice_and_changes_nothing_else(smtp):
    write()
    smtp.stop()
    assert notices_send() == {"retry": 1}
    notice = Notice.objects.get()
    assert notice.state == Notice.State.PENDING and "ConnectionRefused" in notice.last_error
    assert notice.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert notices_send() == {}  # not due yet
    smtp.start()
    assert notices_send(now=timezone.now() + timedelta(minutes=2)) == {"sent": 1}
    assert len(smtp.received) == 1


def test_the_back_off_grows_and_stops_at_an_hour(smtp):
    from taxfree.notices import backoff

    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30).total_seconds() == 3600


def test_an_address_the_server_refuses_ends_the_notice_as_failed(smtp):
    smtp.refuse.add("gone@example.com")
    write(to="gone@example.com")
    assert notices_send() == {"failed": 1}
    notice = Notice.objects.get()
    assert notice.state == Notice.State.FAILED and "550" in notice.last_error
    assert notices_send(now=timezone.now() + timedelta(days=1)) == {}


def test_a_notice_claimed_by_one_worker_is_not_sent_by_another(smtp):
    from taxfree.notices import _claim

    write()
    now = timezone.now()
    pk = Notice.objects.get().pk
    assert _claim(pk, now) is not None
    assert _claim(pk, now) is None
    assert notices_send(now=now) == {}
    # A worker that died mid-send frees it after the lease: sent then, once.
    assert notices_send(now=now + timedelta(minutes=3)) == {"sent": 1}
