"""Where the forecasting pipeline's raw files come from: local paths from the repository root,
folders filtered by pattern, zips unpacked by base name, hashes checked and recorded."""

import hashlib
import zipfile

import pytest

from rnnpipe.core.errors import DownloadError
from rnnpipe.forecast.sources import copy_source, from_root, unpack_csvs


def test_relative_paths_start_at_the_root_and_urls_stay_as_they_are(tmp_path):
    assert from_root("data/station.csv", tmp_path) == str(tmp_path / "data/station.csv")
    for location in (
        "/abs/station.csv",
        "file:///abs/station.csv",
        "https://example.org/a.csv",
        "",
    ):
        assert from_root(location, tmp_path) == location


def test_a_folder_is_filtered_by_pattern_and_every_file_hash_is_recorded(tmp_path):
    source, target = tmp_path / "station", tmp_path / "raw"
    source.mkdir()
    target.mkdir()
    (source / "dongsi_2013.csv").write_text("a\n1\n")
    (source / "dongsi_2014.csv").write_text("a\n2\n")
    (source / "other_2013.csv").write_text("a\n3\n")
    origin = copy_source("station", "auto", "dongsi_*.csv", target, tmp_path, "download.path")
    assert sorted(p.name for p in target.iterdir()) == ["dongsi_2013.csv", "dongsi_2014.csv"]
    assert origin["sha256"]["dongsi_2014.csv"] == hashlib.sha256(b"a\n2\n").hexdigest()
    with pytest.raises(DownloadError, match="no files match download.pattern 'x_\\*.csv'"):
        copy_source("station", "auto", "x_*.csv", target, tmp_path, "download.path")


def test_zips_give_their_csv_members_by_base_name_only(tmp_path):
    archive = tmp_path / "jena.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../escape/jena.csv", "a\n1\n")
        bundle.writestr("__MACOSX/._jena.csv", "junk")
        bundle.writestr("notes.txt", "not a csv")
    folder = tmp_path / "raw"
    folder.mkdir()
    assert unpack_csvs(archive, folder) == ["jena.csv"]
    assert [p.name for p in folder.iterdir()] == ["jena.csv"] and not (tmp_path / "escape").exists()
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(DownloadError, match="not a valid zip file"):
        unpack_csvs(tmp_path / "bad.zip", folder)


def test_an_empty_location_names_its_param(tmp_path):
    with pytest.raises(DownloadError, match=r"download\.path is empty"):
        copy_source("", "auto", "*.csv", tmp_path, tmp_path, "download.path")
