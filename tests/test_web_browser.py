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
README = Path(__file__).resolve().parents[1] / "README.md"
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


def readme_intranet_page() -> str:
    """The README's example intranet page: the html block of its widget section."""
    text = README.read_text("utf-8")
    start = text.index("```html\n", text.index("**The widget**")) + len("```html\n")
    return text[start : text.index("```", start)]


def test_widget_on_another_origin(browser, site, intranet):
    """The README's intranet page, served from another origin, with host styles that must
    not reach into the widget (nor the widget's out)."""
    root, origin = intranet
    page_html = readme_intranet_page().replace("http://localhost:8080", site)
    assert f'<script src="{site}/static/widget.js"' in page_html
    host_styles = "<style>li { color: rgb(255, 0, 0); } a { font-size: 40px; }</style>"
    page_html = page_html.replace("</head>", f"{host_styles}</head>").replace(
        "</body>", "<ul><li id=host-li>host list</li></ul></body>"
    )
    (root / "index.html").write_text(page_html, encoding="utf-8")
    page = new_page(browser)
    page.goto(f"{origin}/index.html")
    hits = page.locator("#news-search .ni-hit")
    hits.first.wait_for()
    assert hits.count() == 5  # the page's data-per-page
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


def test_widget_says_where_near_matches_begin(browser, site, intranet):
    """``offshore grid``: one demo story holds both words; the widget says the rest hold
    fewer, and marks where they begin, as the search page does."""
    root, origin = intranet
    page_html = readme_intranet_page().replace("http://localhost:8080", site)
    (root / "near.html").write_text(page_html, encoding="utf-8")
    page = new_page(browser)
    page.goto(f"{origin}/near.html")
    page.locator("#news-search .ni-hit").first.wait_for()
    page.locator("#news-search input").fill("offshore grid")
    page.wait_for_function(
        "() => document.querySelector('#news-search').shadowRoot"
        ".querySelector('.ni-status').textContent.includes('fewer of the words')"
    )
    assert page.locator("#news-search .ni-near").count() == 1
    before_near = page.locator("#news-search .ni-near").evaluate(
        "li => [...li.parentElement.children].indexOf(li)"
    )
    assert before_near >= 1  # the story holding both words comes first


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


#: WCAG 2.1 contrast of every visible piece of text against what is behind it (blending
#: translucent backgrounds up the tree); SVG text by its fill. Returns the failures.
CONTRAST_SCRIPT = """
() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]))
    .concat([1]);
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((bg, layer) => over(layer, bg), [255, 255, 255, 1]);
  };
  const luminance = (rgb) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || style.visibility !== "visible") continue;
    if (el.closest("[aria-hidden=true], details:not([open]) > :not(summary)")) continue;
    const inSvg = el.closest("svg") !== null;
    const bg = behind(inSvg ? el.closest("svg") : el);
    const fg = over(parse(inSvg ? style.fill : style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    // SVG text is scaled with its drawing: its size on screen is its box's height.
    const size = inSvg ? box.height / 1.2 : parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5) - 0.01) {
      failures.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className} ` +
        `"${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
  }
  return failures;
}
"""

#: Form fields without a label and links or buttons without words, as a screen reader meets them.
UNLABELLED_SCRIPT = """
() => [...document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, a[href], button, summary")]
  .filter((el) => {
    const words = (el.getAttribute("aria-label") || el.textContent || "").trim();
    const labelled = el.labels && el.labels.length > 0;
    return ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) ? !labelled && !words : !words;
  })
  .map((el) => el.outerHTML.slice(0, 80))
"""

