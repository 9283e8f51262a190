from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from taxfree.roles import sync_groups

    sync_groups()


class TaxfreeConfig(AppConfig):
    name = "taxfree"
    verbose_name = "Audit"

    def ready(self) -> None:
        # New models get their permissions after migrate: keep the role groups complete.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="taxfree_sync_roles")
