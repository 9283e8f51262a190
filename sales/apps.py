from django.apps import AppConfig


class SalesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'sales'

    def ready(self) -> None:
        from taxfree.crypto import register_rotation

        from .capture.services import captures_rotate

        register_rotation("sales.PassportCapture images", captures_rotate)
