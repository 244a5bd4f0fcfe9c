"""Schools and the people behind the records: who each student really is (the ground truth)."""

from __future__ import annotations

import numpy as np
import polars as pl

from doisoat import vn

VENDOR_SHARES = {"smas": 0.35, "vnedu": 0.30, "vietschool": 0.20, "quangich": 0.15}
# Schools of the district keep the code of the province that opened them: Hồ Chí Minh (79) now
# includes Bình Dương (74) and Bà Rịa–Vũng Tàu (77); a few schools elsewhere receive transfers.
SCHOOL_PROVINCES = {"79": 0.78, "74": 0.12, "77": 0.06, "01": 0.04}
PROVINCE3 = {"79": "079", "74": "074", "77": "077", "01": "001"}
SCHOOL_NAMES = (
    "Nguyễn Du",
    "Lê Quý Đôn",
    "Trần Phú",
    "Chu Văn An",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Quang Trung",
    "Hai Bà Trưng",
    "Trần Hưng Đạo",
    "Võ Trường Toản",
    "Nguyễn Bỉnh Khiêm",
    "Lương Thế Vinh",
    "Phan Bội Châu",
    "Huỳnh Thúc Kháng",
    "Nguyễn Thị Minh Khai",
    "Lý Thường Kiệt",
    "Tô Hiến Thành",
    "Đoàn Thị Điểm",
    "Bạch Đằng",
    "Hùng Vương",
    "Nguyễn Văn Trỗi",
    "Võ Thị Sáu",
    "Ngô Quyền",
    "Lê Hồng Phong",
    "Phan Chu Trinh",
    "Trần Quốc Toản",
    "Mạc Đĩnh Chi",
    "Nguyễn Huệ",
)
ETHNICITIES = {"Kinh": 0.90, "Hoa": 0.04, "Khmer": 0.03, "Chăm": 0.01, "Tày": 0.01, "Nùng": 0.01}
BOY_MIDDLE = {
    "Văn": 0.22,
    "Minh": 0.12,
    "Hoàng": 0.07,
    "Đức": 0.07,
    "Quốc": 0.06,
    "Gia": 0.06,
    "Anh": 0.05,
    "Thành": 0.05,
    "Hữu": 0.05,
    "Công": 0.04,
    "Bảo": 0.04,
    "Nhật": 0.04,
    "Đăng": 0.03,
    "Trọng": 0.03,
    "Thanh": 0.03,
    "Tuấn": 0.02,
    "Duy": 0.02,
}
GIRL_MIDDLE = {
    "Thị": 0.24,
    "Ngọc": 0.12,
    "Thu": 0.07,
    "Phương": 0.06,
    "Bảo": 0.06,
    "Khánh": 0.05,
    "Minh": 0.05,
    "Thanh": 0.05,
    "Kim": 0.05,
    "Mai": 0.04,
    "Hoài": 0.04,
    "Gia": 0.04,
    "Hải": 0.03,
    "Tường": 0.03,
    "Như": 0.04,
    "Quỳnh": 0.03,
}
COMPOUND_FAMILIES = ("Tôn Nữ", "Tôn Thất", "Nguyễn Phúc", "Âu Dương")
AVERAGE_SCHOOL_SIZE = {"thcs": 900, "thpt": 1300}
LEVEL_GRADES = {"thcs": (6, 7, 8, 9), "thpt": (10, 11, 12)}


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    names = np.array(list(table), dtype=object)
    weights = np.array(list(table.values()), dtype=float)
    return names[rng.choice(len(names), size=size, p=weights / weights.sum())]


def make_schools(
    rng: np.random.Generator, students: int, provinces: dict[str, float] | None = None
) -> pl.DataFrame:
    """Enough lower- and upper-secondary schools for ``students`` (about 60 % in THCS).

    ``provinces``: the share of schools opened under each (pre-2025) province code; the
    default is the Hồ Chí Minh district's mix (:data:`SCHOOL_PROVINCES`). A simulated country
    (:mod:`simulate.country`) gives each province its own predecessors."""
    counts = {
        level: max(1, round(students * share / AVERAGE_SCHOOL_SIZE[level]))
        for level, share in (("thcs", 0.6), ("thpt", 0.4))
    }
    rows = []
    serial = 0
    for level, count in counts.items():
        province_of = _pick(rng, provinces or SCHOOL_PROVINCES, count)
        vendors = _pick(rng, VENDOR_SHARES, count)
        for i in range(count):
            serial += 1
            name = SCHOOL_NAMES[(serial * 7) % len(SCHOOL_NAMES)]
            prefix = "THCS" if level == "thcs" else "THPT"
            rows.append(
                {
                    "school_code": f"{province_of[i]}{serial:06d}",
                    "name": f"Trường {prefix} {name}" + (f" số {serial}" if serial > 28 else ""),
                    "level": level,
                    "province_code": province_of[i],
                    "district": f"Khu vực {1 + serial % 12}",
                    "vendor": vendors[i],
                }
            )
    schools = pl.DataFrame(rows)
    weights = rng.uniform(0.6, 1.4, schools.height)
    return schools.with_columns(pl.Series("weight", weights))


def _unique_codes(rng: np.random.Generator, prefixes: np.ndarray, taken: set[str]) -> np.ndarray:
    """Fresh 10-digit identity codes: the issuing province's two digits, then eight digits."""
    n = len(prefixes)
    out = np.empty(n, dtype=object)
    filled = 0
    while filled < n:
        need = n - filled
        tails = rng.integers(0, 10**8, size=int(need * 1.05) + 16)
        candidates = [
            f"{p}{t:08d}" for p, t in zip(prefixes[filled : filled + need], tails, strict=False)
        ]
        for code in candidates:
            if code not in taken:
                taken.add(code)
                out[filled] = code
                filled += 1
    return out


