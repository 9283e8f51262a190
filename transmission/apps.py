from django.apps import AppConfig


class TransmissionConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'transmission'
