"""The query workbench in headless Chromium: its result views, large answers, history and sharing, errors,
the keyboard, narrow screens and the dark theme; and, in process, what the page gives its scripts.

Each browser test saves a screenshot in tests/artifacts/ (workbench-*.png) to look at after a run, and fails
when the Content-Security-Policy had to block anything or a request went to another host.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urljoin

import pytest
import requests

from server.web.runtime import runtime_of

from .browser import ARTIFACTS, CHROMIUM, WINDOW, Browser
from .test_browser import csp_violations, find, find_all, resources_from_elsewhere, set_editor, visible, wait

SKIP_WITHOUT_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (`make test` installs Debian's chromium)"
)

EVENTS_PER_KIND = """SELECT ?kind (COUNT(?event) AS ?events) WHERE {
  ?event a ?class . ?class rdfs:subClassOf gs:PlatformEvent ; rdfs:label ?kind . FILTER(lang(?kind) = "en")
}
GROUP BY ?kind
ORDER BY DESC(?events)"""
MUNICIPALITIES = "SELECT ?m WHERE { ?m a gs:Municipality } LIMIT 5000"
DESCRIBE_DRESDEN = "DESCRIBE <https://w3id.org/govsocial/id/org/dresden>"
UNSORTED = 'SELECT ?n ?name WHERE { VALUES (?n ?name) { (3 "c") (10 "a") (1 "b") (2 "d") } }'
TYPO_ON_LINE_3 = "# a typo on line 3\nSELECT ?s\nWHRE { ?s ?p ?o }"


def in_chromium(test: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a test as one of the browser tier, skipped where Debian's Chromium is missing."""
    return pytest.mark.browser(SKIP_WITHOUT_CHROMIUM(test))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the module's tests."""
    session = Browser()
    yield session
    session.quit()


@pytest.fixture
def page(chromium: Browser, server_url: str) -> Iterator[Browser]:
    """The browser for one test, which must end with nothing blocked by the policy and nothing from elsewhere."""
    chromium.driver.set_window_size(*WINDOW)
    csp_violations(chromium)
    yield chromium
    assert not csp_violations(chromium)
    assert not resources_from_elsewhere(chromium, server_url)


def open_query(browser: Browser, server_url: str, query: str, view: str = "table") -> None:
    """Open the workbench on a query (by the `?query=` link other pages use) and wait for its answer."""
    suffix = "" if view == "table" else f"&view={view}"
    browser.driver.get(f"{server_url}/?query={quote(query)}{suffix}")
    wait(browser, visible("#row-count"))


def run_in_editor(browser: Browser, query: str) -> None:
    """Type a query into the editor (as a paste would), run it with the button and wait for the answer."""
    set_editor(browser, query)
    find(browser, "#run").click()  # the click marks the results busy until the answer (or error) is shown
    wait(browser, lambda d: d.execute_script("return !document.getElementById('results').hasAttribute('aria-busy')"))


def editor_text(browser: Browser) -> str:
    return browser.driver.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")


def column(browser: Browser, index: int) -> list[str]:
    """The texts of one column of the table page on screen (0 is the first column after the row number)."""
    return browser.driver.execute_script(
        "return [...document.querySelectorAll('.results-table tbody tr')]"
        ".map(tr => tr.children[arguments[0] + 1].textContent.trim());",
        index,
    )


def selected_view(browser: Browser) -> str:
    return find(browser, "#view-tabs [aria-selected=true]").get_attribute("data-view")


def choose_view(browser: Browser, view: str) -> None:
    find(browser, f'#view-tabs [data-view="{view}"]').click()
    wait(browser, lambda d: d.execute_script("return document.getElementById('results-body').dataset.view") == view)


def painted_pixels(browser: Browser, canvas: Any) -> int:
    """How many pixels of a canvas are not transparent: a drawn chart has thousands."""
    return browser.driver.execute_script(
        "const c = arguments[0]; const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; } return n;",
        canvas,
    )


