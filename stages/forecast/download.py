"""Forecast stage 1, download: weather readings -> data/raw/ (the station's CSV files, unchanged).

    cd forecast && python ../stages/forecast/download.py    # reads params: data.*, download.*

Sources (data.source): `synthetic` (the embedded default: a seeded hourly weather-like series),
`jena` (download.url: the official jena_climate_2009_2016.csv.zip or a CSV, by URL, local path or
file:// URL), `files` (download.path: one CSV, a folder of CSVs - download.pattern picks e.g. one
station's files - or a URL). Relative paths start at the repository root. SHA-256 is checked
against download.sha256 or a SHA256SUMS file beside the data, and recorded in metrics/download.json.
"""

import shutil
import zipfile
from pathlib import Path

from rnnpipe.atomic import atomic_path, write_json
from rnnpipe.errors import DownloadError
from rnnpipe.fetch import expected_sha256, fetch, is_remote, verify_sha256
from rnnpipe.params import FORECAST_SCHEMA
from rnnpipe.stage import run_stage
from rnnpipe.weather import synthetic_weather, write_station_csv

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path("data/raw")


def from_root(location: str) -> str:
    """Relative local paths are read from the repository root, like the text pipeline's."""
    if not location or is_remote(location) or location.startswith("file:") or Path(location).is_absolute():
        return location
    return str(ROOT / location)


def unpack_csvs(archive: Path, folder: Path) -> list[str]:
    """Extract the .csv members of a zip by their base names (no paths from the archive are used)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()
                       and not Path(m.filename).name.startswith(".")]
            if not members:
                raise DownloadError(f"{archive}: the zip holds no .csv file.")
            for member in members:
                with bundle.open(member) as source, open(folder / Path(member.filename).name, "wb") as target:
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        raise DownloadError(f"{archive}: not a valid zip file (truncated download?); delete it and run again.") from None
    return [Path(m.filename).name for m in members]


def copy_source(location: str, sha256: str, pattern: str, folder: Path) -> dict:
    """Copy (or unzip) the CSVs named by `location` into `folder`; return what was read, with hashes."""
    path = fetch(from_root(location))
    if path.is_dir():
        files = sorted(p for p in path.glob(pattern) if p.is_file())
        if not files:
            raise DownloadError(f"{location}: no files match download.pattern '{pattern}' in this folder.")
    else:
        files = [path]
    hashes = {}
    for file in files:
        hashes[file.name] = verify_sha256(file, expected_sha256(sha256, location, file), location)
        if file.suffix.lower() == ".zip":
            unpack_csvs(file, folder)
        else:
            shutil.copyfile(file, folder / file.name)
    return {"location": location, "sha256": hashes}


def main(params: dict) -> None:
    data, download = params["data"], params["download"]
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        if data["source"] == "synthetic":
            write_station_csv(synthetic_weather(download["synthetic_days"], data["seed"]), tmp / "synthetic.csv")
            origin = {"location": "synthetic", "days": download["synthetic_days"]}
        else:
            location = download["url"] if data["source"] == "jena" else download["path"]
            if not location:
                raise DownloadError("download.path is empty; set it to a CSV file, a folder of CSVs or a URL "
                                    "(data.source=files).")
            origin = copy_source(location, download["sha256"], download["pattern"], tmp)
        files = sorted(p.name for p in tmp.iterdir())
    write_json("metrics/download.json", {"source": data["source"], **origin, "files": files})
    print(f"download: {len(files)} file(s) -> {OUTPUT}/: {', '.join(files[:5])}{' ...' if len(files) > 5 else ''}")


if __name__ == "__main__":
    run_stage("download", main, schema=FORECAST_SCHEMA)
