"""Shared pytest setup for the binding's tests.

The suite runs against the installed package (``pip install ./bindings-python``). When
picomcp is not installed at all, the pure-Python tests still run from the source tree
(``bindings-python/python``); the tests that need the native module skip themselves.
"""

import sys
from pathlib import Path

try:
    import picomcp  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
