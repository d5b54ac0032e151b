"""The floors of the house (docs/architecture.md), read from every import of the package.

Each module's imports are parsed (``ast``, never imported): imports at module level and inside
functions count alike, since a lazy import is still an arrow; imports under
``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "bdg_analysis"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

ANALYSIS = {"trends", "projection", "progress", "scorecard"}
PRESENTATION = {
    "text",
    "charts",
    "chart_labels",
    "report",
    "report_notes",
    "overview",
    "annex",
    "page",
    "tables",
    "sources",
    "forms",
}
RUNNER = {"runner", "batch", "kernels", "index_page", "page", "pdf"}
EXPLORATION = {"explore", "quality"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "__pycache__" not in p.parts}


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom node, skipping ``if TYPE_CHECKING:`` bodies."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str) -> str | None:
    """The package module ``name`` belongs to (the longest known prefix), if any."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The package modules ``module`` imports.

    ``from bdg_analysis import x`` is an arrow to ``bdg_analysis.x`` when ``x`` is a module, and
    an arrow to the package's ``__init__`` (``bdg_analysis``) only when ``x`` is a name defined
    there; the package itself is imported by every submodule import and is not an arrow.
    """
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name)
                if target and target != PACKAGE:
                    found.add(target)
            continue
        base = node.module or ""
        if node.level:
            anchor = module if is_package else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                anchor = anchor.rpartition(".")[0]
            base = f"{anchor}.{base}" if base else anchor
        if not base.startswith(PACKAGE):
            continue
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in MODULES:
                found.add(full)
            else:
                target = _resolve(base)
                if target:
                    found.add(target)
    found.discard(module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def _part(module: str) -> str:
    """The part a module belongs to: ``bdg_analysis.projection.members`` -> ``projection``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(GRAPH[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def _violations(sources: set[str], forbidden: set[str]) -> set[tuple[str, str]]:
    return {
        (module, target)
        for module, targets in GRAPH.items()
        if _part(module) in sources
        for target in targets
        if _part(target) in forbidden
    }


# The floors of docs/architecture.md: a module imports only from its own floor or below.
FLOORS = {
    0: {"version", "errors", "paths", "words", "controls", "files", "cache", "warmup"},
    1: {"catalogue", "targets", "geo"},
    2: {"io", "validate", "history", "importer"},
    3: {"dataset"},
    4: {"plans"},
    5: ANALYSIS,
    6: PRESENTATION,
    7: EXPLORATION | {"collection"},
    8: RUNNER - {"page"},
    9: {"cli"},
}
FLOOR = {part: floor for floor, parts in FLOORS.items() for part in parts}


def test_the_graph_sees_the_imports_it_should():
    # the parser itself: a lazy import, a from-import of a module, a relative import
    assert "bdg_analysis.files" in GRAPH["bdg_analysis.runner"]
    assert "bdg_analysis.kernels" in GRAPH["bdg_analysis.batch"]
    assert "bdg_analysis.explore" in GRAPH["bdg_analysis"]  # __init__'s lazy __getattr__
    assert "bdg_analysis.geo" in GRAPH["bdg_analysis.runner"]  # imported inside a function


def test_no_import_circle():
    assert _cycles() == []


def test_runner_modules_import_no_analysis_and_no_exploration():
    assert _violations(RUNNER, ANALYSIS | EXPLORATION) == set()


def test_analysis_imports_no_presentation_runner_or_exploration():
    forbidden = PRESENTATION | RUNNER | EXPLORATION
    assert _violations(ANALYSIS, forbidden) == set()


def test_presentation_and_runner_never_import_exploration():
    assert _violations(PRESENTATION | RUNNER, EXPLORATION) == set()


def test_every_module_has_a_floor():
    parts = {_part(module) for module in MODULES if module != PACKAGE}
    assert parts - set(FLOOR) == set()


def test_no_arrow_runs_up_a_floor():
    upward = sorted(
        (module, target)
        for module, targets in GRAPH.items()
        if module != PACKAGE  # the package's __init__ serves notebooks: it may name anything
        for target in targets
        if target != PACKAGE and FLOOR[_part(target)] > FLOOR[_part(module)]
    )
    assert upward == []


def test_nothing_takes_a_name_from_the_package_init():
    # ``__version__`` lives in ``version``; ``bdg_analysis/__init__`` only serves notebooks
    takers = sorted(module for module, targets in GRAPH.items() if PACKAGE in targets)
    assert takers == []


def test_version_is_taken_from_its_own_module():
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _import_nodes(tree):
            if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
                assert "__version__" not in {a.name for a in node.names}, module
