"""What needs attention: certificates, e-certificates and filings, each event raised and e-mailed once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taxfree.models import AuditAction, audit, audits_together
from taxfree.roles import COMPLIANCE_OFFICER, Actor

from . import webhooks
from .models import Filing, JPKICertificate, NTACertificate, Reminder

CERTIFICATE_MILESTONES = (1, 7, 30, 60)  # days before expiry
FILING_SOON_DAYS = 7


@dataclass(frozen=True)
class Event:
    key: str
    business_id: int | None
    message: str  # untranslated (gettext_noop); shown to each reader in their language
    params: dict[str, Any]
    due_on: date | None
    url: str = ""
    partner: dict[str, Any] | None = None  # certificate.expiring's data, told to partners once with the reminder


def reminder_raise(
    *, key: str, business_id: int, message: str, params: dict[str, Any], due_on: date | None, url: str = ""
) -> bool:
    """One reminder per key: written with its subject in the office's language (as e-mailed) and its
    untranslated text, shown to each reader in theirs. True when it is new."""
    params = {k: v if isinstance(v, int) else str(v) for k, v in params.items()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = (_(message) % params)[:200]
    _reminder, created = Reminder.objects.get_or_create(
        key=key,
        defaults={
            "business_id": business_id,
            "subject": subject,
            "message": message,
            "params": params,
            "due_on": due_on,
            "url": url,
        },
    )
    return created


@transaction.atomic(durable=True)
def reminder_mark_done(*, actor: Actor, reminders: QuerySet[Reminder]) -> int:
    """The reminders not yet done marked done now, one audit row each; how many were marked."""
    now = timezone.now()
    open_ones = list(reminders.filter(done_at__isnull=True).select_for_update())
    with audits_together():
        for reminder in open_ones:
            audit(actor, AuditAction.REMINDER_MARK_DONE, reminder, reminder.subject)
    Reminder.objects.filter(pk__in=[r.pk for r in open_ones]).update(done_at=now)
    return len(open_ones)


def certificate_events(today: date) -> Iterator[Event]:
    for cert in NTACertificate.objects.with_newer().filter(not_after__date__gte=today - timedelta(days=1)):
        status = cert.status(today)
        if status in ("superseded", "expired", "not_yet_valid"):
            continue
        left = cert.days_left(today)
        milestone = next((m for m in CERTIFICATE_MILESTONES if left <= m), None)
        url = reverse("admin:stores_ntacertificate_change", args=[cert.pk])
        if milestone is not None:
            message = gettext_noop("NTA certificate %(id)s expires on %(day)s (%(left)s days left)")
            params = {"id": cert.identifier, "day": str(cert.expires_on), "left": left}
            expiring = {
                "certificate_id": cert.pk,
                "kind": "nta_client",
                "identifier": cert.identifier,
                "expires_on": cert.expires_on.isoformat(),
                "days_left": left,
            }
            key = f"nta:{cert.pk}:{milestone}d"
            yield Event(key, cert.business_id, message, params, cert.expires_on, url, expiring)
        if today >= cert.renewal_available_on:
            message = gettext_noop("The renewal certificate for %(id)s can be downloaded from the NTA CA now")
            yield Event(
                f"nta:{cert.pk}:renewal", cert.business_id, message, {"id": cert.identifier}, cert.expires_on, url
            )


def jpki_events(today: date) -> Iterator[Event]:
    for cert in JPKICertificate.objects.all():
        url = reverse("admin:stores_jpkicertificate_change", args=[cert.pk])
        if cert.revoked_on:
            message = gettext_noop("%(name)s's signature certificate was revoked: issue a new one")
            yield Event(
                f"jpki:{cert.pk}:revoked:{cert.revoked_on}",
                cert.business_id,
                message,
                {"name": cert.holder_name},
                None,
                url,
            )
        elif cert.renewal_opens_on <= today <= cert.expires_on:
            message = gettext_noop("%(name)s's My Number e-certificate (%(kind)s) expires on %(day)s: renew it")
            params = {"name": cert.holder_name, "kind": str(cert.get_kind_display()), "day": str(cert.expires_on)}
            expiring = {
                "certificate_id": cert.pk,
                "kind": f"jpki_{cert.kind}",
                "identifier": None,
                "expires_on": cert.expires_on.isoformat(),
                "days_left": (cert.expires_on - today).days,
            }
            key = f"jpki:{cert.pk}:renewal:{cert.expires_on}"
            yield Event(key, cert.business_id, message, params, cert.expires_on, url, expiring)


def filing_events(today: date) -> Iterator[Event]:
    todo = Filing.objects.filter(status=Filing.Status.TODO, due_on__isnull=False).select_related("store")
    for filing in todo.filter(due_on__lte=today + timedelta(days=FILING_SOON_DAYS)):
        due = cast(date, filing.due_on)  # the query keeps only filings with a due date
        label = {
            "filing": str(filing.get_kind_display()),
            "day": str(filing.due_on),
            "what": str(filing.temporary_site or filing.store or filing.business),
        }
        if due < today:
            stage, message = "overdue", gettext_noop("OVERDUE: %(filing)s for %(what)s was due on %(day)s")
        elif due <= today + timedelta(days=1):
            stage, message = "1d", gettext_noop("Due tomorrow or today: %(filing)s for %(what)s (%(day)s)")
        else:
            stage, message = "7d", gettext_noop("Due within 7 days: %(filing)s for %(what)s (%(day)s)")
        url = reverse("admin:stores_filing_change", args=[filing.pk])
        yield Event(
            f"filing:{filing.pk}:{filing.due_on}:{stage}", filing.business_id, message, label, filing.due_on, url
        )


def reminders_raise(today: date | None = None) -> list[Reminder]:
    # Written once and e-mailed as written: in the office's language, whoever runs the task.
    with translation.override(settings.LANGUAGE_CODE):
        return _raise(today or timezone.localdate())


def _raise(today: date) -> list[Reminder]:
    created = []
    for event in (*certificate_events(today), *jpki_events(today), *filing_events(today)):
        if event.business_id is None:
            continue
        if _event_raise(event, event.business_id):
            created.append(Reminder.objects.get(key=event.key))
    return created


@transaction.atomic
def _event_raise(event: Event, business_id: int) -> bool:
    new = reminder_raise(
        key=event.key,
        business_id=business_id,
        message=event.message,
        params=event.params,
        due_on=event.due_on,
        url=event.url,
    )
    if new and event.partner is not None:
        webhooks.event_emit(business_id=business_id, type="certificate.expiring", data=event.partner)
    return new


def recipients_for(reminder: Reminder) -> list[str]:
    officers = reminder.business.officers.filter(is_active=True)
    if not officers.exists():
        officers = get_user_model().objects.filter(is_active=True, groups__name=COMPLIANCE_OFFICER)
    return sorted({u.email for u in officers if u.email})


def reminders_send() -> int:
    """Mail each unsent reminder once: the row is claimed and committed first, then the mail goes out,
    so a slow or failing mail server never holds a transaction open."""
    sent = 0
    for reminder in Reminder.objects.filter(sent_at__isnull=True).select_related("business"):
        to = _claim(reminder)
        if to:
            body = f"{reminder.subject}\n\n{settings.SITE_URL.rstrip('/')}{reminder.url}\n"
            send_mail(f"[taxfree] {reminder.subject}", body, None, to)
            sent += 1
    return sent


@transaction.atomic
def _claim(reminder: Reminder) -> list[str] | None:
    """Two workers never mail the same reminder: only the one whose update hits the row goes on."""
    claimed = Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return None
    to = recipients_for(reminder)
    Reminder.objects.filter(pk=reminder.pk).update(recipients=", ".join(to))
    return to
