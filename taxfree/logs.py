"""Logging filters."""

from __future__ import annotations

import logging
import re


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403, 404, 400) is the client's business: one line, not a traceback.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


# A path that carries a credential: the traveller's link (anyone holding it may change where the
# refund is paid) and an officer's second-factor enrolment link. Logs keep the sale's id, not the
# secret: whoever reads the logs must not be able to redirect a refund (README, the traveller's page).
_SECRET_IN_PATH = re.compile(r"(/t/\d+-|/accounts/otp/enrol/)[^/?#\s\"']+")


def without_secrets(text: str) -> str:
    return _SECRET_IN_PATH.sub(r"\1…", text)


class SecretsOutOfPaths(logging.Filter):
    """Every line is written with the secrets of the paths it names replaced by an ellipsis."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = without_secrets(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
