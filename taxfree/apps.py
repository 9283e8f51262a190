from typing import Any

from django.apps import AppConfig, apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from django.contrib.auth.management import create_permissions

    from taxfree.roles import sync_groups

    # post_migrate reaches the apps in INSTALLED_APPS order, so the permissions of a new model in an
    # app after this one do not exist yet: create them all first, then give the roles theirs.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=kwargs.get("using", DEFAULT_DB_ALIAS))
    sync_groups()


class TaxfreeConfig(AppConfig):
    name = "taxfree"
    verbose_name = _("Audit and access")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the start-up checks

        # New models get their permissions after migrate: keep the role groups complete.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="taxfree_sync_roles")
