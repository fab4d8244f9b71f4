"""Stage 2, tokenize: data/dataset.parquet -> token ids, vocabulary and label map.

    python stages/text/tokenize_text.py      # reads params: tokenize.*

(Not named tokenize.py: a script's folder comes first on sys.path and would shadow the standard
library's `tokenize` module.)

Outputs: data/tokens.parquet (ids: list<int32>, label: class id, split), data/vocab.txt (one word
per line, line number = id), data/labels.json (class id -> original label), data/tokenizer.json
(the normalisation settings, so `rnnpipe predict` tokenizes exactly like training did).
"""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rnnpipe.core.atomic import atomic_path, write_json, write_text
from rnnpipe.core.labels import LabelMap
from rnnpipe.core.stage import run_stage
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import build_vocabulary, encode_corpus


def main(params: dict) -> None:
    settings = params["tokenize"]
    frame = pd.read_parquet("data/dataset.parquet")
    frame = frame[frame["split"] != "unsup"].reset_index(drop=True)  # unlabeled text feeds only the embed stage
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters=settings["filters"])
    token_lists = [tokenizer.tokenize(text) for text in frame["text"]]

    is_train = (frame["split"] == "train").to_numpy()
    vocabulary = build_vocabulary((t for t, train in zip(token_lists, is_train) if train),
                                  settings["num_words"], settings["min_freq"])
    label_map = LabelMap.from_training_labels(frame.loc[is_train, "label"])
    labels = pd.Series(0, index=frame.index, dtype="int64")
    for split, rows in frame.groupby("split").groups.items():
        labels[rows] = label_map.encode(frame.loc[rows, "label"], split)

    ids, offsets = encode_corpus(token_lists, vocabulary)
    table = pa.table({
        "ids": pa.ListArray.from_arrays(pa.array(offsets.astype("int32")), pa.array(ids)),
        "label": pa.array(labels.to_numpy()),
        "split": pa.array(frame["split"].to_numpy()),
    })
    with atomic_path("data/tokens.parquet") as tmp:
        pq.write_table(table, tmp)
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    write_text("data/labels.json", label_map.to_json())
    # Only what determines the ids: a num_words change that leaves the vocabulary as it was
    # must not make training rerun.
    write_json("data/tokenizer.json", {**tokenizer.to_dict(), "vocab_size": len(vocabulary),
                                       "vocab_sha256": vocabulary.sha256()})
    unk_rate = float((ids == 1).mean()) if len(ids) else 0.0
    print(f"tokenize: {len(frame)} texts, {len(ids)} tokens, vocabulary {len(vocabulary)}, "
          f"{len(label_map)} classes, unknown-token rate {unk_rate:.3%}")


if __name__ == "__main__":
    run_stage("tokenize", main, TEXT_SCHEMA)
