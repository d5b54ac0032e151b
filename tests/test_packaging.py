"""The set-up files agree: pyproject, environment.yml, the lock file and the CI script."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


# conda-forge names some packages differently from PyPI.
CONDA_NAMES = {"playwright-python": "playwright"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return CONDA_NAMES.get(name, name)


def _pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["test"]
    return {_name(r): r.replace(" ", "") for r in reqs}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or _name(item) in ("python", "pip"):
                continue
            spec = item.split("#")[0].replace(" ", "")
            name = _name(spec)
            listed[name] = name + spec[len(re.split(r"[<>=!~\[]", spec, maxsplit=1)[0]) :]
    assert listed == _pyproject_requirements()


def test_every_dependency_is_pinned_in_the_lock_file():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_name(line) for line in lock.splitlines() if "==" in line}
    missing = set(_pyproject_requirements()) - pinned
    assert not missing


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_notebooks_are_committed_without_outputs():
    import json

    for nb_path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            assert not cell.get("outputs"), nb_path.name
            assert not cell.get("execution_count"), nb_path.name
