"""Benchmark of bdg_analysis.projection: accuracy, calibration and speed on real series.

Run from the project root::

    .venv/bin/python benchmarks/bench_projection.py            # every table and the speed test
    .venv/bin/python benchmarks/bench_projection.py --quick    # fewer origins, 20,000 series
    .venv/bin/python benchmarks/bench_projection.py --derive-defaults   # rewrite the defaults
    .venv/bin/python benchmarks/bench_projection.py --engine-root DIR   # score another checkout

The data are the shared folder's real series (``shared/data``: World Development Indicators for
about 190 countries and six gender indicators; Viet Nam's national sex ratios from the GSO). The
folder is found from ``$BDG_SHARED_DIR`` (the ``shared`` folder), else as ``shared/data`` in a
parent of the checkout; without it the benchmark says so and stops.

(1) Yearly, as before: ten-year histories cut at 2008, 2011 and 2014, projected 1-8 years
    ahead, scored against values up to 2022 (the last WDI years are nowcasts).
(2) Long horizons and sparse series (issue 12): each series cut at 2002, 2007, 2012 and 2017 and
    seen (a) yearly over ten years, (b) every 5th year (up to eight points) and (c) every 2nd or
    3rd year at random (seeded; up to eight points), projected 5, 10 and 20 years ahead (when
    that year is at most 2022). One table per sampling and horizon.
(3) For every table and horizon: MAE by indicator and MASE over all series (MAE divided by the
    history's mean absolute yearly change) of the simple baselines, computed here on the
    original scale (B:naive = last value; B:drift = straight line first to last; B:dd0.9 and
    B:dd0.95 = that drift damped by 0.9 or 0.95 a year), of each member of the engine (forced
    with ``methods=``; ``damped``, ETS, only on series of ten consecutive years) and of the
    final method without and with a pool (the other countries' series of the same indicator
    and cut, the series itself left out); the share of held-back values inside the 80 %
    interval; PIT thirds (share of outcomes below the 1/3 and above the 2/3 predictive
    quantile; ideal 1/3 each); the Brier score of P(value >= target) for a target at the median
    of the series' values from the first history year to the scored year (0.25 = a coin).
    Criteria (issue 12): final MASE at or below the best baseline, coverage 0.75-0.85, PIT
    thirds 0.30-0.37 each.
(4) Speed: 100,000 series (every commune and indicator) projected to 2030, in seconds.

The defaults the engine uses without a pool (damping and error distribution by number of points
and horizon) are derived by ``--derive-defaults`` from the same series cut at 1995-2005: no table
scores a year before 2007. Caveats (shared/data/wdi/README.md): all WDI series except parliament
seats are modelled estimates, smoother than observations; revisions between releases are large.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

WDI_INDICATORS = {
    "SL.EMP.WORK.FE.ZS": ("wage employment, % women (M2.CT1)", 0.0, 100.0, 1.0),
    "SL.AGR.EMPL.FE.ZS": ("agriculture, % women (M2.CT2)", 0.0, 100.0, 1.0),
    "SG.GEN.PARL.ZS": ("parliament seats, % women", 0.0, 100.0, 1.0),
    "SP.POP.BRTH.MF": ("sex ratio at birth x100 (M4.CT1)", 0.0, None, 100.0),
    "SH.STA.MMRT": ("maternal mortality (M4.CT2)", 0.0, None, 1.0),
    "SP.ADO.TFRT": ("adolescent births (M4.CT3)", 0.0, None, 1.0),
}
BASELINES = ("B:naive", "B:drift", "B:dd0.9", "B:dd0.95")
"""The simple methods, computed here on the original scale (B: keeps them apart from the
engine's members of the same name, which run on the engine's scale)."""
SCHEMES = {"yearly": "yearly, 10 years", "5y": "every 5th year", "23y": "every 2nd-3rd year"}
LAST_SCORED = 2022


def shared_data_dir() -> Path | None:
    """The shared data folder: ``$BDG_SHARED_DIR/data``, else ``shared/data`` in a parent."""
    env = os.environ.get("BDG_SHARED_DIR")
    if env:
        p = Path(env)
        return p / "data" if (p / "data").is_dir() else (p if p.is_dir() else None)
    for parent in ROOT.parents:
        cand = parent / "shared" / "data"
        if cand.is_dir():
            return cand
    return None


def import_engine(root: Path):
    """``bdg_analysis.projection`` from the checkout at ``root``."""
    sys.path.insert(0, str(root))
    return importlib.import_module("bdg_analysis.projection")


pj = None  # the engine under test (set in main)
NEW = True  # the engine has the new API (pools by series, empirical distributions)


# --------------------------------------------------------------------------------------------
# Data and cuts
# --------------------------------------------------------------------------------------------


def load_wdi(data: Path) -> dict[str, pd.DataFrame]:
    d = pd.read_csv(data / "wdi" / "series.csv")
    out = {}
    for ind, (_label, _lo, _up, mult) in WDI_INDICATORS.items():
        g = d[d["indicator"] == ind]
        out[ind] = g.pivot_table(index="iso3", columns="year", values="value") * mult
    return out


def load_gso(data: Path) -> pd.DataFrame:
    d = pd.read_csv(data / "vietnam" / "gso_pxweb_E02_08_sex_ratio_national.csv")
    d = d[d["year"] <= 2023]  # 2024 is preliminary
    return d.pivot_table(index="indicator", columns="year", values="value")


def history_years(scheme: str, origin: int, rng, window: int = 10) -> np.ndarray:
    if scheme == "yearly":
        return np.arange(origin - window + 1, origin + 1)
    if scheme == "5y":
        return origin - 5 * np.arange(7, -1, -1)
    steps = rng.integers(2, 4, 7)
    return np.sort(origin - np.r_[0, np.cumsum(steps)])


def cut(wide, scheme, origin, targets, window=10, seed=12, min_points=2, span=40):
    """(history N x T on a yearly grid, grid years, outcomes N x len(targets), labels, medians).

    Rows need ``min_points`` history values and at least one outcome; ``medians`` are the
    targets of the Brier score (median of the row's values from its first history year to
    each scored year)."""
    rng = np.random.default_rng(seed + origin)
    cols = np.arange(origin - span, origin + 1)
    W = wide.reindex(columns=cols).to_numpy(float)
    H = np.full_like(W, np.nan)
    for i in range(len(W)):
        j = history_years(scheme, origin, rng, window) - cols[0]
        j = j[j >= 0]
        H[i, j] = W[i, j]
    A = wide.reindex(columns=list(targets)).to_numpy(float)
    keep = (np.isfinite(H).sum(1) >= min_points) & np.isfinite(A).any(1)
    H, A = H[keep], A[keep]
    full = wide.reindex(columns=range(origin - span, max(targets) + 1)).to_numpy(float)[keep]
    first = np.argmax(np.isfinite(H), 1)
    med = np.full(A.shape, np.nan)
    for i in range(len(H)):
        for j, y in enumerate(targets):
            v = full[i, first[i] : y - (origin - span) + 1]
            med[i, j] = np.nanmedian(v) if np.isfinite(v).any() else np.nan
    first_col = np.argmax(np.isfinite(H).any(0)) if len(H) else 0
    return H[:, first_col:], cols[first_col:], A, wide.index[keep], med


def history_scale(H: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Mean absolute yearly change of each history row (the MASE denominator)."""
    out = np.full(H.shape[0], np.nan)
    for i, row in enumerate(H):
        ok = np.isfinite(row)
        if ok.sum() >= 2:
            out[i] = np.mean(np.abs(np.diff(row[ok])) / np.diff(years[ok]))
    return out


