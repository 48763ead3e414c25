"""Headless Chromium (Debian's ``chromium`` package) driven by Playwright.

Playwright's own browser download is never used: the tests launch the system's
``/usr/bin/chromium`` (``.ci/install-browser`` installs it) and are skipped, with the
reason, when it or the ``playwright`` package is missing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

# The dashboard's integration environment (the whole service on loopback) is shared.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "dashboard"))

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is not installed (run .ci/install-browser)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(missing)  # CI must run the browser tests, never skip them
        pytest.skip(missing)
    return CHROMIUM


@pytest.fixture
async def chromium(chromium_path: Path) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$RINGBACK_SCREENSHOT_DIR`` if set (to look at them),
    else this test's temporary folder."""
    folder = Path(os.environ.get("RINGBACK_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
