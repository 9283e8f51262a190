"""Who may enter sales where: one check for the till, the POS API and the workflows."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from stores.models import Store
from taxfree.roles import Actor, can_sell


def check_can_sell(user: Actor, store: Store) -> None:
    if not can_sell(user) or not Store.objects.visible_to(user).filter(pk=store.pk).exists():
        raise PermissionDenied(_("You may not enter sales for this store."))
