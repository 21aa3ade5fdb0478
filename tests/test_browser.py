"""End to end in headless Chromium against a real server: what a researcher sees and clicks.

Each test saves a screenshot in tests/artifacts/ (ignored by git) to look at after a run. The tests
are skipped only where Debian's Chromium is not installed; `make test` installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from server.web.pages.present import href

from .browser import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (`make test` installs Debian's chromium)"
)

WAIT_S = 30
LANDTAG_PATH = "/id/org/niedersaechsischer-landtag"
JAVASCRIPT_IRI = "javascript:alert(document.domain)"
JAVASCRIPT_QUERY = f'SELECT ?x WHERE {{ BIND(IRI("{JAVASCRIPT_IRI}") AS ?x) }}'
#: A result of every kind of scheme: only our IRIs (to this host) and http(s) ones may be links.
SCHEME_QUERY = """SELECT ?x WHERE { VALUES ?x {
  <https://w3id.org/govsocial/id/org/dresden> <http://www.wikidata.org/entity/Q1731> <https://example.org/page>
  <JAVASCRIPT:alert(1)> <data:text/html,hi> <vbscript:msgbox(1)> <mailto:someone@example.org> <file:///etc/passwd>
} }"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    session = Browser()
    yield session
    session.quit()


def csp_violations(browser: Browser) -> list[str]:
    """What the browser logged about the Content-Security-Policy since the log was last read."""
    return [
        entry["message"] for entry in browser.driver.get_log("browser") if "Content Security Policy" in entry["message"]
    ]


@pytest.fixture(autouse=True)
def obeys_the_policy(browser: Browser) -> Iterator[None]:
    """Whatever a test does (run queries, complete, draw charts, suggest), the policy never has to block it."""
    csp_violations(browser)
    yield
    assert not csp_violations(browser)


