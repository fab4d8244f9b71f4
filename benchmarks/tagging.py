"""The tagging bar and the tagger's speed on UD English EWT (or any UD treebank folder).

    python benchmarks/tagging.py                               # ../shared/datasets/ud_english_ewt,
    ~1 min
    python benchmarks/tagging.py --path UD_French-GSD --tag-column upos --model data/model

Prints, on the official train/dev/test split: the most-frequent-tag-per-word baseline (unknown words
get the most frequent open-class tag), and with --model (a trained tagger's folder) its test token
accuracy next to it. Speed: training tokens/s (forward + backward + Adam on length-bucketed batches
of the train split) and inference tokens/s (test split) of a tagger built like the recipe's, for the
thread count given; tokens are real tokens only (padding within a batch is work, not output).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from rnnpipe.core.labels import LabelMap
from rnnpipe.data.ragged import pad_flat
from rnnpipe.tagging.baselines import MostFrequentTag
from rnnpipe.tagging.characters import CharVocabulary
from rnnpipe.tagging.datasets import read_tagged
from rnnpipe.tagging.model import RNNTagger, TaggerConfig
from rnnpipe.tagging.sequences import tag_set
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.vocabulary import build_vocabulary
from rnnpipe.training.objectives import StepClassificationObjective

ROOT = Path(__file__).resolve().parents[1]


def as_tag_set(frame, vocabulary, characters, tag_map):
    words = [[w.lower() for w in tokens] for tokens in frame["tokens"]]
    lengths = np.array([len(w) for w in words])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    ids, kept = pad_flat(
        np.array(vocabulary.encode(w for s in words for w in s)),
        offsets,
        int(lengths.max()),
        "post",
        "post",
        dtype=np.int64,
    )
    tags, _ = pad_flat(
        np.concatenate([tag_map.encode(t) for t in frame["tags"]]),
        offsets,
        int(lengths.max()),
        "post",
        "post",
        dtype=np.int64,
    )
    return tag_set(ids, kept, tags, [list(t) for t in frame["tokens"]], characters)


def speed(frame, args) -> dict:
    train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
    vocabulary = build_vocabulary(([w.lower() for w in t] for t in train["tokens"]), 50_000)
    characters = CharVocabulary.from_words(w for t in train["tokens"] for w in t)
    tag_map = LabelMap.from_training_labels(t for tags in train["tags"] for t in tags)
    train_set, test_set = (as_tag_set(f, vocabulary, characters, tag_map) for f in (train, test))
    torch.manual_seed(0)
    model = RNNTagger(
        TaggerConfig(
            vocab_size=len(vocabulary),
            embed_dim=50,
            num_tags=len(tag_map),
            char_vocab=len(characters),
            char_dim=args.char_dim,
            char_hidden=args.char_hidden,
            cell="lstm",
            hidden=args.hidden,
            layers=1,
            bidirectional=True,
            dropout=0.3,
            freeze_embeddings=False,
            word_dropout=0.0,
        )
    )
    optimizer, objective = torch.optim.Adam(model.parameters(), 2e-3), StepClassificationObjective()
    rng, cpu = np.random.default_rng(0), torch.device("cpu")
    batches = train_set.batches(32, rng, 5)[: args.train_batches]
    model.train()
    started, tokens = time.perf_counter(), 0
    for rows in batches:
        inputs, targets = train_set.batch(rows, cpu)
        optimizer.zero_grad(set_to_none=True)
        loss, _, count = objective(model(*inputs), targets)
        loss.backward()
        optimizer.step()
        tokens += count
    train_rate = tokens / (time.perf_counter() - started)
    model.eval()
    started, tokens = time.perf_counter(), 0
    with torch.no_grad():
        for rows in test_set.batches(256, None, 1):
            inputs, targets = test_set.batch(rows, cpu)
            model(*inputs)
            tokens += int((targets >= 0).sum())
    return {
        "train_tokens_per_s": round(train_rate),
        "inference_tokens_per_s": round(tokens / (time.perf_counter() - started)),
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--path",
        default=str(ROOT.parent / "shared/datasets/ud_english_ewt"),
        help="a UD treebank folder (or CoNLL-U file)",
    )
    parser.add_argument("--tag-column", default="upos", help="upos or xpos")
    parser.add_argument(
        "--model",
        help="a trained tagger's folder: its test accuracy is printed beside the baseline",
    )
    parser.add_argument(
        "--hidden", type=int, default=128, help="tagger units per direction (speed)"
    )
    parser.add_argument("--char-dim", type=int, default=32, help="character embedding size (speed)")
    parser.add_argument(
        "--char-hidden", type=int, default=64, help="char BiLSTM units per direction (speed)"
    )
    parser.add_argument(
        "--train-batches", type=int, default=150, help="training batches timed (speed)"
    )
    parser.add_argument(
        "--threads", type=int, default=torch.get_num_threads(), help="torch threads"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    frame = read_tagged("conllu", Path(args.path), {"tag_column": args.tag_column})
    part = {
        split: list(zip(rows["tokens"], rows["tags"])) for split, rows in frame.groupby("split")
    }
    baseline = MostFrequentTag(part["train"])
    result = {
        "most_frequent_tag_dev": round(baseline.accuracy(part["validation"]), 4),
        "most_frequent_tag_test": round(baseline.accuracy(part["test"]), 4),
    }
    if args.model:
        tagger = TrainedTagger.load(args.model)
        sentences = [tokens for tokens, _ in part["test"]]
        predicted = tagger.predict_proba(sentences)
        names = np.array(tagger.tag_map.labels, dtype=object)
        right = sum(
            int((names[p.argmax(1)] == np.array(tags, dtype=object)).sum())
            for p, (_, tags) in zip(predicted, part["test"])
        )
        result["tagger_test"] = round(right / sum(len(t) for _, t in part["test"]), 4)
    result.update(speed(frame, args))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
