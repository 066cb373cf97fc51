"""The clinic desk in a real browser: Debian's headless Chromium, driven by Selenium,
against the real server (waitress on 127.0.0.1, a free port) started by the test.

Screenshots of each step go to out/desk-screenshots/. axe-core (vendored in
tests/assets/axe-core, nothing from the internet) checks the pages for WCAG 2.1
A and AA problems.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from leaflets.catalog import load_catalog
from leaflets.config import load_project

from .conftest import ROOT, page_count, pdf_text, start_desk, stop_desk

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = ROOT / "tests/assets/axe-core/axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
SHOTS = ROOT / "out" / "desk-screenshots"
NAME = "Ana Lucía Quenby-Marlowe"
TOKEN = "desk-browser-test-token-7f3a9c"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian packages chromium and chromium-driver are not installed (make setup)",
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    desk = start_desk(ROOT, "--workers", "1", env={"LEAFLETS_DESK_TOKEN": TOKEN})
    yield desk.url
    code, log = stop_desk(desk)
    assert code == 0 and log.rstrip().endswith("stopped"), log[-500:]
    # The server's own log: requests are there, the patient's name never.
    assert "POST /handout 200" in log and "POST /login 303" in log
    assert "Quenby" not in log and TOKEN not in log


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1100,1400",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    with pytest.MonkeyPatch.context() as mp:
        # Chromium and its driver are Debian's: Selenium Manager must not fetch any.
        mp.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def sign_in(driver: WebDriver, url: str) -> None:
    driver.get(url)
    if driver.current_url.endswith("/login"):
        driver.find_element(By.ID, "token").send_keys(TOKEN, Keys.ENTER)
        WebDriverWait(driver, 10).until(lambda d: not d.current_url.endswith("/login"))


@pytest.fixture(scope="module")
def desk(browser: WebDriver, server: str) -> str:
    """The desk's address, with this browser signed in (once per browser session)."""
    sign_in(browser, server)
    return server


