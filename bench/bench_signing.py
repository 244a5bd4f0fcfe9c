"""Transcript signing speed: render + sign one học bạ (PAdES B-B), a class of 45, and the curve
towards a district's year end (40 k transcripts) with two worker processes.

Prints one JSON document. Reproduce with::

    .venv/bin/python bench/bench_signing.py                 # one, class of 45, curve 200/1000
    .venv/bin/python bench/bench_signing.py --curve 200 1000 4000 --teachers 8

Signers are the test PKI's keys (tests/signing/pki, RSA 2048) in memory; a transcript's plan has
``--teachers`` subject-teacher signatures + homeroom + principal + seal. The 40 k figure is an
extrapolation from the largest measured point, labelled as such. Simulating is not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simulate  # noqa: E402
from signing import SigningSetup, issue_transcript  # noqa: E402
from signing.build import _subject_names as subject_names  # noqa: E402
from signing.build import build_from_group, group_inputs  # noqa: E402
from signing.signers import signer_from_key  # noqa: E402

QUICK_ARGS = ["--curve", "20", "--class-size", "10", "--repeat", "3"]
CREATED = dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)
_SETUP: SigningSetup | None = None


def _setup(teachers: int) -> SigningSetup:
    from asn1crypto import keys, x509
    from certomancer.registry import CertomancerConfig

    config = CertomancerConfig.from_file(str(ROOT / "tests/signing/pki/certomancer.yml"))
    arch = config.get_pki_arch("hocba")

    def cert(label: str) -> x509.Certificate:
        return x509.Certificate.load(arch.get_cert(label).dump())

    def signer(label: str):
        key = keys.PrivateKeyInfo.load(arch.key_set.get_private_key(label).dump())
        return signer_from_key(cert(label), key, [cert("interm"), cert("root")])

    pool = ("teacher1", "teacher2", "teacher3")
    signers = {f"gv{i}": signer(pool[i % 3]) for i in range(teachers)}
    signers.update({r: signer(r) for r in ("homeroom", "principal", "seal")})
    return SigningSetup(
        signers=signers,
        homeroom="homeroom",
        principal="principal",
        seal="seal",
        teachers={f"gv{i}": [] for i in range(teachers)},
    )


def _assign(setup: SigningSetup, transcript) -> SigningSetup:
    """Spread the latest year's subjects over the teachers, round robin."""
    codes = [s.code for s in transcript.current_year.subjects]
    keys = sorted(setup.teachers)
    teachers = {k: codes[i :: len(keys)] for i, k in enumerate(keys)}
    return SigningSetup(
        signers=setup.signers,
        homeroom=setup.homeroom,
        principal=setup.principal,
        seal=setup.seal,
        teachers={k: v for k, v in teachers.items() if v},
    )


def _init(teachers: int) -> None:
    global _SETUP
    _SETUP = _setup(teachers)
    from signing.typeface import load_font

    load_font(False), load_font(True)


def _sign_one(transcript) -> int:
    assert _SETUP is not None
    return len(issue_transcript(transcript, _assign(_SETUP, transcript), created=CREATED))


def _transcripts(students: int, limit: int | None = None, seed: int = 7):
    district = simulate.generate(students, seed=seed)
    vendor = district.records.filter(pl.col("source") != "moet")
    latest = vendor.filter(pl.col("grade") >= 6)
    codes = set(latest.get_column("moet_code").drop_nulls().to_list())
    records = district.records.filter(pl.col("moet_code").is_in(list(codes)))
    schools = {row["school_code"]: row for row in district.schools.to_dicts()}
    names = subject_names(None)
    out, failed = [], 0
    for code, recs, subj, terms in group_inputs(
        records, district.subject_results, district.term_results
    ):
        try:
            t = build_from_group(
                recs, subj, terms, schools, code, issued_on=CREATED.date(), subject_names=names
            )
        except Exception:
            failed += 1
            continue
        if t.current_year and t.current_year.subjects:
            out.append(t)
        if limit and len(out) >= limit:
            break
    return out, failed, district


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teachers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--class-size", type=int, default=45)
    parser.add_argument("--curve", type=int, nargs="*", default=[200, 1000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    pool_size = max([args.class_size, *args.curve, args.repeat])
    students = max(2000, int(pool_size * 1.6))
    t0 = time.perf_counter()
    transcripts, failed, _ = _transcripts(students, limit=pool_size)
    build_seconds = time.perf_counter() - t0
    _init(args.teachers)
    result: dict = {
        "benchmark": "signing",
        "cpu_count": os.cpu_count(),
        "teachers_per_transcript": args.teachers,
        "signatures_per_transcript": args.teachers + 3,
        "transcripts_built": len(transcripts),
        "build_failed": failed,
        "build_seconds_incl_simulate": round(build_seconds, 2),
    }
    one = transcripts[0]
    _sign_one(one)  # warm up (font subset, imports)
    times, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        size = _sign_one(one)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    result["one_transcript_full_chain_ms"] = {
        "median": round(statistics.median(times) * 1000, 1),
        "min": round(min(times) * 1000, 1),
        "cpu_median": round(statistics.median(cpu) * 1000, 1),
        "bytes": size,
    }
    seal_only = SigningSetup(
        signers=_SETUP.signers, homeroom="homeroom", principal="principal", seal="seal"
    )
    from signing import render_transcript, sign_document
    from signing.plan import SigningPlan

    full = _assign(_SETUP, one)
    from signing.issue import plan_for

    plan = plan_for(one, full)
    med = statistics.median
    times_render, times_seal, cpu_render, cpu_seal = [], [], [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        pdf = render_transcript(one, plan, created=CREATED)
        times_render.append(time.perf_counter() - t)
        cpu_render.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        sign_document(pdf, SigningPlan(plan.steps[-1:]), seal_only.signers)
        times_seal.append(time.perf_counter() - t)
        cpu_seal.append(time.process_time() - c)
    result["render_only_ms"] = {
        "median": round(med(times_render) * 1000, 1),
        "cpu_median": round(med(cpu_render) * 1000, 1),
    }
    result["one_signature_ms"] = {
        "median": round(med(times_seal) * 1000, 1),
        "cpu_median": round(med(cpu_seal) * 1000, 1),
    }
    result["render_plus_one_signature_ms"] = {
        "median": round((med(times_render) + med(times_seal)) * 1000, 1),
        "cpu_median": round((med(cpu_render) + med(cpu_seal)) * 1000, 1),
    }

    klass = transcripts[: args.class_size]
    t, c = time.perf_counter(), time.process_time()
    for tr in klass:
        _sign_one(tr)
    result["class"] = {
        "transcripts": len(klass),
        "seconds_one_core": round(time.perf_counter() - t, 2),
        "cpu_seconds": round(time.process_time() - c, 2),
    }
    result["load_average_1min_before_curve"] = round(os.getloadavg()[0], 2)

    curve = []
    with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(args.teachers,)) as ex:
        list(ex.map(_sign_one, transcripts[: args.workers]))  # warm the workers
        for n in args.curve:
            batch = transcripts[:n]
            t = time.perf_counter()
            list(ex.map(_sign_one, batch, chunksize=8))
            seconds = time.perf_counter() - t
            curve.append(
                {
                    "transcripts": len(batch),
                    "workers": args.workers,
                    "seconds": round(seconds, 2),
                    "per_second": round(len(batch) / seconds, 2),
                }
            )
    result["curve"] = curve
    last = curve[-1]
    result["extrapolated_40k_minutes"] = {
        "value": round(40000 / last["per_second"] / 60, 1),
        "note": f"EXTRAPOLATED linearly from the {last['transcripts']}-transcript point",
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
