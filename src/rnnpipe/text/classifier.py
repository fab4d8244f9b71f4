"""A trained text classifier as a model folder (core.model_folder), and predicting raw texts with
it.

The folder holds `model.safetensors`, `model.json` (architecture, tokenizer and padding settings,
label map, vocabulary hash) and `vocab.txt`. The label map and the vocabulary hash are also recorded
inside the weights, so a model is never paired with the wrong vocabulary or labels. With
train.ensemble_linear it also holds the linear member (text.linear: `linear.safetensors`,
`linear_ngrams.txt`, their hashes and the member's weight recorded in both files like the rest); the
classifier's probabilities are then (1 - weight) * the RNN's + weight * the linear model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..core.errors import ModelFileError
from ..core.labels import LabelMap
from ..core.metrics import probabilities
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..data.ragged import pad_sequences
from ..nn.ensemble import architecture, recorded_configs
from .linear import LinearTextModel, load_linear, save_linear
from .model import ClassifierConfig, EnsembleClassifier, RNNClassifier
from .tokenizer import Tokenizer
from .vocabulary import Vocabulary

FORMAT = "rnnpipe-classifier-1"
RECORDED = ("vocab_sha256", "labels", "linear")
VOCABULARY_FILE = "vocab.txt"


@dataclass
class TrainedClassifier:
    model: RNNClassifier | EnsembleClassifier
    tokenizer: Tokenizer
    vocabulary: Vocabulary
    label_map: LabelMap
    maxlen: int
    truncating: str
    linear: LinearTextModel | None = None  # the linear ensemble member, if any
    linear_weight: float = 0.0  # its share of the probabilities

    def save(self, folder: str | Path) -> None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        linear = (
            save_linear(self.linear, folder, self.linear_weight)
            if self.linear is not None
            else None
        )
        meta = {
            **architecture(self.model),
            "tokenizer": self.tokenizer.to_dict(),
            "maxlen": self.maxlen,
            "truncating": self.truncating,
            "labels": self.label_map.labels,
            "vocab_sha256": self.vocabulary.sha256(),
            "linear": linear,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)
        self.vocabulary.save(Path(folder) / VOCABULARY_FILE)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedClassifier:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder,
            FORMAT,
            RECORDED,
            extra_files=(VOCABULARY_FILE,),
            missing_hint="Train a model first (`dvc repro train`) or pass --model "
            "pointing at a trained model folder.",
        )
        meta_path, vocabulary_path = folder / "model.json", folder / VOCABULARY_FILE
        try:
            configs = recorded_configs(meta, ClassifierConfig)
            if len({(c.vocab_size, c.num_classes) for c in configs}) != 1:
                raise ValueError("ensemble members differ in vocabulary size or classes")
            tokenizer = Tokenizer(**meta["tokenizer"])
            label_map = LabelMap(meta["labels"])
            maxlen, truncating = int(meta["maxlen"]), meta["truncating"]
            linear = meta.get("linear")
            linear_weight = float(linear["weight"]) if linear else 0.0
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ModelFileError(f"{meta_path}: unreadable or incomplete ({exc}).") from None
        try:
            vocabulary = Vocabulary.load(vocabulary_path)
        except ValueError as exc:
            raise ModelFileError(f"{vocabulary_path}: not a vocabulary ({exc}).") from None
        if vocabulary.sha256() != meta["vocab_sha256"] or len(vocabulary) != configs[0].vocab_size:
            raise ModelFileError(
                f"{vocabulary_path} does not match the vocabulary this model was trained with "
                f"(hash or size differs); the model folder has been altered or mixed up."
            )
        if len(label_map) != configs[0].num_classes:
            raise ModelFileError(
                f"{meta_path}: {len(label_map)} labels for a {configs[0].num_classes}-class model."
            )
        model = (
            EnsembleClassifier([RNNClassifier(c) for c in configs])
            if "members" in meta
            else RNNClassifier(configs[0])
        )
        load_weights(model, state, folder)
        model.to(device).eval()
        try:
            member = load_linear(folder, linear, tokenizer) if linear else None
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{meta_path}: unreadable record of the linear member ({exc})."
            ) from None
        return cls(
            model, tokenizer, vocabulary, label_map, maxlen, truncating, member, linear_weight
        )

    def with_linear(self, rnn_proba: np.ndarray, texts: list[str]) -> np.ndarray:
        """The classifier's probabilities from the RNN's on `texts`: mixed with the linear
        member's, if any."""
        if self.linear is None or self.linear_weight == 0.0:
            return rnn_proba
        return (
            1.0 - self.linear_weight
        ) * rnn_proba + self.linear_weight * self.linear.predict_proba(texts)

    def known_words(self, text: str) -> int:
        """How many of `text`'s tokens the vocabulary knows (0: the model would answer from
        `<unk>` alone)."""
        return sum(
            1 for token_id in self.vocabulary.encode(self.tokenizer.tokenize(text)) if token_id > 1
        )

    @torch.no_grad()
    def predict_proba(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities [n, classes] for raw texts, tokenized exactly as in training."""
        self.model.eval()
        device = next(self.model.parameters()).device
        sequences = [self.vocabulary.encode(self.tokenizer.tokenize(t)) for t in texts]
        ids, lengths = pad_sequences(
            sequences, self.maxlen, padding="post", truncating=self.truncating
        )
        chunks = []
        for start in range(0, len(texts), batch_size):
            stop = start + batch_size
            longest = max(int(lengths[start:stop].max()), 1)
            logits = (
                self.model(
                    torch.as_tensor(ids[start:stop, :longest], dtype=torch.long, device=device),
                    torch.as_tensor(lengths[start:stop], device=device),
                )
                .float()
                .cpu()
            )
            chunks.append(probabilities(logits))
        if not chunks:
            return np.zeros((0, len(self.label_map)))
        return self.with_linear(np.concatenate(chunks), texts)
