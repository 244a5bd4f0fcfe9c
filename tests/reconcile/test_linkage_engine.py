"""The generic engine on a table that is not about students (the README example)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from reconcile_books import catalogues, truth

import reconcile as rc
from doisoat.errors import ConfigError, ReconcileError
from reconcile.compare import comparison_levels, prepare
from reconcile.normalise import fold
from reconcile.profile import compile_profile


def book_profile(**changes) -> rc.Profile:
    base = rc.Profile(
        id_column="book_id",
        comparisons=(
            rc.exact("isbn"),
            rc.string("title_key", name="title", levenshtein=(1, 2)),
            rc.exact("author_key", name="author", tf=True),
            rc.date("published"),
        ),
        blocking=(
            rc.block_on("isbn"),
            rc.block_on("author_key", "published"),
            rc.block_on("title_key"),
        ),
        derive={"title_key": fold("title"), "author_key": fold("author")},
        label_column="isbn",
        max_matches_per_left=1,
    )
    return rc.Profile(**{**base.__dict__, **changes})


@pytest.fixture(scope="module")
def books():
    return catalogues()


@pytest.fixture(scope="module")
def linked(books):
    left, right = books
    return rc.link(left, right, book_profile())


def found(result: rc.LinkResult) -> set[tuple[str, str]]:
    return set(result.matches.select("left_id", "right_id").iter_rows())


def test_link_finds_the_same_books_with_high_precision_and_recall(books, linked):
    expected = truth(books[1])
    got = found(linked)
    precision = len(got & expected) / len(got)
    recall = len(got & expected) / len(expected)
    assert precision >= 0.99, precision
    assert recall >= 0.97, recall


def test_pairs_carry_the_public_columns_and_a_per_field_explanation(linked):
    cols = linked.pairs.columns
    for c in ("left_id", "right_id", "match_weight", "match_probability", "decision"):
        assert c in cols
    for name in ("isbn", "title", "author", "published"):
        assert f"w_{name}" in cols and f"gamma_{name}" in cols
    assert set(linked.pairs["decision"].unique()) <= {"match", "review", "non-match"}
    # the explanation adds up to the decision's weight
    row = linked.pairs.row(0, named=True)
    parts = sum(row[f"w_{n}"] for n in ("isbn", "title", "author", "published"))
    assert parts + linked.model.prior_weight == pytest.approx(row["match_weight"], abs=1e-3)


def test_explain_tells_which_fields_agreed(linked):
    story = linked.explain("B0003") or linked.explain(linked.matches["right_id"][0])
    best = story[0]
    assert best["decision"] == "match"
    levels = {f["comparison"]: f["level"] for f in best["fields"]}
    assert levels["author"] == "exact"
    assert all(f["weight"] is not None for f in best["fields"])


def test_each_left_record_matches_at_most_one_right_record(linked):
    per_left = linked.matches.group_by("left_id").len()
    assert per_left["len"].max() == 1


def test_clusters_map_every_id_and_join_matched_books(books, linked):
    left, right = books
    clusters = linked.cluster_map()
    assert len(clusters) == left.height + right.height
    a, b = next(iter(found(linked) & truth(right)))
    assert clusters[a] == clusters[b]
    unmatched = [i for i in right["book_id"].to_list() if i.startswith("B9")]
    assert all(clusters[i] == i for i in unmatched[:20] if i not in linked.matches["right_id"])


def test_thresholds_are_chosen_for_precision(linked):
    assert linked.model.match_threshold >= 0.9
    assert linked.model.review_threshold <= linked.model.match_threshold
    review = linked.review_queue
    if review.height:
        assert review["match_probability"].max() <= 1.0


def test_a_weight_floor_keeps_plausible_pairs_and_each_left_records_best_try(books, linked):
    left, right = books
    floor = 0.0
    trimmed = rc.link(left, right, book_profile(keep_weight_above=floor, keep_best_per_left=True))
    assert found(trimmed) == found(linked)
    pairs = trimmed.pairs
    assert pairs.height < linked.pairs.height
    hopeless = pairs.filter((pl.col("match_weight") <= floor) & (pl.col("decision") == "non-match"))
    assert hopeless["left_id"].is_duplicated().sum() == 0  # at most the one best try each
    best = linked.pairs.sort("match_weight", descending=True).unique("left_id", keep="first")
    tries = best.join(trimmed.pairs, on=["left_id", "right_id"], how="anti")
    assert tries.height == 0, "every left record with a candidate keeps its best pair"


def test_pandas_input_gives_the_same_matches(books, linked):
    left, right = books
    again = rc.link(left.to_pandas(), right.to_pandas(), book_profile())
    assert found(again) == found(linked)


def test_dedupe_finds_the_repeated_books_in_one_table(books):
    left, right = books
    both = pl.concat([left, right])
    result = rc.dedupe(both, book_profile(max_matches_per_left=None))
    got = {tuple(sorted(p)) for p in result.matches.select("left_id", "right_id").iter_rows()}
    expected = {tuple(sorted(p)) for p in truth(right)}
    assert len(got & expected) / len(expected) >= 0.97
    assert len(got & expected) / len(got) >= 0.99
    sizes = result.clusters.filter(pl.col("id") == "A0001")["cluster_size"]
    assert sizes.len() == 1


def test_human_decisions_override_the_model(books, linked):
    left, right = books
    a, b = sorted(found(linked) & truth(right))[0]
    overrides = pl.DataFrame({"left_id": [a], "right_id": [b], "decision": ["different"]})
    again = rc.link(left, right, book_profile(), overrides=overrides)
    assert (a, b) not in found(again)
    assert again.cluster_map()[a] != again.cluster_map()[b]


def test_common_values_agree_for_less_than_rare_ones():
    common = [("Nguyễn", f"c{i}") for i in range(40)] + [("Khổng", "r0")]
    left = pl.DataFrame(
        {
            "id": [i for _, i in common],
            "family": [f for f, _ in common],
            "town": ["x"] * len(common),
        }
    )
    right = left.with_columns(("R" + pl.col("id")).alias("id"))
    profile = rc.Profile(
        id_column="id",
        comparisons=(rc.exact("family", tf=True), rc.exact("town")),
        blocking=(rc.block_on("town"),),
        max_matches_per_left=None,
        u_sample_pairs=5000,
    )
    result = rc.link(left, right, profile)
    w = dict(
        zip(
            result.pairs["left_id"] + ">" + result.pairs["right_id"],
            result.pairs["w_family"],
            strict=True,
        )
    )
    assert w["r0>Rr0"] > w["c1>Rc1"] + 3


def test_a_bad_profile_reports_every_problem_at_once():
    bad = rc.Profile(
        id_column="id",
        comparisons=(rc.exact("a"), rc.exact("a")),
        blocking=(),
        match_threshold=0.01,
        review_threshold=0.5,
    )
    with pytest.raises(ConfigError) as err:
        compile_profile(bad)
    assert len(err.value.details["problems"]) == 3
    assert "Cấu hình" in err.value.message_vi


def test_missing_columns_and_duplicate_ids_are_refused_in_vietnamese(books):
    left, right = books
    with pytest.raises(ReconcileError) as err:
        rc.link(left.drop("author"), right, book_profile())
    assert "thiếu" in err.value.message_vi
    with pytest.raises(ReconcileError):
        rc.link(pl.concat([left, left.head(1)]), right, book_profile())


def _levels(comparison, left: dict, right: dict) -> list[int]:
    settings = compile_profile(
        rc.Profile(id_column="id", comparisons=(comparison,), blocking=(rc.block_on("id"),))
    )
    lf = prepare(pl.DataFrame(left), settings)
    rf = prepare(pl.DataFrame(right), settings)
    n = lf.height
    return comparison_levels(settings, lf, rf, np.arange(n), np.arange(n))[:, 0].tolist()


def test_name_levels_see_diacritics_order_swaps_and_missing_middle_names():
    comp = rc.name("family", "middle", "given")
    levels = _levels(
        comp,
        {
            "family": ["Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Phạm", "Đỗ", None],
            "middle": ["Văn", "Văn", "Thị", "Minh", "Quốc", "Thị", "Hữu", None],
            "given": ["An", "An", "Lan", "Tuấn", "Bảo", "Hoa", "Tài", None],
        },
        {
            "family": ["NGUYỄN", "Nguyen", "Lan", "Lê", "Phạm", "Vũ", "Bùi", "X"],
            "middle": ["văn", "Van", "Thị", "", "Quôc", "Thu", "Hữu", "Y"],
            "given": ["an", "An", "Trần", "Tuấn", "Bả", "Hoa", "Nam", "Z"],
        },
    )
    names = list(comp.levels)
    assert [names[lv] if lv >= 0 else "missing" for lv in levels] == [
        "exact",
        "folded",
        "swapped",
        "family_given",
        "close",
        "given",
        "else",
        "missing",
    ]


def test_date_levels_see_swapped_day_month_and_a_year_off():
    comp = rc.date("dob")
    d = dt.date
    levels = _levels(
        comp,
        {"dob": [d(2012, 3, 4), d(2012, 3, 4), d(2012, 3, 4), d(2012, 3, 4), d(2012, 3, 4), None]},
        {
            "dob": [
                d(2012, 3, 4),
                d(2012, 4, 3),
                d(2013, 3, 4),
                d(2012, 3, 20),
                d(2015, 1, 1),
                d(2012, 1, 1),
            ]
        },
    )
    assert levels == [0, 1, 2, 3, 4, -1]


def test_string_levels_count_edits_then_similarity():
    comp = rc.string("t", levenshtein=(1,), jaro_winkler=(0.8,))
    levels = _levels(
        comp,
        {"t": ["garden", "garden", "garden", "garden", None]},
        {"t": ["garden", "gardem", "gardenias", "xyz", "a"]},
    )
    assert levels == [0, 1, 2, 3, -1]


def test_pairs_compared_in_chunks_on_threads_get_the_levels_of_one_pass(monkeypatch):
    """A province's pairs are compared a chunk at a time on every core: the chunks must land
    where their pairs are, whatever thread finishes first."""
    from reconcile import compare
    from reconcile.blocking import candidate_pairs
    from reconcile.student import student_profile, with_keys
    from simulate import generate

    records = with_keys(generate(1500, seed=5, hard=True).records)
    settings = compile_profile(student_profile())
    left = prepare(records.filter(pl.col("source") != "moet"), settings)
    right = prepare(records.filter(pl.col("source") == "moet"), settings)
    pairs, _ = candidate_pairs(left, right, settings.blocking)
    li, ri = pairs["__l"].to_numpy(), pairs["__r"].to_numpy()
    whole = comparison_levels(settings, left, right, li, ri, workers=1)
    monkeypatch.setattr(compare, "CHUNK_PAIRS", 499)
    assert len(li) > 10 * 499
    chunked = comparison_levels(settings, left, right, li, ri, workers=4)
    assert np.array_equal(chunked, whole)
    # every level of the name comparison is met, so the test compares more than defaults
    name = [c.name for c in settings.comparisons].index("name")
    assert set(np.unique(whole[:, name])) >= {0, 1, 4, 6}


def test_an_increment_scores_only_changed_records_and_carried_pairs(books, linked):
    left, right = books
    changed_ids = left["book_id"].head(5)
    edited = left.with_columns(
        pl.when(pl.col("book_id").is_in(changed_ids.implode()))
        .then(pl.col("title") + " (tái bản)")
        .otherwise(pl.col("title"))
        .alias("title")
    )
    # the reference: every record blocked anew, scored by the same model
    everything = rc.Increment(model=linked.model, changed_left=edited["book_id"])
    full = rc.link(edited, right, book_profile(), increment=everything)
    plausible = linked.pairs.filter(pl.col("decision") != "non-match").select("left_id", "right_id")
    step = rc.Increment(model=linked.model, changed_left=changed_ids, carried=plausible)
    quick = rc.link(edited, right, book_profile(), increment=step)
    assert quick.model.training["reused"]
    blocked = quick.stats["blocking"]["incremental"]["new_candidate_pairs"]
    assert 0 < blocked < full.stats["blocking"]["incremental"]["new_candidate_pairs"] / 10
    assert quick.stats["candidate_pairs"] < full.stats["candidate_pairs"]
    assert found(quick) == found(full)
    assert quick.cluster_map() == full.cluster_map()
