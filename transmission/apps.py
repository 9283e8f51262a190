from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransmissionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transmission"
    verbose_name = _("Transmission to the NTA")

    def ready(self) -> None:
        from taxfree.crypto import register_rotation

        from .models import records_rotate

        register_rotation("transmission.PurchaseRecord document numbers", records_rotate)
