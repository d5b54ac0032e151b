"""bdg-analysis: track provinces against the targets of Vietnam's gender-equality strategy."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``bdg_analysis.project`` (the design's contract) without importing scipy up front."""
    if name == "project":
        from bdg_analysis.projection import project

        return project
    raise AttributeError(f"module 'bdg_analysis' has no attribute {name!r}")
