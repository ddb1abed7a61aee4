"""Rendered releases shared by the chart tests (rendering is cheap but not free)."""

from __future__ import annotations

import pytest

from tests.helm.rendering import PRODUCTION_VALUES, Rendered, render


@pytest.fixture(scope="module")
def default_release() -> Rendered:
    return render()


@pytest.fixture(scope="module")
def production_release() -> Rendered:
    return render(PRODUCTION_VALUES)


@pytest.fixture(scope="module", params=["default", "production"])
def release(request: pytest.FixtureRequest) -> Rendered:
    return render(PRODUCTION_VALUES if request.param == "production" else None)
