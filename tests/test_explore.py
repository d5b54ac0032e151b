"""The notebook API: bdg.load, bdg.indicator, bdg.plan, bdg.series, tables and charts."""

import math
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import bdg_analysis as bdg
from bdg_analysis import catalogue, charts, dataset, explore, plans, scorecard, tables, text, words
from bdg_analysis.errors import BdgInputError, UnknownNameError
from bdg_analysis.explore import reading

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "explore_small.csv"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ the package namespace


def test_import_stays_light_and_the_helpers_are_found_lazily():
    code = (
        "import sys, bdg_analysis as bdg; assert 'pandas' not in sys.modules; "
        "names = dir(bdg); assert 'load' in names and 'former_series' in names; "
        "bdg.load; assert 'bdg_analysis.explore' in sys.modules; print(bdg.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == bdg.__version__


def test_every_explore_name_is_exported_and_nothing_else():
    assert bdg._EXPLORE == set(explore.__all__)
    assert bdg.series is explore.series and bdg.project.__module__ == "bdg_analysis.projection"
    with pytest.raises(AttributeError):
        bdg.no_such_helper  # noqa: B018


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    yield InteractiveShell.instance(user_ns={"bdg": bdg})
    InteractiveShell.clear_instance()


@pytest.mark.parametrize("name", [n for n in explore.__all__ if n[0].islower()])
def test_docstrings_reach_jupyter_contextual_help(shell, name):
    """JupyterLab's contextual help shows what the kernel answers an inspect request with."""
    help_text = shell.object_inspect_mime(f"bdg.{name}")["text/plain"]
    for part in ("Signature:", "Parameters", "Examples"):
        assert part in help_text, (name, part)


# ------------------------------------------------------------------ load, catalogue, plan


def test_load_joins_the_catalogue_and_keeps_the_trace():
    obs = bdg.load(SMALL)
    assert isinstance(obs, bdg.Table)
    row = obs[
        (obs["former"] == "Hà Giang") & (obs["year"] == 2020) & (obs["indicator"] == "M4.CT1")
    ].iloc[0]
    assert row["province"] == "Tuyên Quang"
    assert row["value"] == 112.5 and row["unit"] == "bé trai/100 bé gái"
    assert row["short"] == catalogue.get("M4.CT1").short_vi and row["goal"] == 4
    assert row["source_file"] == "tests/fixtures/explore_small.csv" and row["source_row"] == 52
    english = bdg.load(SMALL, lang="en")
    assert set(english.loc[english["indicator"] == "M4.CT1", "unit"]) == {"boys per 100 girls"}


def test_load_on_current_boundaries_puts_former_provinces_together():
    cur = bdg.load(SMALL, current=True)
    tq = cur[(cur["province"] == "Tuyên Quang") & (cur["indicator"] == "M4.CT1")]
    assert tq["year"].tolist() == list(range(2018, 2026))
    assert tq["aggregated"].tolist() == [True] * 7 + [False]
    assert "Hà Giang" not in set(cur["province"])


def test_load_reads_a_file_again_only_when_it_changed(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    assert reading.context(data) is reading.context(str(data))
    before = bdg.series("Lạng Sơn", "M4.CT1", data=data)[2025]
    data.write_text(
        SMALL.read_text(encoding="utf-8").replace(
            "Lạng Sơn,M4.CT1,2025,115.4", "Lạng Sơn,M4.CT1,2025,114.0"
        ),
        encoding="utf-8",
    )
    assert (before, bdg.series("Lạng Sơn", "M4.CT1", data=data)[2025]) == (115.4, 114.0)


def test_load_refuses_a_bad_file_naming_the_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("province,indicator,year,value\nLạng Sơn,M4.CT1,2024,abc\n", encoding="utf-8")
    with pytest.raises(BdgInputError, match=r"bad.csv:2: value"):
        bdg.load(bad)


def test_an_in_memory_frame_is_checked_like_a_file():
    raw = pd.DataFrame(
        {
            "province": ["Lang Son", "Hà Giang"],
            "indicator": ["M4.CT1"] * 2,
            "year": [2024, 2020],
            "value": [117.5, float("nan")],
        }
    )
    obs = bdg.load(raw)
    assert obs["province"].tolist() == ["Lạng Sơn", "Tuyên Quang"]
    assert obs["former"].tolist() == ["", "Hà Giang"]
    assert math.isnan(obs["value"].iloc[1])
    with pytest.raises(BdgInputError, match="<DataFrame>:2: indicator"):
        bdg.load(raw.assign(indicator="M9.CT9"))


def test_indicator_is_the_catalogue_entry_and_shows_its_metadata():
    srb = bdg.indicator(" m4.ct1 ")
    assert isinstance(srb, catalogue.Indicator) and srb.id == "M4.CT1"
    assert srb.national_target(2030).value == catalogue.get("M4.CT1").national_target(2030).value
    html = srb._repr_html_()
    assert "Tỷ số giới tính khi sinh" in html and "thấp hơn là tốt hơn" in html and "≤ 109" in html
    assert "lower is better" in srb.table("en").styled().to_html()
    with pytest.raises(UnknownNameError, match="M4.CT9.*did you mean"):
        bdg.indicator("M4.CT9")


def test_indicators_lists_the_catalogue():
    cat = bdg.indicators()
    assert cat["id"].tolist() == catalogue.ids()
    assert cat.loc[cat["id"] == "M4.CT1", "target_2030"].item() == "≤ 109"
    assert "Mục tiêu 2030" in cat._repr_html_()
    assert "Target 2030" in bdg.indicators("en")._repr_html_()


def test_plan_is_the_reports_plan_with_a_targets_table():
    ls = bdg.plan("Lang Son")
    assert isinstance(ls, plans.Plan) and ls.jurisdiction == "Lạng Sơn"
    base = plans.load_plan("Lạng Sơn")
    assert ls.target("M4.CT1", 2030) == base.target("M4.CT1", 2030)
    table = ls.table()
    assert len(table) == len(base.targets)
    own = table[(table["id"] == "M2.CT1") & (table["year"] == 2030)]
    assert own["origin"].item() == "kế hoạch riêng"
    assert base.document_label() in ls._repr_html_()
    assert "Plan Lạng Sơn" in repr(ls)


# ------------------------------------------------------------------ series


def test_series_is_on_current_boundaries_with_status_and_trace():
    s = bdg.series("Tuyên Quang", "M4.CT1", data=SMALL)
    assert s.index.tolist() == list(range(2018, 2026)) and s.name == "Tuyên Quang"
    assert s.index.name == "year"
    assert s[2025] == 110.3 and s.attrs["status"][2025] == "estimate"
    assert s.attrs["aggregated"] == list(range(2018, 2025))
    assert min(109.8, 112.5) < s[2020] < max(109.8, 112.5)  # a weighted mean of the two parts
    assert bdg.series("Tuyên Quang", "M4.CT1", data=SMALL, up_to=2020).index.max() == 2020


def test_series_keeps_a_year_without_a_value_as_nan():
    s = bdg.series("Cao Bằng", "M4.CT1", data=SMALL)  # the 2020 cell of the fixture is empty
    assert s.index.tolist() == list(range(2018, 2026))
    assert math.isnan(s[2020]) and s.drop(2020).notna().all()
    assert 2020 not in s.attrs["status"] and s.attrs["status"][2021] == "demo"
    assert bdg.project(s, 2030).value == bdg.project(s.dropna(), 2030).value  # gaps skipped
    assert s.attrs["incomplete"] == {}


def test_series_names_the_merged_years_left_out_for_a_missing_part():
    raw = pd.DataFrame(
        {
            "province": ["Hà Giang", "Tuyên Quang", "Tuyên Quang", "Hà Giang", "Tuyên Quang"],
            "indicator": ["M4.CT1"] * 5,
            "year": [2019, 2019, 2020, 2021, 2021],
            "value": [112.0, 110.0, 111.0, 113.0, 109.0],
        }
    )
    s = bdg.series("Tuyên Quang", "M4.CT1", data=raw)
    assert s.index.tolist() == [2019, 2020, 2021] and math.isnan(s[2020])  # Hà Giang: no 2020
    assert s.attrs["incomplete"] == {2020: ["Hà Giang"]}
    assert s.attrs["aggregated"] == [2019, 2021]


def test_series_refuses_a_former_province_and_points_to_former_series():
    with pytest.raises(BdgInputError, match=r"former_series\('Tuyên Quang'"):
        bdg.series("Hà Giang", "M4.CT1", data=SMALL)
    with pytest.raises(UnknownNameError):
        bdg.series("Hà Tây", "M4.CT1", data=SMALL)


def test_former_series_puts_the_parts_beside_the_merged_province():
    long = bdg.former_series("Hà Giang", "M4.CT1", data=SMALL)
    assert {"province", "series", "former", "year", "value", "status"} <= set(long.columns)
    assert set(long["province"]) == {"Tuyên Quang"}
    wide = long.pivot(index="year", columns="series", values="value")
    names = ["Hà Giang (cũ)", "Tuyên Quang (cũ)", "Tuyên Quang (hiện nay)"]
    assert list(dict.fromkeys(long["series"])) == names
    assert wide.loc[2020, "Hà Giang (cũ)"] == 112.5 and wide.loc[2020, "Tuyên Quang (cũ)"] == 109.8
    assert math.isnan(wide.loc[2025, "Hà Giang (cũ)"]) and wide.loc[2025, names[-1]] == 110.3
    assert wide.loc[2020, names[-1]] == bdg.series("Tuyên Quang", "M4.CT1", data=SMALL)[2020]
    mine = long[long["series"] == names[-1]].set_index("year")
    assert mine.loc[2025, "status"] == "estimate" and mine.loc[2020, "aggregated"]
    assert set(long.loc[long["series"] == names[0], "former"]) == {"Hà Giang"}
    assert "Hà Giang và Tuyên Quang" in long.attrs["caption"]
    assert "trọng số" in long.attrs["caption"]  # how the parts were weighted
    shown = long.styled().data  # shown wide: one column per series, one row per year
    assert list(shown.columns) == names and list(shown.index) == [str(y) for y in range(2018, 2026)]
    assert shown.loc["2020", "Hà Giang (cũ)"] == "112,5" and shown.loc["2025", names[0]] == "–"
    english = bdg.former_series("Tuyên Quang", "M4.CT1", data=SMALL, lang="en")
    assert list(dict.fromkeys(english["series"])) == [
        "Hà Giang (former)",
        "Tuyên Quang (former)",
        "Tuyên Quang (current)",
    ]
    single = bdg.former_series("Lạng Sơn", "M4.CT1", data=SMALL)
    assert set(single["series"]) == {"Lạng Sơn"} and list(single.styled().data.columns) == [
        "Lạng Sơn"
    ]
    with pytest.raises(BdgInputError, match="whole country"):
        bdg.former_series("Toàn quốc", "M4.CT1", data=SMALL)


# ------------------------------------------------------------------ one indicator, every province


def test_latest_ranks_every_province_by_the_indicators_direction():
    srb = bdg.latest("M4.CT1", data=SMALL)  # lower is better
    assert len(srb) == 34
    top = srb.head(3)
    assert top["province"].tolist() == ["Tuyên Quang", "Cao Bằng", "Lạng Sơn"]
    assert top["rank"].tolist() == [1, 2, 3] and top["national"].tolist() == [111.2] * 3
    assert top["gap"].iloc[2] == pytest.approx(115.4 - 111.2)
    assert top["merged_from"].iloc[0] == "Hà Giang, Tuyên Quang"
    assert srb["rank"].isna().sum() == 31
    wage = bdg.latest("M2.CT1", data=SMALL)  # higher is better
    assert wage["province"].iloc[0] == "Lạng Sơn" and wage["status"].iloc[0] == "provisional"
    earlier = bdg.latest("M4.CT1", 2021, data=SMALL)
    assert earlier.set_index("province").loc["Cao Bằng", "year"] == 2021


def test_movers_rank_improvement_in_the_good_direction():
    srb = bdg.movers("M4.CT1", since=2018, data=SMALL)
    ls = srb.set_index("province").loc["Lạng Sơn"]
    assert ls["slope"] < 0 < ls["improvement"] and ls["improvement"] == -ls["slope"]
    assert ls["first_year"] == 2018 and (ls["year"], ls["value"]) == (2025, 115.4)
    html = srb._repr_html_()  # plain value and year, shown as the window's last ones
    assert "Năm mới nhất" in html and "Giá trị cuối" in html
    assert srb["rank"].iloc[0] == 1
    ranked = srb.dropna(subset=["improvement"])
    assert ranked["improvement"].tolist() == sorted(ranked["improvement"], reverse=True)
    with pytest.raises(BdgInputError, match="since"):
        bdg.movers("M4.CT1", 2020, since=2020, data=SMALL)


def test_status_gives_the_report_statuses_in_words_and_colours():
    st = bdg.status("Lạng Sơn", data=SMALL)
    assert st.attrs["caption"].startswith("Lạng Sơn, 2025")
    assert set(st["status"]) <= set(words.namespace("status"))
    # one row per target and year, as `bdg status` gives them (the same function)
    plain = {"latest_value": "value", "latest_year": "year"}
    keys = [plain.get(c, c) for c in scorecard.STATUS_KEYS if c != "id"]
    assert list(st.columns) == ["id", "indicator", *keys]
    ctx = scorecard.Context(dataset.load(SMALL))
    same = [s.as_dict() for s in scorecard.target_statuses(ctx, "Lạng Sơn", 2025)]
    assert [(r["id"], r["target_year"], r["status"]) for r in same] == list(
        zip(st["id"], st["target_year"], st["status"], strict=True)
    )
    srb = st[(st["id"] == "M4.CT1") & (st["target_year"] == 2030)].iloc[0]
    assert srb["value"] == 115.4 and srb["indicator"] == catalogue.get("M4.CT1").short_vi
    assert srb["year"] == 2025
    html = st._repr_html_()
    assert "Giá trị mới nhất" in html and "Năm mới nhất" in html
    for key in set(st["status"]):
        assert text.status_word(key) in html and text.STATUS_SYMBOLS[key] in html
    assert "Khả năng đạt" in html


# ------------------------------------------------------------------ display


def test_tables_show_vietnamese_labels_numbers_units_and_status_colours():
    wage = bdg.latest("M2.CT1", data=SMALL)
    html = wage._repr_html_()
    assert "Tỉnh, thành phố" in html and "Giá trị (%)" in html and "28,1" in html
    assert "sơ bộ" in html and tables.DATA_STATUS_COLOURS["provisional"] in html
    english = wage.styled(lang="en").to_html()
    assert "Province" in english and "28.1" in english and "provisional" in english
    assert isinstance(wage.head(2), bdg.Table) and wage.head(2).attrs["unit"] == "%"


def test_long_tables_show_their_ends_and_empty_ones_say_so():
    obs = bdg.load(SMALL)
    html = obs._repr_html_()
    assert "78 dòng; hiển thị 5 dòng đầu và 5 dòng cuối" in html
    assert html.count("<tr") == 1 + 5 + 1 + 5  # header, head, the '…' row, tail
    assert ">…</td>" in html and 'class="row_heading' not in html  # no stray 0-based index
    assert "tỷ số" in html and "thấp hơn là tốt hơn" in html  # kind, direction as words
    assert set(obs["direction"]) == {"higher", "lower"}  # ... but plain keys to filter on
    empty = bdg.table(pd.DataFrame({"province": []}), caption="Xung đột")
    assert "Xung đột (không có dòng nào)" in empty._repr_html_()
    with pytest.raises(BdgInputError, match="lang"):
        bdg.table(obs, lang="fr")


def _all_text(fig) -> list[str]:
    """Every string drawn on a figure: figure texts, axes titles and annotations."""
    out = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        out.append(fig._suptitle.get_text())
    for ax in fig.axes:
        out += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        out += [t.get_text() for t in ax.texts]
    return out


def test_chart_draws_the_series_the_nation_and_the_plans_targets(shell):
    before = plt.get_fignums()
    fig = bdg.chart("Lạng Sơn", "M4.CT1", data=SMALL)
    assert isinstance(fig, charts.ChartFigure)
    drawn = _all_text(fig)
    assert any("Lạng Sơn: Tỷ số giới tính khi sinh" in t for t in drawn)
    for target in plans.load_plan("Lạng Sơn").targets_for("M4.CT1"):
        assert f"{target.year}: {text.fmt_target(target)}" in drawn
    data, _ = shell.display_formatter.format(fig)
    assert data["image/png"][:4] == b"\x89PNG"
    assert plt.get_fignums() == before  # drawn outside pyplot: nothing piles up


def _run_in_kernel(kc, code: str) -> list[dict]:
    """Run ``code`` in a kernel; the outputs it gave (results, displays, streams)."""
    outputs: list[dict] = []

    def keep(msg):
        if msg["msg_type"] in ("execute_result", "display_data", "error", "stream"):
            outputs.append({"type": msg["msg_type"], **msg["content"]})

    reply = kc.execute_interactive(code, output_hook=keep, timeout=120)
    errors = [o for o in outputs if o["type"] == "error"]
    assert reply["content"]["status"] == "ok" and not errors, errors
    return outputs


def _images(outputs: list[dict]) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.notebook
def test_in_a_jupyter_kernel_charts_show_and_the_inline_backend_stays():
    """In a real kernel, whatever ran before (the report's modules here): a returned chart shows
    as one PNG, the kernel's backend is never switched, and the user's own pyplot still shows."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        _run_in_kernel(kc, "from bdg_analysis import report, overview, charts")  # as reports do
        shown = _run_in_kernel(
            kc, f"import bdg_analysis as bdg\nbdg.chart('Lạng Sơn', 'M4.CT1', data={str(SMALL)!r})"
        )
        assert _images(shown) == 1
        backend = _run_in_kernel(kc, "import matplotlib; matplotlib.get_backend()")
        assert "inline" in backend[0]["data"]["text/plain"]
        own = _run_in_kernel(kc, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);")
        assert _images(own) == 1  # the inline backend shows the user's own figure
        # now through the inline backend's own figure formatter: still one image, never two
        again = _run_in_kernel(kc, f"bdg.distribution('M4.CT1', data={str(SMALL)!r})")
        assert _images(again) == 1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_demonstration_values_are_named_in_captions_and_titles():
    srb = bdg.latest("M4.CT1", data=SMALL)  # Cao Bằng's values are demo
    n_demo = int((srb["status"] == "demo").sum())
    assert srb.attrs["caption"].startswith(f"DỮ LIỆU MINH HỌA: {n_demo} trong 3 giá trị")
    assert "DEMONSTRATION DATA" in bdg.movers("M4.CT1", data=SMALL, lang="en").attrs["caption"]
    assert "DỮ LIỆU MINH HỌA" in bdg.load(SMALL).attrs["caption"]
    fig = bdg.small_multiples("M4.CT1", data=SMALL)
    assert "có số liệu minh họa" in fig._suptitle.get_text()
    demo_titles = [
        t
        for t in _all_text(bdg.chart("Cao Bằng", "M4.CT1", data=SMALL))
        if "(số liệu minh họa)" in t
    ]
    assert demo_titles and not [
        t for t in _all_text(bdg.chart("Lạng Sơn", "M4.CT1", data=SMALL)) if "minh họa" in t
    ]  # Lạng Sơn's fixture figures are official
    real = bdg.load(SMALL)
    real = real[real["status"] != "demo"]
    assert "MINH HỌA" not in bdg.latest("M4.CT1", data=real).attrs["caption"]
    fig = bdg.distribution("M4.CT1", data=real)
    assert "minh họa" not in fig.axes[0].get_title(loc="left")


def test_relative_data_paths_are_found_from_the_notebooks_folder(monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")  # where JupyterLab starts the kernel
    s = bdg.series("Lạng Sơn", "M4.CT1", data="tests/fixtures/explore_small.csv")
    assert s[2025] == 115.4
    with pytest.raises(BdgInputError, match="no-such.csv"):
        bdg.load("no-such.csv")


# ------------------------------------------------------------------ charts


def test_small_multiples_draw_every_province_with_former_parts_behind():
    fig = bdg.small_multiples("M4.CT1", data=SMALL)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 34
    by_title = {ax.get_title(loc="left"): ax for ax in panels}
    assert len(by_title["Tuyên Quang"].get_lines()) > len(by_title["Lạng Sơn"].get_lines())
    assert any(t.get_text() == "không có số liệu" for t in by_title["Hà Nội"].texts)


def test_distribution_former_and_outlier_charts_draw():
    from bdg_analysis import quality

    dist = bdg.distribution("M4.CT1", data=SMALL, lang="en")
    labels = {t.get_text() for t in dist.axes[0].texts}
    assert "Lạng Sơn" in labels and any(t.startswith("National") for t in labels)
    parts = bdg.former_chart("Tuyên Quang", "M4.CT1", data=SMALL)
    legend = [t.get_text() for t in parts.axes[0].get_legend().get_texts()]
    assert "Hà Giang (cũ)" in legend and "Tuyên Quang (địa giới hiện nay)" in legend
    obs = quality.read(SMALL).observations
    flagged = quality.outliers(obs)
    fig = bdg.outlier_chart(flagged, data=obs)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert "Cao Bằng · M2.CT1 (%)" in titles
    empty = bdg.outlier_chart(flagged.iloc[0:0], data=obs)
    assert "Không có chuỗi nào để vẽ" in {t.get_text() for t in empty.axes[0].texts}


def test_english_captions_of_former_provinces_are_in_english():
    caption = bdg.former_series("Tuyên Quang", "M4.CT1", lang="en").attrs["caption"]
    assert "weighted by female population" in caption
    for vietnamese in ("ước tính", "làm trọng số", "dân số", "nguồn"):
        assert vietnamese not in caption


def test_a_change_is_shown_at_the_precision_of_its_values():
    movers = bdg.movers("M4.CT1", 2025)
    shown = movers.styled().data  # the cells as displayed
    change = shown.iloc[:, list(movers.columns).index("change")]
    assert all(c == "–" or len(c.split(",")[-1]) == 1 for c in change if "," in c)
    assert any("," in c for c in change)


def test_every_function_checks_the_language_one_way():
    with pytest.raises(BdgInputError) as expected:
        words.check_lang("fr", where="lang")
    calls = [
        lambda: bdg.load(SMALL, lang="fr"),
        lambda: bdg.latest("M4.CT1", data=SMALL, lang="fr"),
        lambda: bdg.movers("M4.CT1", data=SMALL, lang="fr"),
        lambda: bdg.former_series("Tuyên Quang", "M4.CT1", data=SMALL, lang="fr"),
        lambda: bdg.status("Lạng Sơn", data=SMALL, lang="fr"),
        lambda: bdg.chart("Lạng Sơn", "M4.CT1", data=SMALL, lang="fr"),
        lambda: bdg.indicators("fr"),
        lambda: bdg.indicator("M4.CT1").table("fr"),
        lambda: bdg.plan("Lạng Sơn").table("fr"),
        lambda: bdg.table(pd.DataFrame(), lang="fr"),
    ]
    for call in calls:
        with pytest.raises(BdgInputError) as err:
            call()
        assert str(err.value) == str(expected.value)  # "<argument>: lang: 'fr' is not ..."
