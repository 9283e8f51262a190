"""A local stand-in for the part of Stripe's HTTP API the card refunds use, for the demo and the
tests (the true edge of the world, like the NTA sandbox): `POST /v1/refunds` with idempotency keys
as Stripe keeps them, `GET /v1/refunds/<id>` and `GET /v1/refunds?payment_intent=`, answered in
Stripe's shapes and error format. Payments are made through its control API (`/sandbox/…`).

Modes: `ok` (refunds succeed), `pending` (pending, then succeeded when asked again), `declined`
(failed at once: expired_or_canceled_card), `declined_later` (pending, then failed), `timeout`
(the refund is made but the answer comes `delay` seconds late: the client gives up first),
`error` (500, nothing made)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MODES = ("ok", "pending", "declined", "declined_later", "timeout", "error")
DEMO_PAYMENTS = {f"pi_demo_{n}": 1_000_000 for n in range(1, 6)}


class PaymentsSandbox:
    def __init__(self, directory: Path | None = None, *, host: str = "127.0.0.1", port: int = 8445):
        self.file = Path(directory) / "payments.json" if directory else None
        self.lock = threading.Lock()
        self.mode, self.delay = "ok", 3.0
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.requests = 0
        self._load()
        self.server = _Server((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.sandbox = self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> PaymentsSandbox:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.payments, self.refunds, self.keys, self.mode, self.requests = {}, {}, {}, "ok", 0
            self._save()

    def set_mode(self, mode: str, delay: float | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        with self.lock:
            self.mode = mode
            self.delay = self.delay if delay is None else float(delay)

    def add_payment(self, amount: int, payment_id: str = "", **card: str) -> dict[str, Any]:
        with self.lock:
            payment_id = payment_id or f"pi_{secrets.token_hex(12)}"
            payment = self.payments.setdefault(
                payment_id, {"id": payment_id, "object": "payment_intent", "amount": amount, "currency": "jpy", **card}
            )
            self._save()
            return payment

    # The API ------------------------------------------------------------------------------------

    def create_refund(self, key: str, form: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        """(status, body, seconds to wait before answering)."""
        with self.lock:
            self.requests += 1
            if key and key in self.keys:
                return self._replay(key, form)
            if self.mode == "error":
                return 500, _error("api_error", "api_error", "Something went wrong on Stripe's end."), 0.0
            status, body = self._refund(form)
            if key:
                self.keys[key] = {"form": form, "status": status, "body": body}
            self._save()
            return status, body, self.delay if self.mode == "timeout" else 0.0

    def _replay(self, key: str, form: dict[str, str]) -> tuple[int, dict[str, Any], float]:
        kept = self.keys[key]
        if kept["form"] != form:
            message = (
                "Keys for idempotent requests can only be used with the same parameters they were first used with."
            )
            return 400, _error("idempotency_error", "idempotency_key_in_use", message), 0.0
        body = self.refunds.get(kept["body"].get("id", ""), kept["body"])
        return kept["status"], {**body, "_replayed": True}, 0.0

    def _refund(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        payment_id = form.get("payment_intent") or form.get("charge") or ""
        payment = self.payments.get(payment_id)
        if payment is None:
            param = "payment_intent" if "payment_intent" in form else "charge"
            return 400, _error("invalid_request_error", "resource_missing", f"No such {param}: '{payment_id}'", param)
        amount = int(form.get("amount") or payment["amount"])
        refunded = sum(
            r["amount"] for r in self.refunds.values() if r["payment_intent"] == payment_id and r["status"] != "failed"
        )
        if amount <= 0 or amount > payment["amount"] - refunded:
            left = payment["amount"] - refunded
            message = f"Refund amount (¥{amount}) is greater than unrefunded amount on charge (¥{left})"
            return 400, _error("invalid_request_error", "amount_too_large", message, "amount")
        refund_id = f"re_{secrets.token_hex(12)}"
        refund: dict[str, Any] = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "currency": "jpy",
            "payment_intent": payment_id,
            "charge": f"ch_{payment_id[3:]}",
            "status": _first_status(self.mode),
            "failure_reason": "expired_or_canceled_card" if self.mode == "declined" else None,
            "reason": form.get("reason"),
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "created": int(time.time()),
            "_later": "failed" if self.mode == "declined_later" else "succeeded",
        }
        self.refunds[refund_id] = refund
        return 200, refund

    def get_refund(self, refund_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            refund = self.refunds.get(refund_id)
            if refund is None:
                return 404, _error("invalid_request_error", "resource_missing", f"No such refund: '{refund_id}'", "id")
            if refund["status"] == "pending":  # asked again: the bank has answered
                refund["status"] = refund["_later"]
                refund["failure_reason"] = "expired_or_canceled_card" if refund["status"] == "failed" else None
                self._save()
            return 200, refund

    def list_refunds(self, payment_id: str) -> dict[str, Any]:
        with self.lock:
            rows = [r for r in self.refunds.values() if not payment_id or r["payment_intent"] == payment_id]
            return {"object": "list", "data": rows, "has_more": False, "url": "/v1/refunds"}

    def _load(self) -> None:
        if self.file and self.file.exists():
            kept = json.loads(self.file.read_text())
            self.payments, self.refunds, self.keys = kept["payments"], kept["refunds"], kept["keys"]

    def _save(self) -> None:
        if self.file:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            kept = {"payments": self.payments, "refunds": self.refunds, "keys": self.keys}
            self.file.write_text(json.dumps(kept))


def _first_status(mode: str) -> str:
    return {"declined": "failed", "pending": "pending", "declined_later": "pending"}.get(mode, "succeeded")


def _error(kind: str, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "code": code, "message": message, "param": param}}


def _public(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if not k.startswith("_")}


class _Server(ThreadingHTTPServer):
    sandbox: PaymentsSandbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    @property
    def sandbox(self) -> PaymentsSandbox:
        return self.server.sandbox

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and the demo read the answers
        pass

    def answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(_public(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def authorised(self) -> bool:
        if (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
            return True
        self.answer(401, _error("invalid_request_error", "api_key_invalid", "Invalid API Key provided."))
        return False

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/sandbox/"):
            return self.control(path, json.loads(self.body() or b"{}"))
        if path != "/v1/refunds":
            return self.answer(404, _error("invalid_request_error", "resource_missing", "Unrecognized request URL."))
        if not self.authorised():
            return None
        form = dict(parse_qsl(self.body().decode()))
        status, body, wait = self.sandbox.create_refund(self.headers.get("Idempotency-Key", ""), form)
        time.sleep(wait)
        headers = {"Idempotent-Replayed": "true"} if body.get("_replayed") else {}
        try:
            self.answer(status, body, headers)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout mode)
            pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/sandbox/refunds":
            return self.answer(200, self.sandbox.list_refunds(""))
        if not parts.path.startswith("/v1/refunds"):
            return self.answer(404, _error("invalid_request_error", "resource_missing", "Unrecognized request URL."))
        if not self.authorised():
            return None
        if parts.path == "/v1/refunds":
            query = dict(parse_qsl(parts.query))
            return self.answer(200, self.sandbox.list_refunds(query.get("payment_intent") or query.get("charge", "")))
        status, body = self.sandbox.get_refund(parts.path.rsplit("/", 1)[-1])
        return self.answer(status, body)

    def control(self, path: str, data: dict[str, Any]) -> None:
        if path == "/sandbox/payments":
            card = {k: str(data[k]) for k in ("brand", "last4") if k in data}
            return self.answer(
                201, self.sandbox.add_payment(int(data.get("amount", 0)), str(data.get("id", "")), **card)
            )
        if path == "/sandbox/mode":
            try:
                self.sandbox.set_mode(str(data.get("mode")), data.get("delay"))
            except ValueError as exc:
                return self.answer(400, {"error": str(exc)})
            return self.answer(200, {"mode": self.sandbox.mode, "delay": self.sandbox.delay})
        if path == "/sandbox/reset":
            self.sandbox.reset()
            return self.answer(200, {"reset": True})
        return self.answer(404, {"error": "unknown control path"})
