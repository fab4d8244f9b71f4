#!/usr/bin/env bash
# SPINN on the SNLI sample (../shared/datasets/snli_1.0_sample: the first ~1,280 lines of the official
# dev and test files, with their binary parses), end to end through the pairs pipeline. The sample has
# no training file, so this recipe makes one: the sample's dev file is the training split, its test
# file's first half validation and second half test (written to $SNLI_SPLIT, default under /tmp, in
# the official layout: snli_1.0_{train,dev,test}.jsonl). Too small to be a benchmark: it shows the
# format, the transitions and the hypothesis-only baseline working on real SNLI lines.
#
#   bash experiments/snli_sample.sh spinn 1            # encoder (spinn | treelstm | bilstm), seed
#   TRACKER=true bash experiments/snli_sample.sh spinn 1 --temp
set -euo pipefail
cd "$(dirname "$0")/.."
encoder="${1:?usage: bash experiments/snli_sample.sh spinn|treelstm|bilstm SEED}"
seed="${2:?seed: an integer}"
shift 2
SAMPLE="$(realpath -m "${SNLI_SAMPLE:-../shared/datasets/snli_1.0_sample}")"
SPLIT="${SNLI_SPLIT:-${TMPDIR:-/tmp}/rnnpipe-snli-sample}"
mkdir -p "$SPLIT"
cp "$SAMPLE/snli_1.0_dev.jsonl" "$SPLIT/snli_1.0_train.jsonl"
total=$(wc -l < "$SAMPLE/snli_1.0_test.jsonl")
head -n $((total / 2)) "$SAMPLE/snli_1.0_test.jsonl" > "$SPLIT/snli_1.0_dev.jsonl"
tail -n +$((total / 2 + 1)) "$SAMPLE/snli_1.0_test.jsonl" > "$SPLIT/snli_1.0_test.jsonl"
P=pairs/params.yaml
exec dvc exp run pairs/dvc.yaml -n "snli-sample-$encoder${TRACKER:+-tracker}-s$seed" \
  -S "$P:data.source=snli" -S "$P:download.url=$(realpath "$SPLIT")" -S "$P:download.sha256=none" \
  -S "$P:parse.target=label" -S "$P:parse.lowercase=true" -S "$P:embed.source=glove-package" \
  -S "$P:embed.dim=50" -S "$P:train.encoder=$encoder" -S "$P:train.tracker=${TRACKER:-false}" \
  -S "$P:train.hidden=100" -S "$P:train.head_hidden=128" -S "$P:train.dropout=0.1" \
  -S "$P:train.freeze_embeddings=true" -S "$P:train.select_on=accuracy" -S "$P:train.optimizer=adam" \
  -S "$P:train.lr=0.002" -S "$P:train.weight_decay=0.0001" -S "$P:train.batch_size=32" \
  -S "$P:train.epochs=15" -S "$P:train.patience=4" -S "$P:train.features=all" \
  -S "$P:train.mix_lexical=true" -S "$P:train.relation_dim=0" -S "$P:train.seed=$seed" "$@"