def baselines(H, years, targets, lower, upper) -> dict[str, np.ndarray]:
    """The simple methods on the original scale, clipped to the bounds."""
    ok = np.isfinite(H)
    n = ok.sum(1)
    T = H.shape[1]
    last = T - 1 - np.argmax(ok[:, ::-1], 1)
    first = np.argmax(ok, 1)
    ar = np.arange(len(H))
    yl, y0 = H[ar, last], H[ar, first]
    with np.errstate(all="ignore"):
        mu = np.where(n >= 2, (yl - y0) / (years[last] - years[first]), np.nan)
    h = np.asarray(targets, float)[None, :] - years[last][:, None]
    out = {
        "B:naive": np.repeat(yl[:, None], len(targets), 1),
        "B:drift": yl[:, None] + mu[:, None] * h,
    }
    for phi in (0.9, 0.95):
        out[f"B:dd{phi}"] = yl[:, None] + mu[:, None] * phi * (1 - phi**h) / (1 - phi)
    for k, v in out.items():
        out[k] = np.clip(v, lower, upper) if (lower is not None or upper is not None) else v
    return out


# --------------------------------------------------------------------------------------------
# The engine under test (the new API, or an older checkout's)
# --------------------------------------------------------------------------------------------


def make_pool(H, years, labels, lower, upper):
    series = {}
    for i, lab in enumerate(labels):
        ok = np.isfinite(H[i])
        series[str(lab)] = pd.Series(H[i, ok], index=years[ok])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if NEW:
            return pj.pooled_backtest_errors(series, lower, upper)
        return pj.pooled_backtest_errors(list(series.values()), lower, upper)


