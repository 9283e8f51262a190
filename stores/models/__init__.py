from .business import Business, Store, StoreQuerySet, StoreScopedQuerySet, TemporarySite
from .certificates import JPKICertificate, NTACertificate
from .filings import Filing, FilingAttachment, Reminder
from .webhooks import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "EVENT_TYPES",
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
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
