"""django-axes under a name the office reads: its own app config has none, nor any Japanese. In a
module of its own: two configs in `taxfree/apps.py` would leave `taxfree` without its default."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes ships no type information
    verbose_name = _("Login protection")
