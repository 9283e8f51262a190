from .business import Business, Store, StoreQuerySet, TemporarySite
from .certificates import JPKICertificate, NTACertificate
from .filings import Filing, FilingAttachment, Reminder

__all__ = [
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