def predict(H, years, targets, lower, upper, thresholds, *, pool=None, labels=None, method=None):
    """value, low, high, q13, q23, p_ge (P(value >= threshold)) for every row and target."""
    targets = np.asarray(targets, float)
    if NEW:
        from bdg_analysis.projection.engine import run

        kw = dict(lower=lower, upper=upper, probs=(1 / 3, 2 / 3))
        if method is not None:
            kw["methods"] = (method,)
        if pool is None or labels is None:
            E = run(H, years, targets, pooled=pool, thresholds=thresholds, **kw)
            return _from_new(E)
        pools = [pool.for_series(str(lab)) for lab in labels]  # each without its own series
        return _from_new(run(H, years, targets, pooled=pools, thresholds=thresholds, **kw))
    return _from_old(H, years, targets, lower, upper, thresholds, pool, method)


def _from_new(E):
    return {
        "value": E["value"],
        "low": E["low"],
        "high": E["high"],
        "q13": E["q"][:, :, 0],
        "q23": E["q"][:, :, 1],
        "p_ge": 1 - E["p_le"],
        "method": E["method"],
    }


def _from_old(H, years, targets, lower, upper, thresholds, pool, method):
    from scipy import stats

    kw = {"lower": lower, "upper": upper, "pooled": pool}
    if method is not None:
        kw["methods"] = (method,)
    out = pj._many_years(H, years, list(targets.astype(int)), **kw)
    kind, _Z, delta = pj._batch_transform(H, lower, upper, "auto")
    c, sg = out["center_z"], out["sigma_z"]
    d = delta[:, None]

    def inv(z):
        return pj._inverse(kind, z, lower, upper, d)

    zt = pj._forward(kind, np.broadcast_to(thresholds[:, None], c.shape), lower, upper, d)
    with np.errstate(all="ignore"):
        p_ge = stats.norm.sf((zt - c) / sg)
    if lower is not None:
        p_ge = np.where(thresholds[:, None] <= lower, 1.0, p_ge)
    return {
        "value": out["value"],
        "low": out["low"],
        "high": out["high"],
        "q13": inv(c + sg * stats.norm.ppf(1 / 3)),
        "q23": inv(c + sg * stats.norm.ppf(2 / 3)),
        "p_ge": p_ge,
        "method": out["method"],
    }


def member_names() -> list[str]:
    if NEW:
        return [m for m in pj.METHODS if m != pj.FINAL]
    return list(pj.METHODS)


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def score_case(H, years, A, labels, med, lower, upper, targets, members=True):
    """Per (row, target) records of one cut: errors of every method, coverage, PIT, Brier."""
    scale = history_scale(H, years)
    thresholds = med  # per row and target
    res = {}
    for name, v in baselines(H, years, targets, lower, upper).items():
        res[name] = v
    if members:
        for m in member_names():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res[m] = predict(H, years, targets, lower, upper, med[:, 0], method=m)["value"]
    recs = []
    pool = make_pool(H, years, labels, lower, upper)
    finals = {}
    for label, p in (("final", None), ("final+pool", pool)):
        # the Brier target differs by scored year: one call per target year
        parts = [
            predict(H, years, [y], lower, upper, thresholds[:, j], pool=p, labels=labels)
            for j, y in enumerate(targets)
        ]
        keys = [k for k in parts[0] if k != "method"]
        finals[label] = {k: np.concatenate([q[k] for q in parts], 1) for k in keys}
        res[label] = finals[label]["value"]
    for j, y in enumerate(targets):
        h = y - years[-1]
        for i in range(len(H)):
            a = A[i, j]
            if not np.isfinite(a) or not (scale[i] > 0):
                continue
            rec = {"row": i, "h": int(h), "scale": scale[i], "actual": a}
            for name, v in res.items():
                rec[name] = abs(v[i, j] - a)
            for label, F in finals.items():
                rec[f"{label}:in"] = F["low"][i, j] <= a <= F["high"][i, j]
                rec[f"{label}:below13"] = a < F["q13"][i, j]
                rec[f"{label}:above23"] = a > F["q23"][i, j]
                met = float(a >= thresholds[i, j])
                rec[f"{label}:brier"] = (F["p_ge"][i, j] - met) ** 2
            recs.append(rec)
    return recs