def wait(browser: Browser, condition, seconds: float = WAIT_S):
    """Wait until a Selenium expected condition holds, and return its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser.driver, seconds).until(condition)


def visible(css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    return expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css))


def find(browser: Browser, css: str):
    from selenium.webdriver.common.by import By

    return browser.driver.find_element(By.CSS_SELECTOR, css)


def find_all(browser: Browser, css: str):
    from selenium.webdriver.common.by import By

    return browser.driver.find_elements(By.CSS_SELECTOR, css)


def set_editor(browser: Browser, text: str) -> None:
    """Replace the editor's text the way a paste would, through CodeMirror's own API."""
    browser.driver.execute_script(
        "const cm = document.querySelector('.CodeMirror').CodeMirror; cm.setValue(arguments[0]);"
        "cm.focus(); cm.setCursor(cm.lineCount(), 0);",
        text,
    )


def resources_from_elsewhere(browser: Browser, server_url: str) -> list[str]:
    """Every resource the page loaded from another origin (there must be none)."""
    urls = browser.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);"
    )
    return [url for url in urls if not url.startswith(server_url)]


def test_workbench_runs_an_example_and_its_iris_lead_to_entity_pages(browser: Browser, server_url: str) -> None:
    """Open /, click an example, see the table with its row count and time, follow an IRI to its page."""
    driver = browser.driver
    driver.get(server_url + "/")
    wait(browser, visible(".CodeMirror"))
    assert find_all(browser, ".CodeMirror .cm-keyword"), "the editor highlights SPARQL"
    find(browser, 'a.example[data-example="01-left-or-paused-x"]').click()
    count = wait(browser, visible("#row-count"))
    rows = int(count.get_attribute("data-rows"))
    assert rows >= 10
    assert " ms" in find(browser, "#results-meta").text or " s" in find(browser, "#results-meta").text
    # the table shows a page of 100 rows at a time; every row is on one of its pages
    page_size = 100
    assert len(find_all(browser, ".results-table tbody tr")) == min(rows, page_size)
    assert find(browser, "#row-range").text.endswith(f"of {rows}")
    formats = {link.get_attribute("data-format") for link in find_all(browser, "#downloads a.download")}
    assert formats == {"json", "xml", "csv", "tsv"}
    assert parse_qs(urlsplit(driver.current_url).query)["example"] == ["01-left-or-paused-x"], (
        "the unchanged example is kept in the URL by its name"
    )
    browser.screenshot("workbench-example-results")
    if rows > page_size:
        find(browser, ".pager .last").click()
        last_page = find_all(browser, ".results-table tbody tr")
        assert len(last_page) == rows - page_size * ((rows - 1) // page_size)
        assert last_page[-1].find_element("css selector", "td.row-number").text == str(rows)
        find(browser, ".pager .first").click()
    assert not resources_from_elsewhere(browser, server_url)

    link = find(browser, '.results-table tbody a[href^="/id/"]')
    target = link.get_attribute("href")
    link.click()
    heading = wait(browser, visible("main h1"))
    assert driver.current_url == target
    assert heading.text.strip()
    assert find_all(browser, "section.timeline article.event"), "the actor's page shows its timeline"
    browser.screenshot("workbench-followed-iri")


def test_a_link_to_the_workbench_reproduces_the_query_and_its_results(browser: Browser, server_url: str) -> None:
    """A URL with ?query= opens the editor with that text and runs it."""
    browser.driver.get(server_url + "/?query=SELECT%20%3Fp%20WHERE%20%7B%20%3Fp%20a%20gs%3APlatform%20%7D")
    count = wait(browser, visible("#row-count"))
    assert int(count.get_attribute("data-rows")) >= 10
    editor_text = browser.driver.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert editor_text == "SELECT ?p WHERE { ?p a gs:Platform }"


def script_links(browser: Browser) -> list[str]:
    """The href of every link on the page that would run script when clicked."""
    return browser.driver.execute_script(
        "return [...document.querySelectorAll('a[href], area[href]')]"
        ".filter(a => a.protocol === 'javascript:' || /^\\s*javascript:/i.test(a.getAttribute('href')))"
        ".map(a => a.getAttribute('href'));"
    )


def test_a_javascript_iri_in_the_results_is_text_not_a_link(browser: Browser, server_url: str) -> None:
    """`IRI("javascript:...")` from a query in a link shows as text: nothing on the page can run it."""
    from selenium.common.exceptions import NoAlertPresentException

    driver = browser.driver
    driver.get(server_url + "/?query=" + quote(JAVASCRIPT_QUERY))
    count = wait(browser, visible("#row-count"))
    assert count.get_attribute("data-rows") == "1"
    cell = find(browser, ".results-table tbody td:not(.row-number)")
    assert JAVASCRIPT_IRI in cell.text
    assert not cell.find_elements("css selector", "a")
    assert script_links(browser) == []
    cell.find_element("css selector", ".unlinked").click()
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert
    assert urlsplit(driver.current_url).path == "/"
    browser.screenshot("workbench-javascript-iri", full_page=False)


def test_results_link_only_our_iris_and_the_web(browser: Browser, server_url: str) -> None:
    """Ours go to this host's pages, http(s) IRIs go out; data:, vbscript:, mailto:, file: … stay text."""
    browser.driver.get(server_url + "/?query=" + quote(SCHEME_QUERY))
    wait(browser, visible("#row-count"))
    cells = browser.driver.execute_script(
        "return [...document.querySelectorAll('.results-table tbody td:not(.row-number)')].map(td => {"
        "  const a = td.querySelector('a'); return [td.firstElementChild.title, a && a.getAttribute('href')]; });"
    )
    assert dict(cells) == {
        "https://w3id.org/govsocial/id/org/dresden": "/id/org/dresden",
        "http://www.wikidata.org/entity/Q1731": "http://www.wikidata.org/entity/Q1731",
        "https://example.org/page": "https://example.org/page",
        "JAVASCRIPT:alert(1)": None,
        "data:text/html,hi": None,
        "vbscript:msgbox(1)": None,
        "mailto:someone@example.org": None,
        "file:///etc/passwd": None,
    }
    assert find(browser, '.results-table a[href="https://example.org/page"]').get_attribute("class") == "external"
    assert script_links(browser) == []


