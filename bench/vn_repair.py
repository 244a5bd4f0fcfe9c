"""How well and how fast ``repair_text`` undoes each wrong code page; prints JSON.

    .venv/bin/python bench/vn_repair.py [names_per_family] [throughput_rows]

The damage is made with Python's own codecs (not with our encoders) from real names: family
names with their shares, middle names, and the shipped given-name lists, one in ten in capitals.
Each family's figure is the share of names that come back exactly. ``clean_changed`` counts
clean Vietnamese and foreign names that came back different (it must be 0). The throughput
part runs ``repair_text`` and ``repair_series`` over ``throughput_rows`` names of which 1 % are
damaged (every family, TCVN3 and VNI included), and ``repair_text`` over the same names with
no damage (``clean_only``), in CPU seconds, best of three; ``cold`` clears the caches first.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import sys
import time
import unicodedata
from collections.abc import Callable

import polars as pl

from doisoat import vn
from doisoat.vn._namedata import read_name_file


def _sloppy(err: UnicodeError) -> tuple[str, int]:
    """What Windows does with the five bytes cp1252 leaves undefined: U+0081 and the like."""
    if isinstance(err, UnicodeDecodeError):
        return "".join(chr(b) for b in err.object[err.start : err.end]), err.end
    raise err


codecs.register_error("bench-sloppy", _sloppy)
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(name: str, *, precomposed: bool) -> str:
    """``name`` written by a Windows-1258 program and read back as cp1252: tone marks as bytes
    of their own after the letter (all of them, or only where 1258 has no precomposed letter)."""
    out = []
    for ch in unicodedata.normalize("NFC", name):
        if precomposed:
            try:
                out.append(ch.encode("cp1258"))
                continue
            except UnicodeEncodeError:
                pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append((base + "".join(c for c in parts if c in _TONES)).encode("cp1258"))
    return b"".join(out).decode("cp1252")


def _utf8_as(*layers: str) -> Callable[[str], str]:
    def damage(name: str) -> str:
        for encoding in layers:
            name = name.encode("utf-8").decode(encoding, "bench-sloppy")
        return name

    return damage


FAMILIES: dict[str, Callable[[str], str]] = {
    "utf8_as_cp1252": _utf8_as("cp1252"),
    "utf8_as_latin1": _utf8_as("latin-1"),
    "cp1258_as_cp1252": lambda s: _cp1258(s, precomposed=True),
    "cp1258_decomposed_as_cp1252": lambda s: _cp1258(s, precomposed=False),
    "double_utf8_as_cp1252": _utf8_as("cp1252", "cp1252"),
    "double_utf8_as_latin1": _utf8_as("latin-1", "latin-1"),
    "double_utf8_cp1252_then_latin1": _utf8_as("cp1252", "latin-1"),
    "tcvn3": vn.encode_tcvn3,
    "vni": vn.encode_vni,
    "nfd": lambda s: unicodedata.normalize("NFD", s),
}

FOREIGN_NAMES = (
    "Guðmundsdóttir", "Sigurðardóttir", "Þórsson", "Łukasz", "Wałęsa", "Müller", "José",
    "François", "Søren Kierkegaard", "Ærøskøbing", "Björk", "Ólafur", "Núñez", "Zoë", "Çelik",
    "Şahin", "Dvořák", "Ångström", "Gonçalves", "Štěpánek", "Jürgen Groß", "Maël", "Chloé",
    "Noémie", "Anaïs", "Hélène", "Désirée", "João", "Conceição", "Eøin", "Sánchez", "Piñera",
)  # fmt: skip


def real_names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    families, shares = list(vn.FAMILY_NAMES), list(vn.FAMILY_NAMES.values())
    given = {
        g: [*read_name_file(f"{w}.txt"), *read_name_file(f"{w}_one_word.txt")]
        for g, w in (("M", "boy"), ("F", "girl"))
    }
    out = []
    for _ in range(count):
        gender = rng.choice("MF")
        middle = rng.choice(list(vn.MIDDLE_NAMES[gender]))
        name = vn.join_name(rng.choices(families, shares)[0], middle, rng.choice(given[gender]))
        out.append(name.upper() if rng.random() < 0.1 else name)
    return out


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def _clear() -> None:
    from doisoat.vn import text

    for cached in (getattr(text, n, None) for n in ("_analyse_cp1252", "_slow_path")):
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


def main(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    per_family = int(args[0]) if args else 2000
    rows = int(args[1]) if len(args) > 1 else 100_000
    results: dict[str, object] = {
        "names_per_family": per_family,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    names = real_names(per_family, seed=19)
    rates = {}
    for family, damage in FAMILIES.items():
        ok = sum(vn.repair_text(damage(n)) == n for n in names)
        rates[family] = round(ok / per_family, 4)
    results["repaired_share"] = rates
    clean = [*names, *(n for w in ("boy", "girl") for n in read_name_file(f"{w}.txt"))]
    results["clean_changed"] = {
        "vietnamese": sum(vn.repair_text(n) != n for n in clean),
        "vietnamese_checked": len(clean),
        "foreign": [n for n in FOREIGN_NAMES if vn.repair_text(n) != n],
    }

    rng = random.Random(7)
    clean_rows = real_names(rows, seed=7)
    mixed = list(clean_rows)
    damages = list(FAMILIES.values())
    for i in rng.sample(range(rows), rows // 100):
        mixed[i] = rng.choice(damages)(mixed[i])
    series = pl.Series("full_name", mixed)

    def cold(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            _clear()
            job()

        return run

    def text_job() -> object:
        return [vn.repair_text(n) for n in mixed]

    def clean_job() -> object:
        return [vn.repair_text(n) for n in clean_rows]

    def series_job() -> object:
        return vn.repair_series(series)

    speed: dict[str, float | int] = {"rows": rows, "damaged_share": 0.01}
    speed["repair_text_clean_only_cold_s"] = round(_best(cold(clean_job)), 3)
    speed["repair_text_cold_s"] = round(_best(cold(text_job)), 3)
    speed["repair_text_warm_s"] = round(_best(text_job), 3)
    speed["repair_series_cold_s"] = round(_best(cold(series_job)), 3)
    for key in [k for k in speed if k.endswith("_s")]:
        speed[key[:-2] + "_rows_per_s"] = int(rows / max(float(speed[key]), 1e-9))
    results["throughput"] = speed
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
