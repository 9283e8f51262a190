"""What the sandbox received, in its own SQLite file (never the app's database), so that killing
and restarting it loses nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .files import create_owner_only

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY,
    sender_id TEXT NOT NULL, send_no TEXT NOT NULL, shop_id TEXT NOT NULL, version TEXT NOT NULL,
    kind TEXT NOT NULL, item_count INTEGER NOT NULL, body TEXT NOT NULL, body_hash TEXT NOT NULL,
    result TEXT NOT NULL, messages TEXT NOT NULL, received_at TEXT NOT NULL, times INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS received_number ON received (sender_id, send_no);
CREATE TABLE IF NOT EXISTS confirmations (
    id INTEGER PRIMARY KEY,
    sender_id TEXT NOT NULL, send_no TEXT NOT NULL, shop_id TEXT NOT NULL, kind TEXT NOT NULL,
    confirmed_at TEXT NOT NULL, registered_at TEXT NOT NULL, missing_lines TEXT NOT NULL,
    UNIQUE (sender_id, send_no)
);
CREATE INDEX IF NOT EXISTS confirmations_registered ON confirmations (sender_id, registered_at, id);
"""


def content_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Store:
    def __init__(self, path: Path):
        create_owner_only(path)
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, ...], int] = {}
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def accepted(self, sender_id: str, send_no: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, body_hash, result, messages FROM received WHERE sender_id = ? AND send_no = ? "
            "AND result != 'ERROR' ORDER BY id LIMIT 1",
            (sender_id, send_no),
        ).fetchone()
        return {"id": row[0], "hash": row[1], "result": row[2], "messages": json.loads(row[3])} if row else None

    def add(self, body: dict[str, Any], *, kind: str, result: str, messages: list[dict[str, str]]) -> None:
        self.db.execute(
            "INSERT INTO received (sender_id, send_no, shop_id, version, kind, item_count, body, body_hash, "
            "result, messages, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(body.get("senderId")),
                str(body.get("sendNo")),
                str(body.get("shopId")),
                str(body.get("version")),
                kind,
                len(body.get("details") or []),
                json.dumps(body, ensure_ascii=False),
                content_hash(body),
                result,
                json.dumps(messages, ensure_ascii=False),
                datetime.now(UTC).isoformat(),
            ),
        )

    def received_again(self, row_id: int) -> None:
        self.db.execute("UPDATE received SET times = times + 1 WHERE id = ?", (row_id,))

    def records(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT send_no, sender_id, shop_id, version, kind, item_count, result, messages, received_at, times "
            "FROM received ORDER BY id"
        ).fetchall()
        keys = (
            "transmission_number",
            "sender",
            "store",
            "version",
            "kind",
            "item_count",
            "result",
            "messages",
            "received_at",
            "times_received",
        )
        return [dict(zip(keys, (*row[:7], json.loads(row[7]), *row[8:]), strict=True)) for row in rows]

    def body(self, sender_id: str, send_no: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT body FROM received WHERE sender_id = ? AND send_no = ? ORDER BY id DESC", (sender_id, send_no)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def sale(self, send_no: str) -> dict[str, Any] | None:
        """An accepted sale record by its 送信番号 (customs finds it from the passport)."""
        row = self.db.execute(
            "SELECT sender_id, shop_id, item_count, version FROM received WHERE send_no = ? AND kind = 'sale' "
            "AND result != 'ERROR' ORDER BY id LIMIT 1",
            (send_no,),
        ).fetchone()
        return {"sender_id": row[0], "shop_id": row[1], "item_count": row[2], "version": row[3]} if row else None

    def confirm(self, rows: list[tuple[str, str, str, str, str, str, list[int]]]) -> int:
        """(sender, send_no, shop, kind, confirmed_at, registered_at, missing lines) rows; a record
        customs already confirmed is left as it was. Returns how many were new."""
        with self.lock:
            before = self.db.total_changes
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR IGNORE INTO confirmations (sender_id, send_no, shop_id, kind, confirmed_at, "
                "registered_at, missing_lines) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row[:6], json.dumps(row[6])) for row in rows],
            )
            self.db.execute("COMMIT")
            self.counts.clear()
            return self.db.total_changes - before

    def confirmations(
        self,
        sender_id: str,
        *,
        since: str = "",
        until: str = "",
        shop_id: str = "",
        send_no: str = "",
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[int, list[dict[str, Any]]]:
        where, args = ["1 = 1"], []
        for clause, value in (
            ("sender_id = ?", sender_id),
            ("registered_at >= ?", since),
            ("registered_at < ?", until),
            ("shop_id = ?", shop_id),
            ("send_no = ?", send_no),
        ):
            if value:
                where.append(clause)
                args.append(value)
        condition = " AND ".join(where)
        key = (condition, *args)
        if key not in self.counts:  # a query's pages share one count until customs confirms more
            self.counts[key] = self.db.execute(
                f"SELECT COUNT(*) FROM confirmations WHERE {condition}", args
            ).fetchone()[0]  # noqa: S608
        count = self.counts[key]
        rows = self.db.execute(
            "SELECT send_no, shop_id, kind, confirmed_at, registered_at, missing_lines FROM confirmations "  # noqa: S608
            f"WHERE {condition} ORDER BY registered_at, id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        keys = ("send_no", "shop_id", "kind", "confirmed_at", "registered_at", "missing_lines")
        return count, [dict(zip(keys, (*row[:5], json.loads(row[5])), strict=True)) for row in rows]

    def reset(self) -> None:
        self.db.execute("DELETE FROM received")
        self.db.execute("DELETE FROM confirmations")
        self.counts.clear()
