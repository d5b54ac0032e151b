"""Tests for bdg_analysis.geo: the register, the 63-to-34 mapping, names and aggregation."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from bdg_analysis import catalogue, geo
from bdg_analysis.errors import BdgInputError, UnknownNameError

FIXTURES = Path(__file__).parent / "fixtures"


# ---------------------------------------------------------------- the library and the register


def test_library_version_is_the_one_checked():
    # The facts below were checked against this version; a new one must be re-checked.
    assert geo.library_version() == geo.LIBRARY_VERSION == "1.0.4"


def test_register_sizes_and_order():
    current = geo.current_provinces()
    former = geo.former_provinces()
    assert len(current) == 34
    assert len(former) == 63
    assert [p.code for p in current] == sorted(p.code for p in current)
    assert all(p.era == "current" and p.successor_code is None for p in current)
    assert all(p.era == "former" and p.successor_code in {c.code for c in current} for p in former)
    assert {p.successor_code for p in former} == {p.code for p in current}


def test_names_and_full_names():
    by_code = {p.code: p for p in geo.current_provinces()}
    assert by_code["20"].name == "Lạng Sơn" and by_code["20"].full_name == "Tỉnh Lạng Sơn"
    assert by_code["79"].name == "Hồ Chí Minh"
    assert by_code["79"].full_name == "Thành phố Hồ Chí Minh"
    assert by_code["46"].name == "Huế"
    for p in geo.current_provinces() + geo.former_provinces():
        assert p.name == unicodedata.normalize("NFC", p.name)


# The merged provinces the seeds rely on, and the code traps named in packages.md.
@pytest.mark.parametrize(
    ("former_code", "former_name", "current_code", "current_name"),
    [
        ("06", "Bắc Kạn", "19", "Thái Nguyên"),
        ("19", "Thái Nguyên", "19", "Thái Nguyên"),
        ("24", "Bắc Giang", "24", "Bắc Ninh"),
        ("27", "Bắc Ninh", "24", "Bắc Ninh"),
        ("20", "Lạng Sơn", "20", "Lạng Sơn"),
        ("04", "Cao Bằng", "04", "Cao Bằng"),
        ("22", "Quảng Ninh", "22", "Quảng Ninh"),
        ("96", "Cà Mau", "96", "Cà Mau"),
        ("95", "Bạc Liêu", "96", "Cà Mau"),
        ("15", "Yên Bái", "15", "Lào Cai"),
        ("10", "Lào Cai", "15", "Lào Cai"),
        ("52", "Bình Định", "52", "Gia Lai"),
        ("64", "Gia Lai", "52", "Gia Lai"),
        ("80", "Long An", "80", "Tây Ninh"),
        ("72", "Tây Ninh", "80", "Tây Ninh"),
        ("74", "Bình Dương", "79", "Hồ Chí Minh"),
        ("77", "Bà Rịa - Vũng Tàu", "79", "Hồ Chí Minh"),
        ("46", "Huế", "46", "Huế"),
    ],
)
def test_former_to_current_mapping(former_code, former_name, current_code, current_name):
    old = geo.former_by_code(former_code)
    assert old.name == former_name
    new = geo.successor(old)
    assert (new.code, new.name) == (current_code, current_name)


def test_mapping_matches_the_shared_table():
    shared = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "data"
        / "vietnam"
        / "province_merger_2025_63_to_34.csv"
    )  # shared/ lies beside the checkout
    if not shared.exists():
        pytest.skip("shared mapping table not available")
    table = pd.read_csv(shared, dtype=str)
    ours = geo.merger_table()
    merged = table.merge(ours, left_on="old_code", right_on="former_code")
    assert len(merged) == 63
    assert (merged["new_code"] == merged["current_code"]).all()
    assert (merged["new_name"] == merged["current_name"]).all()
    assert (merged["old_name"] == merged["former_name"]).all()


def test_former_parts_of_merged_and_unchanged():
    assert [p.name for p in geo.former_parts("Thái Nguyên")] == ["Bắc Kạn", "Thái Nguyên"]
    assert [p.name for p in geo.former_parts("24")] == ["Bắc Giang", "Bắc Ninh"]
    assert [p.code for p in geo.former_parts("Hồ Chí Minh")] == ["74", "77", "79"]
    assert [p.code for p in geo.former_parts("Lạng Sơn")] == ["20"]
    assert geo.is_merged("Thái Nguyên") and not geo.is_merged("Cao Bằng")
    assert sum(geo.is_merged(p) for p in geo.current_provinces()) == 23
    assert len(geo.former_parts(geo.NATIONAL_NAME)) == 63


def test_history_note_names_the_parts():
    vi = geo.history_note("Thái Nguyên")
    en = geo.history_note("Thái Nguyên", lang="en")
    assert "Bắc Kạn" in vi and "Thái Nguyên" in vi and "1/7/2025" in vi
    assert "Bắc Kạn and Thái Nguyên" in en
    assert geo.history_note("Quảng Ninh") is None


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        "Lạng Sơn",
        "Lang Son",
        "lang son",
        "LẠNG SƠN",
        "tỉnh Lạng Sơn",
        "Tỉnh Lạng Sơn",
        unicodedata.normalize("NFD", "Lạng Sơn"),
        unicodedata.normalize("NFD", "tỉnh Lạng Sơn"),
        "  Lạng   Sơn ",
        "Lang Son province",
    ],
)
def test_resolve_spellings_of_lang_son(name):
    res = geo.resolve(name)
    assert (res.province.code, res.province.name) == ("20", "Lạng Sơn")
    assert res.former is None and not res.is_national


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("HCM", "79"),
        ("TP.HCM", "79"),
        ("TP HCM", "79"),
        ("TPHCM", "79"),
        ("TP. Hồ Chí Minh", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("Ho Chi Minh city", "79"),
        ("Huế", "46"),
        ("Thừa Thiên Huế", "46"),
        ("Thua Thien-Hue", "46"),
        ("Hà Nội", "01"),
        ("Ha Noi", "01"),
        ("Thai  Nguyen", "19"),
        ("Đắk Lắk", "66"),
        ("Dak Lak", "66"),
        ("Cà Mau", "96"),
    ],
)
def test_resolve_short_forms_and_prefixes(name, code):
    assert geo.resolve(name).province.code == code


@pytest.mark.parametrize(
    "name",
    [
        "Toàn quốc",
        "Cả nước",
        "CẢ NƯỚC",
        "Việt Nam",
        "Viet Nam",
        "WHOLE COUNTRY",
        " WHOLE COUNTRY",
        "national",
    ],
)
def test_national_names(name):
    res = geo.resolve(name)
    assert res.is_national
    assert res.province == geo.national()
    assert (res.province.name, res.province.code) == (geo.NATIONAL_NAME, geo.NATIONAL_CODE)
    assert (geo.NATIONAL_NAME, geo.NATIONAL_CODE) == ("Toàn quốc", "00")


def test_former_province_names_point_to_the_current_one():
    res = geo.resolve("Bắc Kạn", 2018)
    assert res.province.name == "Thái Nguyên"
    assert res.former is not None and (res.former.name, res.former.code) == ("Bắc Kạn", "06")
    # A vanished province is the former unit whatever the year.
    assert geo.resolve("Bắc Kạn").former.code == "06"
    res = geo.resolve("Bắc Giang", 2023)
    assert (res.province.name, res.former.name) == ("Bắc Ninh", "Bắc Giang")


def test_year_decides_for_names_of_both_eras():
    old = geo.resolve("Thái Nguyên", 2024)
    assert old.former is not None and old.former.era == "former" and old.former.code == "19"
    assert old.province.code == "19"
    assert geo.resolve("Thái Nguyên", 2025).former is None
    assert geo.resolve("Thái Nguyên").former is None
    # Lào Cai: same name, different codes in the two eras.
    assert geo.resolve("Lào Cai", 2020).former.code == "10"
    assert geo.resolve("Lào Cai", 2020).province.code == "15"
    # Unchanged territory: never a former unit.
    assert geo.resolve("Lạng Sơn", 2015).former is None
    assert geo.resolve("Hà Nội", 2010).former is None


def test_codes_are_read_in_the_era_of_the_year():
    assert geo.resolve("15", 2020).former.name == "Yên Bái"
    assert geo.resolve("15", 2020).province.name == "Lào Cai"
    assert geo.resolve("15").province.name == "Lào Cai"
    assert geo.resolve("00").is_national


def test_ha_tay_is_a_clear_error_not_a_fuzzy_match():
    with pytest.raises(UnknownNameError) as info:
        geo.resolve("Hà Tây")
    message = str(info.value)
    assert "unknown province 'Hà Tây'" in message
    assert "merged into Hà Nội" in message
    assert info.value.name == "Hà Tây"
    assert "Hải Phòng" not in info.value.suggestions


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownNameError) as info:
        geo.resolve("Lang Sonn")
    assert info.value.suggestions[0] == "Lạng Sơn"
    assert "did you mean: Lạng Sơn" in str(info.value)
    with pytest.raises(UnknownNameError):
        geo.resolve("Quảng Ninh Bắc")
    with pytest.raises(UnknownNameError):
        geo.resolve("99")


def test_regions_are_recognised_as_regions():
    assert geo.is_region("Red River Delta")
    assert geo.is_region("Đồng bằng sông Cửu Long")
    assert not geo.is_region("Lạng Sơn")


# ---------------------------------------------------------------- aggregation


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


def test_weighted_rule_worked_example_with_births():
    """SRB: Bắc Kạn 110 with 3,000 births, Thái Nguyên 115 with 12,000 births.

    (110 x 3,000 + 115 x 12,000) / 15,000 = (330,000 + 1,380,000) / 15,000 = 114.0
    A plain mean would give 112.5: the test fails if the weights are ignored.
    """
    frame = pd.read_csv(FIXTURES / "geo_parts.csv", dtype={"province_code": str})
    weights = pd.read_csv(FIXTURES / "geo_weights.csv")
    out = geo.aggregate_former(frame, catalogue.get("M4.CT1"), weights)
    row = out[(out["province"] == "Thái Nguyên") & (out["year"] == 2020)].iloc[0]
    assert row["value"] == pytest.approx(114.0)
    assert row["province_code"] == "19"
    assert row["status"] == "official"
    assert "Bắc Kạn (06), Thái Nguyên (19)" in row["note"]
    assert "số trẻ sinh ra sống" in row["note"] and "Niên giám thử nghiệm" in row["note"]
    assert "geo_parts.csv:2" in row["note"] and "geo_parts.csv:3" in row["note"]
    # Lạng Sơn did not change: its row passes through untouched.
    ls = out[out["province"] == "Lạng Sơn"].iloc[0]
    assert ls["value"] == 112.0 and ls["province_code"] == "20" and ls["source_row"] == 4


def test_missing_weights_fall_back_to_female_population_marked_estimate():
    out = geo.aggregate_former(_rows("M4.CT1", [110.0, 115.0]), catalogue.get("M4.CT1"), None)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["status"] == "estimate"
    assert "ước tính" in row["note"] and "dân số nữ" in row["note"] and "E02.03-07" in row["note"]
    pop = geo.population_weights()
    f = pop[(pop["year"] == 2020) & (pop["sex"] == "female")].set_index("former_code")
    w_bk, w_tn = f.loc["06", "population_thousand"], f.loc["19", "population_thousand"]
    expected = (110.0 * w_bk + 115.0 * w_tn) / (w_bk + w_tn)
    assert row["value"] == pytest.approx(expected)
    assert row["value"] != pytest.approx(112.5)


def test_counts_are_summed_and_a_missing_part_is_not_a_partial_sum():
    lgbt = catalogue.get("M4.CT4")
    assert lgbt.kind == "count"
    out = geo.aggregate_former(_rows("M4.CT4", [1.0, 2.0]), lgbt, None)
    assert out.iloc[0]["value"] == 3.0 and out.iloc[0]["status"] == "official"
    out = geo.aggregate_former(_rows("M4.CT4", [1.0], province=("Bắc Kạn",)), lgbt, None)
    assert math.isnan(out.iloc[0]["value"])
    assert "thiếu Thái Nguyên" in out.iloc[0]["note"]


def test_a_missing_part_of_a_rate_is_marked_estimate():
    out = geo.aggregate_former(
        _rows("M4.CT1", [110.0, float("nan")]), catalogue.get("M4.CT1"), None
    )
    row = out.iloc[0]
    assert row["value"] == pytest.approx(110.0)
    assert row["status"] == "estimate"
    assert "thiếu số liệu của Thái Nguyên" in row["note"]


def test_two_values_for_one_part_is_an_input_error():
    frame = _rows("M4.CT1", [110.0, 111.0], province=("Bắc Kạn", "Bắc Kạn"))
    with pytest.raises(BdgInputError) as info:
        geo.aggregate_former(frame, catalogue.get("M4.CT1"), None)
    assert "two M4.CT1 values for Bắc Kạn 2020" in str(info.value)
    assert "geo_parts.csv:2" in str(info.value)


def test_rows_from_2025_on_are_not_aggregated():
    out = geo.aggregate_former(
        _rows("M4.CT1", [113.0], year=2026, province=("Thái Nguyên",)),
        catalogue.get("M4.CT1"),
        None,
    )
    assert out.iloc[0]["value"] == 113.0 and out.iloc[0]["status"] == "official"


def test_population_resource_covers_every_former_province():
    pop = geo.population_weights()
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
    out = geo.aggregate_former(frame, catalogue.get("M4.CT1"), weights)
    assert list(out["province"]) == ["Thái Nguyên", "Lạng Sơn"]
    assert out.iloc[0]["value"] == pytest.approx(114.0)
    assert out.iloc[0]["former"] == "" and out.iloc[1]["value"] == 112.0


def test_weight_notes_read_in_english():
    note = (
        "ước tính: thiếu số phụ nữ 15-19 tuổi làm trọng số, dùng dân số nữ năm 2019 "
        f"(nguồn: {geo.POPULATION_SOURCE})"
    )
    english = geo.weight_note_in_english(note)
    assert english.startswith(
        "estimate: women aged 15-19 not available as weights, weighted "
        "by female population of 2019 (source: Tổng cục Thống kê (GSO)"
    )
    assert "bảng" not in english and "cập nhật" not in english
    assert geo.weight_note_in_english(
        "bình quân gia quyền theo dân số nữ (nguồn trọng số: không ghi)"
    ) == ("weighted mean by female population (weights: not stated)")
