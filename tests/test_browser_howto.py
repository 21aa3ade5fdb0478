"""`/howto` in headless Chromium against a real server: the page as a reader sees it, wide and 400 px narrow, and
one pattern followed into the workbench, where it runs.

Saves tests/artifacts/howto.png and tests/artifacts/howto-400px.png to look at after a run; fails when the
Content-Security-Policy had to block anything, a script logged an error or a request went to another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from .browser import ARTIFACTS, CHROMIUM, WINDOW, Browser
from .test_browser import find, find_all, resources_from_elsewhere, visible, wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (`make test` installs it)"),
]

NARROW = 400


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    session = Browser()
    yield session
    session.quit()


def problems(browser: Browser) -> list[str]:
    """What the browser logged as an error since the log was last read: script errors and CSP refusals."""
    return [
        entry["message"]
        for entry in browser.driver.get_log("browser")
        if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]
    ]


def screenshot_at(browser: Browser, name: str, width: int) -> None:
    """The whole page at a window `width` px wide, as tests/artifacts/NAME.png (up to 5000 px high)."""
    driver = browser.driver
    driver.set_window_size(width, WINDOW[1])
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 5000)")
    driver.set_window_size(width, max(int(height), WINDOW[1]))
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(*WINDOW)


def test_howto_reads_wide_and_narrow_and_its_pattern_runs_in_the_workbench(browser: Browser, server_url: str) -> None:
    """Open /howto: nothing blocked or failed, the diagram drawn, the page fits 400 px; one "Run" shows results."""
    driver = browser.driver
    driver.set_window_size(*WINDOW)
    problems(browser)
    driver.get(server_url + "/howto")
    wait(browser, visible("svg.model-diagram"))
    assert find_all(browser, "svg.model-diagram .box"), "the diagram has its boxes"
    assert find(browser, "nav.howto-toc").is_displayed()
    assert not problems(browser)
    assert not resources_from_elsewhere(browser, server_url)
    browser.screenshot("howto")

    driver.set_window_size(NARROW, WINDOW[1])
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= NARROW, f"the page is {width} px wide in a window of {NARROW} px"
    frame = find(browser, ".model-frame")
    assert frame.size["width"] <= NARROW
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", frame), (
        "the diagram scrolls inside its frame"
    )
    screenshot_at(browser, "howto-400px", NARROW)
    assert not problems(browser)

    run = find(browser, "a.run")
    expected = parse_qs(urlsplit(run.get_attribute("href")).query)["query"][0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", run)
    run.click()
    count = wait(browser, visible("#row-count"))
    assert int(count.get_attribute("data-rows")) >= 1
    assert find_all(browser, ".results-table tbody tr")
    assert urlsplit(driver.current_url).path == "/"
    editor = driver.execute_script(
        "const cm = document.querySelector('.CodeMirror'); return cm ? cm.CodeMirror.getValue() : "
        "document.getElementById('query').value;"
    )
    assert editor == expected
    assert not problems(browser)
    assert not resources_from_elsewhere(browser, server_url)
