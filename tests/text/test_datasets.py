import io
import tarfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_IMDB
from rnnpipe.core.errors import DataError, DownloadError
from rnnpipe.text.datasets import assign_splits, normalise_labels, read_imdb_tarball
from rnnpipe.text.layouts import read_labeled, read_table


def write_tar(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def tiny_imdb_members(per_folder: int = 3) -> dict[str, bytes]:
    members = {"aclImdb/README": b"readme", "aclImdb/train/unsup/0_0.txt": b"unlabeled"}
    for split in ("train", "test"):
        for label, rating in (("pos", 9), ("neg", 2)):
            for i in range(per_folder):
                members[f"aclImdb/{split}/{label}/{i}_{rating}.txt"] = (
                    f"{label} review {i}<br />".encode()
                )
    return members


def test_imdb_tarball_layout_is_read_without_extracting(tmp_path):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    write_tar(archive, tiny_imdb_members())
    frame = read_imdb_tarball(archive)
    assert len(frame) == 13
    assert frame.dropna().groupby(["split", "label"]).size().tolist() == [3, 3, 3, 3]
    assert (frame["split"] == "unsup").sum() == 1
    assert list(tmp_path.iterdir()) == [archive]  # nothing extracted


def test_imdb_member_escaping_the_target_is_refused(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    write_tar(archive, {**tiny_imdb_members(), "../../etc/evil.txt": b"x"})
    with pytest.raises(DownloadError, match=r"unsafe member path '\.\./\.\./etc/evil\.txt'"):
        read_imdb_tarball(archive)


def test_imdb_missing_folder_is_named(tmp_path):
    archive = tmp_path / "partial.tar.gz"
    write_tar(archive, {k: v for k, v in tiny_imdb_members().items() if "/test/neg/" not in k})
    with pytest.raises(DownloadError, match="aclImdb/test/neg/"):
        read_imdb_tarball(archive)


def test_truncated_archive_is_reported(tmp_path):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    write_tar(archive, tiny_imdb_members(50))
    archive.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(DownloadError, match="truncated or corrupt"):
        read_imdb_tarball(archive)


@pytest.mark.slow
@pytest.mark.skipif(
    not SHARED_IMDB.exists(), reason=f"real IMDB tarball not found at {SHARED_IMDB}"
)
def test_real_imdb_tarball_has_the_official_counts():
    frame = read_imdb_tarball(SHARED_IMDB)
    counts = frame.groupby(["split", "label"]).size()
    assert counts[("train", "pos")] == counts[("train", "neg")] == 12_500
    assert counts[("test", "pos")] == counts[("test", "neg")] == 12_500
    assert frame["text"].str.len().min() > 0


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".tsv"])
def test_tables_in_every_format_with_integer_labels(tmp_path, suffix):
    frame = pd.DataFrame({"review": ["good", "bad", "meh"] * 4, "stars": [1, -1, 0] * 4})
    path = tmp_path / f"data{suffix}"
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".tsv": lambda: frame.to_csv(path, sep="\t", index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
        ".parquet": lambda: frame.to_parquet(path),
    }[suffix]()
    table = read_table(path, "review", "stars", "split")
    assert table["text"].tolist() == frame["review"].tolist()
    assert sorted(set(table["label"])) == [-1, 0, 1]
    assert table["split"].isna().all()


def test_missing_column_lists_the_columns_found(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"body": ["a"], "label": [1], "stars": [5]}).to_csv(path, index=False)
    with pytest.raises(
        DataError, match=r"no text column 'text'; columns found: body, label, stars"
    ):
        read_table(path, "text", "label", "split")


