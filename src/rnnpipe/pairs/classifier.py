"""A trained pair model on disk: weights, architecture, vocabulary (verified by hash), and what
its outputs mean (label names, or the score range)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..core.errors import ModelFileError
from ..core.metrics import class_probabilities
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..text.vocabulary import Vocabulary
from .model import PairModel, PairModelConfig

FORMAT = "rnnpipe-pairs-1"
RECORDED = ("vocabulary_sha256", "target", "labels", "score_range", "lowercase")
VOCAB = "vocab.txt"


@dataclass
class TrainedPairModel:
    model: PairModel
    vocabulary: Vocabulary
    target: str  # label | score
    labels: list[str]  # label names by id (target label)
    score_range: list[float]  # [low, high] (target score)
    lowercase: bool

    def outputs(self, logits: torch.Tensor) -> np.ndarray:
        """Probabilities [pairs, labels], or expected scores [pairs]."""
        if self.target == "label":
            return class_probabilities(logits.float()).numpy()
        p = torch.softmax(logits.float(), dim=-1).numpy()
        return p @ np.arange(p.shape[1]) + self.score_range[0]

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.vocabulary.save(folder / VOCAB)
        meta = {
            "model": self.model.config.to_dict(),
            "vocabulary_sha256": self.vocabulary.sha256(),
            "target": self.target,
            "labels": self.labels,
            "score_range": self.score_range,
            "lowercase": self.lowercase,
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
        vocabulary = Vocabulary.load(folder / VOCAB)
        if vocabulary.sha256() != meta["vocabulary_sha256"]:
            raise ModelFileError(
                f"{folder / VOCAB} is not the vocabulary this model was trained with (hash "
                "differs)."
            )
        try:
            model = PairModel(PairModelConfig(**meta["model"]))
            fields = (
                str(meta["target"]),
                list(meta["labels"]),
                [float(x) for x in meta["score_range"]],
                bool(meta["lowercase"]),
            )
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{folder / 'model.json'}: unreadable ({exc}).") from None
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, vocabulary, *fields)
