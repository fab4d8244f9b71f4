"""`rnnpipe export`: the ONNX file computes what PyTorch computes, on batches of varied length,
for a classifier (with its linear member, and an ensemble), a tagger with its character encoder
and a forecaster with its ridge member; the docs' onnxruntime-only snippet gives predict's
numbers; bad model folders are refused."""

import json
import re
import subprocess
import sys

import numpy as np
import onnxruntime
import pytest
import torch

from conftest import ROOT, classifier_config, forecaster_config, tagger_config
from rnnpipe.cli import main
from rnnpipe.core.labels import LabelMap
from rnnpipe.export import export_model
from rnnpipe.forecast.model import RNNForecaster, TrainedForecaster
from rnnpipe.tagging.characters import CharVocabulary
from rnnpipe.tagging.export import graph_inputs as tagger_inputs
from rnnpipe.tagging.model import RNNTagger
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.export import graph_inputs as classifier_inputs
from rnnpipe.text.linear import fit_linear
from rnnpipe.text.model import EnsembleClassifier, RNNClassifier
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import Vocabulary

WORDS = [
    "<pad>",
    "<unk>",
    *"the a plot acting film was good bad dull great not but very and".split(),
]
# Different lengths from the export's own examples, one past maxlen (12), an unknown word, a blank
# one.
TEXTS = [
    "good",
    "the plot was dull , but the acting was great",
    "zzz very bad film",
    "",
    " ".join(["great acting and a good plot"] * 4),
]
TOLERANCE = 1e-5  # float32 through two runtimes


def run_session(folder, inputs):
    session = onnxruntime.InferenceSession(
        str(folder / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {name: value.numpy() for name, value in inputs.items()})[0]


@pytest.fixture(scope="module")
def classifier_with_linear(tmp_path_factory):
    torch.manual_seed(0)
    model = RNNClassifier(
        classifier_config(
            vocab_size=len(WORDS),
            embed_dim=6,
            num_classes=2,
            hidden=5,
            cell="gru",
            bidirectional=True,
            pooling="meanmax",
        )
    )
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(WORDS[2:], size=rng.integers(2, 9))) for _ in range(80)]
    labels = np.array([int("good" in t or "great" in t) for t in texts])
    linear, _ = fit_linear(
        Tokenizer(), texts[:60], labels[:60], texts[60:], labels[60:], 2, kind="nb"
    )
    trained = TrainedClassifier(
        model.eval(),
        Tokenizer(),
        Vocabulary(WORDS),
        LabelMap(["neg", "pos"]),
        12,
        "pre",
        linear,
        0.4,
    )
    folder = tmp_path_factory.mktemp("classifier") / "model"
    trained.save(folder)
    return folder


def test_a_classifier_with_its_linear_member_matches_pytorch(classifier_with_linear, tmp_path):
    trained = TrainedClassifier.load(classifier_with_linear)
    result = export_model(classifier_with_linear, tmp_path / "export")
    assert result["inputs"] == ["ids", "lengths", "ngrams"] and result["difference"] <= TOLERANCE
    texts = [t for t in TEXTS if t]
    inputs = classifier_inputs(trained, texts)
    assert (
        inputs["ids"].shape[1] == 12 and len(set(inputs["lengths"].tolist())) == 4
    )  # varied, one truncated
    got = run_session(tmp_path / "export", inputs)
    np.testing.assert_allclose(got, trained.predict_proba(texts), atol=TOLERANCE)
    spec = json.loads((tmp_path / "export/export.json").read_text())
    assert spec["labels"] == ["neg", "pos"] and spec["ngrams"] == "linear_ngrams.txt"


def test_the_docs_snippet_runs_with_onnxruntime_alone_and_gives_predicts_numbers(
    classifier_with_linear, tmp_path
):
    readme = (ROOT / "docs" / "predict-export.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- onnx snippet -->\n```python\n(.*?)```", readme, re.S).group(1)
    export_model(classifier_with_linear, tmp_path / "export")
    snippet = snippet.replace(
        'print(classify(["a dull plot , but great acting .", "the acting was not good ."]))',
        f"import json as _j\nprint(_j.dumps([p.tolist() for _, p in classify({TEXTS!r})]))",
    )
    # A bare interpreter: no rnnpipe and no torch on the path, only onnxruntime and numpy.
    script = "import sys\nsys.modules['torch'] = None\nsys.modules['rnnpipe'] = None\n" + snippet
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    got = np.array(json.loads(result.stdout))
    trained = TrainedClassifier.load(classifier_with_linear)
    filled = [t for t in TEXTS if t]
    np.testing.assert_allclose(
        got[[i for i, t in enumerate(TEXTS) if t]], trained.predict_proba(filled), atol=TOLERANCE
    )


def test_an_ensemble_of_three_classes_matches_pytorch(tmp_path):
    torch.manual_seed(1)
    members = [
        RNNClassifier(
            classifier_config(
                vocab_size=len(WORDS),
                embed_dim=6,
                num_classes=3,
                hidden=4,
                cell=cell,
                pooling=pooling,
            )
        )
        for cell, pooling in (("lstm", "last"), ("rnn", "max"))
    ]
    trained = TrainedClassifier(
        EnsembleClassifier(members).eval(),
        Tokenizer(),
        Vocabulary(WORDS),
        LabelMap([-1, 0, 1]),
        12,
        "post",
    )
    trained.save(tmp_path / "model")
    assert (
        main(["export", "--model", str(tmp_path / "model"), "--out", str(tmp_path / "export")]) == 0
    )
    texts = [t for t in TEXTS if t]
    got = run_session(tmp_path / "export", classifier_inputs(trained, texts))
    np.testing.assert_allclose(got, trained.predict_proba(texts), atol=TOLERANCE)


