from .business import Business, Store, StoreQuerySet, StoreScopedQuerySet, TemporarySite
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
    "StoreScopedQuerySet",
    "TemporarySite",
]