def summarize(frame: pd.DataFrame, methods: list[str]) -> dict:
    mase = {m: float((frame[m] / frame["scale"]).mean()) for m in methods}
    out = {"series": len(frame), "mase": mase}
    for label in ("final", "final+pool"):
        out[label] = {
            "coverage": float(frame[f"{label}:in"].mean()),
            "below13": float(frame[f"{label}:below13"].mean()),
            "above23": float(frame[f"{label}:above23"].mean()),
            "brier": float(frame[f"{label}:brier"].mean()),
        }
    return out


def verdict(s: dict, label: str) -> str:
    best = min(s["mase"][b] for b in BASELINES)
    m = s["mase"][label]
    c = s[label]
    marks = [
        "MASE ok" if m <= best + 1e-12 else f"MASE {m / best - 1:+.1%} vs best",
        "cover ok" if 0.75 <= c["coverage"] <= 0.85 else "cover NO",
        "PIT ok" if all(0.30 <= c[k] <= 0.37 for k in ("below13", "above23")) else "PIT NO",
    ]
    return "; ".join(marks)


def print_table(title: str, frame: pd.DataFrame, methods: list[str]) -> dict:
    print(f"\n{title}")
    ind = frame["indicator"]
    shown = [m for m in methods if m in frame]
    mae = frame.groupby(ind)[shown].mean()
    mae.insert(0, "series", frame.groupby(ind).size())
    allrow = {m: (frame[m] / frame["scale"]).mean() for m in shown}
    allrow["series"] = len(frame)
    mae.loc["ALL (MASE)"] = pd.Series(allrow)
    with pd.option_context(
        "display.width", 250, "display.max_columns", 30, "display.float_format", "{:.3f}".format
    ):
        print("MAE by indicator (original units); last row: MASE over all series")
        print(mae.to_string())
    s = summarize(frame, shown)
    for label in ("final", "final+pool"):
        c = s[label]
        print(
            f"  {label:<10} coverage {c['coverage']:.3f}  PIT below 1/3 {c['below13']:.3f}, "
            f"above 2/3 {c['above23']:.3f}  Brier {c['brier']:.3f}  -> {verdict(s, label)}"
        )
    return s


# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------


def table_yearly(wdi, origins) -> None:
    """(1): ten-year yearly histories, 1-8 years ahead."""
    recs = []
    for ind, (label, lo, up, _m) in WDI_INDICATORS.items():
        for origin in origins:
            targets = [y for y in range(origin + 1, origin + 9) if y <= LAST_SCORED]
            H, yrs, A, labels, med = cut(wdi[ind], "yearly", origin, targets)
            for r in score_case(H, yrs, A, labels, med, lo, up, targets):
                r.update(indicator=label, origin=origin)
                recs.append(r)
    frame = pd.DataFrame(recs)
    methods = list(BASELINES) + member_names() + ["final", "final+pool"]
    cuts = ", ".join(map(str, origins))
    print_table(f"(1) Yearly: 10-year histories cut at {cuts}, 1-8 years ahead", frame, methods)
    frame["bucket"] = pd.cut(frame["h"], [0, 2, 5, 8], labels=["h1-2", "h3-5", "h6-8"])
    for label in ("final", "final+pool"):
        g = frame.groupby("bucket", observed=True)
        cov = g[f"{label}:in"].mean()
        print(
            f"  {label} coverage by horizon: "
            + ", ".join(f"{b} {v:.3f}" for b, v in cov.items())
            + "; by indicator: "
            + ", ".join(
                f"{k.split(' (')[0]} {v:.2f}"
                for k, v in frame.groupby("indicator")[f"{label}:in"].mean().items()
            )
        )


