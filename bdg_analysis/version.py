"""The package version, in a module of its own so any part can name it without an import circle."""

__version__ = "0.1.0"
