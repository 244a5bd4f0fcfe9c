"""Screenshots of the pages people work in, at a desk (1366 px) and on a phone (390 px), and the
same pages printed on A4 (PDF): the dashboard, a school's worklist, an identity conflict and a
transfer conflict, on a simulated district run through a whole night.

    make screenshots                 # or: .venv/bin/python scripts/screenshots.py [--out DIR]

Everything happens in a temporary folder (a new store, its exports, its reports); only the
pictures are written, into ``var/screenshots/`` by default. Needs Debian's Chromium
(``system-packages.txt``) and the ``playwright`` package (the dev dependencies).
"""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def build_district(folder: Path, students: int, seed: int):
    """A simulated district's exports through a whole night into a new store in ``folder``."""
    from doisoat import store
    from service.config import load_settings
    from service.night.pipeline import run_nightly
    from simulate import generate, load_school_directory, write_district

    district = generate(students, seed=seed)
    exports = folder / "exports"
    write_district(district, exports)
    engine = store.open_store(f"sqlite:///{folder / 'store.db'}")
    load_school_directory(engine, district)
    settings = dataclasses.replace(load_settings(), reports_dir=folder / "var" / "reports")
    outcome = run_nightly(engine, night=district.night, settings=settings, inbox=[exports])
    if outcome.status != "committed":
        raise SystemExit(f"the demo night did not commit: {outcome.status}")
    return engine


def _pick(engine) -> tuple[str, str, str | None]:
    """The school with a transfer held at two schools (else the most problems), one of its
    identity conflicts, and one of its transfer conflicts."""
    from sqlalchemy import text

    with engine.connect() as conn:
        dual = conn.execute(text(
            "SELECT school_code, conflict_id FROM conflict WHERE type = 'DUAL_ENROLLMENT' "
            "ORDER BY conflict_id LIMIT 1")).first()  # fmt: skip
        school = dual[0] if dual else conn.execute(text(
            "SELECT school_code FROM conflict WHERE school_code IS NOT NULL "
            "GROUP BY school_code ORDER BY count(*) DESC LIMIT 1")).scalar()  # fmt: skip
        identity = conn.execute(text(
            "SELECT conflict_id FROM conflict WHERE school_code = :s AND type = 'ID_MISMATCH' "
            "ORDER BY conflict_id LIMIT 1"), {"s": school}).scalar()  # fmt: skip
    return school, identity, dual[1] if dual else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shoot(engine, var_dir: Path, out: Path) -> list[Path]:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from service.api import add_user, create_app, issue_token

    school, identity, dual = _pick(engine)
    add_user(engine, "screens-officer", secrets.token_urlsafe(16), role="district_officer",
             full_name="Cán bộ Phòng GDĐT")  # fmt: skip
    add_user(engine, "screens-admin", secrets.token_urlsafe(16), role="school_admin",
             school_code=school, full_name="Quản trị trường")  # fmt: skip
    sessions = {who: issue_token(engine, who, kind="session", hours=1)
                for who in ("screens-officer", "screens-admin")}  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(
        create_app(engine, var_dir=var_dir), host="127.0.0.1", port=_free_port(),
        log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.config.port}"
    shots = [("dashboard", "screens-officer", "/"),
             ("worklist", "screens-admin", f"/schools/{school}/worklist"),
             ("conflict-identity", "screens-admin", f"/conflicts/{identity}")]  # fmt: skip
    if dual:
        shots.append(("conflict-transfer", "screens-admin", f"/conflicts/{dual}"))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for name, who, path in shots:
                for size, (width, height) in WIDTHS.items():
                    context = browser.new_context(
                        locale="vi-VN", viewport={"width": width, "height": height}
                    )
                    context.add_cookies([{"name": "doisoat_session", "value": sessions[who],
                                          "url": base}])  # fmt: skip
                    page = context.new_page()
                    page.goto(base + path)
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                    if size == "desktop":  # A4 with the browser's print defaults
                        pdf = out / f"{name}-a4.pdf"
                        page.emulate_media(media="print")
                        page.pdf(path=str(pdf), format="A4", print_background=True)
                        written.append(pdf)
                    context.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("var") / "screenshots")
    parser.add_argument("--students", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium is missing ({CHROMIUM}): see system-packages.txt", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="doisoat-screens-") as tmp:
        folder = Path(tmp)
        engine = build_district(folder, args.students, args.seed)
        for path in shoot(engine, folder / "var", args.out):
            print(path)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