def table_long(wdi, origins, horizons=(5, 10, 20)) -> list[tuple]:
    """(2): yearly, 5-yearly and 2-3-yearly histories, 5, 10 and 20 years ahead."""
    summary = []
    methods = list(BASELINES) + member_names() + ["final", "final+pool"]
    for scheme, sname in SCHEMES.items():
        recs = []
        for ind, (label, lo, up, _m) in WDI_INDICATORS.items():
            for origin in origins:
                targets = [origin + h for h in horizons if origin + h <= LAST_SCORED]
                if not targets:
                    continue
                H, yrs, A, labels, med = cut(wdi[ind], scheme, origin, targets)
                if len(H) < 5:
                    continue
                for r in score_case(H, yrs, A, labels, med, lo, up, targets):
                    r.update(indicator=label, origin=origin)
                    recs.append(r)
        frame = pd.DataFrame(recs)
        for h in horizons:
            f = frame[frame["h"] == h]
            if f.empty:
                continue
            orgs = sorted(o for o in origins if o + h <= LAST_SCORED)
            s = print_table(
                f"(2) {sname}, {h} years ahead (origins {', '.join(map(str, orgs))})", f, methods
            )
            summary.append((sname, h, s))
    return summary


def print_summary(summary) -> None:
    print("\nSummary of tables (2): MASE over all series; coverage; PIT thirds; Brier")
    rows = []
    for sname, h, s in summary:
        best = min(BASELINES, key=lambda b: s["mase"][b])
        for label in ("final", "final+pool"):
            c = s[label]
            rows.append(
                {
                    "table": f"{sname}, h={h}",
                    "method": label,
                    "series": s["series"],
                    "best baseline": f"{best} {s['mase'][best]:.3f}",
                    "MASE": s["mase"][label],
                    "ratio": s["mase"][label] / s["mase"][best],
                    "cover80": c["coverage"],
                    "below1/3": c["below13"],
                    "above2/3": c["above23"],
                    "Brier": c["brier"],
                    "verdict": verdict(s, label),
                }
            )
    with pd.option_context(
        "display.width", 250, "display.max_columns", 30, "display.float_format", "{:.3f}".format
    ):
        print(pd.DataFrame(rows).to_string(index=False))


def table_short(wdi, origins, windows) -> None:
    """Short yearly histories (2-6 points), 1-8 years ahead."""
    for window in windows:
        recs = []
        for ind, (label, lo, up, _m) in WDI_INDICATORS.items():
            for origin in origins:
                targets = [y for y in range(origin + 1, origin + 9) if y <= LAST_SCORED]
                H, yrs, A, labels, med = cut(wdi[ind], "yearly", origin, targets, window=window)
                for r in score_case(H, yrs, A, labels, med, lo, up, targets, members=False):
                    r.update(indicator=label)
                    recs.append(r)
        f = pd.DataFrame(recs)
        s = summarize(f, list(BASELINES) + ["final", "final+pool"])
        print(
            f"\nShort yearly histories ({window} years): {len(f)} pairs; MASE "
            + ", ".join(f"{k} {v:.3f}" for k, v in s["mase"].items())
            + "; coverage final "
            + f"{s['final']['coverage']:.3f}, final+pool {s['final+pool']['coverage']:.3f}"
        )


