"""A local stand-in for the NTA's 免税販売管理システム: HTTPS with client-certificate
authentication on one port, a plain-HTTP control API for the demo, the tests and the benchmarks
on another (loopback only). Modes: ok, down, slow, flaky, reject."""

from __future__ import annotations

import json
import re
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from . import customs
from .ca import SandboxCA
from .checks import judge
from .files import owner_only_directory
from .store import Store, content_hash

MODES = ("ok", "down", "slow", "flaky", "reject")
RECEPTION = re.compile(r"^/v([23])/purchaseRecord/reception$")
MAX_BODY = 1024 * 1024


class Sandbox:
    def __init__(
        self,
        directory: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8443,
        control_port: int = 8444,
        slow_seconds: float = 15.0,
        flaky_every: int = 3,
    ):
        self.directory, self.host = Path(directory), host
        owner_only_directory(self.directory)
        self.ca = SandboxCA.load_or_create(self.directory)
        self.store = Store(self.directory / "sandbox.sqlite3")
        self.mode, self.slow_seconds, self.flaky_every = "ok", slow_seconds, flaky_every
        self.requests = 0
        self.lock = threading.Lock()
        self.api = _TLSServer((host, port), _ReceptionHandler, self._tls_context())
        self.control = _SandboxServer((host, control_port), _ControlHandler)
        self.api.sandbox = self.control.sandbox = self
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.api.server_address[1]}"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.control.server_address[1]}"

    @property
    def ca_bundle(self) -> Path:
        return self.directory / "ca-cert.pem"

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(self.ca_bundle)
        context.load_cert_chain(*self.ca.server_files(self.directory))
        return context

    def start(self) -> Sandbox:
        for server in (self.api, self.control):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def serve_forever(self) -> None:
        self.start()
        for thread in self.threads:
            thread.join()

    def stop(self) -> None:
        for server in (self.api, self.control):
            server.shutdown()
            server.server_close()

    def set_mode(self, mode: str, **options: Any) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        with self.lock:
            self.mode = mode
            self.slow_seconds = float(options.get("delay", self.slow_seconds))
            self.flaky_every = int(options.get("every", self.flaky_every))

    def count_request(self) -> int:
        with self.lock:
            self.requests += 1
            return self.requests

    def receive(self, body: dict[str, Any], version: str, certificate_id: str | None) -> tuple[int, dict[str, Any]]:
        """Judge one record; store it unless it was already accepted with the same content."""
        with self.lock:  # one record at a time: two resends of one number must not both be stored
            return self._receive(body, version, certificate_id)

    def _receive(self, body: dict[str, Any], version: str, certificate_id: str | None) -> tuple[int, dict[str, Any]]:
        send_no, sender = str(body.get("sendNo")), str(body.get("senderId"))
        if self.mode == "reject":
            return _answer(send_no, "ERROR", [{"code": "E999", "item": "record", "text": "拒否モード(sandbox)"}])
        earlier = self.store.accepted(sender, send_no)
        if earlier and earlier["hash"] == content_hash(body):
            self.store.received_again(earlier["id"])
            note = {"code": "I001", "item": "sendNo", "text": "この送信番号は受信済みです"}
            return _answer(send_no, earlier["result"], [*earlier["messages"], note])
        if earlier:
            return _answer(send_no, "ERROR", [{"code": "E210", "item": "sendNo", "text": "送信番号が重複しています"}])
        verdict = judge(body, version, certificate_id)
        _check_cancellation(self.store, body, version, verdict)
        messages = verdict.errors or verdict.warnings
        self.store.add(body, kind=_kind(body, version), result=verdict.result, messages=messages)
        return _answer(send_no, verdict.result, messages)


def _kind(body: dict[str, Any], version: str) -> str:
    if version == "3":
        return "cancellation" if body.get("crudType") == "9" else "sale"
    numbers = [int(d.get("number", 0)) for d in body.get("details") or []]
    return "cancellation" if numbers and all(n < 0 for n in numbers) else "sale"


def _check_cancellation(store: Store, body: dict[str, Any], version: str, verdict: Any) -> None:
    if version == "3" and body.get("crudType") == "9" and not verdict.errors:
        if not store.accepted(str(body.get("beforeSenderId")), str(body.get("beforeSendNo"))):
            verdict.error("E400", "beforeSendNo", "取消対象の購入記録情報がありません")


def _answer(send_no: str, result: str, messages: list[dict[str, str]]) -> tuple[int, dict[str, Any]]:
    return (400 if result == "ERROR" else 201), {"sendNo": send_no, "result": result, "messages": messages}


class _SandboxServer(ThreadingHTTPServer):
    sandbox: Sandbox


