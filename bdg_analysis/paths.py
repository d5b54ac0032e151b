"""Where the project's folders are: data, params, notebooks, reports."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RESOURCES_DIR = PACKAGE_DIR / "resources"


def project_root() -> Path:
    """The checkout that holds data/, params/ and notebooks/.

    ``BDG_HOME`` overrides it, so a scheduled job can run from anywhere.
    """
    env = os.environ.get("BDG_HOME")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent


def data_dir() -> Path:
    return project_root() / "data"


def params_dir() -> Path:
    return project_root() / "params"


def params_files() -> list[Path]:
    """The plan files a report reads (national defaults and jurisdiction overrides)."""
    folder = params_dir()
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def default_data_file() -> Path:
    """The embedded dataset the default report is built from."""
    return data_dir() / "observations.csv"


def display_path(path: Path | str) -> str:
    """A path fit to show a reader: relative to the project (or the working folder) when inside
    it, else the bare file name. Never absolute: reports are published and must not leak server
    paths or user names."""
    p = Path(path).resolve()
    for base in (project_root(), Path.cwd()):
        try:
            return p.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return p.name
