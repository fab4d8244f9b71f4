"""The forecasting pipeline's download stage: weather readings -> data/raw/ (the station's CSV
files, unchanged).

Sources (data.source): `synthetic` (the embedded default: a seeded hourly weather-like series),
`jena` (download.url: the official jena_climate_2009_2016.csv.zip or a CSV, by URL, local path or
file:// URL), `files` (download.path: one CSV or a folder of CSVs - download.pattern picks e.g. one
station's files; a dependency in forecast/dvc.yaml, so an edit reruns this stage). Relative paths
start at the repository root. SHA-256 is checked against download.sha256 or a SHA256SUMS file beside
the data, and recorded in data/sources.json.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_path, write_json
from .sources import copy_source
from .weather import synthetic_weather, write_station_csv

ROOT = Path(__file__).resolve().parents[3]  # the repository
OUTPUT = Path("data/raw")


def download_series(params: dict) -> None:
    data, download = params["data"], params["download"]
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        if data["source"] == "synthetic":
            write_station_csv(
                synthetic_weather(download["synthetic_days"], data["seed"]), tmp / "synthetic.csv"
            )
            origin = {"location": "synthetic", "days": download["synthetic_days"]}
        else:
            key = "url" if data["source"] == "jena" else "path"
            origin = copy_source(
                download[key],
                download["sha256"],
                download["pattern"],
                tmp,
                ROOT,
                f"download.{key}",
                download["min_rate"],
            )
        files = sorted(p.name for p in tmp.iterdir())
    write_json("data/sources.json", {"source": data["source"], **origin, "files": files})
    print(
        f"download: {len(files)} file(s) -> {OUTPUT}/: "
        f"{', '.join(files[:5])}{' ...' if len(files) > 5 else ''}"
    )
