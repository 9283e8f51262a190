"""Workflows of the business side: filings and their effects, temporary sites, JPKI revocation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor

from . import deadlines
from .models import Filing, JPKICertificate, Store, TemporarySite

DONE = (Filing.Status.FILED, Filing.Status.ACCEPTED)


@transaction.atomic
def filing_apply(*, actor: Actor, filing: Filing) -> Filing:
    """Recompute the due date by the rules and carry out what a filed notice changes."""
    due = deadlines.filing_due_on(filing.kind, filing.effective_on)
    if due and filing.due_on != due:
        filing.due_on = due
        filing.save(update_fields=["due_on"])
    if filing.status in DONE and not filing.filed_on:
        filing.filed_on = timezone.localdate()
        filing.save(update_fields=["filed_on"])
    if filing.status in DONE:
        _effects(filing)
    audit(actor, AuditAction.FILING_APPLY, filing, f"{filing.kind} {filing.status}")
    return filing


def _effects(filing: Filing) -> None:
    store, site = filing.store, filing.temporary_site
    if filing.kind == Filing.Kind.IDENTIFIER_NOTICE and store and filing.identifier:
        if Store.objects.filter(identifier=filing.identifier).exclude(pk=store.pk).exists():
            raise ValidationError(_("Another store already has this 識別符号."))
        Store.objects.filter(pk=store.pk).update(identifier=filing.identifier)
    elif filing.kind == Filing.Kind.ABOLITION and store and filing.effective_on:
        Store.objects.filter(pk=store.pk).update(status=Store.Status.ABOLISHED, abolished_on=filing.effective_on)
    elif filing.kind == Filing.Kind.TEMPORARY_SITE_SETUP and site:
        filed = filing.filed_on or timezone.localdate()
        TemporarySite.objects.filter(pk=site.pk).update(notice_filed_on=filed)


@transaction.atomic
def temporary_site_sync_filing(*, actor: Actor, site: TemporarySite) -> Filing:
    """Every temporary site has its 設置届出書, due the day before it opens."""
    filing, created = Filing.objects.get_or_create(
        kind=Filing.Kind.TEMPORARY_SITE_SETUP,
        temporary_site=site,
        defaults={"business": site.business, "store": site.store, "effective_on": site.opens_on},
    )
    if not created and filing.effective_on != site.opens_on:
        filing.effective_on = site.opens_on
        filing.save(update_fields=["effective_on"])
    return filing_apply(actor=actor, filing=filing)


@transaction.atomic
def jpki_holder_changed(*, actor: Actor, certificate: JPKICertificate) -> None:
    """docs/rules.md §6: a change of name or address revokes the signature certificate (not the user one)."""
    if certificate.kind != JPKICertificate.Kind.SIGNATURE or certificate.revoked_on:
        return
    certificate.revoked_on = timezone.localdate()
    certificate.revocation_reason = _("name or address changed: issue a new signature certificate")
    certificate.save(update_fields=["revoked_on", "revocation_reason"])
    audit(actor, AuditAction.JPKI_REVOKED, certificate, certificate.revocation_reason)
