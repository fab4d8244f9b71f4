"""Every layout a user's labeled texts arrive in, through the real download stage on generated
files (text.layouts): what lands in data/dataset.parquet, and what the stage says it guessed."""

import json
import shutil
import tarfile
import zipfile

import pandas as pd
import pytest

from conftest import edit_params, make_pipeline_copy, run_script

pytestmark = pytest.mark.slow

POSITIVE = [f"a fine and lovely film number {i}" for i in range(12)]
NEGATIVE = [f"a dull and awful film number {i}" for i in range(12)]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_pipeline_copy(tmp_path_factory.mktemp("formats") / "project")


@pytest.fixture
def project(base, tmp_path):
    wd = tmp_path / "project"
    shutil.copytree(base, wd, symlinks=True)
    return wd


def download(wd, path, **settings):
    """Run the download stage on `path`; (stdout, dataset, report)."""
    edit_params(wd, {"data": {"source": "table"}, "download": {"path": str(path), **settings}})
    result = run_script("stages/text/download.py", wd)
    assert result.returncode == 0, result.stdout + result.stderr
    return (
        result.stdout,
        pd.read_parquet(wd / "data/dataset.parquet"),
        json.loads((wd / "data/report.json").read_text()),
    )


def write(path, text, crlf=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode())
    return path


def test_one_file_per_label_with_crlf_lines(project, tmp_path):
    write(tmp_path / "mr/rt-polarity.pos", "\n".join(POSITIVE) + "\n\n", crlf=True)
    write(tmp_path / "mr/rt-polarity.neg", "\n".join(NEGATIVE) + "\n", crlf=True)
    out, data, _ = download(project, tmp_path / "mr")
    assert "rt-polarity.pos -> pos" in out
    assert sorted(data["label"].unique()) == ["neg", "pos"] and len(data) == 24
    assert not data["text"].str.contains("\r").any()
    assert set(data.loc[data["label"] == "pos", "text"]) == set(POSITIVE)


@pytest.mark.parametrize("layout", ["tab", "space", "fasttext", "text_tab_label"])
def test_label_and_text_lines(project, tmp_path, layout):
    pairs = [("pos", t) for t in POSITIVE] + [("neg", t) for t in NEGATIVE]
    line = {
        "tab": lambda label, t: f"{label}\t{t}",
        "space": lambda label, t: f"{label} {t}",
        "fasttext": lambda label, t: f"__label__{label} {t}",
        "text_tab_label": lambda label, t: f"{t}\t{label}",
    }[layout]
    path = write(
        tmp_path / "reviews.txt", "\n".join(line(label, t) for label, t in pairs) + "\n", crlf=True
    )
    out, data, report = download(project, path)
    assert sorted(zip(data["label"], data["text"])) == sorted(pairs)
    assert report["rows"]["test"] == 5  # 20% carved out, stratified
    assert {
        "tab": "label<TAB>text",
        "space": "label text",
        "fasttext": "fastText",
        "text_tab_label": "text<TAB>label",
    }[layout] in out


def test_split_files_with_different_headers_crlf_and_dev_as_validation(project, tmp_path):
    folder = tmp_path / "sst2"
    write(
        folder / "train.tsv",
        "sentence\tlabel\n"
        + "\n".join(f"{t}\t1" for t in POSITIVE[:8])
        + "\n"
        + "\n".join(f"{t}\t0" for t in NEGATIVE[:8])
        + "\n",
    )
    write(
        folder / "sst2_dev.csv",
        "review,sentiment\n"
        + "\n".join(f"{t},1" for t in POSITIVE[8:10])
        + "\n"
        + "\n".join(f"{t},0" for t in NEGATIVE[8:10])
        + "\n",
        crlf=True,
    )
    # No header at all: the first row is a text and a label.
    write(
        folder / "TEST.tsv",
        "\n".join(f"{t}\t1" for t in POSITIVE[10:])
        + "\n"
        + "\n".join(f"{t}\t0" for t in NEGATIVE[10:])
        + "\n",
    )
    write(folder / "README.md", "# not data\n")
    out, data, report = download(project, folder)
    assert report["rows"] == {"train": 16, "validation": 4, "test": 4}
    assert "sst2_dev.csv (validation)" in out and "no header row" in out
    assert set(data.loc[data["split"] == "test", "text"]) == set(POSITIVE[10:] + NEGATIVE[10:])
    assert sorted(data["label"].unique()) == [0, 1] and not data["text"].str.contains("\r").any()


