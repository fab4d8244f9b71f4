"""A trained tree classifier on disk: weights, architecture, vocabulary (verified by hash) and
granularity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ..core.errors import ModelFileError
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..text.vocabulary import Vocabulary, load_verified
from .model import TreeClassifier, TreeModelConfig

FORMAT = "rnnpipe-trees-1"
RECORDED = ("vocabulary_sha256", "granularity", "lowercase")
VOCAB = "vocab.txt"
CLASS_NAMES = {
    "fine": ["very negative", "negative", "neutral", "positive", "very positive"],
    "binary": ["negative", "positive"],
}


@dataclass
class TrainedTreeClassifier:
    model: TreeClassifier
    vocabulary: Vocabulary
    granularity: str
    lowercase: bool

    @property
    def class_names(self) -> list[str]:
        """Class k's name: SST's five sentiment grades (fine) or negative / positive (binary)."""
        return CLASS_NAMES[self.granularity]

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.vocabulary.save(folder / VOCAB)
        meta = {
            "model": self.model.config.to_dict(),
            "vocabulary_sha256": self.vocabulary.sha256(),
            "granularity": self.granularity,
            "lowercase": self.lowercase,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedTreeClassifier:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder,
            FORMAT,
            RECORDED,
            extra_files=(VOCAB,),
            missing_hint="Run `dvc repro trees/dvc.yaml` first.",
        )
        vocabulary = load_verified(folder / VOCAB, meta["vocabulary_sha256"])
        try:
            model = TreeClassifier(TreeModelConfig(**meta["model"]))
        except (TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable architecture ({exc})."
            ) from None
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, vocabulary, str(meta["granularity"]), bool(meta["lowercase"]))