def shot(driver: WebDriver, name: str) -> None:
    """A screenshot of the whole page (the window is resized to its height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, max(800, min(int(height) + 40, 6000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def axe(driver: WebDriver) -> list[dict[str, Any]]:
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "tests/assets/axe-core changed"
    driver.execute_script(source.decode("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help, "
        "nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));"
    )
    return list(result)


def spanish_headings() -> list[str]:
    project = load_project(ROOT)
    tr = load_catalog(project, project.leaflets["cryoablation"], "es").translations
    return [tr.gettext(h) for h in ("What is cryoablation?", "During the procedure")]


def wait_for_download(folder: Path, name: str, timeout: float = 20) -> bytes:
    target = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if target.exists() and not list(folder.glob("*.crdownload")):
            return target.read_bytes()
        time.sleep(0.1)
    raise AssertionError(f"no download {name}: {sorted(p.name for p in folder.iterdir())}")


def click_label(driver: WebDriver, for_id: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'label[for="{for_id}"]').click()


def test_the_page_asks_for_the_token_once(browser: WebDriver, server: str) -> None:
    browser.get(server)
    assert browser.current_url.endswith("/login")
    assert axe(browser) == []
    box = browser.find_element(By.ID, "token")
    box.send_keys("not-the-token", Keys.ENTER)
    alert = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "token-error"))
    assert alert.get_attribute("role") == "alert"
    assert browser.find_element(By.ID, "token").get_attribute("aria-invalid") == "true"
    assert axe(browser) == []
    shot(browser, "00-sign-in-refused")
    sign_in(browser, server)
    assert browser.title.startswith("Print a patient handout")
    cookies = browser.get_cookies()
    (session,) = [c for c in cookies if c["name"] == "desk_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and "expiry" not in session
    browser.get(server)  # once: no second question
    assert not browser.current_url.endswith("/login")


def test_choose_spanish_laparoscopic_a4_preview_and_download(
    browser: WebDriver, desk: str, downloads: Path
) -> None:
    browser.get(desk)
    assert browser.title.startswith("Print a patient handout")
    es = browser.find_element(By.CSS_SELECTOR, 'label[for="lang-es"] span')
    assert (es.get_attribute("lang"), es.get_attribute("dir"), es.text) == ("es", "ltr", "Español")
    status = browser.find_element(By.ID, "lang-es-status").text
    assert "not yet reviewed by a qualified medical translator" in status
    assert axe(browser) == []
    shot(browser, "01-form")

    # The search box filters the list as the user types (with the script).
    search = browser.find_element(By.ID, "q")
    search.send_keys("hip replacement")
    assert browser.find_element(By.ID, "leaflet-count").text.startswith("0 leaflets match")
    search.clear()
    search.send_keys("freez")
    assert browser.find_element(By.ID, "leaflet-count").text.startswith("1 leaflet matches")

    click_label(browser, "variant-laparoscopic")
    click_label(browser, "lang-es")
    click_label(browser, "paper-a4")
    browser.find_element(By.ID, "patient").send_keys(NAME)
    browser.find_element(By.ID, "procedure_date").send_keys("12012026")  # the date widget
    shot(browser, "02-filled")
    browser.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    WebDriverWait(browser, 30).until(lambda d: d.title.startswith("Preview"))
    pages = browser.find_elements(By.CSS_SELECTOR, "#pages img")
    assert len(pages) >= 2 and all(p.get_property("naturalWidth") > 400 for p in pages)
    assert NAME in browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert axe(browser) == []
    shot(browser, "03-preview")

    browser.find_element(By.ID, "download").click()
    pdf = wait_for_download(downloads, "cryoablation_laparoscopic_es_a4_clinic.pdf")
    text = pdf_text(pdf)
    assert NAME in text
    for heading in spanish_headings():
        assert heading in text


def test_errors_are_announced_next_to_the_field(browser: WebDriver, desk: str) -> None:
    browser.get(desk)
    click_label(browser, "lang-es")
    browser.find_element(By.ID, "patient").send_keys("<script>alert(1)</script>")
    browser.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    summary = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "error-summary"))
    assert summary.get_attribute("role") == "alert"
    assert browser.switch_to.active_element == summary  # focus moves to the errors
    assert "Choose the procedure variant." in summary.text
    group = browser.find_element(By.ID, "variant-group")
    assert group.get_attribute("aria-describedby") == "variant-error"
    # The typed name comes back as typed, as text, not as markup.
    assert browser.find_element(By.ID, "patient").get_attribute("value") == (
        "<script>alert(1)</script>"
    )
    assert axe(browser) == []
    shot(browser, "04-errors")


def _tab_to(driver: WebDriver, element_id: str, visited: list[str], limit: int = 40) -> None:
    for _ in range(limit):
        active = driver.switch_to.active_element
        if active.get_attribute("id") == element_id:
            return
        active.send_keys(Keys.TAB)
        visited.append(driver.switch_to.active_element.get_attribute("id") or "")
    raise AssertionError(f"Tab never reached #{element_id}: {visited}")


def _focus_ring(driver: WebDriver, element: WebElement) -> str:
    return str(
        driver.execute_script(
            "const s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + "
            "s.outlineWidth;",
            element,
        )
    )


def test_the_same_flow_with_the_keyboard_alone(
    browser: WebDriver, desk: str, downloads: Path
) -> None:
    browser.get(desk)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    visited: list[str] = []
    _tab_to(browser, "variant-percutaneous", visited)
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)  # -> laparoscopic
    assert browser.find_element(By.ID, "variant-laparoscopic").is_selected()
    browser.switch_to.active_element.send_keys(Keys.TAB)  # into the languages
    visited.append(browser.switch_to.active_element.get_attribute("id") or "")
    assert browser.switch_to.active_element.get_attribute("name") == "lang"
    # Arrow keys move through the languages (in the project's order) until Spanish.
    for _ in range(60):
        if browser.find_element(By.ID, "lang-es").is_selected():
            break
        browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert browser.find_element(By.ID, "lang-es").is_selected()
    shot(browser, "05-keyboard-language")
    browser.switch_to.active_element.send_keys(Keys.TAB)  # paper, Letter by default
    visited.append(browser.switch_to.active_element.get_attribute("id") or "")
    browser.switch_to.active_element.send_keys(Keys.ARROW_UP)  # -> A4
    assert browser.find_element(By.ID, "paper-a4").is_selected()
    _tab_to(browser, "patient", visited)
    focused = browser.switch_to.active_element
    assert _focus_ring(browser, focused).startswith("solid")
    focused.send_keys(NAME)
    shot(browser, "06-keyboard-name")
    # Logical order: search, leaflet, variant, language, paper, edition, patient details.
    order = [v.split("-")[0] for v in visited if v]
    wanted = ["q", "variant", "lang", "paper", "edition", "patient"]
    assert [o for o in dict.fromkeys(order) if o in wanted] == wanted, order
    focused.send_keys(Keys.ENTER)  # submits the form: the first button is Preview
    WebDriverWait(browser, 30).until(lambda d: d.title.startswith("Preview"))
    # On the preview, Tab reaches Download PDF; Enter downloads.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    _tab_to(browser, "download", [])
    for old in downloads.glob("*.pdf"):
        old.unlink()
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    pdf = wait_for_download(downloads, "cryoablation_laparoscopic_es_a4_clinic.pdf")
    assert NAME in pdf_text(pdf)


def test_arabic_preview_is_right_to_left(browser: WebDriver, desk: str) -> None:
    browser.get(desk)
    click_label(browser, "variant-percutaneous")
    ar = browser.find_element(By.CSS_SELECTOR, 'label[for="lang-ar"] span')
    assert (ar.get_attribute("lang"), ar.get_attribute("dir")) == ("ar", "rtl")
    click_label(browser, "lang-ar")
    browser.find_element(By.ID, "patient").send_keys("Layla Haddad")
    browser.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    WebDriverWait(browser, 30).until(lambda d: d.title.startswith("Preview"))
    pages = browser.find_element(By.ID, "pages")
    assert (pages.get_attribute("lang"), pages.get_attribute("dir")) == ("ar", "rtl")
    images = pages.find_elements(By.TAG_NAME, "img")
    assert len(images) >= 2
    # Page 1 sits to the right of page 2, as a right-to-left reader expects.
    assert images[0].location["x"] > images[1].location["x"]
    # The page itself is mirrored: in its running text (the lower part of page 1, below
    # the details box) most dark pixels lie in the right half.
    right_heavy = browser.execute_script(
        "const img = arguments[0]; const c = document.createElement('canvas');"
        "c.width = img.naturalWidth; c.height = img.naturalHeight;"
        "const g = c.getContext('2d'); g.drawImage(img, 0, 0);"
        "const d = g.getImageData(0, 0, c.width, c.height).data; let l = 0, r = 0;"
        "for (let y = Math.floor(c.height * 0.5); y < c.height * 0.9; y += 2)"
        " for (let x = 0; x < c.width; x += 2) { const i = (y * c.width + x) * 4;"
        "  if (d[i] + d[i + 1] + d[i + 2] < 300) { if (x < c.width / 2) l++; else r++; } }"
        "return r > l;",
        images[0],
    )
    assert right_heavy
    assert axe(browser) == []
    shot(browser, "07-arabic-preview")


def test_large_print_preview_and_download(
    browser: WebDriver, desk: str, downloads: Path, built: Any
) -> None:
    browser.get(desk)
    group = browser.find_element(By.ID, "layout-group")
    legend = group.find_element(By.TAG_NAME, "legend").text
    assert legend == "5. Layout"
    labels = [label.text for label in group.find_elements(By.TAG_NAME, "label")]
    assert labels == [
        "Standard",
        "Large print (18 pt, for low vision)",
        "Bilingual (English beside the patient's language)",
    ]
    assert browser.find_element(By.ID, "layout-standard").is_selected()
    click_label(browser, "variant-percutaneous")
    click_label(browser, "lang-es")
    click_label(browser, "paper-a4")
    click_label(browser, "layout-large-print")
    assert browser.find_element(By.ID, "layout-large-print").is_selected()
    browser.find_element(By.ID, "patient").send_keys(NAME)
    assert axe(browser) == []
    shot(browser, "08-form-large-print")
    browser.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    WebDriverWait(browser, 30).until(lambda d: d.title.startswith("Preview"))
    summary = browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert "Large print (18 pt, for low vision)" in summary and NAME in summary
    pages = browser.find_elements(By.CSS_SELECTOR, "#pages img")
    # The same text in 18 pt: more pages than the standard handout.
    standard = built(leaflet="cryoablation", variant="percutaneous", lang="es", paper="a4")
    assert len(pages) > standard.pages
    assert axe(browser) == []
    shot(browser, "09-preview-large-print")
    for old in downloads.glob("*.pdf"):
        old.unlink()
    browser.find_element(By.ID, "download").click()
    pdf = wait_for_download(downloads, "cryoablation_percutaneous_es_a4_clinic_large-print.pdf")
    assert NAME in pdf_text(pdf)
    assert page_count(pdf) == len(pages), "the preview shows every page of the PDF"


def test_error_page_is_accessible(browser: WebDriver, desk: str) -> None:
    browser.get(desk + "nowhere")
    assert "no such page" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text.lower()
    assert axe(browser) == []


def test_no_request_left_the_machine(browser: WebDriver, desk: str) -> None:
    entries = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);"
    )
    assert all(str(e).startswith(("http://127.0.0.1:", "data:")) for e in entries), entries
    try:
        logs = browser.get_log("browser")
    except WebDriverException:
        logs = []
    assert not [entry for entry in logs if "Content Security Policy" in entry.get("message", "")]
