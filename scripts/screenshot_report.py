"""Screenshot the first screen of the sample's HTML report for the README.

python scripts/screenshot_report.py         # writes docs/images/report.png

Builds the report of the built-in sample, opens it in headless Chromium (Debian's
``chromium`` and ``chromium-driver``, driven by Selenium) at 1400 x 1000 and saves what
a reader sees first.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from layerheat.report import build_report

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "report.png"


def main() -> None:
    """Build, open, screenshot."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_argument("--window-size=1400,1000")
    service = webdriver.ChromeService(shutil.which("chromedriver"))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(build_report(None).html, encoding="utf-8")
        driver = webdriver.Chrome(options=options, service=service)
        try:
            driver.get(page.as_uri())
            driver.save_screenshot(str(OUT))
        finally:
            driver.quit()
    print(OUT)


if __name__ == "__main__":
    main()