def narrow_screenshot(browser: Browser, name: str, width: int) -> None:
    """Save the whole page at a narrow width as tests/artifacts/NAME.png (Browser.screenshot widens the window)."""
    height = browser.driver.execute_script("return Math.min(document.documentElement.scrollHeight, 5000)")
    browser.driver.set_window_size(width, max(int(height), WINDOW[1]))
    ARTIFACTS.mkdir(exist_ok=True)
    browser.driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    browser.driver.set_window_size(*WINDOW)


# --- Result views -----------------------------------------------------------------------------------


@in_chromium
def test_the_table_sorts_by_any_column_and_keeps_the_sort_in_the_address(page: Browser, server_url: str) -> None:
    """A click on a column's head sorts by it (numbers as numbers), a second click reverses, a third restores."""
    open_query(page, server_url, UNSORTED)
    assert column(page, 0) == ["3", "10", "1", "2"]
    find(page, 'th button.sort[data-var="n"]').click()
    assert column(page, 0) == ["1", "2", "3", "10"]
    assert "sort=n" in page.driver.current_url
    find(page, 'th button.sort[data-var="n"]').click()
    assert column(page, 0) == ["10", "3", "2", "1"]
    assert find(page, 'th[aria-sort="descending"]').text.startswith("?n")
    find(page, 'th button.sort[data-var="name"]').click()
    assert column(page, 1) == ["a", "b", "c", "d"]
    find(page, 'th button.sort[data-var="name"]').click()
    find(page, 'th button.sort[data-var="name"]').click()
    assert column(page, 0) == ["3", "10", "1", "2"], "the third click gives back the query's own order"

    # badges are off by default and one click away; the row numbers count the rows shown
    assert not find_all(page, ".results-table .tag")
    find(page, "#show-types").click()
    assert "xsd:integer" in find(page, ".results-table tbody td .tag").text
    assert [td.text for td in find_all(page, ".results-table tbody td.row-number")] == ["1", "2", "3", "4"]
    find(page, "#show-types").click()

    page.driver.get(server_url + "/?example=01-left-or-paused-x&sort=date")
    wait(page, visible("#row-count"))
    dates = [d for d in column(page, 5) if d]
    assert dates == sorted(dates), "a link with sort= opens sorted"
    page.screenshot("workbench-table")


@in_chromium
def test_paging_reaches_the_last_row_of_5000_and_the_download_has_them_all(page: Browser, server_url: str) -> None:
    """5,000 rows: the page says so, shows 100 at a time, reaches row 5,000; every download holds all of them."""
    open_query(page, server_url, MUNICIPALITIES)
    assert find(page, "#row-count").get_attribute("data-rows") == "5000"
    assert "5,000 rows" in find(page, "#row-count").text
    assert len(find_all(page, ".results-table tbody tr")) == 100
    assert find(page, "#row-range").text == "Rows 1–100 of 5,000"
    header_offset = page.driver.execute_script(
        "const frame = document.querySelector('#results-body .table-scroll'); frame.scrollTop = 1500;"
        "return document.querySelector('.results-table thead th').getBoundingClientRect().top"
        " - frame.getBoundingClientRect().top;"
    )
    assert 0 <= header_offset <= 2, "the header stays in view while the rows scroll"
    find(page, ".pager .last").click()
    assert find(page, "#row-range").text == "Rows 4,901–5,000 of 5,000"
    numbers = [td.text for td in find_all(page, ".results-table tbody td.row-number")]
    assert numbers[0] == "4901" and numbers[-1] == "5000"
    assert "page=50" in page.driver.current_url
    find(page, ".pager .previous").click()
    assert find(page, "#row-range").text == "Rows 4,801–4,900 of 5,000"

    from selenium.webdriver.support.ui import Select

    Select(find(page, "#page-size")).select_by_value("1000")
    assert len(find_all(page, ".results-table tbody tr")) == 1000
    assert find(page, ".pager .page-number").get_attribute("max") == "5"

    links = {a.get_attribute("data-format"): a.get_attribute("href") for a in find_all(page, "#downloads a.download")}
    assert set(links) == {"json", "xml", "csv", "tsv"}
    csv = requests.get(urljoin(server_url, links["csv"]), timeout=60)
    assert csv.ok and csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "m" and len(lines) == 5001
    tsv = requests.get(urljoin(server_url, links["tsv"]), timeout=60)
    assert len(tsv.text.strip().splitlines()) == 5001
    assert len(requests.get(urljoin(server_url, links["json"]), timeout=60).json()["results"]["bindings"]) == 5000
    assert requests.get(urljoin(server_url, links["xml"]), timeout=60).text.count("<result>") == 5000


