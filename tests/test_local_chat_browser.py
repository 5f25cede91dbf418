"""The local chat in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``; .ci/run installs them) driven by selenium opens the page of a bot started
with nothing set, sends a photo with a caption, sees the result and its buttons, presses Again,
and reads /quota."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.localchat_helpers import ADDRESS, bare_env

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


@pytest.fixture
def bot_url(tmp_path: Path) -> Iterator[str]:
    """``python -m bot run`` with nothing set but free ports: the local chat's address."""
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=bare_env(),
                                   cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "polling as" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        found = ADDRESS.search(log.read_text())
        assert found, log.read_text()
        yield found.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1000,1000"):
        options.add_argument(argument)
    os.environ.setdefault("SE_OFFLINE", "true")  # never look for a driver online
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def until(driver: WebDriver, found: Callable[[WebDriver], Any], within_s: float = 30) -> Any:
    # the page redraws a message as it changes: an element read mid-redraw is looked up again
    return WebDriverWait(driver, within_s, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(found)


def results(driver: WebDriver) -> list[Any]:
    """The bot's results on the page: a loaded picture with buttons under it."""
    return [box for box in driver.find_elements(By.CSS_SELECTOR, ".msg.bot")
            if box.find_elements(By.CSS_SELECTOR, ".buttons button")
            and driver.execute_script(
                "const i = arguments[0].querySelector('img.photo');"
                "return i !== null && i.complete && i.naturalWidth > 0;", box)]


def send(driver: WebDriver, words: str, photo: Path | None = None) -> None:
    if photo is not None:
        driver.find_element(By.ID, "file").send_keys(str(photo))
    driver.find_element(By.ID, "text").send_keys(words)
    driver.find_element(By.ID, "send").click()


def said(driver: WebDriver, pattern: str) -> list[str]:
    return [box.text for box in driver.find_elements(By.CSS_SELECTOR, ".msg.bot .text")
            if re.search(pattern, box.text)]


def test_a_photo_and_a_caption_in_the_page_come_back_edited(
        bot_url: str, browser: WebDriver, tmp_path: Path) -> None:
    photo = tmp_path / "llama.jpg"
    Image.new("RGB", (800, 600), (60, 140, 200)).save(photo, "JPEG")
    browser.get(bot_url)
    assert browser.title == "editbot · local chat"

    send(browser, "/edit 9:16 add a llama", photo)
    [result] = until(browser, results)
    labels = [b.text for b in result.find_elements(By.CSS_SELECTOR, ".buttons button")]
    assert labels == ["🔁 Again (1)", "4K (2)", "🎲 Variations (2)"]
    assert "Demo model: set GEMINI_API_KEY for real edits." in result.text
    picture = result.find_element(By.CSS_SELECTOR, "img.photo")
    width, height = browser.execute_script(
        "return [arguments[0].naturalWidth, arguments[0].naturalHeight]", picture)
    assert (width, height) == (576, 1024)
    png = browser.get_screenshot_as_png()
    (tmp_path / "local-chat.png").write_bytes(png)
    assert Image.open(io.BytesIO(png)).size[0] > 0

    result.find_element(By.XPATH, ".//button[starts-with(., '🔁')]").click()
    until(browser, lambda d: len(results(d)) == 2)

    send(browser, "/quota")
    [quota] = until(browser, lambda d: said(d, r"Used here today"))
    assert quota.startswith("8 left here, 8 left today in all. Used here today: 2.")

    Select(browser.find_element(By.ID, "lang")).select_by_visible_text("vi")
    send(browser, "/quota")
    until(browser, lambda d: said(d, r"^Còn 8 lượt ở đây"))
    (tmp_path / "local-chat-after.png").write_bytes(browser.get_screenshot_as_png())
