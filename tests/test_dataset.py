"""Tests for bdg_analysis.dataset: former provinces put together (rules, weights, trace columns,
notes), the total-sex rule, the Context, layered files and the cache of checked observations."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import catalogue, dataset, paths, validate
from bdg_analysis.dataset import boundaries, stored
from bdg_analysis.errors import BdgInputError
from bdg_analysis.words import word

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "province,indicator,year,value,sex,source,note,status\n"


def _rows(indicator, values, year=2020, province=("Bắc Kạn", "Thái Nguyên")):
    n = len(values)
    return pd.DataFrame(
        {
            "province": list(province)[:n],
            "province_code": [""] * n,
            "indicator": [indicator] * n,
            "year": [year] * n,
            "value": values,
            "sex": [None] * n,
            "source": ["test"] * n,
            "note": [None] * n,
            "status": ["official"] * n,
            "source_file": ["geo_parts.csv"] * n,
            "source_row": list(range(2, 2 + n)),
        }
    )


def _female_population(year, *codes):
    pop = boundaries.population_weights()
    f = pop[(pop["year"] == year) & (pop["sex"] == "female")].set_index("former_code")
    return [float(f.loc[c, "population_thousand"]) for c in codes]


# ---------------------------------------------------------------- putting former provinces together


def test_weighted_rule_worked_example_with_births():
    """SRB: Bắc Kạn 110 with 3,000 births, Thái Nguyên 115 with 12,000 births.

    (110 x 3,000 + 115 x 12,000) / 15,000 = (330,000 + 1,380,000) / 15,000 = 114.0
    A plain mean would give 112.5: the test fails if the weights are ignored.
    """
    frame = pd.read_csv(FIXTURES / "geo_parts.csv", dtype={"province_code": str})
    weights = pd.read_csv(FIXTURES / "geo_weights.csv")
    out = dataset.aggregate_former(frame, catalogue.get("M4.CT1"), weights)
    row = out[(out["province"] == "Thái Nguyên") & (out["year"] == 2020)].iloc[0]
    assert row["value"] == pytest.approx(114.0)
    assert row["province_code"] == "19"
    assert row["status"] == "official"
    # how the row was made, in columns
    assert row["aggregated"] and row["complete"]
    assert row["source_rows"] == ("geo_parts.csv:2", "geo_parts.csv:3")
    assert row["parts_used"] == ("Bắc Kạn", "Thái Nguyên") and row["parts_missing"] == ()
    assert row["rule"] == "weighted_mean" and row["weight"] == "births"
    assert row["weight_source"].startswith("Niên giám thử nghiệm")
    assert not row["weight_stand_in"] and row["weight_years"] == ()
    # and, for a reader, in words built from those columns
    assert row["note"] == boundaries.describe(row, "vi")
    assert "Bắc Kạn (06), Thái Nguyên (19)" in row["note"]
    assert "số trẻ sinh ra sống" in row["note"] and "Niên giám thử nghiệm" in row["note"]
    # Lạng Sơn did not change: its row passes through untouched, traced to its own row.
    ls = out[out["province"] == "Lạng Sơn"].iloc[0]
    assert ls["value"] == 112.0 and ls["province_code"] == "20" and ls["source_row"] == 4
    assert not ls["aggregated"] and ls["complete"] and ls["rule"] == "recorded"
    assert ls["source_rows"] == ("geo_parts.csv:4",) and pd.isna(ls["note"])


def test_missing_weights_fall_back_to_female_population_marked_estimate():
    out = dataset.aggregate_former(_rows("M4.CT1", [110.0, 115.0]), catalogue.get("M4.CT1"))
    assert len(out) == 1
    row = out.iloc[0]
    assert row["status"] == "estimate"
    assert row["weight"] == "female_population" and row["weight_stand_in"]
    assert row["weight_source"] == boundaries.POPULATION_SOURCE
    assert "ước tính" in row["note"] and "dân số nữ" in row["note"] and "E02.03-07" in row["note"]
    w_bk, w_tn = _female_population(2020, "06", "19")
    assert row["value"] == pytest.approx((110.0 * w_bk + 115.0 * w_tn) / (w_bk + w_tn))
    assert row["value"] != pytest.approx(112.5)


def test_population_of_the_nearest_year_is_named_when_the_year_is_not_held():
    out = dataset.aggregate_former(
        _rows("M4.CT1", [110.0, 115.0], year=2005), catalogue.get("M4.CT1")
    )
    row = out.iloc[0]
    assert row["weight_years"] == (2010,)
    assert "dân số nữ năm 2010" in row["note"]
    assert "female population of 2010" in boundaries.describe(row, "en")


def test_counts_are_summed_and_a_missing_part_is_not_a_partial_sum():
    lgbt = catalogue.get("M4.CT4")
    assert lgbt.kind == "count"
    out = dataset.aggregate_former(_rows("M4.CT4", [1.0, 2.0]), lgbt)
    assert out.iloc[0]["value"] == 3.0 and out.iloc[0]["status"] == "official"
    assert out.iloc[0]["rule"] == "sum" and out.iloc[0]["weight"] == ""
    out = dataset.aggregate_former(_rows("M4.CT4", [1.0], province=("Bắc Kạn",)), lgbt)
    row = out.iloc[0]
    assert math.isnan(row["value"]) and not row["complete"]
    assert row["parts_missing"] == ("Thái Nguyên",)
    assert "thiếu Thái Nguyên" in row["note"]


def test_yes_no_needs_every_part():
    out = dataset.aggregate_former(_rows("M5.CT1", [1.0, 0.0]), catalogue.get("M5.CT1"))
    assert out.iloc[0]["value"] == 0.0 and out.iloc[0]["rule"] == "all_parts"
    out = dataset.aggregate_former(_rows("M5.CT1", [1.0, 1.0]), catalogue.get("M5.CT1"))
    assert out.iloc[0]["value"] == 1.0


def test_a_missing_part_of_a_rate_is_marked_estimate_and_incomplete():
    out = dataset.aggregate_former(_rows("M4.CT1", [110.0, float("nan")]), catalogue.get("M4.CT1"))
    row = out.iloc[0]
    assert row["value"] == pytest.approx(110.0)
    assert row["status"] == "estimate"
    assert not row["complete"]
    assert row["parts_used"] == ("Bắc Kạn",) and row["parts_missing"] == ("Thái Nguyên",)
    assert row["source_rows"] == ("geo_parts.csv:2", "geo_parts.csv:3")  # both rows were read
    assert "thiếu số liệu của Thái Nguyên" in row["note"]


def test_two_values_for_one_part_is_an_input_error():
    frame = _rows("M4.CT1", [110.0, 111.0], province=("Bắc Kạn", "Bắc Kạn"))
    with pytest.raises(BdgInputError) as info:
        dataset.aggregate_former(frame, catalogue.get("M4.CT1"))
    assert "two M4.CT1 values for Bắc Kạn 2020" in str(info.value)
    assert "geo_parts.csv:2" in str(info.value)


def test_rows_from_2025_on_are_not_aggregated():
    out = dataset.aggregate_former(
        _rows("M4.CT1", [113.0], year=2026, province=("Thái Nguyên",)), catalogue.get("M4.CT1")
    )
    assert out.iloc[0]["value"] == 113.0 and out.iloc[0]["status"] == "official"
    assert out.iloc[0]["rule"] == "recorded" and not out.iloc[0]["aggregated"]


def test_population_resource_covers_every_former_province():
    from bdg_analysis import geo

    pop = boundaries.population_weights()
    assert set(pop["former_code"]) == {p.code for p in geo.former_provinces()}
    assert set(pop["sex"]) == {"female", "male", "total"}
    assert (pop["year"].min(), pop["year"].max()) == (2010, 2024)
    names = pop.drop_duplicates("former_code").set_index("former_code")["former_name"]
    for p in geo.former_provinces():
        assert names[p.code] == p.name


def test_frames_checked_by_validate_use_the_former_column():
    frame = _rows(
        "M4.CT1", [110.0, 115.0, 112.0], province=("Thái Nguyên", "Thái Nguyên", "Lạng Sơn")
    )
    frame["former"] = ["Bắc Kạn", "Thái Nguyên", ""]
    weights = pd.read_csv(FIXTURES / "geo_weights.csv")
    out = dataset.aggregate_former(frame, catalogue.get("M4.CT1"), weights)
    assert list(out["province"]) == ["Thái Nguyên", "Lạng Sơn"]
    assert out.iloc[0]["value"] == pytest.approx(114.0)
    assert out.iloc[0]["former"] == "" and out.iloc[1]["value"] == 112.0


def test_notes_are_built_from_the_columns_in_either_language():
    out = dataset.aggregate_former(_rows("M4.CT3", [30.0, float("nan")]), catalogue.get("M4.CT3"))
    row = out.iloc[0].to_dict()
    assert boundaries.method_note(row, "vi") == (
        "ước tính: thiếu số phụ nữ 15-19 tuổi làm trọng số, dùng dân số nữ "
        f"(nguồn: {boundaries.POPULATION_SOURCE}); "
        "thiếu số liệu của Thái Nguyên: giá trị chỉ đại diện phần còn lại"
    )
    english = boundaries.method_note(row, "en")
    assert english.startswith(
        "estimate: women aged 15-19 not available as weights, weighted "
        "by female population (source: Tổng cục Thống kê (GSO), PX-Web table E02.03-07"
    )
    assert english.endswith("no data for Thái Nguyên: the value stands for the other parts only")
    for vietnamese in ("bảng", "cập nhật", "ước tính", "dân số"):
        assert vietnamese not in english
    assert boundaries.describe(row, "en").startswith(
        "put together from former provinces: Bắc Kạn (06), Thái Nguyên (19); estimate:"
    )
    assert boundaries.describe(row, "en").endswith("source rows: geo_parts.csv:2, geo_parts.csv:3")
    # the columns, not the note, are the interface: another note changes nothing
    row["note"] = "something else entirely"
    assert boundaries.sources(row) == "geo_parts.csv:2, geo_parts.csv:3"
    assert boundaries.method_note(row, "vi").startswith("ước tính: thiếu số phụ nữ")
    proper = {**row, "weight": "births", "weight_source": "", "weight_stand_in": False}
    assert boundaries.method_note(proper, "en").startswith(
        "weighted mean by live births (weights: not stated)"
    )


def test_the_population_source_is_one_text_in_code_and_words():
    assert boundaries.POPULATION_SOURCE == word("geo.population_source", "vi")


def test_every_catalogue_weight_has_words():
    from bdg_analysis.words import has_word

    names = {boundaries.rule_for(i).weight for i in catalogue.indicators()} - {""}
    for name in names | {"female_population", "male_population"}:
        assert has_word(f"geo.weight_{name}"), name
    assert "men_care_hours" in names  # M3.CT1: a ratio of totals
    assert boundaries.weight_label("births", "en") == "live births"
    assert boundaries.weight_label("made_up", "vi") == "made_up"


# ---------------------------------------------------------------- the total-sex rule


def _by_sex(rows):
    return pd.DataFrame(rows, columns=["province", "indicator", "year", "value", "sex"]).assign(
        year=lambda f: f["year"].astype(int)
    )


def test_a_series_recorded_by_sex_counts_its_total_rows_only():
    frame = _by_sex(
        [
            ("Lạng Sơn", "M2.CT1", 2020, 40.0, "female"),
            ("Lạng Sơn", "M2.CT1", 2020, 60.0, "male"),
            ("Lạng Sơn", "M2.CT1", 2020, 50.0, " Total"),
            ("Lạng Sơn", "M2.CT1", 2021, 51.0, ""),
            ("Cao Bằng", "M2.CT1", 2020, 44.0, "female"),  # only one sex: it is the series
            ("Cao Bằng", "M2.CT1", 2021, 45.0, "female"),
        ]
    )
    out = dataset.total_sex(frame)
    assert out["value"].tolist() == [50.0, 51.0, 44.0, 45.0]
    assert dataset.total_sex(frame.drop(columns="sex")) is not None
    one = frame[frame["province"] == "Lạng Sơn"]
    assert dataset.total_sex(one, by=()).equals(dataset.total_sex(one))


def test_the_context_trends_and_assess_targets_share_the_rule():
    from bdg_analysis import progress, trends

    rows = [
        ("Lạng Sơn", "M2.CT1", year, value, sex)
        for year in (2019, 2020, 2021)
        for value, sex in ((40.0, "female"), (60.0, "male"), (50.0 + year - 2019, "total"))
    ]
    rows += [("Cao Bằng", "M2.CT1", y, 45.0 + y - 2019, "") for y in (2019, 2020, 2021)]
    frame = _by_sex(rows).assign(source_file="t.csv", source_row=range(2, 2 + len(rows)))
    ctx = dataset.Context(frame)
    assert ctx.series("Lạng Sơn", "M2.CT1").to_dict() == {2019: 50.0, 2020: 51.0, 2021: 52.0}
    assert len(ctx.rows("Lạng Sơn", "M2.CT1", 2021)) == 3  # the rows reports show
    assert trends.rank(ctx.current, "M2.CT1", 2021, "Lạng Sơn", "higher") == (1, 2)
    assert progress._series_from_frame(frame, "Lạng Sơn", "M2.CT1").tolist() == [50, 51, 52]


def test_series_rows_are_the_totals_of_complete_years():
    frame = _by_sex(
        [
            ("Ninh Bình", "M4.CT1", 2014, 117.0, ""),
            ("Ninh Bình", "M4.CT1", 2015, 114.0, ""),
            ("Lạng Sơn", "M4.CT1", 2015, 111.0, "female"),
            ("Lạng Sơn", "M4.CT1", 2015, 112.0, "total"),
        ]
    ).assign(complete=[False, True, True, True])
    assert dataset.series_rows(frame)["value"].tolist() == [114.0, 112.0]
    assert dataset.series_rows(frame.drop(columns="complete"))["value"].tolist() == [
        117.0,
        114.0,
        112.0,
    ]


# ---------------------------------------------------------------- the Context


def test_the_context_keeps_trace_columns_and_derived_results(tmp_path):
    obs = dataset.load(FIXTURES / "explore_small.csv")
    ctx = dataset.Context(obs, cache_dir=tmp_path)
    assert set(dataset.TRACE_COLUMNS) <= set(ctx.current.columns)
    merged = ctx.rows("Tuyên Quang", "M4.CT1", 2024)
    assert merged["aggregated"].all() and (merged["rule"] == "weighted_mean").all()
    assert all(len(r) == 2 for r in merged["source_rows"])
    calls = []
    first = ctx.memo("thing", ("M4.CT1", 2025), lambda: calls.append(1) or {"n": 3})
    again = dataset.Context(obs, cache_dir=tmp_path).memo("thing", ("M4.CT1", 2025), list)
    assert first == again == {"n": 3} and calls == [1]  # read back from the file
    assert len(list(tmp_path.glob(f"thing-{ctx.data_digest}-M4.CT1-2025.json"))) == 1
    assert ctx.prepare() is ctx and "_groups" in ctx.__dict__


# ---------------------------------------------------------------- layers of files


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_later_file_wins_and_nothing_else_is_lost(tmp_path):
    first = _write(
        tmp_path / "first.csv",
        [
            "Lạng Sơn,M4.CT1,2023,112.0,,office A,,official",
            "Lạng Sơn,M4.CT1,2024,113.0,,office A,,official",
            "Cao Bằng,M4.CT1,2024,109.0,,office A,,official",
        ],
    )
    second = _write(
        tmp_path / "second.csv",
        [
            "Lang Son,M4.CT1,2024,111.5,,office B,revised,provisional",  # any spelling
            "Lạng Sơn,M2.CT1,2024,40.0,,office B,,official",
        ],
    )
    out = dataset.load_layers([first, second])
    assert len(out) == 4  # 3 + 2 rows, one replaced
    ls24 = out[(out["province"] == "Lạng Sơn") & (out["indicator"] == "M4.CT1")]
    ls24 = ls24[ls24["year"] == 2024].iloc[0]
    assert ls24["value"] == 111.5 and ls24["status"] == "provisional"
    assert ls24["source_file"].endswith("second.csv") and ls24["source_row"] == 2
    kept = out[(out["province"] == "Lạng Sơn") & (out["year"] == 2023)].iloc[0]
    assert kept["value"] == 112.0 and kept["source_file"].endswith("first.csv")
    assert set(out.columns) == set(validate.OBSERVATION_COLUMNS)
    # the other order: the first file's value wins back
    back = dataset.load_layers([second, first])
    ls24 = back[(back["province"] == "Lạng Sơn") & (back["indicator"] == "M4.CT1")]
    assert ls24.loc[ls24["year"] == 2024, "value"].item() == 113.0
    # load() itself is unchanged: two values of one cell in its files are a problem
    with pytest.raises(BdgInputError, match="duplicate of"):
        dataset.load([first, second])


def test_an_empty_value_in_a_later_file_does_not_erase_a_figure_beneath(tmp_path):
    published = _write(
        tmp_path / "published.csv",
        [
            "Lạng Sơn,M4.CT1,2023,112.0,,Niên giám,,official",
            "Lạng Sơn,M4.CT1,2024,113.0,,Niên giám,,official",
            "Lạng Sơn,M4.CT1,2025,111.0,,Niên giám,,official",
        ],
    )
    returned = _write(
        tmp_path / "returned.csv",
        [
            "Lạng Sơn,M4.CT1,2023,,,Sở Y tế,chưa có số liệu năm này,official",  # no figure
            "Lạng Sơn,M4.CT1,2024,,,Sở Y tế,Thu hồi: sai số liệu gốc,official",  # withdrawn
            "Lạng Sơn,M4.CT1,2025,,,Sở Y tế,,official",  # empty, nothing said
            "Lạng Sơn,M4.CT1,2026,,,Sở Y tế,..; chưa điều tra,official",  # nothing beneath
        ],
    )
    out = dataset.load_layers([published, returned]).set_index("year")
    assert out.loc[2023, "value"] == 112.0 and out.loc[2023, "source_file"].endswith(
        "published.csv"
    )
    assert out.loc[2025, "value"] == 111.0  # an empty cell is not a statement about 2025
    assert math.isnan(out.loc[2024, "value"])  # the note withdraws the published figure
    assert out.loc[2024, "source_file"].endswith("returned.csv")
    assert math.isnan(out.loc[2026, "value"]) and out.loc[2026, "note"].startswith("..")
    # a figure in a still later file wins over the withdrawal
    corrected = _write(tmp_path / "corrected.csv", ["Lạng Sơn,M4.CT1,2024,112.4,,NG,,official"])
    again = dataset.load_layers([published, returned, corrected]).set_index("year")
    assert again.loc[2024, "value"] == 112.4
    assert dataset.withdrawn(
        pd.Series(["withdrawn by GSO", "rút lại", "thu hoạch", ""])
    ).tolist() == [
        True,
        True,
        False,
        False,
    ]


def test_load_inputs_reads_one_file_as_load_and_several_as_layers(tmp_path):
    one = _write(tmp_path / "one.csv", ["Lạng Sơn,M4.CT1,2024,113.0,,a,,official"])
    two = _write(tmp_path / "two.csv", ["Lạng Sơn,M4.CT1,2024,111.0,,b,,official"])
    pd.testing.assert_frame_equal(dataset.load_inputs(str(one)), dataset.load(one))
    pd.testing.assert_frame_equal(dataset.load_inputs([one]), dataset.load(one))
    assert dataset.load_inputs([one, two])["value"].tolist() == [111.0]
    with pytest.raises(BdgInputError, match="duplicate of"):
        dataset.load([one, two])  # load itself still checks them as one dataset
    pd.testing.assert_frame_equal(dataset.load_inputs(None), dataset.load())


def test_a_file_without_a_provinces_rows_leaves_the_embedded_ones(tmp_path):
    own = _write(tmp_path / "own.csv", ["Lạng Sơn,M4.CT1,2024,108.8,,Sở Y tế,,official"])
    embedded = dataset.load()
    out = dataset.load_layers(own, embedded=True)
    assert len(out) == len(embedded)  # one value replaced, nothing added or lost
    mine = out[(out["province"] == "Lạng Sơn") & (out["indicator"] == "M4.CT1")]
    assert mine.loc[mine["year"] == 2024, "value"].item() == 108.8
    assert mine.loc[mine["year"] == 2024, "source_file"].item().endswith("own.csv")
    embedded_file = paths.display_path(paths.default_data_file())
    assert (mine.loc[mine["year"] < 2024, "source_file"] == embedded_file).all()
    cao_bang = out[out["province"] == "Cao Bằng"].reset_index(drop=True)
    expected = embedded[embedded["province"] == "Cao Bằng"]
    expected = expected.sort_values(["indicator", "year", "sex"], kind="stable")
    pd.testing.assert_frame_equal(cao_bang, expected.reset_index(drop=True))
    assert (out["province"] == "Toàn quốc").sum() == (embedded["province"] == "Toàn quốc").sum()


def test_layer_problems_of_every_file_are_reported_together(tmp_path):
    bad1 = _write(tmp_path / "bad1.csv", ["Lạng Sơn,M4.CT9,2024,1,,,,official"])
    bad2 = _write(tmp_path / "bad2.csv", ["Hà Tây,M4.CT1,2024,110,,,,official"])
    with pytest.raises(BdgInputError) as info:
        dataset.load_layers([bad1, bad2])
    files = {p.file for p in info.value.problems}
    assert any(f.endswith("bad1.csv") for f in files) and any(f.endswith("bad2.csv") for f in files)


# ---------------------------------------------------------------- checked observations kept


def test_checked_observations_are_read_back_instead_of_checked_again(tmp_path, monkeypatch):
    data = _write(
        tmp_path / "d.csv",
        ["Lạng Sơn,M4.CT1,2023,112.0,,a,,official", "Bắc Kạn,M4.CT1,2020,110.0,,a,,demo"],
    )
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("BDG_CACHE_DIR", str(cache_dir))
    first = dataset.load(data)
    kept = list(cache_dir.glob("checked-*.parquet"))
    assert len(kept) == 1

    def no_second_check(raw):
        raise AssertionError("checked again")

    monkeypatch.setattr(validate, "check", no_second_check)
    second = dataset.load(data)
    pd.testing.assert_frame_equal(first, second)
    assert first.to_csv(index=False) == second.to_csv(index=False)  # digests stay the same
    # another content is another key: checked afresh
    data.write_text(data.read_text(encoding="utf-8") + "Cao Bằng,M4.CT1,2023,109,,a,,demo\n")
    with pytest.raises(AssertionError, match="checked again"):
        dataset.load(data)


def test_a_kept_file_that_does_not_check_out_is_ignored_and_rebuilt(tmp_path, monkeypatch):
    data = _write(tmp_path / "d.csv", ["Lạng Sơn,M4.CT1,2023,112.0,,a,,official"])
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("BDG_CACHE_DIR", str(cache_dir))
    first = dataset.load(data)
    (kept,) = cache_dir.glob("checked-*.parquet")
    kept.write_bytes(b"not parquet at all")
    pd.testing.assert_frame_equal(dataset.load(data), first)
    assert stored.read(kept, validate.OBSERVATION_COLUMNS) is not None  # written again
    first.drop(columns="note").to_parquet(kept, index=False)  # readable, but not as written
    assert stored.read(kept, validate.OBSERVATION_COLUMNS) is None
    pd.testing.assert_frame_equal(dataset.load(data), first)


def test_files_with_problems_are_never_kept_and_no_cache_means_no_file(tmp_path, monkeypatch):
    bad = _write(tmp_path / "bad.csv", ["Lạng Sơn,M4.CT9,2024,1,,,,official"])
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("BDG_CACHE_DIR", str(cache_dir))
    assert dataset.check_files([bad]).problems
    assert not list(cache_dir.glob("checked-*"))
    good = _write(tmp_path / "good.csv", ["Lạng Sơn,M4.CT1,2023,112.0,,a,,official"])
    monkeypatch.setenv("BDG_CACHE_DIR", "")
    assert len(dataset.load(good)) == 1
    assert not cache_dir.exists() or not list(cache_dir.glob("checked-*"))


def test_the_key_follows_content_name_and_code(tmp_path, monkeypatch):
    from bdg_analysis import cache

    a = _write(tmp_path / "a.csv", ["Lạng Sơn,M4.CT1,2023,112.0,,a,,official"])
    b = _write(tmp_path / "b.csv", ["Lạng Sơn,M4.CT1,2023,112.0,,a,,official"])
    assert stored.key([a]) != stored.key([b])  # same bytes, another source_file
    assert stored.key([a, b]) != stored.key([b, a])
    assert stored.key([tmp_path / "missing.csv"]) is None
    before = stored.key([a])
    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    assert stored.key([a]) != before


def test_names_in_nfd_files_come_out_in_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Lạng Sơn")
    data = _write(tmp_path / "nfd.csv", [f"{nfd},M4.CT1,2023,112.0,,a,,official"])
    assert dataset.load(data)["province"].tolist() == ["Lạng Sơn"]


# ---------------------------------------------------------------- issue 12: merged provinces


def _ninh_binh_csv(path: Path) -> Path:
    """Ninh Bình's three former parts 2015-2024, and Nam Định alone in 2011 and 2014 (as the
    embedded data have it: a population-office figure, the other parts silent)."""
    lines = [
        "Nam Định,M4.CT1,2011,120,,office,,official",
        "Nam Định,M4.CT1,2014,117,,office,,official",
    ]
    for year in range(2015, 2025):
        for part, level in (("Hà Nam", 111.0), ("Nam Định", 116.0), ("Ninh Bình", 115.0)):
            lines.append(f"{part},M4.CT1,{year},{level + (year - 2015) * 0.1:.1f},,demo,,demo")
    lines.append("Ninh Bình,M4.CT1,2025,114.0,,demo,,demo")
    return _write(path, lines)


def test_years_with_only_some_parts_are_left_out_of_the_series_and_listed(tmp_path):
    ctx = dataset.Context(dataset.load(_ninh_binh_csv(tmp_path / "nb.csv")))
    cur = ctx.current[ctx.current["province"] == "Ninh Bình"]
    partial = cur[~cur["complete"]]
    assert partial["year"].tolist() == [2011, 2014]
    assert partial["value"].tolist() == pytest.approx([120.0, 117.0])  # Nam Định alone, shown
    assert set(partial["parts_missing"]) == {("Hà Nam", "Ninh Bình")}
    assert (partial["status"] == "estimate").all()
    series = ctx.series("Ninh Bình", "M4.CT1", 2025)
    assert series.index.tolist() == list(range(2015, 2026))  # 2011 and 2014 are not in the trend
    assert ctx.rows("Ninh Bình", "M4.CT1")["complete"].all()
    assert ctx.incomplete("Ninh Bình", "M4.CT1")["year"].tolist() == [2011, 2014]
    assert ctx.incomplete("Ninh Bình", "M4.CT1", up_to=2012)["year"].tolist() == [2011]
    assert ctx.year_rows("M4.CT1", 2011).empty  # nor in a rank


def test_unpaid_care_ratio_is_a_ratio_of_totals_with_mens_hours():
    """M3.CT1 = women's hours / men's hours. Bắc Kạn 2.4 with 1,050 (thousand) men's hours a
    week, Thái Nguyên 1.55 with 6,400: women's hours are 2.4 x 1,050 = 2,520 and
    1.55 x 6,400 = 9,920, so the merged ratio is (2,520 + 9,920) / (1,050 + 6,400) = 1.6698;
    a mean by population (the old rule) gives 1.7156, a plain mean 1.975."""
    care = catalogue.get("M3.CT1")
    weights = pd.DataFrame(
        {
            "province": ["Bắc Kạn", "Thái Nguyên"],
            "year": [2020, 2020],
            "weight": ["men_care_hours", "men_care_hours"],
            "value": [1050.0, 6400.0],
            "source": ["LFS 2020 (test)", "LFS 2020 (test)"],
        }
    )
    row = dataset.aggregate_former(_rows("M3.CT1", [2.4, 1.55]), care, weights).iloc[0]
    assert row["value"] == pytest.approx(12440 / 7450)
    assert row["rule"] == "ratio_of_totals" and row["weight"] == "men_care_hours"
    assert row["status"] == "official" and not row["weight_stand_in"]
    assert "số giờ việc nhà và chăm sóc không được trả công của nam" in row["note"]
    pop = boundaries.population_weights()
    t = pop[(pop["year"] == 2020) & (pop["sex"] == "total")].set_index("former_code")
    t_bk, t_tn = (float(t.loc[c, "population_thousand"]) for c in ("06", "19"))
    by_population = (2.4 * t_bk + 1.55 * t_tn) / (t_bk + t_tn)
    assert by_population == pytest.approx(1.7156, abs=1e-4)  # what the old rule gave


def test_unpaid_care_ratio_without_hours_weights_by_men_marked_estimate():
    row = dataset.aggregate_former(_rows("M3.CT1", [2.4, 1.55]), catalogue.get("M3.CT1")).iloc[0]
    pop = boundaries.population_weights()
    m = pop[(pop["year"] == 2020) & (pop["sex"] == "male")].set_index("former_code")
    m_bk, m_tn = (float(m.loc[c, "population_thousand"]) for c in ("06", "19"))
    assert row["value"] == pytest.approx((2.4 * m_bk + 1.55 * m_tn) / (m_bk + m_tn))
    assert row["weight"] == "male_population" and row["weight_stand_in"]
    assert row["status"] == "estimate"
    assert "dùng dân số nam" in row["note"]
    assert "men's total hours of unpaid domestic and care work not available" in (
        boundaries.describe(row, "en")
    )


def test_the_frame_on_current_boundaries_is_kept_and_read_back_as_built(tmp_path):
    """A report's kernel reads the merged provinces' frame back instead of building it again:
    the same rows, index, types and tuples; a kept file that does not read is built again."""
    obs = dataset.load(None)
    built = dataset.Context(obs).current
    first = dataset.Context(obs, cache_dir=tmp_path).current
    kept = list(tmp_path.glob("current-*.parquet"))
    assert len(kept) == 1
    again = dataset.Context(obs, cache_dir=tmp_path).current
    pd.testing.assert_frame_equal(first, built)
    pd.testing.assert_frame_equal(again, built)
    for column in ("parts_used", "source_rows"):
        assert all(type(a) is type(b) for a, b in zip(again[column], built[column], strict=True))
    kept[0].write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(dataset.Context(obs, cache_dir=tmp_path).current, built)
