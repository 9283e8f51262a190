"""The review queue's workflows: a compliance officer reviews (with a note), dismisses or reopens a
signal; each one audited in its transaction."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.models import AuditAction, audit
from taxfree.roles import Actor, is_compliance_officer
from taxfree.text import clean_text

from .models import Signal

NOTE_MAX = 2_000


def _locked(actor: Actor, signal: Signal) -> Signal:
    if not is_compliance_officer(actor):
        raise PermissionDenied(_("Only a compliance officer reviews risk signals."))
    return Signal.objects.select_for_update().get(pk=signal.pk)


def _note(note: str, *, required: bool) -> str:
    text = clean_text(note or "", multiline=True).strip()
    if required and not text:
        raise ValidationError(_("Write what you found: a review or a dismissal keeps its note."))
    if len(text) > NOTE_MAX:
        raise ValidationError(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
    return text


def _close(actor: Actor, signal: Signal, note: str, *, reviewed: bool) -> Signal:
    text = _note(note, required=True)
    signal = _locked(actor, signal)
    if signal.state != Signal.State.OPEN:
        raise ValidationError(_("This signal is not open: reopen it first."))
    signal.state = Signal.State.REVIEWED if reviewed else Signal.State.DISMISSED
    signal.note = text
    signal.reviewed_by = actor if isinstance(actor, User) else None
    signal.reviewed_at = timezone.now()
    signal.save(update_fields=["state", "note", "reviewed_by", "reviewed_at", "updated_at"])
    audit(
        actor,
        AuditAction.SIGNAL_REVIEW if reviewed else AuditAction.SIGNAL_DISMISS,
        signal,
        text[:200],
        code=signal.code,
        note=text,
    )
    return signal


@transaction.atomic(durable=True)
def signal_review(*, actor: Actor, signal: Signal, note: str) -> Signal:
    """Looked at, with what was found."""
    return _close(actor, signal, note, reviewed=True)


@transaction.atomic(durable=True)
def signal_dismiss(*, actor: Actor, signal: Signal, note: str) -> Signal:
    """Nothing to it (a tour group, a family), with why."""
    return _close(actor, signal, note, reviewed=False)


@transaction.atomic(durable=True)
def signal_reopen(*, actor: Actor, signal: Signal, note: str = "") -> Signal:
    """Back to the queue; the earlier note stays in the audit trail."""
    text = _note(note, required=False)
    signal = _locked(actor, signal)
    if signal.state == Signal.State.OPEN:
        raise ValidationError(_("This signal is open already."))
    signal.state = Signal.State.OPEN
    signal.save(update_fields=["state", "updated_at"])
    audit(actor, AuditAction.SIGNAL_REOPEN, signal, text[:200], code=signal.code, note=text)
    return signal
