"""What a compliance officer does with a record: send it now, mark a warning reviewed, correct
the facts of a rejected (NG) record and send it again, or send it again unchanged when the fault was
not in its facts. Each in one transaction with its audit row."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taxfree.crypto import decrypt, encrypt
from taxfree.masking import masked
from taxfree.models import AuditAction, AuditEvent, audit
from taxfree.roles import Actor, is_compliance_officer
from taxfree.text import document_number

from .dispatch import record_kick
from .models import PurchaseRecord
from .signals import records_changed

State = PurchaseRecord.State
BUYER_FACTS = ("family_name", "given_names", "nationality", "birth_date", "landing_date")
ITEM_FACTS = ("name", "detail", "serial")


def _officer(actor: Actor) -> None:
    if not is_compliance_officer(actor):
        raise PermissionDenied(_("Only compliance officers act on purchase records."))


@transaction.atomic(durable=True)
def record_send_now(*, actor: Actor, record: PurchaseRecord) -> None:
    _officer(actor)
    if record.state not in (State.PENDING, State.WAITING):
        raise ValidationError(_("Only a pending or waiting record can be sent now."))
    PurchaseRecord.objects.filter(pk=record.pk).update(next_attempt_at=None)
    audit(actor, AuditAction.RECORD_SEND_NOW, record, record.get_state_display())
    transaction.on_commit(lambda: record_kick(record.pk))


@transaction.atomic(durable=True)
def record_review(*, actor: Actor, record: PurchaseRecord, note: str = "") -> None:
    """A warning (!!) is accepted by the NTA: the officer confirms the facts were right."""
    _officer(actor)
    if record.state != State.WARNING or record.reviewed_at:
        raise ValidationError(_("Only a warning not yet reviewed can be marked reviewed."))
    PurchaseRecord.objects.filter(pk=record.pk).update(reviewed_at=timezone.now(), reviewed_by=actor)
    audit(actor, AuditAction.RECORD_REVIEW, record, note[:200])


@transaction.atomic(durable=True)
def record_correct(*, actor: Actor, record: PurchaseRecord, changes: Mapping[str, Any], reason: str) -> None:
    """NG: the NTA did not accept the record. Correct the faulty facts (the first payload is kept,
    the change audited with its before and after, the document number masked) and send it again."""
    _officer(actor)
    locked = PurchaseRecord.objects.select_for_update().get(pk=record.pk)
    if locked.state != State.NG:
        raise ValidationError(_("Only a rejected (NG) record can be corrected."))
    if not reason.strip():
        raise ValidationError(_("Say why the record is corrected."))
    payload, before, after = _apply(locked.payload, changes)
    if not after:
        raise ValidationError(_("Nothing was changed."))
    PurchaseRecord.objects.filter(pk=locked.pk).update(
        payload=payload,
        original_payload=locked.original_payload or locked.payload,
        state=State.PENDING,
        next_attempt_at=None,
        failures=0,
        result_messages=[],
        last_error="",
    )
    records_changed(locked.pk)
    audit(actor, AuditAction.RECORD_CORRECT, locked, reason[:200], before=before, after=after)
    transaction.on_commit(lambda: record_kick(locked.pk))


@transaction.atomic(durable=True)
def record_resend(*, actor: Actor, record: PurchaseRecord, reason: str = "") -> None:
    """NG, but the fault was not in the data (a certificate replaced, a sender's setting fixed at
    the NTA): send the record again unchanged, with its 送信番号, and say why in the trail."""
    _officer(actor)
    locked = PurchaseRecord.objects.select_for_update().get(pk=record.pk)
    if locked.state != State.NG:
        raise ValidationError(_("Only a rejected (NG) record can be sent again."))
    PurchaseRecord.objects.filter(pk=locked.pk).update(
        state=State.PENDING, next_attempt_at=None, failures=0, result_messages=[], last_error=""
    )
    records_changed(locked.pk)
    before = list(locked.result_messages or [])[:5]
    audit(actor, AuditAction.RECORD_RESEND, locked, reason.strip()[:200], refused_with=before)
    transaction.on_commit(lambda: record_kick(locked.pk))


def correction_trail(record: PurchaseRecord) -> list[AuditEvent]:
    """The record's corrections (with their before and after) and unchanged resends, oldest first."""
    actions = (AuditAction.RECORD_CORRECT, AuditAction.RECORD_RESEND)
    events = AuditEvent.objects.filter(object_type=PurchaseRecord._meta.label, object_id=str(record.pk))
    return list(events.filter(action__in=actions).select_related("actor").order_by("at", "id"))


def _apply(
    payload: dict[str, Any], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    new, before, after = copy.deepcopy(payload), {}, {}
    buyer = new["buyer"]
    for key in BUYER_FACTS:
        if key in changes and changes[key] != buyer.get(key):
            before[key], after[key] = buyer.get(key), changes[key]
            buyer[key] = changes[key]
    if changes.get("document_number"):
        number = document_number(changes["document_number"])
        old = decrypt(buyer["document_number"]) if buyer.get("document_number") else ""
        if number != old:
            before["document_number"], after["document_number"] = masked(old), masked(number)
            buyer["document_number"] = encrypt(number)
    for item in new["items"]:
        for key in ITEM_FACTS:
            field = f"item_{item['line']}_{key}"
            if field in changes and changes[field] != item.get(key):
                before[field], after[field] = item.get(key), changes[field]
                item[key] = changes[field]
    return new, before, after