@in_chromium
def test_the_chart_view_draws_the_count_of_events_per_kind(page: Browser, server_url: str) -> None:
    """Counts per kind become bars with the table's numbers; the reader can change bars to a line."""
    open_query(page, server_url, EVENTS_PER_KIND, view="chart")
    canvas = wait(page, visible("#results-body canvas[data-drawn=true]"))
    assert canvas.get_attribute("data-type") == "bar"
    assert painted_pixels(page, canvas) > 1000
    drawn = page.driver.execute_script(
        "const chart = Chart.getChart(arguments[0]);"
        "return {labels: chart.data.labels, values: chart.data.datasets[0].data};",
        canvas,
    )
    counts = requests.get(
        server_url + "/sparql", params={"query": EVENTS_PER_KIND}, headers={"Accept": "application/json"}, timeout=30
    ).json()["results"]["bindings"]
    expected = {row["kind"]["value"]: int(row["events"]["value"]) for row in counts}
    assert dict(zip(drawn["labels"], drawn["values"], strict=True)) == expected
    assert {"joining", "departure"} <= set(drawn["labels"])

    from selenium.webdriver.support.ui import Select

    Select(find(page, "#chart-type")).select_by_value("line")
    line = wait(page, visible("#results-body canvas[data-drawn=true]"))
    assert line.get_attribute("data-type") == "line"
    assert "chart=line" in page.driver.current_url

    # a count per month and kind is drawn as stacked bars, one series per kind
    page.driver.get(server_url + "/?example=14-events-per-month-by-kind-and-level&view=chart")
    canvas = wait(page, visible("#results-body canvas[data-drawn=true]"))
    series = page.driver.execute_script("return Chart.getChart(arguments[0]).data.datasets.map(d => d.label)", canvas)
    assert canvas.get_attribute("data-type") == "stacked"
    assert {"joining", "departure", "suspension"} <= set(series)
    page.screenshot("workbench-chart")


@in_chromium
def test_the_timeline_draws_events_on_their_dates_and_bounds_as_ranges(page: Browser, server_url: str) -> None:
    """Departures and suspensions: points at their dates, ranges between notBefore and notAfter."""
    page.driver.get(server_url + "/?example=01-left-or-paused-x&view=timeline")
    timeline = wait(page, visible("svg.timeline-view"))
    assert int(timeline.get_attribute("data-items")) >= 50
    assert int(timeline.get_attribute("data-ranges")) >= 1
    assert len(find_all(page, "svg.timeline-view .tl-point")) >= 20
    assert find_all(page, "svg.timeline-view rect.tl-range")
    assert find_all(page, "svg.timeline-view .tl-kind-departure")
    assert find_all(page, "svg.timeline-view .tl-kind-suspension")
    assert "2025" in " ".join(t.text for t in find_all(page, "svg.timeline-view .tl-tick"))
    assert find(page, 'svg.timeline-view a[href^="/id/org/"] text.tl-label').text, "the marks lead to the pages"
    page.screenshot("workbench-timeline")