def make_persons(
    rng: np.random.Generator, schools: pl.DataFrame, students: int, start_year: int
) -> tuple[pl.DataFrame, set[str]]:
    """One row per real student: the truth every record of theirs should agree with."""
    n = students
    level_of = schools["level"].to_numpy()
    weight = schools["weight"].to_numpy() * np.where(level_of == "thcs", 900, 1300)
    school_idx = rng.choice(schools.height, size=n, p=weight / weight.sum())
    level = level_of[school_idx]
    grade = np.where(level == "thcs", rng.integers(6, 10, size=n), rng.integers(10, 13, size=n))
    gender = np.where(rng.random(n) < 0.515, "M", "F")
    male = gender == "M"
    family = _pick(rng, vn.FAMILY_NAMES, n)
    compound = rng.random(n) < 0.01
    family = np.where(
        compound, np.array(COMPOUND_FAMILIES, dtype=object)[rng.integers(0, 4, n)], family
    )
    family = np.where(compound & male & (family == "Tôn Nữ"), "Tôn Thất", family)
    middle = np.where(male, _pick(rng, BOY_MIDDLE, n), _pick(rng, GIRL_MIDDLE, n))
    boys = np.array(vn.given_names("M", one_word=True), dtype=object)
    girls = np.array(vn.given_names("F", one_word=True), dtype=object)
    given = np.where(
        male, boys[rng.integers(0, len(boys), n)], girls[rng.integers(0, len(girls), n)]
    )
    birth_year = start_year - 5 - grade - (rng.random(n) < 0.03)
    day_of_year = rng.integers(0, 365, size=n)
    dob = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day_of_year
    dob = np.minimum(dob, (birth_year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - 1)
    province = schools["province_code"].to_numpy()[school_idx]
    born_elsewhere = rng.random(n) < 0.15
    birth_province = np.where(
        born_elsewhere,
        rng.choice(["001", "038", "040", "052", "089", "094"], n),
        np.vectorize(lambda code: PROVINCE3.get(code, f"0{code}"))(province),
    )
    personal_id = personal_ids(
        birth_province, birth_year, gender, _unique_serials(rng, birth_province, birth_year, gender)
    )
    taken: set[str] = set()
    moet_code = _unique_codes(rng, province.astype(object), taken)
    father_given = boys[rng.integers(0, len(boys), n)]
    mother_given = girls[rng.integers(0, len(girls), n)]
    persons = pl.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "school_idx": school_idx,
            "grade": grade.astype(np.int64),
            "gender": gender,
            "family_name": family,
            "middle_name": middle,
            "given_name": given,
            "dob": dob,
            "ethnicity": _pick(rng, ETHNICITIES, n),
            "birthplace": np.vectorize(vn.province_name)(birth_province.astype(str).astype(object)),
            "personal_id": personal_id,
            "moet_code": moet_code,
            "father_name": [
                f"{f} {m} {g}"
                for f, m, g in zip(family, _pick(rng, BOY_MIDDLE, n), father_given, strict=True)
            ],
            "mother_name": [
                f"{f} Thị {g}"
                for f, g in zip(_pick(rng, vn.FAMILY_NAMES, n), mother_given, strict=True)
            ],
            "ability": rng.normal(7.0, 1.1, size=n),
        },
        schema_overrides={"dob": pl.Date},
    )
    persons = persons.with_columns(
        pl.concat_str(["family_name", "middle_name", "given_name"], separator=" ").alias(
            "full_name"
        ),
        pl.Series("school_code", schools["school_code"].to_numpy()[school_idx]),
    )
    return persons, taken


def _unique_serials(
    rng: np.random.Generator, province: np.ndarray, year: np.ndarray, gender: np.ndarray
) -> np.ndarray:
    """Six-digit serials, distinct within each (province, birth year, sex): real IDs never repeat.

    Rank people within their group in random order and spread the ranks with a multiplier
    coprime to 10⁶, from a random start per group: distinct while a group stays under 10⁶.
    """
    frame = pl.DataFrame(
        {
            "p": province.astype(str),
            "y": year,
            "g": gender.astype(str),
            "r": rng.random(len(province)),
        }
    )
    ranked = frame.with_columns(
        pl.col("r").rank("ordinal").over(["p", "y", "g"]).cast(pl.Int64).alias("k"),
        (pl.col("r").min().over(["p", "y", "g"]) * 1e6).cast(pl.Int64).alias("start"),
    )
    return ((ranked["k"] * 7919 + ranked["start"]) % 1_000_000).to_numpy()


def personal_ids(
    birth_province: np.ndarray, birth_year: np.ndarray, gender: np.ndarray, serial: np.ndarray
) -> np.ndarray:
    """12-digit personal IDs (CCCD): province of birth registration, century-and-sex digit, year.

    The vectorised twin of ``doisoat.vn.make_personal_id``; the tests check they agree.
    """
    century = (np.asarray(birth_year) // 100 - 19) * 2 + (np.asarray(gender) == "F")
    return (
        pl.DataFrame(
            {
                "p": np.asarray(birth_province).astype(str),
                "c": century.astype(np.int64),
                "y": (np.asarray(birth_year) % 100).astype(np.int64),
                "s": np.asarray(serial).astype(np.int64),
            }
        )
        .select(
            pl.concat_str(
                [
                    pl.col("p"),
                    pl.col("c").cast(pl.String),
                    pl.col("y").cast(pl.String).str.zfill(2),
                    pl.col("s").cast(pl.String).str.zfill(6),
                ]
            )
        )
        .to_series()
        .to_numpy()
    )
