"""A registry of warm-up hooks: work every report of a run shares, done once before kernels fork.

``bdg run-all`` forks each report's kernel from a preloaded process (``kernels``). A module
whose reports all repeat the same costly step (reading and checking the data, importing
statsmodels) marks the function that does it once::

    from bdg_analysis import warmup

    @warmup.register
    def bdg_warm_up(parameters: dict) -> None:
        ...

and the preloaded process calls every registered hook with what the run's reports share
(``data``, ``year``, ``lang``) before it forks, so each kernel inherits the result. The
registry is explicit on purpose: the runner never has to know, or import, the modules that do
the work (analysis stays below the runner), and nothing is found by guessing at names.

A hook must only fill caches that give exactly what computing afresh would: a report built
with or without the warm-up is the same page. A hook that fails is reported and skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Hook = Callable[[dict], None]

_HOOKS: dict[str, Hook] = {}


def _name(hook: Hook) -> str:
    return f"{hook.__module__}.{getattr(hook, '__qualname__', repr(hook))}"


def register(hook: Hook) -> Hook:
    """Register ``hook`` (called with the run's shared parameters); returns it unchanged.

    Registering the same function twice (a module imported again) keeps one entry.
    """
    _HOOKS[_name(hook)] = hook
    return hook


def unregister(hook: Hook) -> None:
    """Forget ``hook`` (tests, or a module that withdraws its warm-up)."""
    _HOOKS.pop(_name(hook), None)


def hooks() -> list[str]:
    """The names (``module.function``) of the registered hooks, in registration order."""
    return list(_HOOKS)


def run(parameters: dict) -> list[str]:
    """Call every registered hook with a copy of ``parameters``; the names of those that ran.

    With no hook registered nothing happens: kernels then simply do the work themselves.
    """
    warmed = []
    for name, hook in list(_HOOKS.items()):
        try:
            hook(dict(parameters))
        except Exception as err:  # noqa: BLE001 - only an optimisation
            print(f"bdg warm-up: {name} failed, skipped: {err}", file=sys.stderr)
            continue
        warmed.append(name)
    return warmed