@pytest.mark.parametrize("archive", ["tar.gz", "zip"])
def test_an_archive_whose_label_folders_sit_one_level_down(project, tmp_path, archive):
    tree = tmp_path / "tree"
    for split, texts in (("train", slice(0, 9)), ("test", slice(9, 12))):
        for label, source in (("pos", POSITIVE), ("neg", NEGATIVE)):
            for i, text in enumerate(source[texts]):
                write(tree / "movies" / split / label / f"{i}.txt", text)
    path = tmp_path / f"movies.{archive}"
    if archive == "zip":
        with zipfile.ZipFile(path, "w") as bundle:
            for file in sorted(tree.rglob("*.txt")):
                bundle.write(file, file.relative_to(tree).as_posix())
    else:
        with tarfile.open(path, "w:gz") as bundle:
            bundle.add(tree / "movies", arcname="movies")
    out, data, report = download(project, path)
    assert "holds only the folder movies/" in out
    assert (
        report["rows"]["test"] == 6 and report["rows"]["train"] + report["rows"]["validation"] == 18
    )
    assert set(data["text"]) == set(POSITIVE + NEGATIVE)


def test_label_folders_one_level_below_the_given_root(project, tmp_path):
    for label, texts in (("pos", POSITIVE), ("neg", NEGATIVE)):
        for i, text in enumerate(texts):
            write(tmp_path / "root/reviews" / label / f"{i}.txt", text)
    out, data, _ = download(project, tmp_path / "root")
    assert (
        "reading that" in out
        and len(data) == 24
        and sorted(data["label"].unique()) == ["neg", "pos"]
    )


def test_deduplicate_drops_repeats_and_texts_shared_with_test_and_counts_them(project, tmp_path):
    rows = (
        [(t, "pos", "train") for t in POSITIVE]
        + [(t, "neg", "train") for t in NEGATIVE]
        + [(POSITIVE[0], "pos", "train")] * 2  # two repeats within train
        + [
            (POSITIVE[1], "pos", "test"),
            ("a new text for test", "neg", "test"),
            ("another one", "pos", "test"),
        ]
        + [("valid text one", "pos", "validation"), ("valid text two", "neg", "validation")]
    )
    path = tmp_path / "t.csv"
    pd.DataFrame(rows, columns=["text", "label", "split"]).to_csv(path, index=False)
    out, data, report = download(project, path)
    assert "download.deduplicate=true" in out and report["quality"]["cross_split_texts"] == 1
    out, data, report = download(project, path, deduplicate=True)
    assert (
        report["quality"]["duplicate_texts_dropped"] == 2
        and report["quality"]["cross_split_texts_dropped"] == 1
    )
    assert report["quality"]["duplicate_rows"] == 0 and report["quality"]["cross_split_texts"] == 0
    assert POSITIVE[1] in set(
        data.loc[data["split"] == "test", "text"]
    )  # test keeps it; train lost it
    assert POSITIVE[1] not in set(data.loc[data["split"] != "test", "text"])


def test_a_line_file_without_labels_is_refused_by_name(project, tmp_path):
    path = write(
        tmp_path / "notes.txt", "\n".join(f"line{i} of plain text" for i in range(30)) + "\n"
    )
    edit_params(project, {"data": {"source": "table"}, "download": {"path": str(path)}})
    result = run_script("stages/text/download.py", project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "notes.txt: the first field of each line does not look like a label" in result.stderr
    assert "give the folder holding the files" in result.stderr
