"""The page in a real browser: Debian's chromium driven by Playwright, against a real
``newsindex serve`` (gunicorn) over loopback, and the widget on a page of another origin.

Few and quick: one walk through the search page as a user would, the hostile article, the
widget, and the page with JavaScript off. Screenshots (phone and desktop) are saved under
``tests/out/screenshots/`` to be looked at.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
from served import free_port, serving

CHROMIUM = "/usr/bin/chromium"
#: As root, without a sandbox; no background connections (the network here is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "out" / "screenshots"
TOKEN = "browser-token"
VIEWPORTS = {"desktop": (1400, 1000), "phone": (390, 844)}

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def intranet(tmp_path_factory):
    """A page of another origin (another port) with the widget snippet pasted into it."""
    root = tmp_path_factory.mktemp("intranet")
    port = free_port()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="module")
def site(demo_index, tmp_path_factory, intranet):
    """``newsindex serve`` on a copy of the demo index, writable with a token."""
    index = tmp_path_factory.mktemp("served") / "index"
    shutil.copytree(demo_index, index)
    settings = {"CORS_ORIGINS": intranet[1], "WRITE_TOKEN": TOKEN, "SITE_TITLE": "Demo Archive"}
    with serving(index, settings) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser, viewport: str = "desktop", **options):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    return context.new_page()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def total(page) -> str:
    return page.locator("#results-title").inner_text().split(" in ")[0]


def test_search_walkthrough(browser, site):
    page = new_page(browser)
    page.goto(site)
    page.fill("#q", "said")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=said*")
    first_total = total(page)
    assert page.locator(".hit").count() == 10
    assert page.locator("svg.chart.wide").is_visible()
    assert page.locator("svg.chart.wide .bar").count() > 1
    shoot(page, "results-desktop")

    agency = page.locator("#facet-agency .facet-value").first
    agency_name = agency.locator(".label").inner_text()
    agency_count = agency.locator(".count").inner_text()
    agency.click()
    page.wait_for_url(f"**agency={agency_name}*")
    assert total(page).startswith(agency_count)
    chip = page.locator(".chip")
    assert chip.count() == 1 and agency_name in chip.inner_text()
    assert all(agency_name in (m or "") for m in page.locator(".hit .agency").all_inner_texts())

    chip.click()
    page.wait_for_load_state()
    assert page.locator(".chip").count() == 0
    assert total(page) == first_total

    page.click("a[rel=next]")
    page.wait_for_url("**page=2*")
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    page.go_back()
    page.wait_for_load_state()
    assert "page=2" not in page.url
    assert page.locator(".pagination [aria-current=page]").inner_text() == "1"

    with_copies = page.locator(".hit:has(details.copies)").first
    title = with_copies.locator(".hit-title").inner_text()
    with_copies.locator("summary").click()
    assert with_copies.locator(".copies li").count() >= 1
    with_copies.locator(".hit-title a").click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == title
    assert page.locator(".copy-list li").count() >= 1
    shoot(page, "article-desktop")

    phone = new_page(browser, "phone")
    phone.goto(f"{site}/?q=said")
    assert phone.locator("svg.chart.narrow").is_visible()
    assert not phone.locator("svg.chart.wide").is_visible()
    shoot(phone, "results-phone")
    phone.goto(page.url)
    shoot(phone, "article-phone")


HOSTILE = {
    "id": "hostile-browser",
    "title": "Harbour board <script>window.pwned = 1; alert('title')</script> meets",
    "body": (
        "Harbour text <img src=x onerror=\"window.pwned = 2; alert('img')\">"
        ' <a href="javascript:window.pwned = 3">click</a>.\n\n<b onmouseover=alert(1)>hover</b>'
    ),
    "url": "javascript:window.pwned=4",
    "publisher": "<img src=x onerror=alert(5)>",
}


def test_hostile_article_is_inert_in_the_browser(browser, site):
    request = urllib.request.Request(
        f"{site}/api/articles",
        data=json.dumps(HOSTILE).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["indexed"] == 1
    page = new_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in (f"{site}/?q=harbour+board", f"{site}/articles/hostile-browser"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.locator("main").hover()
        assert dialogs == []
        assert page.evaluate("window.pwned") is None
        assert page.locator("[onerror], [onmouseover], script:not([src])").count() == 0
        assert page.locator("a[href^='javascript:']").count() == 0
    assert "<script>" in page.locator("h1").inner_text()  # shown as text


def test_widget_on_another_origin(browser, site, intranet):
    root, origin = intranet
    (root / "index.html").write_text(
        "<!doctype html><html><head><style>li { color: rgb(255, 0, 0); }"
        " a { font-size: 40px; }</style></head><body><h1>Intranet</h1>"
        '<div id="news-search"></div>'
        f'<script src="{site}/static/widget.js" data-target="#news-search"'
        ' data-per-page="3" data-facets="agency" defer></script>'
        "<ul><li id=host-li>host list</li></ul></body></html>",
        encoding="utf-8",
    )
    page = new_page(browser)
    page.goto(f"{origin}/index.html")
    hits = page.locator("#news-search .ni-hit")
    hits.first.wait_for()
    assert hits.count() == 3
    page.locator("#news-search input").fill("grid")
    page.wait_for_function(
        "() => document.querySelector('#news-search').shadowRoot"
        ".querySelector('.ni-status').textContent.includes('stor')"
    )
    status = page.locator("#news-search .ni-status").inner_text()
    chip = page.locator("#news-search .ni-chip").first
    chip.click()
    page.wait_for_function(
        "(before) => document.querySelector('#news-search').shadowRoot"
        ".querySelector('.ni-chip[aria-pressed=true]') !== null",
        arg=status,
    )
    link_size = page.locator("#news-search .ni-hit a").first.evaluate(
        "a => getComputedStyle(a).fontSize"
    )
    assert link_size != "40px"  # the host's styles do not reach in
    assert page.locator("#host-li").evaluate("li => getComputedStyle(li).color") == (
        "rgb(255, 0, 0)"
    )  # and the widget's do not leak out
    shoot(page, "widget-desktop")


def test_page_works_without_javascript(browser, site):
    page = new_page(browser, java_script_enabled=False)
    page.goto(site)
    page.fill("#q", "grid")
    page.press("#q", "Enter")
    page.wait_for_url("**q=grid*")
    page.select_option("#sort", "oldest")
    page.click("form.sort button")
    page.wait_for_url("**sort=oldest*")
    page.locator("#facet-year .facet-value").first.click()
    page.wait_for_url("**year=*")
    assert page.locator(".chip").count() == 1
    assert "sort=oldest" in page.url
