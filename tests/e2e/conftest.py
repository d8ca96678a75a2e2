"""End-to-end fixtures: a real `serve` process, and Debian's Chromium driven by
Playwright."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.processes import Server, gateway

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's headless Chromium (/usr/bin/chromium)"
    )


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One gateway on its embedded sandboxes for the whole session: tests that move a
    sandbox clock watch only the stakes they made."""
    with gateway(tmp_path_factory.mktemp("served")) as running:
        yield running


@pytest.fixture
def browser_page(tmp_path: Path):
    """A page in a fresh Chromium profile; yields (page, problems) where problems
    lists every request that left this machine or failed, and every page error."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )

        def local_only(route):
            url = route.request.url
            if url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "file://")):
                route.continue_()
            elif url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                problems.append(f"left the machine: {url}")
                route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: (
                problems.append(f"console: {m.text}") if m.type == "error" else None
            ),
        )
        try:
            yield page, problems
        finally:
            context.close()
