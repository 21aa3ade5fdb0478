"""Headless Chromium for the end-to-end tests: Debian's browser, driven by Selenium through Debian's driver.

Nothing is downloaded: the browser and driver paths are given explicitly, so Selenium Manager stays idle,
and the flags below keep Chromium from calling home (this machine has no network besides the registries).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WINDOW = (1400, 1000)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--lang=en-GB",
)


class Browser:
    """One Chromium session with its own fresh profile directory."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try the network
        self.profile = tempfile.mkdtemp(prefix="govsocial-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={self.profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(60)

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        """Save the page as tests/artifacts/NAME.png (the whole page, up to 5000 px high)."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if full_page:
            height = self.driver.execute_script("return Math.min(document.documentElement.scrollHeight, 5000)")
            self.driver.set_window_size(WINDOW[0], max(int(height), WINDOW[1]))
        self.driver.save_screenshot(str(path))
        if full_page:
            self.driver.set_window_size(*WINDOW)
        return path

    def console_errors(self) -> list[str]:
        """Errors the page's scripts logged since the last call."""
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
