"""`dvc plots show` / `dvc plots diff` draw with no network: .dvc/config names a page template with
Vega inlined (scripts/build_offline_plots.py), checked in headless Chromium where it is installed;
a revision legend draws dashed strokes, so HEAD and the workspace can be told apart."""

import json
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, built_pipeline, run

pytestmark = pytest.mark.slow
TEMPLATE = ROOT / ".dvc" / "offline-plots.html"


def test_the_page_template_inlines_vega_and_loads_nothing():
    config = (ROOT / ".dvc" / "config").read_text()
    assert re.search(r"\[plots\]\n\s+html_template = offline-plots.html", config)
    page = TEMPLATE.read_text(encoding="utf-8")
    assert "{plot_divs}" in page and "window.vegaEmbed=" in page
    assert "<script src" not in page.replace(" ", "") and "{scripts}" not in page


def test_revision_legends_draw_dashed_strokes_not_identical_points():
    for path in sorted((ROOT / ".dvc" / "plots").glob("*.json")):
        text = json.dumps(json.loads(path.read_text()))
        if '"strokeDash"' in text:
            assert '"symbolType": "stroke"' in text, path.name


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium is not installed")
def test_every_plot_draws_in_headless_chromium_without_a_network(tmp_path_factory):
    project = built_pipeline(tmp_path_factory, "forecast")
    run(["dvc", "plots", "show", "forecast/dvc.yaml", "-o", "shown"], project)
    page = (project / "shown" / "index.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in page
    plots = len(re.findall(r'<div id = "', page))
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=8000",
            "--dump-dom",
            (project / "shown" / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert plots >= 2 and dom.count('role="graphics-document"') == plots
