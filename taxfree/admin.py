from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from axes.utils import reset
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_tools import AuditedViewMixin, BigTableAdmin, ReadOnlyAdmin
from .models import ACTIONS, ApiToken, AuditEvent, Notice, audit
from .tokens import token_issue, token_revoke


class ActionFilter(admin.SimpleListFilter):
    """Fixed choices, in the reader's language: never a DISTINCT over the audit trail."""

    title, parameter_name = _("action"), "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return sorted(ACTIONS.items(), key=lambda item: str(item[1]))

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title, parameter_name = _("object type"), "type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        from django.apps import apps

        ours = [m for m in apps.get_models() if m._meta.app_label in ("sales", "stores", "transmission", "taxfree")]
        return sorted(((m._meta.label, m._meta.verbose_name) for m in ours), key=lambda item: str(item[1]))

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = ["at", "actor", "action_label", "object_type", "object_id", "summary"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_help_text = _("Searches the object id (exactly), the user name and the summary.")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditEvent) -> str:
        return str(ACTIONS.get(obj.action, obj.action))

    list_select_related = ["actor"]
    search_fields = ["=object_id", "actor__username", "summary"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "summary", "data"]


@admin.register(Notice)
class NoticeAdmin(AuditedViewMixin, ReadOnlyAdmin, BigTableAdmin):
    """What travellers were told, and whether the mail server took it. Written by the workflows only."""

    list_display = ["created_at", "key", "language", "subject", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state"]
    search_fields = ["=key", "=about"]
    search_help_text = _("Searches the key or the object (e.g. sales.Sale:12), exactly.")
    fields = readonly_fields = (
        "key",
        "about",
        "to",
        "language",
        "subject",
        "body",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    )


class ApiTokenForm(forms.ModelForm):
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=3650, initial=365)

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens of the tills and POS integrations. The secret is shown once, when the token is made."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "=prefix"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    actions = ["revoke"]
    form = ApiTokenForm
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"] if obj else []

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, secret = token_issue(
            actor=request.user,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        obj.pk = token.pk
        messages.warning(
            request,
            _("The token for %(name)s is %(secret)s — copy it into the till now; it is not shown again.")
            % {"name": token.name, "secret": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(actor=request.user, token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockedLoginAdmin(AccessAttemptAdmin):
    """Logins locked after repeated failures; an officer unlocks them here (audited)."""

    actions = ["unlock"]

    @admin.action(description=_("Unlock the selected logins"))
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        for attempt in queryset:
            audit(request.user, "login_unlock", attempt, f"{attempt.username} from {attempt.ip_address}")
            reset(username=attempt.username)
            reset(ip=attempt.ip_address)
        self.message_user(request, _("Unlocked."), messages.SUCCESS)