def gso_table(data: Path, origins=(2010, 2013, 2015)) -> None:
    """Viet Nam's national sex ratios (GSO): six short official series, no pool."""
    g = load_gso(data)
    recs = []
    for origin in origins:
        targets = [y for y in range(origin + 1, origin + 9) if y <= 2023]
        H, yrs, A, labels, med = cut(g, "yearly", origin, targets)
        scale = history_scale(H, yrs)
        base = baselines(H, yrs, targets, 0.0, None)
        F = predict(H, yrs, targets, 0.0, None, med[:, 0])
        for i, name in enumerate(labels):
            ok = np.isfinite(A[i])
            rec = {"series": name.replace("|residence=", " "), "origin": origin}
            for k in ("B:naive", "B:drift", "B:dd0.9"):
                rec[k] = np.mean(np.abs(base[k][i, ok] - A[i, ok])) / scale[i]
            rec["final"] = np.mean(np.abs(F["value"][i, ok] - A[i, ok])) / scale[i]
            rec["inside"] = int(((F["low"][i] <= A[i]) & (A[i] <= F["high"][i]))[ok].sum())
            rec["pairs"] = int(ok.sum())
            recs.append(rec)
    t = pd.DataFrame(recs)
    print("\nViet Nam, GSO national sex ratios (E02.08), 10-year histories, scored to 2023")
    means = t[["B:naive", "B:drift", "B:dd0.9", "final"]].mean()
    print("  mean MASE: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
    print(
        f"  80% coverage: {t['inside'].sum()}/{t['pairs'].sum()} = "
        f"{t['inside'].sum() / t['pairs'].sum():.3f}"
    )


# --------------------------------------------------------------------------------------------
# Defaults, speed, the statsmodels check
# --------------------------------------------------------------------------------------------


def derive_defaults(wdi) -> None:
    """Write resources/projection_defaults.csv from WDI histories cut at 1995-2005."""
    from bdg_analysis.projection import calibration
    from bdg_analysis.projection.inputs import prepare_rows
    from bdg_analysis.projection.pool import backtest_pairs

    parts = []
    for ind, (_label, lo, up, _m) in WDI_INDICATORS.items():
        for origin in (1995, 2000, 2005):
            for scheme, window in (("yearly", 10), ("yearly", 16), ("5y", 0), ("23y", 0)):
                H, yrs, _A, _l, _m2 = cut(wdi[ind], scheme, origin, [origin + 1], window=window)
                H = H[np.isfinite(H).sum(1) >= 2]
                if len(H) == 0:
                    continue
                R = prepare_rows(H, yrs, lo, up)
                pairs, fs = backtest_pairs(R["Z"], yrs.astype(float), R["code"])
                med = np.nanmedian(fs)
                pairs["s"] = np.maximum(pairs["s"], 0.2 * med)
                pairs["group"] = np.full(pairs["h"].size, f"{ind} {scheme} {window}")
                parts.append(pairs)
    pairs = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # every indicator and sampling counts alike, however many pairs its series give
    _u, inv, counts = np.unique(pairs.pop("group"), return_inverse=True, return_counts=True)
    pairs["w"] = 1.0 / counts[inv]
    rows = calibration.default_table(pairs)
    out = calibration.DEFAULTS_FILE
    with out.open("w", encoding="utf-8") as f:
        f.write(
            "# Written by benchmarks/bench_projection.py --derive-defaults: WDI series cut at "
            "1995, 2000, 2005 (yearly 10 and 16 years, every 5th, every 2nd-3rd year)\n"
        )
        f.write("n,h,phi,gamma,p,q,pairs\n")
        for r in rows:
            f.write(
                f"{r['n']},{r['h']},{r['phi']},{r['gamma']},{r['p']},{r['q']:.6g},{r['pairs']}\n"
            )
    phis = sorted({(r["n"], r["phi"], r["gamma"]) for r in rows})
    print(f"wrote {out} from {pairs['h'].size:,} backtest pairs; (n, φ, γ): {phis}")


def make_speed_series(data: Path, n: int, seed: int = 0) -> pd.DataFrame:
    """n share series of 2-10 years ending 2015-2024 with gaps: WDI shares plus local noise."""
    rng = np.random.default_rng(seed)
    d = pd.read_csv(data / "wdi" / "series.csv")
    d = d[d["indicator"].isin(["SL.EMP.WORK.FE.ZS", "SL.AGR.EMPL.FE.ZS", "SG.GEN.PARL.ZS"])]
    w = d.pivot_table(index=["indicator", "iso3"], columns="year", values="value")
    w = w.reindex(columns=range(2006, 2025))
    base = w.to_numpy(float)
    rows = rng.integers(0, base.shape[0], n)
    end = rng.integers(2015, 2025, n)
    length = np.where(rng.random(n) < 0.8, 10, rng.integers(2, 10, n))
    years = np.arange(2006, 2025)
    Y = base[rows]
    mask = (years[None, :] <= end[:, None]) & (years[None, :] > (end - length)[:, None])
    gaps = rng.random(Y.shape) < 0.1
    Y = np.where(mask & ~gaps, Y, np.nan)
    z = np.log(Y / (100 - Y + 1e-9) + 1e-9)
    z = z + rng.normal(0, 0.05, Y.shape)
    Y = np.clip(100 / (1 + np.exp(-z)), 0, 100)
    return pd.DataFrame(Y, columns=years)


def speed(data: Path, n: int, jobs: int) -> None:
    wide = make_speed_series(data, n)
    print(
        f"\nSpeed: {n:,} share series (2-10 points, 10% of years missing), projected to 2030, "
        f"{jobs} process(es)"
    )
    t0 = time.perf_counter()
    out = pj.project_many(wide, 2030, lower=0, upper=100, jobs=jobs)
    dt = time.perf_counter() - t0
    print(
        f"  {dt:.1f} s  ({n / dt:,.0f} series/s); methods: {out['method'].value_counts().to_dict()}"
    )
    if NEW:
        check_single_path(wide, out)
        check_members_against_statsmodels(wide)


def check_single_path(wide: pd.DataFrame, out: pd.DataFrame, sample: int = 300) -> None:
    """project() on single series against the vectorised frame."""
    rng = np.random.default_rng(1)
    idx = rng.choice(len(wide), size=min(sample, len(wide)), replace=False)
    worst, same = 0.0, 0
    t0 = time.perf_counter()
    for i in idx:
        p = pj.project(wide.iloc[i].dropna(), 2030, lower=0, upper=100)
        r = out.iloc[i]
        same += p.method == r["method"]
        if p.available:
            worst = max(worst, abs(p.value - r["value"]), abs(p.low - r["low"]))
    dt = time.perf_counter() - t0
    print(
        f"  check: {len(idx)} rows through project(): same method {same}/{len(idx)}, max |diff| "
        f"{worst:.1e} ({dt / len(idx) * 1000:.1f} ms per series on that path)"
    )
    assert same == len(idx) and worst < 1e-9, "project() differs from project_many()"


def check_members_against_statsmodels(wide: pd.DataFrame, sample: int = 100) -> None:
    """The numpy members (naive, drift, linear, ETS) against statsmodels fits, on the series
    without a level shift."""
    from bdg_analysis.projection import reference

    rng = np.random.default_rng(2)
    worst = {m: 0.0 for m in ("naive", "drift", "linear", "damped")}
    for i in rng.choice(len(wide), size=min(sample, len(wide)), replace=False):
        s = wide.iloc[i].dropna()
        if len(s) < 3:
            continue
        for m in worst:
            p = pj.project(s, 2030, lower=0, upper=100, methods=(m,))
            if not p.available or p.level_shift is not None:  # a shift changes the data fitted
                continue
            c, _half = reference.fit(m, s, [2030], p.transform, level=0.8)
            worst[m] = max(worst[m], abs(c[0] - p.center_z))
    print(
        "  members against statsmodels (OLS, WLS, ETSModel.smooth), max |diff| on the "
        "transformed scale: " + ", ".join(f"{m} {v:.1e}" for m, v in worst.items())
    )


def main(argv=None) -> None:
    global pj, NEW
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer origins, 20,000 series")
    ap.add_argument("--derive-defaults", action="store_true")
    ap.add_argument("--n-speed", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--only", choices=("yearly", "long", "short", "gso"), default=None)
    ap.add_argument("--engine-root", type=Path, default=ROOT, help="checkout to benchmark")
    args = ap.parse_args(argv)
    data = shared_data_dir()
    if data is None or not (data / "wdi" / "series.csv").exists():
        print(
            "bench_projection: the shared data folder was not found (set BDG_SHARED_DIR to the "
            "folder holding data/wdi/series.csv, or put shared/data beside the checkout); "
            "nothing to benchmark."
        )
        return
    pj = import_engine(args.engine_root.resolve())
    NEW = hasattr(pj, "FINAL")
    api = "current" if NEW else "former"
    print(f"engine: {Path(pj.__file__).parent} ({api} API); data: {data}")
    wdi = load_wdi(data)
    if args.derive_defaults:
        derive_defaults(wdi)
        return
    t0 = time.perf_counter()
    if args.only in (None, "yearly"):
        table_yearly(wdi, (2014,) if args.quick else (2008, 2011, 2014))
    if args.only in (None, "long"):
        origins = (2002, 2012) if args.quick else (2002, 2007, 2012, 2017)
        print_summary(table_long(wdi, origins))
    if args.only in (None, "short"):
        table_short(wdi, (2014,) if args.quick else (2008, 2011, 2014), (2, 3, 4, 6))
    if args.only in (None, "gso"):
        gso_table(data)
    print(f"\naccuracy part: {time.perf_counter() - t0:.0f} s")
    if not args.skip_speed:
        speed(data, args.n_speed or (20_000 if args.quick else 100_000), args.jobs)


if __name__ == "__main__":
    main()
