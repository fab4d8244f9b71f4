"""Check that every plot of every pipeline draws something: statically, and in a real headless
browser.

    python scripts/check_plots.py         # static check of `dvc plots show --json`
    python scripts/check_plots.py --browser --vega /path/node_modules --out plots-check/
                                          # and render each plot in headless Chromium

The static check (also run by every pipeline test through conftest.plot_problems) reads each
plot's Vega-Lite spec and data as DVC renders them and fails when a plot would come out empty: no
data, a field the spec plots that is neither in the data nor computed by the template, or values
that do not parse as the axis type (the old forecast plot put timestamps on a quantitative axis
and drew nothing).

The browser check writes one HTML page per plot that loads vega, vega-lite and vega-embed from a
local folder (`npm install vega@5 vega-lite@5 vega-embed@6`; this machine has no CDN), renders it as
SVG in `chromium --headless`, saves a screenshot, and fails when a plot has no drawn mark.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd


def dvc_plots(cwd: Path, env: dict | None = None) -> dict[str, dict]:
    """Plot id -> the Vega-Lite spec (with data) that `dvc plots show` renders, for the
    workspace."""
    out = subprocess.run(
        ["dvc", "plots", "show", "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        plot_id: renders[0]["content"]
        for plot_id, renders in json.loads(out.stdout)["data"].items()
    }


def _encodings(spec: dict) -> dict:
    return spec.get("encoding") or spec.get("spec", {}).get("encoding", {})


def plot_problems(plot_id: str, spec: dict) -> list[str]:
    """What would make this plot come out empty, in words; [] when it will draw."""
    values = spec.get("data", {}).get("values")
    if not isinstance(values, list) or not values:
        return [f"{plot_id}: no data"]
    columns = set().union(*(row.keys() for row in values))
    computed, problems = set(), []
    for transform in spec.get("transform", []):
        if "fold" in transform:
            present = [name for name in transform["fold"] if name in columns]
            if not present:
                problems.append(
                    f"{plot_id}: none of the folded columns {transform['fold']} is in the data"
                )
            for name in present:
                if (
                    pd.to_numeric(
                        pd.Series([row.get(name) for row in values]).dropna(), errors="coerce"
                    )
                    .isna()
                    .any()
                ):
                    problems.append(f"{plot_id}: column {name!r} holds values that are not numbers")
            computed.update(transform.get("as", ["key", "value"]))
        if "as" in transform and isinstance(transform["as"], str):
            computed.add(transform["as"])
    for channel in ("x", "y"):
        encoding = _encodings(spec).get(channel, {})
        field = encoding.get("field")
        if not field or field in computed:
            continue
        if field not in columns:
            problems.append(
                f"{plot_id}: {channel} field {field!r} is not in the data (columns: "
                f"{sorted(columns)})"
            )
            continue
        column = pd.Series([row.get(field) for row in values])
        if (
            encoding.get("type") == "quantitative"
            and pd.to_numeric(column, errors="coerce").isna().any()
        ):
            problems.append(
                f"{plot_id}: {channel} is quantitative but {field!r} holds non-numbers, e.g. "
                f"{column[pd.to_numeric(column, errors='coerce').isna()].iloc[0]!r}"
            )
        if (
            encoding.get("type") == "temporal"
            and pd.to_datetime(column, errors="coerce").isna().any()
        ):
            problems.append(
                f"{plot_id}: {channel} is temporal but {field!r} holds values that are not dates"
            )
    return problems


PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="{vega}/vega/build/vega.min.js"></script>
<script src="{vega}/vega-lite/build/vega-lite.min.js"></script>
<script src="{vega}/vega-embed/build/vega-embed.min.js"></script></head>
<body><div id="plot"></div><pre id="result">pending</pre><script>
vegaEmbed("#plot", {spec}, {{renderer: "svg", actions: false}}).then(function () {{
  var drawn = 0;
  var marks = "#plot g.role-mark path, #plot g.role-mark rect";
  document.querySelectorAll(marks).forEach(function (el) {{
    var d = el.getAttribute("d") || "";
    if (d.length > 10 || el.tagName === "rect") drawn += 1;
  }});
  document.getElementById("result").textContent = "drawn " + drawn;
}}).catch(function (err) {{ document.getElementById("result").textContent = "error " + err; }});
</script></body></html>"""


def render_in_browser(plot_id: str, spec: dict, vega: Path, out: Path, chromium: str) -> str:
    """'' when the plot drew marks in headless Chromium, else what went wrong; saves a
    screenshot."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", plot_id).strip("_")
    page = out / f"{name}.html"
    page.write_text(
        PAGE.format(vega=vega.resolve().as_uri(), spec=json.dumps(spec)), encoding="utf-8"
    )
    flags = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--allow-file-access-from-files",
        "--virtual-time-budget=10000",
        "--window-size=1400,900",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    subprocess.run(
        [*flags, f"--screenshot={out / (name + '.png')}", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    match = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    result = html.unescape(match.group(1)) if match else "no result (the page did not run)"
    if not result.startswith("drawn ") or int(result.split()[1]) == 0:
        return f"{plot_id}: {result} (see {out / (name + '.png')})"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repo", type=Path, default=Path(__file__).resolve().parents[1], help="the DVC project"
    )
    parser.add_argument(
        "--browser", action="store_true", help="also render every plot in headless Chromium"
    )
    parser.add_argument(
        "--vega", type=Path, help="node_modules folder holding vega, vega-lite and vega-embed"
    )
    parser.add_argument("--chromium", default="chromium", help="the Chromium executable")
    parser.add_argument(
        "--out", type=Path, default=Path("plots-check"), help="HTML pages and screenshots"
    )
    args = parser.parse_args(argv)
    plots = dvc_plots(args.repo)
    problems = [
        problem for plot_id, spec in plots.items() for problem in plot_problems(plot_id, spec)
    ]
    if args.browser and not problems:
        if args.vega is None:
            parser.error(
                "--browser needs --vega (a node_modules folder with vega, vega-lite, vega-embed)"
            )
        args.out.mkdir(parents=True, exist_ok=True)
        problems = [
            p
            for plot_id, spec in plots.items()
            if (p := render_in_browser(plot_id, spec, args.vega, args.out, args.chromium))
        ]
    for plot_id in plots:
        print(
            f"{'FAIL' if any(p.startswith(plot_id + ':') for p in problems) else 'ok  '} {plot_id}"
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