FOCUSED = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const cls = typeof el.className === "string" ? el.className : "";
  return {id: el.id || el.name, cls,
          tag: el.tagName.toLowerCase(), text: (el.textContent || "").trim().slice(0, 40),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_are_labelled_and_readable(browser, site, scheme):
    """Every field labelled, every link worded, every text above WCAG AA contrast, on the
    results page (with a chart, chips and copies open) and the article page."""
    page = new_page(browser, color_scheme=scheme)
    page.goto(f"{site}/?q=grid&agency=AP&compare=wind")
    page.locator("details.copies summary").first.click()
    page.locator("details.chart-table summary").click()
    article = site + page.locator(".hit-title a").first.get_attribute("href")
    assert page.evaluate(UNLABELLED_SCRIPT) == []
    assert page.evaluate(CONTRAST_SCRIPT) == []
    page.goto(article)
    assert page.evaluate(UNLABELLED_SCRIPT) == []
    assert page.evaluate(CONTRAST_SCRIPT) == []


def test_keyboard_reaches_everything_in_reading_order(browser, site):
    """Tab walks skip link, site name, box, button, then the results before the filters,
    each with a visible focus ring; "/" returns to the box; Enter follows a facet link."""
    page = new_page(browser)
    page.goto(f"{site}/?q=said")
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    assert [s["text"].strip("❡") or s["id"] for s in stops[:4]] == [
        "Skip to results",
        "Demo Archive",
        "q",
        "Search",
    ]
    assert all(s["outline"] for s in stops), [s for s in stops if not s["outline"]]
    kinds = [
        "hit"
        if s["tag"] == "a" and s["text"] in page.locator(".hit-title").all_inner_texts()
        else "facet"
        if "facet-value" in s["cls"]
        else None
        for s in stops
    ]
    assert "hit" in kinds and "facet" in kinds
    assert kinds.index("hit") < kinds.index("facet")  # results come before the sidebar
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"

    page.locator("#facet-agency .facet-value").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**agency=*")
    assert page.locator(".chip").count() == 1


def test_no_asset_comes_from_elsewhere(browser, site):
    """Every request the pages make goes to the server itself: no CDN, font or tracker."""
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site}/?q=grid&compare=wind")
    page.goto(site + page.locator(".hit-title a").first.get_attribute("href"))
    page.goto(f"{site}/widget")
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(site + "/") for url in requested), requested
    kinds = {url.rsplit(".", 1)[-1].split("?")[0] for url in requested}
    assert {"css", "js"} <= kinds


def test_the_server_streams_exports_with_the_pages_filters(site):
    """Over real HTTP an export arrives chunked (no length known up front: nothing held
    whole), and the page's filters narrow it as they narrow the page."""
    with urllib.request.urlopen(f"{site}/export.jsonl?q=said&agency=AP") as answer:
        assert answer.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in answer.headers
        rows = [json.loads(line) for line in answer.read().decode().splitlines()]
    assert rows and all(row["agency"] == "AP" for row in rows)
    with urllib.request.urlopen(f"{site}/api/search?q=said&agency=AP&per_page=1") as answer:
        assert len(rows) == json.load(answer)["total_copies"]


#: Items of a ``.meta`` line split over two lines, or reaching past the line's right edge.
META_LINE_BROKEN = """
() => [...document.querySelectorAll(".meta")].flatMap((line) => {
  const edge = line.getBoundingClientRect().right + 0.5;
  return [...line.querySelectorAll("time, .dateline, .agency, .publisher")]
    .filter((item) => item.matches(".publisher") ? item.getBoundingClientRect().right > edge
      : item.getClientRects().length > 1 || item.getBoundingClientRect().right > edge)
    .map((item) => item.textContent);
})
"""


def test_nothing_is_wider_than_a_phone(browser, site):
    """At 390 px, with every disclosure open ("How to search", copies, the chart's numbers),
    no page scrolls sideways: long examples, settings and ids wrap instead."""
    page = new_page(browser, "phone")
    page.goto(f"{site}/?q=grid&compare=wind")
    article = site + page.locator(".hit-title a").first.get_attribute("href")
    pages = (page.url, f"{site}/?q=said", article, f"{site}/widget")
    for url in (*pages, f"{site}/?q=zebra+unicorn&agency=AP"):
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"][0], (url, width)
        # A result's line of facts wraps between items: no date cut in two, none past the edge.
        assert page.evaluate(META_LINE_BROKEN) == [], url
