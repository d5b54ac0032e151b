"""bdg-analysis: track provinces against the targets of Vietnam's gender-equality strategy."""

__version__ = "0.1.0"
