"""The three roles (groups created by a data migration) and the questions code asks of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from django.apps.registry import Apps
from django.contrib.auth.models import AnonymousUser, User
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, CharField, OuterRef, Subquery, Value
from django.db.models.sql.compiler import SQLCompiler
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

# Whoever acts in a workflow: a user, or None for the system (commands, tasks).
Actor: TypeAlias = User | AnonymousUser | None


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is signed in (django-stubs' advice)."""

    user: User


COMPLIANCE_OFFICER = "Compliance officer"
STORE_STAFF = "Store staff"
ACCOUNTANT = "Accountant"
ROLES = (COMPLIANCE_OFFICER, STORE_STAFF, ACCOUNTANT)


SEPARATOR = "\x1f"  # the unit separator: in no group's name


class GroupNames(Aggregate):
    """A user's group names in one column (`group_names`): string_agg on PostgreSQL, group_concat on SQLite."""

    function = "STRING_AGG"
    output_field = CharField()

    def __init__(self, expression: str) -> None:
        super().__init__(expression, Value(SEPARATOR))

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> _AsSqlType:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def group_names(user_ref: OuterRef) -> Subquery:
    """The group names of the user `user_ref` points at, for a query that reads the user anyway."""
    rows = User.groups.through.objects.filter(user_id=user_ref).order_by().values("user_id")
    return Subquery(rows.annotate(names=GroupNames("group__name")).values("names"))  # type: ignore[misc]  # django-stubs' plugin does not see an annotation on the through model


def roles_known(user: Actor, names: str | None) -> None:
    """Give `user` the group names a query read with `group_names`: no query of its own later."""
    setattr(user, "_role_cache", set(names.split(SEPARATOR)) if names else set())  # noqa: B010 - not a field of User


def _in_group(user: Actor, name: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    cache: set[str] | None = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        setattr(user, "_role_cache", cache)  # noqa: B010 - not a field of User
    return name in cache


def user_of(actor: Actor) -> User | None:
    """The user behind an actor, for a `created_by` column (None for the system or a visitor)."""
    return actor if isinstance(actor, User) else None


def is_compliance_officer(user: Actor) -> bool:
    return getattr(user, "is_superuser", False) or _in_group(user, COMPLIANCE_OFFICER)


def is_accountant(user: Actor) -> bool:
    return _in_group(user, ACCOUNTANT)


def is_store_staff(user: Actor) -> bool:
    return _in_group(user, STORE_STAFF)


def sees_all_stores(user: Actor) -> bool:
    return is_compliance_officer(user) or is_accountant(user)


def can_sell(user: Actor) -> bool:
    """Entering sales: store staff at their stores, compliance officers anywhere."""
    return is_compliance_officer(user) or is_store_staff(user)


# What each role may do in the admin, by app and action. Sales, their items and purchase records
# are never deleted (docs/architecture.md, invariant 3), so no role gets those delete permissions.
_APPS = ("stores", "sales", "transmission", "taxfree")
_NEVER_DELETED = {
    "sale",
    "saleitem",
    "purchaserecord",
    "auditevent",
    "customer",
    "identitydocument",
    "refund",
    "customsconfirmation",
    "attempt",
}


def _wanted(role: str, app_label: str, codename: str) -> bool:
    action, _sep, model = codename.partition("_")
    if app_label == "axes":  # locked-out logins: officers look and unlock
        return role == COMPLIANCE_OFFICER and action in ("view", "delete")
    if app_label == "auth":  # officers see the users, to issue a colleague's second-factor enrolment link
        return role == COMPLIANCE_OFFICER and codename == "view_user"
    if app_label not in _APPS:
        return False
    if role == ACCOUNTANT:
        return action == "view"
    if role == STORE_STAFF:
        return (
            app_label == "sales"
            and action in ("view", "add")
            and model != "product"
            or (model == "product" and action == "view")
        )
    if app_label == "taxfree":
        issues = model == "apitoken" and action in ("add", "change") or codename == "add_enrolmentlink"
        return action == "view" or issues
    return not (action == "delete" and model in _NEVER_DELETED)


def sync_groups(apps: Apps | None = None) -> None:
    """Create the role groups and give them their permissions (idempotent)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(permission_model.objects.select_related("content_type"))
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role)
        wanted = [p for p in permissions if _wanted(role, p.content_type.app_label, p.codename)]
        group.permissions.set(wanted)
