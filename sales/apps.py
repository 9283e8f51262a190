from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from taxfree.crypto import register_rotation

        from .capture.services import captures_rotate

        register_rotation("sales.PassportCapture images", captures_rotate)

        from transmission.customs.signals import customs_moved

        from .traveller.notices import customs_moved as tell_travellers

        customs_moved.connect(tell_travellers, dispatch_uid="sales_tell_travellers")

        from transmission.signals import record_changed

        from . import sync

        customs_moved.connect(sync.customs_moved, dispatch_uid="sales_sync_customs")
        record_changed.connect(sync.records_changed, dispatch_uid="sales_sync_records")