@in_chromium
def test_the_graph_view_draws_a_describe_and_says_when_an_answer_is_too_large(page: Browser, server_url: str) -> None:
    """DESCRIBE of Dresden: nodes and labelled edges; a CONSTRUCT of 1,000 nodes gets a message and the table."""
    open_query(page, server_url, DESCRIBE_DRESDEN, view="graph")
    graph = wait(page, visible("svg.graph-view"))
    assert int(graph.get_attribute("data-nodes")) >= 10
    assert int(graph.get_attribute("data-edges")) >= 10
    labels = {t.text for t in find_all(page, "svg.graph-view .graph-edge-label")}
    assert any("rdf:type" in label for label in labels) and any("gs:locatedIn" in label for label in labels)
    assert "Dresden" in {t.text for t in find_all(page, "svg.graph-view .graph-node text")}
    assert find_all(page, 'svg.graph-view a[href="/id/org/sachsen"]')
    formats = {a.get_attribute("data-format") for a in find_all(page, "#downloads a.download")}
    assert {"turtle", "ntriples", "rdfxml", "jsonld"} <= formats
    page.screenshot("workbench-graph")

    run_in_editor(page, "CONSTRUCT { ?m a gs:Municipality } WHERE { ?m a gs:Municipality } LIMIT 1000")
    wait(page, lambda _: find(page, "#row-count").get_attribute("data-rows") == "1000")
    assert "up to 150 nodes" in find(page, "#results-body .view-note").text
    assert find_all(page, ".results-table tbody tr"), "the view falls back to the table"
    assert not find_all(page, "svg.graph-view")
    turtle = find(page, '#downloads a[data-format="ntriples"]').get_attribute("href")
    assert len(requests.get(urljoin(server_url, turtle), timeout=60).text.strip().splitlines()) == 1000


@in_chromium
def test_a_view_that_does_not_fit_the_answer_shows_the_table_with_a_reason(page: Browser, server_url: str) -> None:
    """Platforms have no numbers and no dates: the chart and the timeline say why and show the table."""
    open_query(page, server_url, "SELECT ?p ?label WHERE { ?p a gs:Platform ; rdfs:label ?label }", view="chart")
    assert "needs a column of numbers" in find(page, "#results-body .view-note").text
    assert find_all(page, ".results-table tbody tr")
    find(page, '#view-tabs [data-view="timeline"]').click()
    assert "needs a column of dates" in find(page, "#results-body .view-note").text
    assert "unfit" in find(page, '#view-tabs [data-view="graph"]').get_attribute("class")


# --- History and sharing ----------------------------------------------------------------------------


@in_chromium
def test_a_share_link_reopens_the_query_and_view_in_a_fresh_browser(page: Browser, server_url: str) -> None:
    """A long query's link is compressed into the fragment, and opens the same query, view and options elsewhere."""
    page.driver.get(server_url + "/?example=14-events-per-month-by-kind-and-level")
    wait(page, visible("#row-count"))
    query = editor_text(page) + "\n# changed, so it is no longer the example itself"
    run_in_editor(page, query)
    choose_view(page, "chart")
    from selenium.webdriver.support.ui import Select

    Select(find(page, "#chart-type")).select_by_value("line")
    wait(page, visible("#results-body canvas[data-drawn=true]"))
    find(page, "#share").click()
    link = wait(page, visible("#share-url")).get_attribute("value")
    assert link.startswith(server_url + "/#z=")
    assert len(link) < len(server_url + "/?query=" + quote(query)) / 2, "the compressed link is much shorter"
    assert "view=chart" in link and "chart=line" in link

    fresh = Browser()
    try:
        fresh.driver.get(link)
        canvas = wait(fresh, visible("#results-body canvas[data-drawn=true]"))
        assert editor_text(fresh) == query
        assert selected_view(fresh) == "chart"
        assert canvas.get_attribute("data-type") == "line"
        assert not fresh.driver.execute_script(
            "return JSON.parse(localStorage.getItem('govsocial.workbench.history') || '[]').length > 1"
        ), "a fresh profile: nothing but this run in its history"
        assert not csp_violations(fresh)
    finally:
        fresh.quit()

    # a short query keeps the plain ?query= form, which the server reads too
    run_in_editor(page, "SELECT ?p WHERE { ?p a gs:Platform }")
    find(page, "#share").click()
    link = wait(page, visible("#share-url")).get_attribute("value")
    assert link.startswith(server_url + "/?query=SELECT") and "view=chart" in link


