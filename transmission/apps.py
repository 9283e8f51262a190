from django.apps import AppConfig


class TransmissionConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'transmission'

    def ready(self) -> None:
        from taxfree.crypto import register_rotation

        from .models import records_rotate

        register_rotation("transmission.PurchaseRecord document numbers", records_rotate)
