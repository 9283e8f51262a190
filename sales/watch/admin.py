"""The review queue of risk signals (docs/rules.md §8): the list, and a page per signal to review,
dismiss or reopen it (the workflows audit each)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taxfree.admin_tools import BigTableAdmin, ReadOnlyAdmin
from taxfree.forms import TextField

from .models import Signal
from .services import NOTE_MAX, signal_dismiss, signal_reopen, signal_review
from .texts import explanation


class ReviewForm(forms.Form):
    note = TextField(
        multiline=True, required=False, max_length=NOTE_MAX, label=gettext_lazy("note"), widget=forms.Textarea
    )


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin[Signal], BigTableAdmin[Signal]):
    """Signals are raised by the rules only; officers review them on their own page."""

    list_display = ("raised_at", "review_link", "explained", "store", "last_sale_date", "state", "reviewed_by")
    list_filter = ("state", "code")
    list_select_related = ("store", "reviewed_by")

    @admin.display(description=gettext_lazy("signal"), ordering="code")
    def review_link(self, obj: Signal) -> str:
        url = reverse("admin:sales_signal_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.get_code_display())

    @admin.display(description=gettext_lazy("what it means"))
    def explained(self, obj: Signal) -> str:
        return explanation(obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Signal]:
        return Signal.objects.visible_to(request.user)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [path("<int:pk>/review/", view(self.review_view), name="sales_signal_review"), *super().get_urls()]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        signal = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ReviewForm(request.POST or None)
        may_review = request.user.has_perm("sales.change_signal")
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            if form.is_valid() and _act(request, signal, request.POST.get("do", ""), form.cleaned_data["note"]):
                return redirect(reverse("admin:sales_signal_changelist") + "?state__exact=open")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": signal.get_code_display(),
            "opts": Signal._meta,
            "signal": signal,
            "explanation": explanation(signal),
            "sales": signal.sales.select_related("store").order_by("sold_at", "id"),
            "form": form,
            "may_review": may_review,
        }
        return TemplateResponse(request, "admin/sales/signal_review.html", context)


def _act(request: HttpRequest, signal: Signal, do: str, note: str) -> bool:
    workflows = {"review": signal_review, "dismiss": signal_dismiss}
    try:
        if do == "reopen":
            signal_reopen(actor=request.user, signal=signal, note=note)
        elif do in workflows:
            workflows[do](actor=request.user, signal=signal, note=note)
        else:
            messages.error(request, _("Choose review, dismiss or reopen."))
            return False
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, _("Signal #%(id)s: %(state)s.") % {"id": signal.pk, "state": _state_after(do)})
    return True


def _state_after(do: str) -> str:
    return str(
        {"review": Signal.State.REVIEWED.label, "dismiss": Signal.State.DISMISSED.label}.get(
            do, Signal.State.OPEN.label
        )
    )
