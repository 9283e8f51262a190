"""gunicorn's access log without the secrets of the paths it names (taxfree.logs)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from .logs import without_secrets


class SecretsOutOfPathsLogger(Logger):  # type: ignore[misc]  # gunicorn is untyped
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: without_secrets(value) if isinstance(value, str) else value for name, value in atoms.items()}