class _TLSServer(_SandboxServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler: type, context: ssl.SSLContext):
        self.context = context
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError | TimeoutError):
            super().handle_error(request, client_address)
        # a refused handshake (no, foreign or expired certificate) is the client's problem

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        # Headers and body leave in two writes: without NODELAY, Nagle and the client's delayed ACK
        # hold every answer for 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The handshake happens in the request's own thread: a slow client never blocks accept().
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def sandbox(self) -> Sandbox:
        return cast(_SandboxServer, self.server).sandbox

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass

    def reply(self, status: int, body: Any, content_type: str = "application/json; charset=utf-8") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            raise ValueError("a JSON body of at most 1 MB is required")
        return json.loads(self.rfile.read(length))


class _ReceptionHandler(_Handler):
    def setup(self) -> None:
        super().setup()
        self.request.settimeout(30)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.close_connection = True  # the NTA drops such connections without an answer
            raise

    def handle(self) -> None:
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, TimeoutError):
            self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        match = RECEPTION.match(self.path)
        if self.path == customs.INQUIRY:
            return self._inquiry()
        if not match:
            not_found = {"code": "E404", "item": "path", "text": "not found"}
            return self.reply(404, {"result": "ERROR", "messages": [not_found]})
        number = self.sandbox.count_request()
        if self.sandbox.mode == "down":
            return self.reply(503, b"Service Unavailable (maintenance)", "text/plain")
        try:
            body = self.read_json()
        except (ValueError, UnicodeDecodeError):
            return self.reply(
                400,
                {
                    "result": "ERROR",
                    "messages": [{"code": "E001", "item": "record", "text": "JSONとして読み取れません"}],
                },
            )
        if not isinstance(body, dict):
            return self.reply(
                400,
                {
                    "result": "ERROR",
                    "messages": [{"code": "E001", "item": "record", "text": "JSONオブジェクトではありません"}],
                },
            )
        status, answer = self.sandbox.receive(body, match.group(1), self._certificate_id())
        self._deliver(number, status, answer)

    def _inquiry(self) -> None:
        self.sandbox.count_request()
        if self.sandbox.mode == "down":
            return self.reply(503, b"Service Unavailable (maintenance)", "text/plain")
        try:
            body = self.read_json()
            if not isinstance(body, dict):
                raise customs.Refused(400, "E001", "request", "JSONオブジェクトではありません")
            return self.reply(200, customs.inquiry(self.sandbox.store, body, self._certificate_id()))
        except customs.Refused as refused:
            return self.reply(refused.status, refused.answer())
        except (ValueError, UnicodeDecodeError):
            return self.reply(
                400,
                {
                    "result": "ERROR",
                    "messages": [{"code": "E001", "item": "request", "text": "JSONとして読み取れません"}],
                },
            )

    def _deliver(self, number: int, status: int, answer: dict[str, Any]) -> None:
        mode = self.sandbox.mode
        if mode == "slow":
            time.sleep(self.sandbox.slow_seconds)
        if mode == "flaky" and number % max(self.sandbox.flaky_every, 1) == 0:
            self.close_connection = True  # stored, but the answer never arrives: an unknown outcome
            self.request.shutdown(socket.SHUT_RDWR)
            return
        self.reply(status, answer)

    def _certificate_id(self) -> str | None:
        peer = self.request.getpeercert() or {}
        for rdn in peer.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return str(value)
        return None


class _ControlHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/sandbox/records":
            return self.reply(200, {"mode": self.sandbox.mode, "records": self.sandbox.store.records()})
        if self.path == "/sandbox/customs":
            return self.reply(200, {"confirmations": self.sandbox.store.confirmations("", limit=10_000)[1]})
        self.reply(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        try:
            body = self.read_json() if int(self.headers.get("Content-Length") or 0) else {}
            if self.path == "/sandbox/mode":
                self.sandbox.set_mode(str(body.get("mode")), **{k: v for k, v in body.items() if k != "mode"})
                return self.reply(200, {"mode": self.sandbox.mode})
            if self.path == "/sandbox/customs":
                return self._confirm(body)
            if self.path == "/sandbox/reset":
                self.sandbox.store.reset()
                self.sandbox.set_mode("ok")
                return self.reply(200, {"reset": True})
        except (ValueError, TypeError) as exc:
            return self.reply(400, {"error": str(exc)})
        self.reply(404, {"error": "not found"})

    def _confirm(self, body: Any) -> None:
        try:
            if not isinstance(body, dict):
                raise customs.Refused(400, "E001", "request", "a JSON object is required")
            return self.reply(201, customs.confirm(self.sandbox.store, body))
        except customs.Refused as refused:
            return self.reply(refused.status, {"error": str(refused), "code": refused.code})