def test_a_tagger_with_its_character_encoder_matches_pytorch(tmp_path):
    torch.manual_seed(2)
    characters = CharVocabulary.from_words(WORDS[2:])
    config = tagger_config(
        vocab_size=len(WORDS),
        embed_dim=6,
        num_tags=3,
        char_vocab=len(characters),
        char_dim=4,
        char_hidden=3,
        hidden=5,
        bidirectional=True,
    )
    trained = TrainedTagger(
        RNNTagger(config).eval(),
        True,
        Vocabulary(WORDS),
        characters,
        LabelMap(["DET", "NOUN", "VERB"]),
        12,
    )
    trained.save(tmp_path / "model")
    result = export_model(tmp_path / "model", tmp_path / "export")
    assert result["inputs"] == ["ids", "lengths", "chars", "char_lengths", "word_index"]
    sentences = [t.split() for t in TEXTS if t and len(t.split()) <= 12] + [
        ["The", "Plot", "WAS", "xylophonic"]
    ]
    inputs = tagger_inputs(trained, sentences, uses_chars=True)
    got = run_session(tmp_path / "export", inputs)
    for row, (sentence, expected) in enumerate(zip(sentences, trained.predict_proba(sentences))):
        np.testing.assert_allclose(got[row, : len(sentence)], expected, atol=TOLERANCE)


def test_a_forecaster_with_its_ridge_member_matches_pytorch(tmp_path):
    torch.manual_seed(3)
    model = RNNForecaster(forecaster_config(features=3, hidden=4))
    model.attach_linear(
        np.linspace(-0.1, 0.1, 6 * 3), 0.05, 0.3
    )  # lookback 12, step 2: 6 steps x 3 features
    preparation = {
        "frequency": "0 days 01:00:00",
        "mean": {"a": 1.0, "b": 10.0, "c": -2.0},
        "std": {"a": 2.0, "b": 5.0, "c": 0.5},
        "settings": {},
        "missing_features": "impute",
    }
    trained = TrainedForecaster(
        model.eval(), ["a", "b", "c"], "b", 12, 2, 24, 10.0, 5.0, True, preparation
    )
    trained.save(tmp_path / "model")
    result = export_model(tmp_path / "model", tmp_path / "export")
    spec = json.loads((tmp_path / "export/export.json").read_text())
    assert (
        result["inputs"] == ["windows", "naive"]
        and spec["steps"] == 6
        and spec["naive_rows_back"] == 0
    )
    rng = np.random.default_rng(4)
    raw = (rng.normal(size=(7, 6, 3)) * [2.0, 5.0, 0.5] + [1.0, 10.0, -2.0]).astype(np.float32)
    raw[2, 3, 0] = np.nan  # a missing reading: its training mean
    naive = raw[:, -1, 1].copy()  # naive_rows_back 0: the target in the window's last row
    got = run_session(
        tmp_path / "export", {"windows": torch.from_numpy(raw), "naive": torch.from_numpy(naive)}
    )
    standard = np.nan_to_num((raw - [1.0, 10.0, -2.0]) / [2.0, 5.0, 0.5], nan=0.0).astype(
        np.float32
    )
    with torch.no_grad():
        output = model(torch.from_numpy(standard)).numpy()
    np.testing.assert_allclose(got, (output + (naive - 10.0) / 5.0) * 5.0 + 10.0, atol=1e-4)


def test_bad_model_folders_are_refused_and_nothing_is_written(
    classifier_with_linear, tmp_path, capsys
):
    assert (
        main(["export", "--model", str(tmp_path / "missing"), "--out", str(tmp_path / "export")])
        == 1
    )
    assert "no trained model here" in capsys.readouterr().err
    tampered = tmp_path / "tampered"
    import shutil

    shutil.copytree(classifier_with_linear, tampered)
    meta = json.loads((tampered / "model.json").read_text())
    meta["maxlen"] = 500
    (tampered / "model.json").write_text(json.dumps(meta))
    assert main(["export", "--model", str(tampered), "--out", str(tmp_path / "export")]) == 1
    assert "edited since the model was saved" in capsys.readouterr().err
    assert not (tmp_path / "export").exists()


def test_export_never_deletes_what_it_did_not_write(classifier_with_linear, tmp_path, capsys):
    def export(out, *force):
        code = main(["export", "--model", str(classifier_with_linear), "--out", str(out), *force])
        return code, capsys.readouterr().err

    model_files = {p.name: p.read_bytes() for p in classifier_with_linear.iterdir()}
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("chapter one")
    code, err = export(thesis, "--force")
    assert code == 1 and "holds other files (thesis.tex)" in err
    assert (thesis / "thesis.tex").read_text() == "chapter one"
    for out in (classifier_with_linear, classifier_with_linear / "onnx"):
        code, err = export(out, "--force")
        assert code == 1 and "is a model folder" in err and str(classifier_with_linear) in err
    assert {p.name: p.read_bytes() for p in classifier_with_linear.iterdir()} == model_files
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    code, err = export(a_file)
    assert code == 1 and "is a file, not a folder" in err and a_file.read_text() == "keep"
    (tmp_path / "empty").mkdir()
    assert export(tmp_path / "empty")[0] == 0
    code, err = export(tmp_path / "empty")
    assert code == 1 and "holds a previous export; add --force" in err
    before = (tmp_path / "empty" / "export.json").stat().st_mtime_ns
    assert export(tmp_path / "empty", "--force")[0] == 0
    assert (tmp_path / "empty" / "export.json").stat().st_mtime_ns >= before
