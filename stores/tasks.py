"""django-q2 tasks: thin kicks that call the functions doing the work."""

from .reminders import reminders_raise, reminders_send
from .webhooks import webhooks_send


def daily_reminders() -> str:
    raised = reminders_raise()
    sent = reminders_send()
    return f"{len(raised)} raised, {sent} e-mailed"


def send_webhooks() -> str:
    outcomes = webhooks_send()
    return ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing due"
