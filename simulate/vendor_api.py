"""A simulated vendor / sector-database HTTP API on loopback, with fault injection.

Serves each source's student records as JSON, the way the profiles' ``[api]`` sections expect:
SMAS with page numbers, vnEdu with offsets, the sector database with opaque cursors; every
list is ordered by (last change, key) and can be filtered by a ``since`` time. A token is
obtained from ``POST /auth/token``. Faults are queued per test: bursts of 5xx, slow answers,
dropped connections, truncated JSON, 429 with ``Retry-After``.

    api = VendorApi.from_district(district)
    with serve(api) as base_url:
        api.faults.add("5xx", 3)
        ...
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import polars as pl

from doisoat.model import REGISTRY_SOURCE
from simulate.district import District

GENDER = {"M": "Nam", "F": "Nữ"}
STATUS = {"studying": "Đang học", "transferred_in": "Chuyển đến kỳ 2",
          "transferred_out": "Chuyển đi", "dropped_out": "Thôi học",
          "graduated": "Đã tốt nghiệp", "repeating": "Lưu ban"}
PATHS = {"smas": "/smas/api/v1/hocsinh", "vnedu": "/vnedu/api/v1/hocsinh",
         REGISTRY_SOURCE: "/moet/api/v1/hocsinh"}
BASE_TIME = dt.datetime(2026, 6, 1, 8, 0, 0)


@dataclass
class Faults:
    """A queue of faults, each consumed by one GET (thread-safe); "ok" lets one through."""

    queue: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, count: int = 1, **options: Any) -> None:
        if kind not in {"ok", "5xx", "slow", "drop", "truncate", "429"}:
            raise ValueError(kind)
        with self.lock:
            for _ in range(count):
                self.queue.append((kind, options))

    def take(self) -> tuple[str, dict] | None:
        with self.lock:
            return self.queue.popleft() if self.queue else None


def to_json_rows(records: pl.DataFrame, stamps: list[str]) -> list[dict[str, Any]]:
    rows = []
    for rec, stamp in zip(records.iter_rows(named=True), stamps, strict=True):
        rows.append({
            "maHS": rec["local_id"], "maDinhDanh": rec["moet_code"], "hoTen": rec["full_name"],
            "ngaySinh": rec["dob"].strftime("%d/%m/%Y") if rec["dob"] else None,
            "gioiTinh": GENDER.get(rec["gender"] or ""), "danToc": rec["ethnicity"],
            "soDinhDanhCaNhan": rec["personal_id"], "lop": rec["class_name"],
            "khoi": rec["grade"], "trangThai": STATUS.get(rec["status"]),
            "ngayChuyen": rec["status_date"].strftime("%d/%m/%Y") if rec["status_date"] else None,
            "truongChuyen": rec["transfer_school_code"], "maTruong": rec["school_code"],
            "namHoc": rec["school_year"], "capNhatLuc": stamp,
        })
    return rows


def _order(row: dict[str, Any]) -> tuple[str, str, str]:
    """Lists are ordered by last change, then by key (school, local id)."""
    return row["capNhatLuc"], row.get("maTruong") or "", row["maHS"] or ""


class VendorApi:
    """The data and rules of the simulated APIs (no sockets: see :func:`serve`)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]], *, username: str = "phong-gd",
                 password: str = "mat-khau", token_ttl: int = 3600) -> None:
        self.rows = {source: sorted(r, key=_order) for source, r in rows.items()}
        self.username, self.password = username, password
        self.tokens: set[str] = set()
        self.faults = Faults()
        self.requests: list[str] = []
        self.lock = threading.Lock()

    @classmethod
    def from_district(cls, district: District, **kwargs: Any) -> VendorApi:
        rows: dict[str, list[dict[str, Any]]] = {}
        for source in PATHS:
            records = district.records.filter(pl.col("source") == source)
            if source == REGISTRY_SOURCE:
                records = records.with_columns(pl.col("moet_code").alias("local_id"))
            stamps = [(BASE_TIME + dt.timedelta(seconds=i)).isoformat()
                      for i in range(records.height)]
            rows[source] = to_json_rows(records, stamps)
        return cls(rows, **kwargs)

    def touch(self, source: str, keys: Iterable[tuple[str | None, str]],
              when: dt.datetime) -> None:
        """Mark rows as changed at ``when`` (for incremental pulls). A row is named by its
        school and its local id (``maTruong``, ``maHS``): each school numbers its students
        from HS0001, so a local id alone names one student in every school."""
        wanted = set(keys)
        with self.lock:
            for row in self.rows[source]:
                if (row["maTruong"], row["maHS"]) in wanted:
                    row["capNhatLuc"] = when.isoformat()
            self.rows[source].sort(key=_order)

    def login(self, body: dict[str, Any]) -> str | None:
        if body.get("username") == self.username and body.get("password") == self.password:
            token = base64.urlsafe_b64encode(f"{self.username}:{time.time_ns()}".encode()).decode()
            self.tokens.add(token)
            return token
        return None

    def page(self, source: str, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            rows = list(self.rows[source])
        since = query.get("capNhatTu") or query.get("updated_since")
        if since:
            rows = [r for r in rows if r["capNhatLuc"] > since]
        if source == "smas":
            page, size = int(query.get("trang", 1)), int(query.get("soDong", 200))
            start = (page - 1) * size
            total_pages = max(1, -(-len(rows) // size))
            return {"data": rows[start:start + size], "trang": page, "tongSoTrang": total_pages}
        if source == "vnedu":
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 200))
            return {"data": rows[offset:offset + limit], "total": len(rows)}
        limit = int(query.get("limit", 500))
        start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if query.get("cursor") \
            else 0
        end = start + limit
        next_cursor = base64.urlsafe_b64encode(str(end).encode()).decode() \
            if end < len(rows) else None
        return {"data": rows[start:end], "next_cursor": next_cursor}


class _Handler(BaseHTTPRequestHandler):
    api: VendorApi
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: Any) -> None:  # keep test output clean
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _fault(self) -> bool:
        fault = self.api.faults.take()
        if fault is None:
            return False
        kind, options = fault
        if kind == "ok":
            return False
        if kind == "5xx":
            self._send(int(options.get("status", 503)), b'{"error": "unavailable"}')
        elif kind == "429":
            self._send(429, b'{"error": "slow down"}',
                       {"Retry-After": str(options.get("retry_after", 1))})
        elif kind == "slow":
            time.sleep(float(options.get("seconds", 2.0)))
            return False
        elif kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        elif kind == "truncate":
            body = json.dumps({"data": [{"maHS": "x"}] * 50}).encode()
            self._send(200, body[: len(body) // 2])
        return True

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        if urlparse(self.path).path != "/auth/token":
            self._send(404, b"{}")
            return
        try:
            token = self.api.login(json.loads(raw))
        except ValueError:
            token = None
        if token is None:
            self._send(401, b'{"error": "invalid credentials"}')
            return
        self._send(200, json.dumps({"access_token": token, "expires_in": 3600}).encode())

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        self.api.requests.append(self.path)
        if self._fault():
            return
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.api.tokens:
            self._send(401, b'{"error": "token required"}')
            return
        source = next((s for s, p in PATHS.items() if p == url.path), None)
        if source is None:
            self._send(404, b'{"error": "not found"}')
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self._send(200, json.dumps(self.api.page(source, query), ensure_ascii=False).encode())


@contextmanager
def serve(api: VendorApi, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``api`` on a loopback port in a thread; yields its base URL."""
    handler = type("Handler", (_Handler,), {"api": api})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