def test_the_scripts_link_rule_is_the_servers(browser: Browser, server_url: str) -> None:
    """links.js decides as present.href does, so a result table and a page never disagree on a link."""
    cases = [
        "https://w3id.org/govsocial/id/org/dresden",
        "https://w3id.org/govsocial/ontology#Departure",
        "https://w3id.org/govsocial/ontology",
        "http://example.org/a",
        "HTTPS://example.org/b",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,hi",
        "vbscript:msgbox(1)",
        "mailto:someone@example.org",
        "/id/org/dresden",
        "//example.org/x",
        "",
    ]
    browser.driver.get(server_url + "/dataset")
    wait(browser, visible("main h1"))
    found = browser.driver.execute_script("return arguments[0].map(window.GovSocial.linkTarget);", cases)
    assert found == [href(iri) for iri in cases]


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "document.querySelector('.CodeMirror .cm-keyword')"),
        ("/dashboard", "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.drawn === 'true')"),
        ("/dataset", "document.querySelector('#classes td a')"),
        ("/ontology", "document.querySelector('section.term#Departure')"),
        ("/id/org/dresden", "document.querySelector('a.wikidata')"),
        ("/search?q=dresden", "document.querySelector('ol.search-results a')"),
        ("/sparql", "document.querySelector('form.plain-query')"),
    ],
)
def test_pages_run_under_the_content_security_policy(browser: Browser, server_url: str, path: str, ready: str) -> None:
    """Each page loads its scripts and styles and does its work with nothing blocked by the policy."""
    browser.driver.get(server_url + path)
    wait(browser, lambda driver: driver.execute_script(f"return document.readyState === 'complete' && !!({ready})"))
    assert browser.driver.execute_script("return typeof window.GovSocial.linkTarget") == "function"
    assert browser.driver.execute_script(
        "return [...document.styleSheets].every(sheet => sheet.cssRules.length > 0)"
    ), "every stylesheet loaded"
    assert not csp_violations(browser)


def test_the_browser_enforces_the_policy(browser: Browser, server_url: str) -> None:
    """An inline script added to a page does not run, and the browser reports it: the checks above can fail."""
    browser.driver.get(server_url + "/dataset")
    wait(browser, visible("main h1"))
    ran = browser.driver.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true;';"
        "document.body.appendChild(s); return window.inlineRan === true;"
    )
    assert ran is False
    assert csp_violations(browser)


def test_the_parsers_error_is_shown_beside_the_query(browser: Browser, server_url: str) -> None:
    """A syntax error shows the parser's message under the editor and marks the line."""
    browser.driver.get(server_url + "/")
    wait(browser, visible(".CodeMirror"))
    set_editor(browser, "# a typo on line 3\nSELECT ?s\nWHRE { ?s ?p ?o }")
    find(browser, "#run").click()
    error = wait(browser, visible("#query-error"))
    assert "malformed query" in error.text and "at 3:" in error.text
    marked = find_all(browser, ".CodeMirror .CodeMirror-code > div:nth-child(3) .cm-error-line")
    assert marked, "the line the parser names is marked in the editor"
    browser.screenshot("workbench-syntax-error", full_page=False)


def test_completion_offers_our_terms_and_names(browser: Browser, server_url: str) -> None:
    """Ctrl-Space after `gs:Dep` offers gs:Departure; after `institution:dres` it offers Dresden from search."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = browser.driver
    driver.get(server_url + "/")
    wait(browser, visible(".CodeMirror"))
    set_editor(browser, "SELECT * WHERE { ?e a gs:Dep")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(" ").key_up(Keys.CONTROL).perform()
    hints = wait(browser, visible(".CodeMirror-hints"))
    assert "gs:Departure" in hints.text
    browser.screenshot("workbench-completion-vocabulary", full_page=False)
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()

    set_editor(browser, "SELECT * WHERE { ?e gs:institution institution:dres")
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(" ").key_up(Keys.CONTROL).perform()
    hints = wait(browser, visible(".CodeMirror-hints"))
    wait(browser, lambda _: "institution:dresden" in find(browser, ".CodeMirror-hints").text)
    browser.screenshot("workbench-completion-search", full_page=False)
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    text = driver.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text.endswith("institution:dresden")


def test_landtag_page_shows_its_departure_from_x_with_reasons_and_source(browser: Browser, server_url: str) -> None:
    """The Niedersächsischer Landtag: breadcrumb, the departure from X, its reasons, the quote and the source."""
    driver = browser.driver
    driver.get(server_url + LANDTAG_PATH)
    heading = wait(browser, visible("main h1"))
    assert heading.text == "Niedersächsischer Landtag"
    crumbs = [item.text for item in find_all(browser, "nav.breadcrumb li")]
    assert crumbs == ["Deutschland", "Niedersachsen", "Niedersächsischer Landtag"]
    departure = find(browser, "article.event-departure")
    assert "Landtag of Lower Saxony leaves X" in departure.text
    assert "January 2025" in departure.text
    reasons = {chip.text for chip in departure.find_elements("css selector", ".chips a.chip")}
    assert {"hate speech", "extremism", "institutional neutrality"} <= reasons
    assert "Hanna Naber" in departure.find_element("css selector", "figure.quote").text
    source = departure.find_element("css selector", "p.source")
    assert "Abwanderung von X" in source.text and "17 January 2025" in source.text
    browser.screenshot("entity-niedersaechsischer-landtag")

    departure.find_element("css selector", '.chips a.chip[href="/id/reason/hate-speech"]').click()
    wait(browser, lambda _: driver.current_url.endswith("/id/reason/hate-speech"))
    assert find(browser, "main h1").text == "Hassrede"
    assert "Reasons to leave or scale back" in find(browser, "section.concepts").text
    browser.screenshot("reason-hate-speech")


def test_platform_page_lists_who_left_and_who_stayed(browser: Browser, server_url: str) -> None:
    """X's page: the leavers under 'Left', the pausers under 'Paused', those who stayed under 'Stayed'."""
    browser.driver.get(server_url + "/id/platform/x")
    wait(browser, visible("#kind-departure"))
    assert "Niedersächsischer Landtag" in find(browser, "#kind-departure").text
    # each kind lists its events, as cards or (past 30 events) as a table's rows
    assert find_all(browser, "#kind-suspension article.event, #kind-suspension table.event-table tbody tr")
    assert find_all(browser, "#kind-retention article.event, #kind-retention table.event-table tbody tr")
    assert "Q918" in find(browser, "a.wikidata").text
    browser.screenshot("platform-x")


