from .business import TEMPORARY_SITE_MAX_MONTHS, Business, Store, StoreQuerySet, TemporarySite
from .certificates import JPKICertificate, NTACertificate
from .filings import Filing, FilingAttachment, Reminder

__all__ = [
    "TEMPORARY_SITE_MAX_MONTHS",
    "Business",
    "Filing",
    "FilingAttachment",
    "JPKICertificate",
    "NTACertificate",
    "Reminder",
    "Store",
    "StoreQuerySet",
    "TemporarySite",
]
