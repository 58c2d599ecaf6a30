"""The examples in picomcp's docstrings run as tests."""

import doctest
import importlib

import pytest

MODULES = ["picomcp.errors", "picomcp.schema", "picomcp.content", "picomcp.server"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
