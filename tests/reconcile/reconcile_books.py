"""A small, deterministic table that is not about students: two library catalogues."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

WORDS = (
    "river stone night garden silver winter letters house island road empire glass shadow "
    "harbour memory forest storm lantern orchard mountain"
).split()
AUTHORS = (
    "Nguyễn Nhật Ánh",
    "Tô Hoài",
    "Nam Cao",
    "Vũ Trọng Phụng",
    "Xuân Diệu",
    "Nguyễn Du",
    "Bảo Ninh",
    "Hồ Anh Thái",
    "Nguyễn Huy Thiệp",
    "Dương Thu Hương",
    "Ma Văn Kháng",
    "Nguyễn Ngọc Tư",
    "Phan Việt",
    "Trang Hạ",
    "Di Li",
)


def catalogues(n: int = 600, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(library A, library B): B holds 70 % of A's books, retyped with the usual slips
    (a dropped letter, no diacritics, a missing ISBN, a wrong month), plus books of its own."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        title = " ".join(rng.sample(WORDS, 3)).title()
        rows.append(
            {
                "book_id": f"A{i:04d}",
                "isbn": f"978{rng.randrange(10**9, 10**10)}",
                "title": title,
                "author": rng.choice(AUTHORS),
                "published": dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 22000)),
            }
        )
    a = pl.DataFrame(rows)
    b_rows = []
    for i, row in enumerate(rows):
        if rng.random() > 0.7:
            continue
        new = dict(row, book_id=f"B{i:04d}")
        if rng.random() < 0.3:
            t = new["title"]
            j = rng.randrange(len(t))
            new["title"] = t[:j] + t[j + 1 :]
        if rng.random() < 0.2:
            new["isbn"] = None
        if rng.random() < 0.1:
            new["published"] = new["published"].replace(day=1)
        b_rows.append(new)
    for i in range(n // 5):
        b_rows.append(
            {
                "book_id": f"B9{i:03d}",
                "isbn": f"978{rng.randrange(10**9, 10**10)}",
                "title": " ".join(rng.sample(WORDS, 3)).title(),
                "author": rng.choice(AUTHORS),
                "published": dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 22000)),
            }
        )
    return a, pl.DataFrame(b_rows)


def truth(right: pl.DataFrame) -> set[tuple[str, str]]:
    ids = [i for i in right["book_id"].to_list() if not i.startswith("B9")]
    return {("A" + i[1:], i) for i in ids}
