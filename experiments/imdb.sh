#!/usr/bin/env bash
# Named IMDB experiments (dvc exp run), the recipes behind the IMDB results (docs/pipelines/text.md).
#
#   bash experiments/imdb.sh mix             # the best: best's ensemble mixed with the linear model (train.ensemble_linear)
#   bash experiments/imdb.sh best            # the recipe's LSTM and GRU, logits averaged (no linear member)
#   bash experiments/imdb.sh lstm            # the recipe with one cell: rnn | lstm | gru (no linear member)
#   IMDB=/path/to/aclImdb_v1.tar.gz bash experiments/imdb.sh best
#   NAME=ema bash experiments/imdb.sh lstm -S train.ema_decay=0.998   # a variant (extra dvc exp run args)
#   bash experiments/imdb.sh best --queue && dvc exp run --run-all      # queued
#
# Model selection used the validation split only (early stopping on validation loss); the test
# split is read once, by the evaluate stage. Compare runs with `dvc exp show` / `dvc metrics diff`.
set -euo pipefail
cd "$(dirname "$0")/.."
IMDB="${IMDB:-../shared/datasets/imdb/aclImdb_v1.tar.gz}"
# Absolute, so the recipe also runs queued (--queue / --temp), in DVC's temporary copy of the repository.
IMDB="$(realpath -m "$IMDB")"
which="${1:-mix}"
shift || true
cell="$which"
ensemble="[]"
linear=false
if [ "$which" = best ] || [ "$which" = mix ]; then cell=lstm; ensemble="[gru]"; fi
if [ "$which" = mix ]; then linear=true; fi
case "$cell" in rnn|lstm|gru) ;; *) echo "usage: $0 mix|best|rnn|lstm|gru [extra dvc exp run args]" >&2; exit 2;; esac

# The recipe: 50k-word vocabulary, the last 800 tokens of each review, in-domain word2vec (128-d,
# trained on train + unlabeled reviews) fine-tuned, a bidirectional layer of 128 per direction,
# mean+max pooling over real tokens, dropout 0.3, Adam 1e-3, up to 6 epochs, early stopping.
# best: an LSTM and then a GRU trained that way (seeds 42, 43), the saved classifier averaging both.
# mix: best, then its probabilities mixed with an NB-weighted logistic regression on binary 1-3 grams (its C
# and the weight chosen together on the mix's validation log loss), the RNN + linear ensemble of Mesnil et
# al. 2014: 92.49% test (docs/pipelines/text.md, Results).
exec dvc exp run -n "imdb-$which${NAME:+-$NAME}" \
  -S data.source=imdb -S "download.url=$IMDB" \
  -S tokenize.num_words=50000 -S pad.maxlen=800 \
  -S embed.source=word2vec -S embed.dim=128 -S embed.w2v_epochs=5 -S embed.w2v_window=5 \
  -S "train.cell=$cell" -S train.bidirectional=true -S train.hidden=128 -S train.layers=1 \
  -S train.pooling=meanmax -S train.dropout=0.3 -S train.lr=0.001 -S train.batch_size=64 \
  -S train.epochs=6 -S train.patience=2 -S train.clip_norm=5.0 -S "train.ensemble_cells=$ensemble" \
  -S "train.ensemble_linear=$linear" "$@"
