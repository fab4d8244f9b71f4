"""A trained tagger as a model folder (core.model_folder), and tagging token lists with it.

The folder holds `model.safetensors`, `model.json` (architecture, lowercasing, the training words'
characters, maxlen, tag map, vocabulary hash) and `vocab.txt`; the tag map, the characters and the
vocabulary hash are also recorded inside the weights, so a model is never paired with the wrong
ones. Sentences longer than maxlen are tagged in pieces of maxlen tokens, as the pad stage cut them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..core.errors import ModelFileError
from ..core.labels import LabelMap
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..data.ragged import pad_flat, piece_offsets
from ..nn.ensemble import architecture, recorded_configs
from ..text.tokenizer import Tokenizer
from ..text.vocabulary import Vocabulary
from ..training.inference import predict
from .characters import CharVocabulary
from .model import EnsembleTagger, RNNTagger, TaggerConfig
from .sequences import TagSet, tag_set

FORMAT = "rnnpipe-tagger-1"
RECORDED = ("vocab_sha256", "labels", "characters")
VOCABULARY_FILE = "vocab.txt"


@dataclass
class TrainedTagger:
    model: RNNTagger | EnsembleTagger
    lowercase: bool
    vocabulary: Vocabulary
    characters: CharVocabulary
    tag_map: LabelMap
    maxlen: int

    def save(self, folder: str | Path) -> None:
        meta = {
            **architecture(self.model),
            "lowercase": self.lowercase,
            "characters": self.characters.characters,
            "maxlen": self.maxlen,
            "labels": self.tag_map.labels,
            "vocab_sha256": self.vocabulary.sha256(),
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)
        self.vocabulary.save(Path(folder) / VOCABULARY_FILE)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedTagger:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder,
            FORMAT,
            RECORDED,
            extra_files=(VOCABULARY_FILE,),
            missing_hint="Train a tagger first (`dvc repro tagging/dvc.yaml`).",
        )
        try:
            for config in meta.get("members", [meta.get("model")]):
                if isinstance(config, dict):
                    config.setdefault("crf", False)  # written before train.crf existed
            configs = recorded_configs(meta, TaggerConfig)
            lowercase, maxlen = bool(meta["lowercase"]), int(meta["maxlen"])
            characters, tag_map = CharVocabulary(str(meta["characters"])), LabelMap(meta["labels"])
            vocabulary = Vocabulary.load(folder / VOCABULARY_FILE)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable or incomplete ({exc})."
            ) from None
        if (
            vocabulary.sha256() != meta["vocab_sha256"]
            or len(vocabulary) != configs[0].vocab_size
            or len(tag_map) != configs[0].num_tags
        ):
            raise ModelFileError(
                f"{folder}: the vocabulary or the tag map does not match the weights; the model "
                f"folder has been altered or mixed up."
            )
        model = (
            EnsembleTagger([RNNTagger(c) for c in configs])
            if "members" in meta
            else RNNTagger(configs[0])
        )
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, lowercase, vocabulary, characters, tag_map, maxlen)

    def rows(self, sentences: list[list[str]]) -> tuple[TagSet, np.ndarray, np.ndarray]:
        """The rows the model reads for `sentences`, each cut into pieces of at most maxlen
        tokens as the pad stage cut the training sentences: (the rows, each row's length, each
        sentence's token offsets)."""
        normalise = Tokenizer(lowercase=self.lowercase, filters="").normalise
        flat_words = [word for sentence in sentences for word in sentence]
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in sentences])]).astype(np.int64)
        ids = np.asarray(self.vocabulary.encode([normalise(w) for w in flat_words]), dtype=np.int64)
        pieces, _ = piece_offsets(offsets, self.maxlen)
        padded, lengths = pad_flat(ids, pieces, self.maxlen, "post", "post", dtype=np.int64)
        words = [flat_words[a:b] for a, b in zip(pieces[:-1], pieces[1:])]
        return (
            tag_set(padded, lengths, np.zeros_like(padded), words, self.characters),
            lengths,
            offsets,
        )

    @torch.no_grad()
    def decode(
        self, sentences: list[list[str]], batch_size: int = 256
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per sentence, each token's tag id and its tag probabilities [tokens, tags]: the most
        probable tag, or with a CRF the Viterbi path and each token's marginals."""
        rows, lengths, offsets = self.rows(sentences)
        logits = predict(self.model, rows, batch_size, next(self.model.parameters()).device)
        probabilities, best = tag_decisions(self.model, logits, torch.as_tensor(lengths))
        if len(lengths):
            flat = np.concatenate([probabilities[i, :n] for i, n in enumerate(lengths)])
            flat_best = np.concatenate([best[i, :n] for i, n in enumerate(lengths)])
        else:
            flat, flat_best = np.zeros((0, len(self.tag_map))), np.zeros(0, np.int64)
        pieces = list(zip(offsets[:-1], offsets[1:]))
        return [flat_best[a:b] for a, b in pieces], [flat[a:b] for a, b in pieces]

    def predict_proba(self, sentences: list[list[str]], batch_size: int = 256) -> list[np.ndarray]:
        """Per sentence, the tag probabilities of each token [tokens, tags]."""
        return self.decode(sentences, batch_size)[1]


def tag_decisions(
    model, logits: torch.Tensor, lengths: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities [rows, time, tags], chosen tag ids [rows, time]) of per-token outputs:
    softmax and argmax, or for a CRF tagger (train.crf) the marginals and the Viterbi path."""
    crf = getattr(model, "crf", None)
    if crf is None:
        probabilities = torch.softmax(logits.float(), dim=-1)
        return probabilities.numpy(), probabilities.argmax(-1).numpy()
    mask = torch.arange(logits.size(1))[None, :] < lengths.reshape(-1, 1)
    crf = crf.cpu()
    return crf.marginals(logits, mask).numpy(), crf.viterbi(logits, mask).numpy()
