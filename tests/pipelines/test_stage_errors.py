"""Bad input through the stage scripts: one clear message naming the file/param, exit 1, no
output."""

import gzip
import io
import json
import re
import shutil
import tarfile

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import built_once, classifier_config, edit_params, make_pipeline_copy, run, run_script

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A pipeline copy with every stage before `train` done."""

    def build(folder):
        run(["dvc", "repro", "embed", "pad"], make_pipeline_copy(folder))

    return built_once(tmp_path_factory, "errors", build)


@pytest.fixture
def project(prepared, tmp_path):
    """A fresh copy of `prepared` per test, so a test can break things freely."""
    wd = tmp_path / "project"
    shutil.copytree(prepared, wd, symlinks=True)
    return wd


def run_stage(wd, stage):
    return run_script(f"stages/text/{stage}.py", wd)


def assert_fails(result, *fragments):
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in message, message


def write_csv(path, frame):
    frame.to_csv(path, index=False)
    return path


def use_table(wd, path, **extra):
    edit_params(wd, {"data": {"source": "table"}, "download": {"path": str(path), **extra}})
    (wd / "data/dataset.parquet").unlink()


TABLES = {
    "missing_column": (
        pd.DataFrame({"body": ["a b"] * 4, "label": [0, 1] * 2, "stars": [1, 2] * 2}),
        ["no text column 'text'", "columns found: body, label, stars"],
    ),
    "single_class": (
        pd.DataFrame({"text": [f"t {i}" for i in range(20)], "label": ["pos"] * 20}),
        ["single class"],
    ),
    "all_blank": (
        pd.DataFrame({"text": ["", "  "] * 10, "label": [0, 1] * 10}),
        ["every one of the 20 labeled texts is blank", "download.blank_texts=keep"],
    ),
    "one_row": (
        pd.DataFrame({"text": ["a fine film"], "label": ["pos"]}),
        ["the data has 1 labeled row(s) (1 class(es))", "needs at least 4"],
    ),
    # Integer labels outside training: plain values, a dozen at most, and a count of the rest.
    "many_unknown_labels": (
        pd.DataFrame(
            {
                "text": [f"t {i}" for i in range(80)],
                "label": [0, 1] * 20 + list(range(100, 140)),
                "split": ["train"] * 40 + ["test"] * 40,
            }
        ),
        [
            "40 label(s) occur in the test split but never in training: 100, 101, 102",
            "111 ... and 28 more; known labels: 0, 1.",
        ],
    ),
}


@pytest.mark.parametrize("case", list(TABLES))
def test_bad_tables(project, tmp_path, case):
    frame, fragments = TABLES[case]
    use_table(project, write_csv(tmp_path / "t.csv", frame))
    result = run_stage(project, "download")
    if result.returncode == 0:  # the table itself reads; the problem shows when labels are encoded
        for name in ("tokens.parquet", "vocab.txt", "labels.json"):
            (project / "data" / name).unlink()
        result = run_stage(project, "tokenize_text")
        assert not (project / "data/tokens.parquet").exists()
    else:
        assert not (project / "data/dataset.parquet").exists()
    assert_fails(result, *fragments)
    assert "np.int64" not in result.stderr


def test_empty_table_file(project, tmp_path):
    (tmp_path / "empty.csv").write_text("")
    use_table(project, tmp_path / "empty.csv")
    assert_fails(run_stage(project, "download"), "empty.csv: the file is empty")
    assert not (project / "data/dataset.parquet").exists()


def test_label_only_in_test_is_refused_by_tokenize(project, tmp_path):
    frame = pd.DataFrame(
        {
            "text": [f"t {i}" for i in range(30)],
            "label": ["a", "b"] * 14 + ["c", "c"],
            "split": ["train"] * 28 + ["test"] * 2,
        }
    )
    use_table(project, write_csv(tmp_path / "t.csv", frame))
    assert run_stage(project, "download").returncode == 0
    (project / "data/tokens.parquet").unlink()
    assert_fails(
        run_stage(project, "tokenize_text"),
        "1 label(s) occur in the test split but never in training: c;",
    )
    assert not (project / "data/tokens.parquet").exists()


def test_blank_texts_undecodable_bytes_and_duplicates_are_reported(project, tmp_path):
    lines = (
        ["text,label"]
        + [f"review {i},{i % 2}" for i in range(40)]
        + ["   ,1", ",0", "review 1,1", "review 1,0"]
    )
    raw = ("\n".join(lines) + "\n").encode() + "caf\xe9 ok,1\n".encode("latin-1")
    (tmp_path / "t.csv").write_bytes(raw)
    use_table(project, tmp_path / "t.csv")
    result = run_stage(project, "download")
    assert result.returncode == 0, result.stderr
    for fragment in [
        "2 empty or whitespace-only texts (dropped",
        "1 texts with bytes that are not valid utf-8",
        "1 duplicate (text, label) rows",
        "1 texts that appear with different labels",
    ]:
        assert fragment in result.stdout
    quality = json.loads((project / "data/report.json").read_text())["quality"]
    assert quality["blank_texts"] == 2 and quality["undecodable_rows"] == 1
    edit_params(project, {"download": {"encoding": "latin-1", "blank_texts": "keep"}})
    result = run_stage(project, "download")
    assert "not valid latin-1" not in result.stdout and "(kept" in result.stdout
    assert "café ok" in set(pd.read_parquet(project / "data/dataset.parquet")["text"])


def tar_with(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    "case", ["traversal", "missing_folder", "truncated", "sha_mismatch", "unreachable", "absent"]
)
def test_bad_downloads(project, tmp_path, case):
    good = {
        f"aclImdb/{s}/{label}/{i}_7.txt": b"text"
        for s in ("train", "test")
        for label in ("pos", "neg")
        for i in range(3)
    }
    archive = tmp_path / "aclImdb_v1.tar.gz"
    url, sha, fragments = str(archive), "none", []
    if case == "traversal":
        tar_with(archive, {**good, "../outside.txt": b"x"})
        fragments = ["unsafe member path '../outside.txt'"]
    elif case == "missing_folder":
        tar_with(archive, {k: v for k, v in good.items() if "/test/pos/" not in k})
        fragments = ["aclImdb/test/pos/"]
    elif case == "truncated":
        tar_with(
            archive,
            {
                **good,
                **{
                    f"aclImdb/train/unsup/{i}_0.txt": bytes(
                        np.random.default_rng(i).integers(0, 255, 4000, dtype=np.uint8)
                    )
                    for i in range(20)
                },
            },
        )
        archive.write_bytes(archive.read_bytes()[:2000])
        fragments = ["truncated or corrupt"]
    elif case == "sha_mismatch":
        tar_with(archive, good)
        sha, fragments = "0" * 64, ["SHA-256 mismatch", "expected 000"]
    elif case == "unreachable":
        url, fragments = "http://127.0.0.1:9/aclImdb_v1.tar.gz", ["cannot be reached", "local path"]
    else:
        fragments = ["no such file"]
    edit_params(project, {"data": {"source": "imdb"}, "download": {"url": url, "sha256": sha}})
    (project / "data/dataset.parquet").unlink()
    assert_fails(run_stage(project, "download"), *fragments)
    assert not (project / "data/dataset.parquet").exists()
    assert not (tmp_path / "outside.txt").exists() and not (project / "outside.txt").exists()


@pytest.mark.parametrize("case", ["missing", "wrong_dim", "malformed", "zero_coverage", "empty"])
def test_bad_vectors(project, tmp_path, case):
    path = tmp_path / "vectors.txt.gz"
    lines = {
        "missing": None,
        "wrong_dim": "the 0.1 0.2 0.3\n",
        "malformed": "the 0.1 0.2\nplot 0.5\n",
        "zero_coverage": "zzqx 0.1 0.2\n",
        "empty": "",
    }[case]
    if lines is not None:
        with gzip.open(path, "wt") as handle:
            handle.write(lines)
    edit_params(project, {"embed": {"source": "glove", "path": str(path), "dim": 2}})
    (project / "data/embeddings.npy").unlink()
    fragments = {
        "missing": ["vectors.txt.gz: no such file"],
        "wrong_dim": ["3 dimensions but embed.dim is 2"],
        "malformed": ["line 2: malformed"],
        "zero_coverage": ["none of the", "vocabulary words has a vector"],
        "empty": ["vectors.txt.gz: holds no vectors (an empty file, or only a header)"],
    }
    assert_fails(run_stage(project, "embed"), *fragments[case])
    assert not (project / "data/embeddings.npy").exists()


@pytest.mark.parametrize(
    "section, key, value, fragments",
    [
        ("train", "lrr", 0.1, ["unknown key 'train.lrr'", "Did you mean 'lr'"]),
        ("pad", "maxlen", 0, ["'pad.maxlen' is 0, out of range"]),
        ("train", "cell", "lstmm", ["allowed: rnn, lstm, gru"]),
        ("train", "dropout", 1.5, ["'train.dropout' is 1.5"]),
        # NaN passes every range comparison, so it is refused by itself; so is infinity.
        ("train", "lr", float("nan"), ["'train.lr' is nan; it must be a finite number"]),
        ("train", "dropout", float("nan"), ["'train.dropout' is nan"]),
        ("data", "val_fraction", float("nan"), ["'data.val_fraction' is nan"]),
        (
            "train",
            "clip_norm",
            float("inf"),
            ["'train.clip_norm' is inf; it must be a finite number"],
        ),
        ("data", "seed", 4294967296, ["'data.seed' is 4294967296, out of range", "<= 4294967295"]),
        ("train", "seed", 2**40, ["'train.seed' is 1099511627776, out of range"]),
        ("pad", "maxlen", 1000000000, ["'pad.maxlen' is 1000000000, out of range", "<= 1000000"]),
        ("embed", "dim", 1000000000, ["'embed.dim' is 1000000000, out of range"]),
        ("train", "hidden", 10000000, ["'train.hidden' is 10000000, out of range", "<= 16384"]),
    ],
)
def test_bad_params_stop_every_stage_before_work(project, section, key, value, fragments):
    edit_params(project, {section: {key: value}})
    (project / "data/padded.parquet").unlink()
    assert_fails(run_stage(project, "pad"), "params.yaml", *fragments)
    assert not (project / "data/padded.parquet").exists()


def test_diverging_loss_names_epoch_step_and_remedies():
    from rnnpipe.core.errors import TrainingError
    from rnnpipe.text.model import RNNClassifier
    from rnnpipe.text.sequences import SequenceSet
    from rnnpipe.training.loop import TrainSettings, train_model

    model = RNNClassifier(classifier_config(vocab_size=10, embed_dim=4, num_classes=2, hidden=4))
    model.embedding.weight.data[3] = float("nan")  # what an exploding update leaves behind
    data = SequenceSet(
        torch.tensor([[2, 3, 0], [2, 2, 2]]), torch.tensor([2, 3]), torch.tensor([0, 1])
    )
    with pytest.raises(
        TrainingError,
        match=r"loss became nan at epoch 1, step 1\. Lower train\.lr.*train\.clip_norm",
    ):
        train_model(
            model,
            data,
            data,
            TrainSettings(batch_size=2, epochs=1),
            torch.device("cpu"),
            progress=False,
        )


def test_non_finite_embedding_matrix_is_refused(project):
    weights = np.load(project / "data/embeddings.npy")
    weights[5, 0] = np.nan
    np.save(project / "data/embeddings.npy", weights)
    assert_fails(run_stage(project, "train"), "data/embeddings.npy", "1 non-finite")
    assert not (project / "data/model").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_but_absent(project):
    edit_params(project, {"train": {"device": "cuda"}})
    assert_fails(run_stage(project, "train"), "no CUDA GPU is available", "train.device")
    assert not (project / "data/model").exists()


def test_embedding_matrix_that_does_not_fit_the_vocabulary(project):
    weights = np.load(project / "data/embeddings.npy")
    np.save(project / "data/embeddings.npy", weights[:-3])
    assert_fails(run_stage(project, "train"), "data/embeddings.npy has", "rerun `dvc repro embed`")


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("train: [\n", ["params.yaml: not valid YAML"]),
        (
            "data:\n  task: classify\ndata:\n  task: tag\n",
            ["params.yaml: not valid YAML", "duplicate key"],
        ),
        ("data: [classify, 0.2]\n", ["section 'data' must be a mapping"]),
        ("", ["params.yaml: expected a mapping of sections"]),
        ("- data\n", ["params.yaml: expected a mapping of sections", "got list"]),
    ],
)
def test_broken_params_files_get_a_message_not_a_traceback(project, text, fragments):
    (project / "params.yaml").write_text(text)
    assert_fails(run_stage(project, "pad"), *fragments)


def test_a_model_too_large_for_memory_is_refused_with_the_estimate(project):
    edit_params(project, {"train": {"hidden": 16384, "layers": 2, "bidirectional": True}})
    assert_fails(
        run_stage(project, "train"),
        "training a 2-layer lstm of 16,384 units would need at least",
        "GiB of memory",
        "Lower train.hidden or train.layers",
    )
    assert not (project / "data/model").exists()


def test_a_vocabulary_without_words_is_refused_and_a_tiny_one_warned_about(project):
    for name in ("tokens.parquet", "vocab.txt", "labels.json", "tokenizer.json"):
        (project / "data" / name).unlink()
    edit_params(project, {"tokenize": {"min_freq": 10**6}})
    assert_fails(
        run_stage(project, "tokenize_text"),
        "the vocabulary holds no word",
        "tokenize.min_freq=1000000",
        "Raise tokenize.num_words or lower tokenize.min_freq",
    )
    assert not (project / "data/tokens.parquet").exists()
    edit_params(project, {"tokenize": {"min_freq": 1, "num_words": 3}})
    result = run_stage(project, "tokenize_text")
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"WARNING: \d+\.\d% of the training tokens are <unk> with a vocabulary of 1 words",
        result.stdout,
    )


def test_one_batch_per_epoch_is_warned_about_and_chance_level_is_said(project):
    edit_params(project, {"train": {"batch_size": 100000, "epochs": 1, "ensemble_linear": False}})
    result = run_stage(project, "train")
    assert result.returncode == 0, result.stderr
    assert "train.batch_size (100,000) is at least the training split's" in result.stdout
    summary = json.loads((project / "metrics/train.json").read_text())
    assert 0 < summary["majority_accuracy"] < 1
    assert summary["at_chance"] == (summary["val_accuracy"] <= summary["majority_accuracy"])
    said = (
        result.stdout.strip()
        .splitlines()[-1]
        .startswith("train: WARNING: the model is at chance level")
    )
    assert said == summary["at_chance"]


def test_a_folder_tree_skips_what_is_not_a_file_inside_the_root(project, tmp_path):
    root = tmp_path / "reviews"
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            folder = root / split / label
            folder.mkdir(parents=True)
            for i in range(12):
                (folder / f"{i}.txt").write_text(f"{label} words number {i} here")
    (root / "train/pos/weird.txt").mkdir()  # a directory named *.txt
    (root / "train/pos/loopfile.txt").symlink_to("loopfile.txt")  # a symlink loop
    outside = tmp_path / "secret.txt"
    outside.write_text("not part of the data")
    (root / "train/neg/escape.txt").symlink_to(outside)  # a link out of the given folder
    use_table(project, root)
    result = run_stage(project, "download")
    assert result.returncode == 0, result.stderr
    assert (
        "WARNING: skipped 3 entries of the label folders that are not readable files inside"
        in result.stdout
    )
    for name in (
        "weird.txt (not a file)",
        "loopfile.txt (not a file)",
        "escape.txt (a link out of",
    ):
        assert name in result.stdout
    texts = pd.read_parquet(project / "data/dataset.parquet")["text"]
    assert len(texts) == 48 and not texts.str.contains("not part of the data").any()


def review_table(rows=60):
    return pd.DataFrame(
        {
            "review": [f"review {i} says {'good' if i % 2 else 'bad'} things" for i in range(rows)],
            "sentiment": ["pos", "neg"] * (rows // 2),
            "stars": list(range(rows)),
        }
    )


@pytest.mark.parametrize("case", ["text_is_label", "na_labels", "list_texts", "number_texts"])
def test_tables_that_would_train_on_the_wrong_thing_are_refused(project, tmp_path, case):
    frame, columns = review_table(), {"text_column": "review", "label_column": "sentiment"}
    path = tmp_path / "t.csv"
    if case == "text_is_label":
        columns["text_column"] = "sentiment"
        fragments = ["download.text_column and download.label_column both name 'sentiment'"]
    elif (
        case == "na_labels"
    ):  # "NaN" / "NA" are missing labels, not a third class; a text may say NA
        frame.loc[[3, 7], "sentiment"] = ["NaN", "NA"]
        frame.loc[5, "review"] = "NA"
        fragments = ["2 rows have no label in 'sentiment'"]
    elif case == "list_texts":
        frame["review"] = [[f"tok{i}", "b"] for i in range(len(frame))]
        path = tmp_path / "t.parquet"
        fragments = ["the text column 'review' holds ndarray values, not strings of text"]
    else:
        columns["text_column"] = "stars"
        fragments = ["the text column 'stars' holds only numbers as values"]
    frame.to_parquet(path) if path.suffix == ".parquet" else frame.to_csv(path, index=False)
    use_table(project, path, **columns)
    assert_fails(run_stage(project, "download"), *fragments)
    assert not (project / "data/dataset.parquet").exists()


def test_mixed_label_kinds_a_giveaway_text_and_a_tiny_test_split_are_warned_about(
    project, tmp_path
):
    frame = review_table()
    frame.loc[:9, "sentiment"] = ["1", "0"] * 5
    use_table(
        project,
        write_csv(tmp_path / "t.csv", frame),
        text_column="review",
        label_column="sentiment",
        test_fraction=0.05,
    )
    result = run_stage(project, "download")
    assert result.returncode == 0, result.stderr
    assert (
        "column 'sentiment' mixes numeric labels (1 x5, 0 x5) with words (pos x25, neg x25)"
        in result.stdout
    )
    assert "WARNING: the test split has only 3 row(s)" in result.stdout
    frame["review"] = frame["sentiment"].map(lambda label: f"always {label}")  # one text per class
    use_table(
        project,
        write_csv(tmp_path / "t.csv", frame),
        text_column="review",
        label_column="sentiment",
    )
    assert (
        "holds only 4 distinct text(s) for 4 classes: the text gives the label away"
        in run_stage(project, "download").stdout
    )