def test_dashboard_draws_every_chart(browser: Browser, server_url: str) -> None:
    """Each canvas gets drawn from its query, with pixels on it, and links to the query behind it."""
    driver = browser.driver
    browser.console_errors()  # forget what earlier pages logged
    driver.get(server_url + "/dashboard")
    canvases = find_all(browser, "canvas[data-chart]")
    assert len(canvases) >= 4
    wait(
        browser, lambda _: all(c.get_attribute("data-drawn") == "true" for c in find_all(browser, "canvas[data-chart]"))
    )
    for canvas in canvases:
        painted = driver.execute_script(
            "const c = arguments[0]; const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; } return n;",
            canvas,
        )
        assert painted > 1000, canvas.get_attribute("aria-label")
    kinds = {
        spec["type"]
        for spec in driver.execute_script(
            "return [...document.querySelectorAll('canvas[data-chart]')].map(c => JSON.parse(c.dataset.chart));"
        )
    }
    assert {"stacked-bar", "sankey", "horizontal-stacked-bar"} <= kinds
    open_links = [a.get_attribute("href") for a in find_all(browser, "a.open-query")]
    assert all("/?query=" in href for href in open_links)
    assert not resources_from_elsewhere(browser, server_url)
    assert not [e for e in browser.console_errors() if "favicon" not in e]
    browser.screenshot("dashboard")

    find(browser, "#flow-from-x a.open-query").click()
    count = wait(browser, visible("#row-count"))
    assert int(count.get_attribute("data-rows")) > 0
    assert "gs:alternativePlatform" in browser.driver.execute_script(
        "return document.querySelector('.CodeMirror').CodeMirror.getValue()"
    )


def test_search_box_finds_dresden(browser: Browser, server_url: str) -> None:
    """Typing 'Dresden' in the header's box suggests the city; Enter opens its page."""
    from selenium.webdriver.common.keys import Keys

    driver = browser.driver
    driver.get(server_url + "/dashboard")
    box = wait(browser, visible("#site-search"))
    box.send_keys("Dresden")
    suggestions = wait(browser, visible("#site-search-results li a"))
    assert suggestions.text.startswith("Dresden")
    browser.screenshot("search-suggestions", full_page=False)
    box.send_keys(Keys.ENTER)
    wait(browser, lambda _: urlsplit(driver.current_url).path == "/id/org/dresden")
    assert find(browser, "main h1").text == "Dresden"
    assert "Q1731" in find(browser, "a.wikidata").text
    browser.screenshot("entity-dresden")


def test_ontology_page_documents_terms_in_both_languages(browser: Browser, server_url: str) -> None:
    """/ontology: a term's section with English and German comments, reachable by its anchor."""
    browser.driver.get(server_url + "/ontology#Departure")
    section = wait(browser, visible("section.term#Departure"))
    assert section.find_element("css selector", 'p[lang="en"]').text
    assert section.find_element("css selector", 'p[lang="de"]').text
    browser.screenshot("ontology", full_page=False)
