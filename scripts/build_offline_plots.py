"""Write .dvc/offline-plots.html: the page `dvc plots show` / `dvc plots diff` fill in, with Vega,
Vega-Lite and Vega-Embed inlined, so the plots draw with no network (DVC's own page loads them from
a CDN and stays blank offline). .dvc/config names it (`plots.html_template`).

    pip install vl-convert-python==1.9.0.post1 && python scripts/build_offline_plots.py

The scripts come from vl-convert-python (the Vega project's own converter), whose
`javascript_bundle()` packs the three libraries and their dependencies into one script that sets
`window.vegaEmbed`, which DVC's per-plot snippets call. Rebuild only to move to newer libraries;
the file is committed, so nobody needs the 33 MB converter to see plots.
"""

from __future__ import annotations

from pathlib import Path

import vl_convert

VEGA_LITE = "5.21"  # the newest 5.x: the templates (DVC's and .dvc/plots/) are Vega-Lite 5 specs
TARGET = Path(__file__).resolve().parents[1] / ".dvc" / "offline-plots.html"

PAGE = """<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <meta charset="utf-8">
    <title>DVC Plot</title>
    <!-- vega VEGA, vega-lite VEGA_LITE, vega-embed EMBED: inlined by scripts/build_offline_plots.py
         (vl-convert-python CONVERTER) so the plots draw offline. -->
    <script type="text/javascript">
BUNDLE
    </script>
    <style>
        table {
            border-spacing: 15px;
        }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def main() -> None:
    bundle = vl_convert.javascript_bundle(vl_version=VEGA_LITE)
    if "</script" in bundle.lower():
        raise SystemExit("the bundle holds '</script': it cannot be inlined as is")
    page = (
        PAGE.replace("VEGA_LITE", VEGA_LITE)
        .replace("VEGA", vl_convert.get_vega_version())
        .replace("EMBED", vl_convert.get_vega_embed_version())
        .replace("CONVERTER", vl_convert.__version__)
        .replace("BUNDLE", bundle)
    )
    TARGET.write_text(page, encoding="utf-8")
    print(f"{TARGET}: {len(page):,} characters")


if __name__ == "__main__":
    main()
