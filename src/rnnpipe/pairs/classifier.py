"""A trained pair model on disk: weights, architecture, vocabulary (verified by hash), what its
outputs mean (label names, or the score range), and its lexical member (pairs.baselines) with the
weight train chose for it on validation (train.mix_lexical; 1 = the network alone)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from ..core.errors import ModelFileError
from ..core.hashing import sha256_of_file
from ..core.metrics import class_probabilities
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..text.vocabulary import Vocabulary, load_verified
from .baselines import PairBaseline
from .model import PairModel, PairModelConfig

FORMAT = "rnnpipe-pairs-1"
RECORDED = (
    "vocabulary_sha256",
    "target",
    "labels",
    "score_range",
    "lowercase",
    "network_weight",
    "lexical_sha256",
    "relations_sha256",
)
VOCAB = "vocab.txt"
RELATIONS = "relations.txt"
LEXICAL_TERMS, LEXICAL_ARRAYS = "lexical_terms.txt", "lexical.safetensors"


@dataclass
class TrainedPairModel:
    model: PairModel
    vocabulary: Vocabulary
    target: str  # label | score
    labels: list[str]  # label names by id (target label)
    score_range: list[float]  # [low, high] (target score)
    lowercase: bool
    lexical: PairBaseline | None = None  # the lexical member, None without train.mix_lexical
    network_weight: float = 1.0  # the network's share of the mix (the lexical member's: 1 - it)
    relations: Vocabulary | None = None  # relation labels, when the encoder reads them

    def outputs(self, logits: torch.Tensor) -> np.ndarray:
        """The network's probabilities [pairs, labels], or expected scores [pairs]."""
        if self.target == "label":
            return class_probabilities(logits.float()).numpy()
        p = torch.softmax(logits.float(), dim=-1).numpy()
        return p @ np.arange(p.shape[1]) + self.score_range[0]

    def mixed(self, network: np.ndarray, premises, hypotheses) -> np.ndarray:
        """The model's outputs: the network's (`outputs`) mixed with the lexical member's on the
        same pairs (token lists), by the weight chosen on validation."""
        if self.lexical is None or self.network_weight >= 1.0:
            return network
        lexical = self.lexical.predict(premises, hypotheses)
        return self.network_weight * network + (1 - self.network_weight) * lexical

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.vocabulary.save(folder / VOCAB)
        lexical_sha256 = None
        if self.lexical is not None:
            arrays = self.lexical.arrays()
            terms = arrays.pop("terms")
            (folder / LEXICAL_TERMS).write_text("".join(f"{t}\n" for t in terms), encoding="utf-8")
            save_file(
                {k: np.ascontiguousarray(v) for k, v in arrays.items()}, folder / LEXICAL_ARRAYS
            )
            lexical_sha256 = [sha256_of_file(folder / n) for n in (LEXICAL_TERMS, LEXICAL_ARRAYS)]
        relations_sha256 = None
        if self.relations is not None:
            self.relations.save(folder / RELATIONS)
            relations_sha256 = self.relations.sha256()
        meta = {
            "model": self.model.config.to_dict(),
            "vocabulary_sha256": self.vocabulary.sha256(),
            "target": self.target,
            "labels": self.labels,
            "score_range": self.score_range,
            "lowercase": self.lowercase,
            "network_weight": self.network_weight,
            "lexical_sha256": lexical_sha256,
            "relations_sha256": relations_sha256,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedPairModel:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder,
            FORMAT,
            RECORDED,
            extra_files=(VOCAB,),
            missing_hint="Run `dvc repro pairs/dvc.yaml` first.",
        )
        vocabulary = load_verified(folder / VOCAB, meta["vocabulary_sha256"])
        try:
            model = PairModel(PairModelConfig(**meta["model"]))
            fields = (
                str(meta["target"]),
                list(meta["labels"]),
                [float(x) for x in meta["score_range"]],
                bool(meta["lowercase"]),
            )
            weight, hashes = float(meta["network_weight"]), meta["lexical_sha256"]
            relations_sha256 = meta["relations_sha256"]
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{folder / 'model.json'}: unreadable ({exc}).") from None
        relations = None
        if relations_sha256 is not None:
            relations = load_verified(folder / RELATIONS, relations_sha256, "relation labels")
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(
            model,
            vocabulary,
            *fields,
            load_lexical(folder, fields[0], hashes),
            weight,
            relations,
        )


def load_lexical(folder: Path, target: str, hashes) -> PairBaseline | None:
    """The lexical member stored beside the weights, verified by hash (None if there is none)."""
    if hashes is None:
        return None
    for name, expected in zip((LEXICAL_TERMS, LEXICAL_ARRAYS), hashes):
        path = folder / name
        if not path.is_file() or sha256_of_file(path) != expected:
            raise ModelFileError(
                f"{path} is missing or not the lexical member this model was trained with (hash "
                "differs); restore the folder (`dvc checkout`) or retrain."
            )
    arrays = load_file(folder / LEXICAL_ARRAYS)
    with open(folder / LEXICAL_TERMS, encoding="utf-8", newline="") as handle:
        arrays["terms"] = np.array(handle.read().split("\n")[:-1], dtype=str)
    return PairBaseline.from_arrays("lexical", target, arrays)
