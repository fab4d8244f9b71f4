"""`rnnpipe export` of a pair model: the ONNX graph gives `rnnpipe predict`'s numbers, the lexical
member's mix included (its TF-IDF and overlap features computed in the graph), for labels, two
labels and relatedness scores; tree encoders are refused by name."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime
import pytest
import torch

from rnnpipe.core.onnx_export import ExportError
from rnnpipe.export import export_model
from rnnpipe.pairs.baselines import PairBaseline
from rnnpipe.pairs.classifier import TrainedPairModel
from rnnpipe.pairs.export import export_pair_model, graph_inputs
from rnnpipe.pairs.model import PairModel, PairModelConfig
from rnnpipe.pairs.parse import pair_columns
from rnnpipe.pairs.predictor import pair_rows, pairs_of_texts
from rnnpipe.pairs.readers import NLI_LABELS, read_nli_jsonl
from rnnpipe.pairs.synthetic import synthetic_pairs
from rnnpipe.text.vocabulary import build_vocabulary


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in synthetic_pairs(40, 5)), encoding="utf-8")
    return read_nli_jsonl(path, "train").pairs


def trained_model(pairs, target: str, labels: list[str], encoder="bilstm", weight=0.6):
    table = pair_columns(pairs, NLI_LABELS, True)
    vocabulary = build_vocabulary(table["premise"][:30] + table["hypothesis"][:30], 40)
    outputs = {"label": len(labels) if len(labels) > 2 else 1, "score": 5}[target]
    torch.manual_seed(0)
    config = PairModelConfig(
        len(vocabulary), 6, outputs, encoder, 5, 7, 0.0, False, False, "all", 0, 0
    )
    if target == "label":
        # two labels: entailment or not
        y = np.array([min(label, len(labels) - 1) for label in table["label"]])
    else:
        y = 1 + 4 * np.random.default_rng(0).random(len(pairs))
    lexical = PairBaseline("lexical", target, 1.0).fit(table["premise"], table["hypothesis"], y)
    return TrainedPairModel(
        PairModel(config).eval(), vocabulary, target, labels, [1.0, 5.0], True, lexical, weight
    )


def onnx_outputs(folder, inputs):
    session = onnxruntime.InferenceSession(
        str(folder / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {name: value.numpy() for name, value in inputs.items()})[0]


@pytest.mark.parametrize(
    "target, labels",
    [("label", NLI_LABELS), ("label", ["different", "same"]), ("score", [])],
)
def test_the_graph_gives_predicts_numbers_with_the_lexical_member_mixed_in(
    pairs, tmp_path, target, labels
):
    trained = trained_model(pairs, target, labels)
    result, examples = export_pair_model(trained, tmp_path)
    assert examples >= 4 and result["difference"] <= 1e-4
    spec = json.loads((tmp_path / "export.json").read_text())
    assert spec["inputs"][-2:] == ["premise_words", "hypothesis_words"]
    assert (tmp_path / "lexical_terms.txt").read_text().split("\n")[:-1] == (
        trained.lexical.words.terms
    )
    # pairs the export never saw: unknown words, negations, words shared across the pair
    unseen = pairs_of_texts(
        ["A man is not playing a zyx guitar", "Nobody rides", "The qqq dog runs"],
        ["A man plays a zyx guitar", "Nobody is riding a horse", "A dog is not qqq"],
    )
    for batch in (pairs[:17], unseen):
        rows = pair_rows(trained, batch)
        got = onnx_outputs(tmp_path, graph_inputs(trained, batch))
        if target == "score":
            expected = np.array([r["score"] for r in rows])
        else:
            expected = np.array([[r[f"p_{name}"] for name in labels] for r in rows])
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() < 1e-4


def test_the_lexical_member_alone_moves_the_output(pairs, tmp_path):
    # a check that the mix is really in the graph: weight 0 is the lexical member alone
    trained = trained_model(pairs, "label", NLI_LABELS, weight=0.0)
    export_pair_model(trained, tmp_path)
    batch = pairs[:10]
    table = pair_columns(batch, NLI_LABELS, True)
    lexical = trained.lexical.predict(table["premise"], table["hypothesis"])
    assert np.abs(onnx_outputs(tmp_path, graph_inputs(trained, batch)) - lexical).max() < 1e-5


def test_a_tree_encoder_is_refused_by_name(pairs, tmp_path):
    trained = trained_model(pairs, "label", NLI_LABELS, encoder="childsum")
    trained.save(tmp_path / "model")
    with pytest.raises(ExportError, match="encoder is 'childsum'; export covers the bilstm"):
        export_model(tmp_path / "model", tmp_path / "export")
    assert not (tmp_path / "export").exists()
