"""Shared fixtures for the tests of the built static site (``tests/test_site_*.py``).

``built_site`` builds ``site/`` with ``build.py`` when it is missing, stale or of
another mode (CI builds it first, then this is a no-op); ``site_server`` serves it
on a free 127.0.0.1 port from a thread and records every request it answered.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_build_module() -> ModuleType:
    """Import the repository's ``build.py`` (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("layerlab_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_module() -> ModuleType:
    """``build.py`` as a module."""
    return load_build_module()


@pytest.fixture(scope="session")
def built_site(build_module) -> Path:
    """The default (self-contained, fast-start) site, built if missing or stale."""
    return build_module.ensure_built("fast")


@dataclass
class SiteServer:
    """A running local server for the site."""

    url: str  # base URL, ends with "/"
    requests: list[tuple[str, int]]  # (path, HTTP status) of every request answered


@pytest.fixture(scope="session")
def site_server(build_module, built_site) -> Iterator[SiteServer]:
    """``site/`` served on 127.0.0.1 (free port) with build.py's MIME types."""
    requests: list[tuple[str, int]] = []
    with build_module.serving_in_background(built_site, request_log=requests) as url:
        yield SiteServer(url, requests)
