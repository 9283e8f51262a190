"""Who may enter sales where: one check for the till, the POS API and the workflows."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from stores.models import Store
from taxfree.roles import Actor, can_sell

_SEEN_BY = "_seen_by_user"


def check_can_sell(user: Actor, store: Store) -> None:
    if not can_sell(user) or not _sees(user, store):
        raise PermissionDenied(_("You may not enter sales for this store."))


def store_seen_by(store: Store, user: Actor) -> Store:
    """Mark a store this request read through `Store.objects.visible_to(user)`."""
    setattr(store, _SEEN_BY, getattr(user, "pk", None))
    return store


def _sees(user: Actor, store: Store) -> bool:
    # A store the request has just read through visible_to(user) needs no second query.
    seen_by = getattr(store, _SEEN_BY, None)
    if seen_by is not None and seen_by == getattr(user, "pk", None):
        return True
    return Store.objects.visible_to(user).filter(pk=store.pk).exists()
