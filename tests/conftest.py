"""Test-session set-up: a private cache for pooled backtest errors, shared by every test
(kernels started by papermill inherit it through the environment)."""

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="bdg-test-cache-")
os.environ["BDG_CACHE_DIR"] = _CACHE
