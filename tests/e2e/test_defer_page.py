"""`@defer` in a real headless Chromium, against a real `serve` process: urql runs
examples/defer.html's query, the page shows first and the deferred Zerohash part follows;
GraphiQL merges a deferred answer.

The page imports urql from a CDN through its import map; here those exact files come
from the npm registry instead (installed once per session), served to the page in the
CDN's place, so that nothing leaves the machine. Skipped without npm.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.processes import DEMO_KEY, REPO, Server
from tests.e2e.test_browser import (
    open_graphiql,
    run_operation,
    set_editor_text,
    wait_for_result,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PAGE = REPO / "examples" / "defer.html"
CDN = "https://cdn.jsdelivr.net/npm/"


def page_modules() -> dict[str, str]:
    """The import map's URLs, by the path they name below the CDN."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r'<script type="importmap">(.*?)</script>', text, re.DOTALL)
    assert found is not None
    imports = json.loads(found.group(1))["imports"]
    assert all(url.startswith(CDN) for url in imports.values()), imports
    return {url.removeprefix(CDN): url for url in imports.values()}


@pytest.fixture(scope="session")
def npm_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("needs npm for urql's modules")
    packages = sorted({path.split("/dist/")[0] for path in page_modules()})
    target = tmp_path_factory.mktemp("npm")
    installed = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(target),
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            *packages,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if installed.returncode != 0:
        pytest.skip(f"npm install failed: {installed.stderr[-500:]}")
    return target / "node_modules"


def serve_modules_for_the_cdn(page, modules: Path) -> None:
    def from_npm(route) -> None:
        path = route.request.url.removeprefix(CDN)
        package_version, _, inside = path.partition("/dist/")
        package = package_version.rsplit("@", 1)[0]
        file = modules / package / "dist" / inside
        route.fulfill(
            status=200,
            body=file.read_bytes(),
            content_type="text/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.route(f"{CDN}**", from_npm)


def test_the_defer_page_shows_the_page_first_and_zerohash_when_it_comes(
    browser_page, served: Server, npm_modules: Path
) -> None:
    page, problems = browser_page
    serve_modules_for_the_cdn(page, npm_modules)
    failures: list[tuple[str, str | None]] = []
    page.on("requestfailed", lambda r: failures.append((r.url, r.failure)))
    page.goto(f"{PAGE.as_uri()}?gateway={served.url}&key={DEMO_KEY}")
    page.wait_for_function(
        "document.getElementById('state').textContent === 'done'", timeout=20_000
    )
    arrivals = page.locator("#arrivals li").all_inner_texts()
    # One render per payload: the page, then the deferred Zerohash part.
    assert len(arrivals) == 2, arrivals
    assert "Zerohash still coming" in arrivals[0]
    assert "ms: Zerohash, " in arrivals[1]
    assert page.locator("#stakes tr").count() > 0
    assert page.locator("#zerohash tr").count() > 0
    # urql stops reading at `hasNext: false` and cancels the rest of the body (the
    # chunked encoding's last bytes), which Chromium counts as an aborted request.
    graphql = f"{served.url}/graphql"
    cancelled = {url for url, failure in failures if failure == "net::ERR_ABORTED"}
    assert all(url.startswith(graphql) for url in cancelled), failures
    assert [p for p in problems if p.removeprefix("failed: ") not in cancelled] == []


def test_graphiql_merges_a_deferred_answer_as_its_parts_arrive(
    browser_page, served: Server
) -> None:
    page, problems = browser_page
    open_graphiql(page, served)
    set_editor_text(
        page,
        "query",
        """query Deferred {
  stakes(first: 3) { edges { node { id } } }
  ... @defer { rewards(first: 3) { edges { node { amount } } } }
}""",
    )
    # GraphiQL takes the operation's name from the editor a moment after it changes.
    page.wait_for_function(
        """() => (localStorage.getItem("graphiql:tabState") || "")
          .includes('"operationName":"Deferred"')""",
        timeout=10_000,
    )
    run_operation(page, "query Deferred")
    data = wait_for_result(page, '"rewards"')["data"]
    assert len(data["stakes"]["edges"]) == 3
    assert data["rewards"]["edges"]
    assert problems == []
