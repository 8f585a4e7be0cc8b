"""Fixtures shared by the test modules."""

from pathlib import Path

import pytest


@pytest.fixture
def seeds_dir() -> Path:
    """The two original dispatches shipped in `seeds/`."""
    return Path(__file__).resolve().parents[1] / "seeds"
