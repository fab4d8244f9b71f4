"""Save and load a trained classifier without pickle.

A model folder holds `model.safetensors` (tensors only: loading never runs code), `model.json`
(architecture, tokenizer and padding settings, label map, vocabulary hash) and `vocab.txt`.
Loading checks that these agree, so a model is never paired with the wrong vocabulary or labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from .atomic import sha256_of_file
from .errors import ModelFileError
from .models import EnsembleClassifier, ModelConfig, RNNClassifier
from .sequences import pad_sequences
from .text import LabelMap, Tokenizer, Vocabulary

FORMAT = "rnnpipe-classifier-1"


@dataclass
class TrainedClassifier:
    model: RNNClassifier | EnsembleClassifier
    tokenizer: Tokenizer
    vocabulary: Vocabulary
    label_map: LabelMap
    maxlen: int
    truncating: str

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        # The weights file carries its own copy of what it was trained with, so that neither
        # model.json nor vocab.txt can be swapped or edited without load() noticing.
        # One metadata key: safetensors writes several in an order that varies between processes,
        # which would make identical models differ byte for byte.
        recorded = {"format": FORMAT, "vocab_sha256": self.vocabulary.sha256(), "labels": self.label_map.labels}
        save_file(state, folder / "model.safetensors", metadata={"rnnpipe": json.dumps(recorded, sort_keys=True)})
        self.vocabulary.save(folder / "vocab.txt")
        architecture = ({"members": [m.config.to_dict() for m in self.model.members]}
                        if isinstance(self.model, EnsembleClassifier) else {"model": self.model.config.to_dict()})
        meta = {"format": FORMAT, **architecture, "tokenizer": self.tokenizer.to_dict(),
                "maxlen": self.maxlen, "truncating": self.truncating, "labels": self.label_map.labels,
                "vocab_sha256": self.vocabulary.sha256(), "weights_sha256": sha256_of_file(folder / "model.safetensors")}
        (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> "TrainedClassifier":
        folder = Path(folder)
        files = {name: folder / name for name in ("model.json", "model.safetensors", "vocab.txt")}
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise ModelFileError(f"{folder}: missing {', '.join(missing)}; train a model first (`dvc repro train`) "
                                 f"or pass --model pointing at a trained model folder.")
        try:
            meta = json.loads(files["model.json"].read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelFileError(f"{files['model.json']}: format {meta.get('format')!r}, expected {FORMAT!r}.")
            configs = [ModelConfig(**c) for c in meta["members"]] if "members" in meta else [ModelConfig(**meta["model"])]
            config = configs[0]
            if len({(c.vocab_size, c.num_classes) for c in configs}) != 1:
                raise ValueError("ensemble members differ in vocabulary size or classes")
            tokenizer = Tokenizer(**meta["tokenizer"])
            label_map = LabelMap(meta["labels"])
            maxlen, truncating = int(meta["maxlen"]), meta["truncating"]
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ModelFileError(f"{files['model.json']}: unreadable or incomplete ({exc}).") from None
        try:
            vocabulary = Vocabulary.load(files["vocab.txt"])
        except ValueError as exc:
            raise ModelFileError(f"{files['vocab.txt']}: not a vocabulary ({exc}).") from None
        if vocabulary.sha256() != meta.get("vocab_sha256") or len(vocabulary) != config.vocab_size:
            raise ModelFileError(f"{files['vocab.txt']} does not match the vocabulary this model was trained with "
                                 f"(hash or size differs); the model folder has been altered or mixed up.")
        if len(label_map) != config.num_classes:
            raise ModelFileError(f"{files['model.json']}: {len(label_map)} labels for a {config.num_classes}-class model.")
        if sha256_of_file(files["model.safetensors"]) != meta.get("weights_sha256"):
            raise ModelFileError(f"{files['model.safetensors']} is not the file model.json was written with "
                                 f"(hash differs); the model folder has been altered or mixed up.")
        try:
            with safe_open(files["model.safetensors"], framework="pt") as handle:
                recorded = json.loads((handle.metadata() or {}).get("rnnpipe", "{}"))
            state = load_file(files["model.safetensors"])
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelFileError(f"{files['model.safetensors']}: not a valid safetensors file ({exc}).") from None
        if recorded.get("vocab_sha256") != vocabulary.sha256() or recorded.get("labels") != label_map.labels:
            raise ModelFileError(f"{files['model.json']}: its label map or vocabulary differs from the one recorded "
                                 f"in the weights; the model folder has been altered or mixed up.")
        model = EnsembleClassifier([RNNClassifier(c) for c in configs]) if "members" in meta else RNNClassifier(config)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ModelFileError(f"{files['model.safetensors']}: weights do not fit the architecture in model.json "
                                 f"({str(exc).splitlines()[0]}).") from None
        model.to(device).eval()
        return cls(model, tokenizer, vocabulary, label_map, maxlen, truncating)

    @torch.no_grad()
    def predict_proba(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """Class probabilities [n, classes] for raw texts, tokenized exactly as in training."""
        self.model.eval()
        device = next(self.model.parameters()).device
        sequences = [self.vocabulary.encode(self.tokenizer.tokenize(t)) for t in texts]
        ids, lengths = pad_sequences(sequences, self.maxlen, padding="post", truncating=self.truncating)
        chunks = []
        for start in range(0, len(texts), batch_size):
            stop = start + batch_size
            longest = max(int(lengths[start:stop].max()), 1)
            logits = self.model(torch.as_tensor(ids[start:stop, :longest], dtype=torch.long, device=device),
                                torch.as_tensor(lengths[start:stop], device=device)).float().cpu()
            chunks.append(probabilities(logits))
        return np.concatenate(chunks) if chunks else np.zeros((0, len(self.label_map)))


def probabilities(logits: torch.Tensor) -> np.ndarray:
    """[n, classes] probabilities from one binary logit per row or a row of class logits."""
    if logits.dim() == 1:
        positive = torch.sigmoid(logits)
        return torch.stack([1 - positive, positive], dim=1).numpy()
    return torch.softmax(logits, dim=-1).numpy()