@in_chromium
def test_a_broken_or_oversized_link_is_refused_with_a_message(page: Browser, server_url: str) -> None:
    """A fragment cut short, or one that inflates past the query size limit, says so and runs nothing."""
    page.driver.get(server_url + "/#z=not-deflate-data")
    error = wait(page, visible("#query-error"))
    assert "cannot be read" in error.text
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as CompressionStream("deflate-raw")
    bomb = squeezer.compress(b"#" * 10_000_000) + squeezer.flush()
    page.driver.get(server_url + "/#z=" + base64.urlsafe_b64encode(bomb).decode().rstrip("="))
    wait(page, lambda _: "longer than this endpoint accepts" in find(page, "#query-error").text)
    assert not find(page, "#results").is_displayed()


@in_chromium
def test_the_history_survives_a_reload_and_reopens_a_query_in_one_click(page: Browser, server_url: str) -> None:
    """Queries run are listed with their time and row count after a reload; a click runs one again."""
    open_query(page, server_url, "SELECT ?p WHERE { ?p a gs:Platform }")
    run_in_editor(page, UNSORTED)
    page.driver.refresh()
    wait(page, visible(".CodeMirror"))
    find(page, "#tab-history").click()
    wait(page, visible("#history-list li"))
    items = find_all(page, "#history-list li")
    assert items[0].find_element("css selector", ".history-open").text.startswith("SELECT ?n ?name")
    assert "4 rows" in items[0].find_element("css selector", ".history-meta").text
    assert items[0].find_element("css selector", "time").get_attribute("datetime")
    assert "10 rows" in items[1].find_element("css selector", ".history-meta").text
    items[1].find_element("css selector", ".history-open").click()
    wait(page, lambda _: find(page, "#row-count").get_attribute("data-rows") == "10")
    assert editor_text(page) == "SELECT ?p WHERE { ?p a gs:Platform }"


@in_chromium
def test_copy_as_gives_snippets_that_run_elsewhere_with_the_prefixes_they_need(page: Browser, server_url: str) -> None:
    """curl, Python and JavaScript: each declares the endpoint's prefixes the query uses, and runs as it is."""
    query = (
        "# gs: in a comment, and <https://w3id.org/govsocial/ontology#x> in an IRI, are not uses\n"
        'SELECT ?label WHERE { platform:mastodon rdfs:label ?label . FILTER(lang(?label) = "en" && ?label != "a:b") }'
    )
    page.driver.get(server_url + "/")
    wait(page, visible(".CodeMirror"))
    set_editor(page, query)
    snippets = {}
    for language in ("curl", "python", "javascript"):
        find(page, f'button[data-snippet="{language}"]').click()
        wait(page, lambda _, language=language: find(page, "#snippet-box").get_attribute("data-language") == language)
        snippets[language] = find(page, "#snippet").get_attribute("textContent")
    for text in snippets.values():
        assert "PREFIX platform: <https://w3id.org/govsocial/id/platform/>" in text
        assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in text
        assert "PREFIX gs:" not in text and "PREFIX a:" not in text
        assert server_url + "/sparql" in text

    python = subprocess.run([sys.executable, "-c", snippets["python"]], capture_output=True, text=True, timeout=60)
    assert python.returncode == 0, python.stderr
    assert "Mastodon" in python.stdout
    if shutil.which("curl"):
        command = subprocess.run(["bash", "-c", snippets["curl"]], capture_output=True, text=True, timeout=60)
        assert command.returncode == 0 and "Mastodon" in command.stdout, command.stderr
    if shutil.which("node"):
        node = subprocess.run(
            ["node", "--input-type=module", "-e", snippets["javascript"]], capture_output=True, text=True, timeout=60
        )
        assert node.returncode == 0 and "Mastodon" in node.stdout, node.stderr

    # a DESCRIBE asks for Turtle, and prints it
    set_editor(page, "DESCRIBE institution:dresden")
    find(page, 'button[data-snippet="python"]').click()
    wait(page, lambda _: "TURTLE" in find(page, "#snippet").get_attribute("textContent"))
    text = find(page, "#snippet").get_attribute("textContent")
    assert "PREFIX institution: <https://w3id.org/govsocial/id/org/>" in text
    python = subprocess.run([sys.executable, "-c", text], capture_output=True, text=True, timeout=60)
    assert python.returncode == 0, python.stderr
    assert "<https://w3id.org/govsocial/id/org/dresden>" in python.stdout


