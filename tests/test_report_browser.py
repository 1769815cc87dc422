"""The HTML report in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` packages (``.ci/run`` installs them);
without them these tests skip and say so. The network is blocked for the page (any
request would then fail and log an error) and every request the page makes is read from
the performance log, so "no network" is checked twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from layerheat.report import build_report
from layerheat.sample import sample_layers, sample_variant

from .helpers_psd import L, make_psd

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
HOW = "install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)"


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - a selenium Chrome WebDriver
    """Headless Chromium with console and network logs, the network blocked."""
    if not (CHROMIUM and DRIVER):
        pytest.skip(f"no Chromium here: {HOW}")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                "--disable-dev-shm-usage", "--allow-file-access-from-files"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.execute_cdp_cmd("Network.enable", {})
    blocked = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
    yield driver
    driver.quit()


def open_page(driver, path: Path) -> dict:  # noqa: ANN001
    """Load ``path``; return its console errors, requests and image and link facts."""
    driver.get_log("browser"), driver.get_log("performance")  # start with empty logs
    driver.get(path.resolve().as_uri())
    driver.execute_script("return document.readyState")
    page = path.resolve().as_uri()
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url != page and not url.startswith("data:"):
                requests.append(url)
    facts = driver.execute_script(
        """
        const imgs = Array.from(document.images);
        const links = Array.from(document.querySelectorAll('a[href^="#"]'));
        return {
          images: imgs.length,
          undecoded: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
          links: links.length,
          dangling: links.map(a => a.getAttribute('href').slice(1))
                         .filter(id => !document.getElementById(id)),
          scripts: document.scripts.length,
          pwned: window.pwned === undefined ? null : window.pwned,
          text: document.body.innerText,
        };
        """
    )
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    return {"errors": errors, "requests": requests, **facts}


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "sample.html"
    path.write_text(build_report(None).html, encoding="utf-8")
    return path


def test_the_sample_report_opens_clean(browser, sample_page: Path) -> None:  # noqa: ANN001
    page = open_page(browser, sample_page)
    assert page["errors"] == []
    assert page["requests"] == []
    assert page["images"] > 50 and page["undecoded"] == []
    assert page["links"] > 15 and page["dangling"] == []
    assert "34,969" in page["text"] and "Disclaimer" in page["text"]
    assert sample_page.stat().st_size < 5_000_000


def test_tables_sort_when_a_header_is_clicked(browser, sample_page: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    open_page(browser, sample_page)
    table = browser.find_element(By.CSS_SELECTOR, "#types table")
    header = table.find_elements(By.CSS_SELECTOR, "th")[2]  # layers
    header.click()
    cells = table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(3)")
    values = [float(c.get_attribute("data-value")) for c in cells]
    assert values == sorted(values, reverse=True) and len(values) == 14
    header.click()
    cells = table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(3)")
    assert [float(c.get_attribute("data-value")) for c in cells] == sorted(values)


def test_a_comparison_report_opens_clean(browser, tmp_path: Path) -> None:  # noqa: ANN001
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    sample_layers(designs=300).write(a)
    sample_variant("logo-right", designs=300).write(b)
    path = tmp_path / "compare.html"
    path.write_text(build_report([str(a)], compare_with=[str(b)], examples=1).html)
    page = open_page(browser, path)
    assert page["errors"] == [] and page["requests"] == []
    assert page["undecoded"] == [] and page["dangling"] == []
    assert "Compared with b" in page["text"] and "JS divergence" in page["text"]


def test_hostile_names_in_a_psd_stay_text(browser, tmp_path: Path) -> None:  # noqa: ANN001
    from selenium.common.exceptions import NoAlertPresentException

    folder = tmp_path / "psd"
    folder.mkdir()
    evil = '<img src=x onerror="window.pwned=1">'
    for i, name in enumerate([evil, "<svg onload=window.pwned=2>", "plain"]):  # no "/"
        layers = [L("<script>window.pwned=3</script>", (10, 10, 200, 60)),
                  L("Title <b onmouseover=alert(1)>", (20 + i * 30, 100, 300, 160))]  # fmt: skip
        make_psd(folder / f"{name}.psd", (400, 300), layers)
    path = tmp_path / "hostile.html"
    path.write_text(build_report([str(folder)], examples=1, outliers=3).html)
    page = open_page(browser, path)
    assert page["pwned"] is None and page["scripts"] == 2  # nothing ran, nothing injected
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - raises when there is no alert
    assert evil in page["text"]  # the file name is shown as text
    assert page["errors"] == [] and page["requests"] == []
