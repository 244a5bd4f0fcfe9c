"""200 concurrent users browsing worklists on loopback: latency percentiles as JSON.

Builds (or reuses) a store with a simulated district (default 100 k students), reconciles it so
there are conflicts, creates one school administrator per school and a district officer, starts a
real uvicorn server in a subprocess on 127.0.0.1, then lets N simulated users each make R requests:
their school's worklist page (HTML), the JSON list with filters, and a conflict's detail, with a
think time between clicks as people browsing have (``--think 0`` = a saturation test).

    .venv/bin/python bench/bench_api.py [--students 100000] [--users 200] [--requests 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select, text


def build_store(path: Path, students: int) -> None:
    from doisoat import store
    from reconcile.service import run_reconcile
    from simulate import generate
    from simulate.load import load_district

    engine = store.get_engine(f"sqlite:///{path}")
    store.upgrade(engine)
    load_district(engine, generate(students, seed=1))
    run_reconcile(engine)
    engine.dispose()


def make_users(url: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A session token per school admin and the conflict ids of each school."""
    from doisoat import store
    from doisoat.model import Conflict, School, UserAccount
    from service.api.auth import hash_password, issue_token

    engine = store.open_store(url)
    digest = hash_password("bench")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        codes = [r[0] for r in conn.execute(select(School.__table__.c.school_code))]
        conn.execute(text("DELETE FROM app_user WHERE username LIKE 'bench-%'"))
        conn.execute(
            UserAccount.__table__.insert(),
            [
                {"username": f"bench-{c}", "role": "school_admin", "school_code": c,
                 "password_hash": digest, "created_at": now, "active": True, "full_name": ""}
                for c in codes
            ],
        )  # fmt: skip
        ids: dict[str, list[str]] = {c: [] for c in codes}
        table = Conflict.__table__
        for cid, school in conn.execute(select(table.c.conflict_id, table.c.school_code)):
            if school in ids:
                ids[school].append(cid)
    tokens = {c: issue_token(engine, f"bench-{c}", kind="session", hours=2) for c in codes}
    engine.dispose()
    return tokens, ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def user(
    client: httpx.AsyncClient, school: str, token: str, ids: list[str], requests: int,
    think: float, out: list, errors: list, seed: int,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    headers = {"Cookie": f"doisoat_session={token}"}
    await asyncio.sleep(rng.uniform(0, think))  # users arrive spread over one think time
    for i in range(requests):
        kind = i % 3
        if kind == 0:
            path = f"/schools/{school}/worklist?page={rng.randint(1, 3)}"
        elif kind == 1:
            sev = rng.choice(["", "&severity=high", "&severity=medium"])
            path = f"/api/v1/conflicts?school={school}&status=open&limit=50{sev}"
        else:
            path = f"/conflicts/{rng.choice(ids)}" if ids else f"/schools/{school}/worklist"
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append((path, response.status_code))
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def browse(
    base: str, tokens: dict, ids: dict, users: int, requests: int, think: float
) -> dict:
    schools = sorted(tokens)
    latencies: list[float] = []
    errors: list = []
    # One client with a connection per user: building 200 clients (each with its own TLS
    # context) would stall the event loop and show up as server latency.
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *[
                user(client, s, tokens[s], ids[s], requests, think, latencies, errors, seed=i)
                for i, s in enumerate(schools[i % len(schools)] for i in range(users))
            ]
        )
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:3],
        "seconds": round(wall, 2),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20, help="requests per user")
    parser.add_argument(
        "--think", type=float, default=5.0,
        help="mean seconds a user reads a page before the next click (0 = back to back)",
    )  # fmt: skip
    parser.add_argument("--store", type=Path, default=None, help="reuse this SQLite store")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()

    store_path = args.store or Path(tempfile.gettempdir()) / f"doisoat-bench-api-{args.students}.db"
    built = 0.0
    if not store_path.exists():
        t0 = time.perf_counter()
        build_store(store_path, args.students)
        built = time.perf_counter() - t0
    url = f"sqlite:///{store_path}"
    tokens, ids = make_users(url)
    port = free_port()
    env = {**os.environ, "DOISOAT_DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--workers", str(args.workers), "--timeout-keep-alive", "75"],
        env=env, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        result = asyncio.run(browse(base, tokens, ids, args.users, args.requests, args.think))
    finally:
        server.terminate()
        server.wait(30)
    conflicts = sum(len(v) for v in ids.values())
    print(
        json.dumps(
            {
                "bench": "api_worklists",
                "students": args.students,
                "schools": len(tokens),
                "conflicts": conflicts,
                "users": args.users,
                "workers": args.workers,
                "think_seconds": args.think,
                "store_build_seconds": round(built, 1),
                **result,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