# --- Errors, keyboard, layout, theme ----------------------------------------------------------------


@in_chromium
def test_an_error_on_line_3_is_marked_there_once_and_the_old_results_go_stale(page: Browser, server_url: str) -> None:
    """The parser's position marks line 3 and its word; the message shows once; earlier results are marked."""
    open_query(page, server_url, "SELECT ?p WHERE { ?p a gs:Platform }")
    set_editor(page, TYPO_ON_LINE_3)
    find(page, "#run").click()
    error = wait(page, visible("#query-error"))
    assert "error at 3:" in error.text
    assert error.text.lower().count("malformed query") == 1, "the message is said once"
    assert find_all(page, ".CodeMirror .CodeMirror-code > div:nth-child(3) .cm-error-line")
    marks = find_all(page, ".CodeMirror .CodeMirror-code > div:nth-child(3) .cm-error-mark")
    assert marks and marks[0].text.strip()
    assert not find_all(page, ".CodeMirror .CodeMirror-code > div:nth-child(2) .cm-error-mark")
    cursor_line = page.driver.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getCursor().line")
    assert cursor_line == 2, "the cursor is put on line 3 (counted from 0 by CodeMirror)"
    assert "stale" in find(page, "#results").get_attribute("class")
    assert find(page, "#results-stale").is_displayed()
    page.screenshot("workbench-error", full_page=False)

    set_editor(page, "SELECT * WHERE {\n  ?s foo:bar ?o }")
    find(page, "#run").click()
    wait(page, lambda _: "unknown prefix foo:" in find(page, "#query-error").text)
    marked = [m.text for m in find_all(page, ".CodeMirror .cm-error-mark")]
    assert "foo:" in marked, "the unknown prefix is marked where it is used"

    set_editor(page, "SELECT ?p WHERE { ?p a gs:Platform }")
    find(page, "#run").click()
    wait(page, lambda _: "stale" not in find(page, "#results").get_attribute("class"))
    assert not find(page, "#query-error").is_displayed()


