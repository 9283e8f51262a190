from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_email.models import EmailDevice
from django_q import admin as q_admin
from django_q.models import Failure, Success

from .admin_tools import AuditedViewMixin, BigTableAdmin, OfficeAdmin, ReadOnlyAdmin
from .audit_texts import summary_text
from .enrolment import link_issue
from .logins import login_unlock
from .models import ApiToken, AuditAction, AuditEvent, EnrolmentLink, Notice
from .otp import needs_second_factor
from .tokens import token_create, token_revoke


class ActionFilter(admin.SimpleListFilter):
    """Fixed choices, in the reader's language: never a DISTINCT over the audit trail."""

    title, parameter_name = _("action"), "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return sorted(AuditAction.choices, key=lambda item: str(item[1]))

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
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent], BigTableAdmin[AuditEvent]):
    list_display = ["at", "actor", "action_label", "object_type", "object_id", "summary_label"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_help_text = _("Searches the object id (exactly), the user name and the summary.")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditEvent) -> str:
        return str(AuditAction(obj.action).label) if obj.action in AuditAction.values else obj.action

    @admin.display(description=_("summary"))
    def summary_label(self, obj: AuditEvent) -> str:
        return summary_text(obj.action, obj.summary, obj.data)

    list_select_related = ["actor"]
    search_fields = ["=object_id", "actor__username", "summary"]
    readonly_fields = ["at", "actor", "action", "object_type", "object_id", "summary_label", "summary", "data"]


@admin.register(Notice)
class NoticeAdmin(AuditedViewMixin[Notice], ReadOnlyAdmin[Notice], BigTableAdmin[Notice]):
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


class ApiTokenForm(forms.ModelForm[ApiToken]):
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=3650, initial=365)

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(OfficeAdmin[ApiToken]):
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
        # The admin saves inside its own transaction: the workflow's body, not its durable wrapper.
        token, secret = token_create(
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

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(actor=request.user, token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockedLoginAdmin(OfficeAdmin[Any], AccessAttemptAdmin):  # type: ignore[misc]  # django-axes ships no type information
    """Logins locked after repeated failures; an officer unlocks them here (audited)."""

    actions = ["unlock"]

    @admin.action(description=_("Unlock the selected logins"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        for attempt in queryset:
            login_unlock(actor=request.user, attempt=attempt)
        self.message_user(request, _("Unlocked."), messages.SUCCESS)


admin.site.unregister(User)
admin.site.unregister(EmailDevice)  # only ever the enrolment code's holder (taxfree.enrolment), never a login factor


@admin.register(User)
class UserAdmin(OfficeAdmin[User], auth_admin.UserAdmin[User]):
    """Django's user admin, with the officers' way to let a colleague set up (or replace) their
    authenticator: a one-time link, shown once, handed over in person."""

    actions = ["issue_enrolment_link"]

    def has_enrol_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("taxfree.add_enrolmentlink")

    @admin.action(description=_("Issue a second-factor enrolment link"), permissions=["enrol"])
    def issue_enrolment_link(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset.filter(is_active=True):
            if user.pk == request.user.pk:
                self.message_user(request, _("A link for yourself must come from another officer."), messages.ERROR)
            elif not needs_second_factor(user):
                self.message_user(request, _("%(user)s has no second factor to set up.") % {"user": user})
            else:
                link, secret = link_issue(actor=request.user, user=user)
                url = request.build_absolute_uri(reverse("enrolment_link", args=[secret]))
                self.message_user(request, _enrolment_message(user, link, url), messages.WARNING)


def _enrolment_message(user: User, link: EnrolmentLink, url: str) -> str:
    expires = date_format(localtime(link.expires_at), "DATETIME_FORMAT")
    return _(
        "Enrolment link for %(user)s, valid once until %(expires)s: %(url)s — give it to them yourself "
        "(in person or by phone); it is not shown again. They open it after logging in with their password."
    ) % {"user": user, "expires": expires, "url": url}


@admin.register(EnrolmentLink)
class EnrolmentLinkAdmin(ReadOnlyAdmin[EnrolmentLink]):
    """Who was let set up an authenticator, by whom; issued from the users' page."""

    list_display = ["user", "issued_by", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["user", "issued_by"]
    search_fields = ["user__username", "issued_by__username"]
    exclude = ["digest"]


@admin.action(description=_("Resubmit the selected tasks to the queue"), permissions=["change"])
def resubmit_task(model_admin: Any, request: HttpRequest, queryset: Any) -> None:
    """django-q2's action, offered only to who may change tasks (the roles may not: superusers)."""
    q_admin.resubmit_task(model_admin, request, queryset)


class TaskAdmin(OfficeAdmin[Any], q_admin.TaskAdmin):  # type: ignore[misc]  # django-q2 ships no type information
    actions = [resubmit_task]


class FailAdmin(OfficeAdmin[Any], q_admin.FailAdmin):  # type: ignore[misc]  # django-q2 ships no type information
    actions = [resubmit_task]


for _model, _admin_class in ((Success, TaskAdmin), (Failure, FailAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)