def test_two_other_columns_read_as_text_and_label_and_said_so(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame(
        {"sentiment": ["pos", "neg"], "body": ["a long enough review", "another review"]}
    ).to_csv(path, index=False)
    notes = []
    table = read_table(path, "text", "label", "split", notes=notes)
    assert table["text"].tolist() == ["a long enough review", "another review"]
    assert table["label"].tolist() == ["pos", "neg"]
    assert "reading 'body' as the text and 'sentiment' as the label" in notes[0]


def test_folder_tree_of_text_files(tmp_path):
    for split in ("train", "test"):
        for label in ("happy", "sad"):
            (tmp_path / split / label).mkdir(parents=True)
            for i in range(2):
                (tmp_path / split / label / f"{i}.txt").write_text(f"{label} {i}")
    table = read_labeled(tmp_path, "text", "label", "split")
    assert (
        len(table) == 8
        and set(table["split"]) == {"train", "test"}
        and set(table["label"]) == {"happy", "sad"}
    )


def test_split_assignment_is_seeded_stratified_and_complete():
    frame = pd.DataFrame(
        {"text": [f"t{i}" for i in range(200)], "label": ["a"] * 150 + ["b"] * 50, "split": None}
    )
    first = assign_splits(frame, test_fraction=0.2, val_fraction=0.25, seed=3)
    again = assign_splits(frame, test_fraction=0.2, val_fraction=0.25, seed=3)
    assert first["split"].tolist() == again["split"].tolist()
    counts = first.groupby(["split", "label"]).size()
    assert counts[("test", "a")] == 30 and counts[("test", "b")] == 10
    assert counts[("validation", "a")] == 30 and counts[("validation", "b")] == 10
    other = assign_splits(frame, test_fraction=0.2, val_fraction=0.25, seed=4)
    assert other["split"].tolist() != first["split"].tolist()


def test_given_splits_are_kept_and_validation_comes_from_train_only():
    frame = pd.DataFrame(
        {"text": list("abcdefghij"), "label": [0, 1] * 5, "split": ["train"] * 8 + ["test"] * 2}
    )
    out = assign_splits(frame, 0.2, 0.25, seed=0)
    assert out["split"].tolist()[8:] == ["test", "test"]
    assert (out["split"][:8] == "validation").sum() == 2


def test_imdb_unlabeled_reviews_are_kept_as_unsup_without_label(tmp_path):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    write_tar(archive, tiny_imdb_members())
    frame = read_imdb_tarball(archive)
    unsup = frame[frame["split"] == "unsup"]
    assert unsup["text"].tolist() == ["unlabeled"] and unsup["label"].isna().all()


def test_table_rows_marked_unsup_may_lack_labels_but_others_may_not(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame(
        {"text": ["a", "b", "c"], "label": [1, None, 0], "split": ["train", "unsup", "test"]}
    ).to_csv(path, index=False)
    table = normalise_labels(read_table(path, "text", "label", "split"))
    assert table["label"].tolist()[0] == 1 and pd.isna(table["label"].tolist()[1])
    assert str(table["label"].dtype) == "Int64"
    pd.DataFrame({"text": ["a", "b"], "label": [1, None], "split": ["train", "test"]}).to_csv(
        path, index=False
    )
    with pytest.raises(DataError, match="1 rows have no label in 'label'"):
        read_table(path, "text", "label", "split")


def test_synthetic_default_is_seeded_balanced_and_free_of_repeats():
    from rnnpipe.text.synthetic import synthetic_reviews

    first, again = synthetic_reviews(2000, 1000, seed=5), synthetic_reviews(2000, 1000, seed=5)
    assert first.equals(again)
    assert first["text"].is_unique
    assert 0.45 < (first["label"] == "pos").mean() < 0.55
    assert (first["split"] == "test").sum() == 1000


def test_quality_warnings_name_each_nonzero_count_and_what_was_done():
    from rnnpipe.text.datasets import quality_warnings

    quality = {
        "blank_texts": 2,
        "undecodable_rows": 0,
        "duplicate_rows": 1,
        "conflicting_texts": 0,
        "cross_split_texts": 3,
    }
    lines = quality_warnings(quality, "keep", "latin-1")
    assert lines == [
        "2 empty or whitespace-only texts (kept; download.blank_texts)",
        "1 duplicate (text, label) rows (kept; download.deduplicate=true drops the repeats)",
        "3 texts that appear in more than one of train / validation / test (a leak; "
        "download.deduplicate=true drops them from train and validation)",
    ]
    assert (
        "not valid cp1252"
        in quality_warnings({**quality, "undecodable_rows": 4}, "drop", "cp1252")[1]
    )


def test_texts_and_padded_rows_that_disagree_are_refused_by_split():
    from rnnpipe.core.labels import LabelMap
    from rnnpipe.text.datasets import aligned_label_ids

    rows = {"test": (["a", "b"], ["pos", "neg"])}
    labels = LabelMap(["neg", "pos"])
    assert aligned_label_ids(rows, labels, {"test": np.array([1, 0])}, "d.parquet")[
        "test"
    ].tolist() == [1, 0]
    for padded in (np.array([0, 1]), np.array([1, 0, 0])):
        with pytest.raises(
            DataError, match=r"d.parquet and data/padded.parquet disagree on the test rows"
        ):
            aligned_label_ids(rows, labels, {"test": padded}, "d.parquet")


def test_tables_in_an_archive_are_never_read_as_one_file_per_label(tmp_path):
    archive = tmp_path / "bomb.tar.gz"
    write_tar(
        archive,
        {"data.csv": b"text,label\ngood,1\nbad,0\n", "zeros.csv": b"0" * 100_000},
    )
    with pytest.raises(DataError, match=r"among them the table\(s\) data.csv, zeros.csv"):
        read_labeled(archive, "text", "label", "split")


def test_an_archive_past_free_disk_or_a_member_past_memory_is_refused_by_name(
    tmp_path, monkeypatch
):
    import shutil

    from rnnpipe.core import archives

    archive = tmp_path / "big.tar.gz"
    write_tar(archive, {"train.csv": b"text,label\n" + b"good film,1\n" * 500})
    monkeypatch.setattr(archives, "machine_memory", lambda: 4000)
    with pytest.raises(DataError, match=r"member 'train.csv' inflates to 5.9 KiB, more than a"):
        read_labeled(archive, "text", "label", "split")
    monkeypatch.undo()
    monkeypatch.setattr(
        archives.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9, 100)
    )
    with pytest.raises(DataError, match=r"big.tar.gz: inflates to 5.9 KiB, more than the 100 B"):
        read_labeled(archive, "text", "label", "split")


def test_a_text_past_max_text_chars_is_cut_named_and_read_no_further(tmp_path):
    from rnnpipe.text.datasets import cut_long_texts

    members = tiny_imdb_members()
    members["aclImdb/train/pos/7_9.txt"] = b"long " * 2000  # 10,000 characters
    archive = tmp_path / "aclImdb_v1.tar.gz"
    write_tar(archive, members)
    notes = []
    frame = read_imdb_tarball(archive, max_chars=1000, notes=notes)
    assert frame["text"].str.len().max() == 1000
    assert notes and "1 text(s) longer than download.max_text_chars (1,000" in notes[0]
    assert "aclImdb/train/pos/7_9.txt" in notes[0]
    for label in ("pos", "neg"):
        (tmp_path / "folders" / label).mkdir(parents=True)
        (tmp_path / "folders" / label / "1.txt").write_text("fine")
    (tmp_path / "folders" / "pos" / "2.txt").write_text("x" * 5000)
    notes = []
    frame = read_labeled(tmp_path / "folders", "text", "label", "split", notes=notes, max_chars=100)
    assert frame["text"].str.len().max() == 100 and "pos/2.txt" in notes[-1]
    table = pd.DataFrame({"text": ["short", "y" * 300], "label": [0, 1], "split": ["train", None]})
    cut, names = cut_long_texts(table, 100)
    assert cut["text"].str.len().tolist() == [5, 100] and names == ["row 2 of 2 (300 characters)"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_utf16_table_is_named_with_the_encoding_to_set(tmp_path, encoding):
    path = tmp_path / "reviews.csv"
    path.write_bytes("text,label\ngood film,1\nbad film,0\n".encode(encoding))
    shown = "UTF-16-LE" if encoding == "utf-16-le" else encoding.upper()
    with pytest.raises(DataError, match=rf"reviews.csv: the file is {shown} text .* set "):
        read_labeled(path, "text", "label", "split")
    table = read_labeled(path, "text", "label", "split", encoding=encoding)
    assert table["label"].tolist() == [1, 0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=120),
    st.sampled_from([0.05, 0.1, 0.2, 0.5, 0.9]),
    st.integers(0, 2**31 - 1),
)
def test_the_stratified_split_is_scikit_learns(labels, fraction, seed):
    """stratified_split marks exactly the rows train_test_split puts in its test part (stratified
    when every class has 2 rows and the test part can hold one of each, else shuffled), or
    refuses what train_test_split refuses."""
    from collections import Counter

    from sklearn.model_selection import train_test_split

    from rnnpipe.text.datasets import stratified_split

    labels = np.asarray(labels)
    counts = Counter(labels.tolist())
    stratify = min(counts.values()) >= 2 and round(fraction * len(labels)) >= len(counts)
    try:
        _, picked = train_test_split(
            np.arange(len(labels)),
            test_size=fraction,
            random_state=seed,
            stratify=labels if stratify else None,
        )
    except ValueError:
        with pytest.raises(DataError, match="cannot be split with a fraction"):
            stratified_split(labels, fraction, seed)
        return
    expected = np.zeros(len(labels), dtype=bool)
    expected[picked] = True
    np.testing.assert_array_equal(stratified_split(labels, fraction, seed), expected)


def _lines(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{row}\n" for row in rows), encoding="utf-8")


def test_split_words_anywhere_in_a_file_name_make_split_files(tmp_path):
    # TREC ships TREC.train.all / TREC.test.all; SST-2's stsa.binary.train / .dev / .test: the
    # split word sits after the first dot, and was once read as "one file per label".
    _lines(tmp_path / "trec/TREC.train.all", ["DESC:manner How did it go ?", "NUM:date When ?"])
    _lines(tmp_path / "trec/TREC.test.all", ["LOC:city Where is it ?"])
    notes = []
    trec = read_labeled(tmp_path / "trec", "text", "label", "split", notes=notes)
    assert sorted(trec["split"]) == ["test", "train", "train"]
    assert set(trec["label"]) == {"DESC:manner", "NUM:date", "LOC:city"}
    assert any("TREC.train.all (train)" in note for note in notes)
    for split in ("train", "dev", "test"):
        _lines(tmp_path / f"sst/stsa.binary.{split}", [f"1 a good {split} film", "0 a dull one"])
    sst = read_labeled(tmp_path / "sst", "text", "label", "split")
    assert sorted(sst["split"].unique()) == ["test", "train", "validation"]
    assert set(sst["label"]) == {"0", "1"}


def test_files_whose_names_would_turn_splits_into_labels_are_refused(tmp_path):
    _lines(tmp_path / "d/data.dev", ["1 a", "0 b"])
    _lines(tmp_path / "d/data.test", ["1 c", "0 d"])
    with pytest.raises(DataError, match=r"data.dev, data.test would be read as one file per label"):
        read_labeled(tmp_path / "d", "text", "label", "split")


def test_a_readme_of_any_name_beside_the_one_data_folder_is_not_data(tmp_path):
    # Pang & Lee's polarity 2.0 archive: poldata.README.2.0 next to txt_sentoken/{pos,neg}/
    for label in ("pos", "neg"):
        for i in range(3):
            _lines(tmp_path / f"tree/txt_sentoken/{label}/cv00{i}.txt", [f"{label} review {i}"])
    _lines(tmp_path / "tree/poldata.README.2.0", ["About this data"])
    _lines(tmp_path / "tree/LICENSE-data.txt", ["CC BY"])
    archive = tmp_path / "review_polarity.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        for entry in sorted((tmp_path / "tree").iterdir()):
            bundle.add(entry, arcname=entry.name)
    notes = []
    data = read_labeled(archive, "text", "label", "split", notes=notes)
    assert sorted(data["label"].value_counts().items()) == [("neg", 3), ("pos", 3)]
    assert any("holds only the folder txt_sentoken/" in note for note in notes)