@in_chromium
def test_the_editor_is_left_by_keyboard_with_escape_then_tab(page: Browser, server_url: str) -> None:
    """Tab indents inside the editor; Esc then Tab moves the focus out to the next control."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.driver.get(server_url + "/")
    wait(page, visible(".CodeMirror"))
    set_editor(page, "SELECT * WHERE {")
    in_editor = "return !!document.activeElement.closest('.CodeMirror')"
    ActionChains(page.driver).send_keys(Keys.TAB).perform()
    assert page.driver.execute_script(in_editor), "Tab alone stays in the editor"
    assert editor_text(page) == "SELECT * WHERE {  "
    ActionChains(page.driver).send_keys(Keys.ESCAPE).perform()
    assert "Tab now moves out" in find(page, "#editor-keys").text
    ActionChains(page.driver).send_keys(Keys.TAB).perform()
    assert not page.driver.execute_script(in_editor), "Esc then Tab leaves it"
    assert page.driver.execute_script("return document.activeElement.id") == "run"
    assert editor_text(page) == "SELECT * WHERE {  ", "and does not type into it"
    outline = page.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focus is visible"
    ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert page.driver.execute_script(in_editor), "Shift-Tab goes back in"


@in_chromium
def test_the_workbench_fits_a_400_pixel_screen(page: Browser, server_url: str) -> None:
    """At 400 px: no sideways scrolling of the page, the table scrolls inside its frame, results before examples."""
    page.driver.set_window_size(400, 900)
    page.driver.get(server_url + "/?example=01-left-or-paused-x")
    wait(page, visible("#row-count"))
    width = page.driver.execute_script("return document.documentElement.clientWidth")
    assert width <= 400
    assert page.driver.execute_script("return document.documentElement.scrollWidth") <= width
    scroll = find(page, "#results-body .table-scroll")
    assert page.driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", scroll)
    assert page.driver.execute_script("return arguments[0].getBoundingClientRect().right", scroll) <= width
    results_top = find(page, "#results").rect["y"]
    examples_top = find(page, ".side-pane").rect["y"]
    assert results_top < examples_top, "the answer follows the editor; the examples come after it"
    assert "on the right" not in find(page, "main").text
    narrow_screenshot(page, "workbench-400px", 400)


@in_chromium
def test_the_dark_theme_follows_the_system_setting(page: Browser, server_url: str) -> None:
    """With prefers-color-scheme: dark the page, the editor and the table turn dark."""
    driver = page.driver
    dark = [{"name": "prefers-color-scheme", "value": "dark"}]
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": dark})
    try:
        driver.get(server_url + "/?example=05-joinings-per-month&view=chart")
        wait(page, visible("#results-body canvas[data-drawn=true]"))

        def brightness(css: str) -> float:
            colour = driver.execute_script(f"return getComputedStyle(document.querySelector('{css}')).backgroundColor")
            red, green, blue = (int(n) for n in re.findall(r"\d+", colour)[:3])
            return (red * 299 + green * 587 + blue * 114) / 1000

        assert brightness("body") < 60
        assert brightness(".CodeMirror") < 60
        text = driver.execute_script("return getComputedStyle(document.querySelector('main h1')).color")
        assert sum(int(n) for n in re.findall(r"\d+", text)[:3]) > 500, "light text on the dark page"
        page.screenshot("workbench-dark")
        choose_view(page, "table")
        assert brightness(".results-table thead th") < 60
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


# --- What the page gives its scripts (in process) -------------------------------------------------------


def test_the_page_gives_its_scripts_the_prefixes_limits_and_formats(client, app) -> None:
    """The embedded configuration: prefixes (for PREFIX lines in snippets), download formats, the result limit."""
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    config = json.loads(re.search(r'id="workbench-config">(.*?)</script>', text, re.S)[1])
    assert config["prefixes"]["gs"] == "https://w3id.org/govsocial/ontology#"
    assert config["limits"]["max_result_bytes"] == runtime_of(app).settings.max_result_bytes
    assert [f["name"] for f in config["downloads"]["graph"]][:4] == ["turtle", "ntriples", "rdfxml", "jsonld"]
    assert "on the right" not in text


def test_every_script_and_stylesheet_of_the_workbench_is_served(client) -> None:
    """Each file the page links (our own and the vendored ones) answers 200, and nothing is inline."""
    text = client.get("/").get_data(as_text=True)
    files = re.findall(r'<script src="([^"]+)"', text) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    assert "/static/workbench.css" in files and "/static/workbench-views.js" not in files
    assert len([f for f in files if f.startswith("/static/workbench")]) >= 8
    for path in files:
        assert client.get(path).status_code == 200, path
    config = json.loads(re.search(r'id="workbench-config">(.*?)</script>', text, re.S)[1])
    if config["scripts"]["chart"]:
        assert client.get(config["scripts"]["chart"]).status_code == 200
    assert not re.search(r"<script>|<script type=\"text/javascript\">| style=", text), "no inline script or style"
