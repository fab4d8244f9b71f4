#!/usr/bin/env bash
# UCI HAPT raw recordings (30 users, 50 Hz, 6 channels) through the numeric-sequences pipeline
# (dvc exp run sequences/dvc.yaml): the recipes behind the sequences results (docs/pipelines/sequences.md).
#
#   bash experiments/hapt.sh windows     # activity recognition, UCI HAR protocol: 6 activities, 128-step windows
#   bash experiments/hapt.sh windows12   # the window classifier on the 12 labels, its labels spread over samples
#   bash experiments/hapt.sh steps       # every sample labeled (12 labels with transitions), sessions scored whole
#   HAPT=/path/to/hapt_raw_50hz.csv.gz bash experiments/hapt.sh windows
#   bash experiments/hapt.sh windows --queue && dvc exp run --run-all     # queued (extra args go to dvc exp run)
#
# Test users are UCI HAR's (2, 4, 9, 10, 12, 13, 18, 20, 24); validation users are drawn from the other 21
# (prepare.seed), so no person is in two splits. Model selection uses the validation users only.
set -euo pipefail
cd "$(dirname "$0")/.."
HAPT="${HAPT:-../shared/datasets/hapt/hapt_raw_50hz.csv.gz}"
HAPT="$(realpath -m "$HAPT")"  # absolute, so the recipe also runs queued, in DVC's temporary copy
recipe="${1:?usage: bash experiments/hapt.sh windows|steps|windows12 [dvc exp run args]}"
shift
P=sequences/params.yaml
# Every param a recipe sets is set by all three (to its value or the default): `dvc exp run` starts from the
# workspace's params, which the previous experiment left behind.
common=(-S "$P:data.source=table" -S "$P:download.path=$HAPT" -S "$P:download.sequence_columns=[user,session]"
        -S "$P:download.step_column=sequence" -S "$P:download.label_column=label" -S "$P:download.group_column=user"
        -S "$P:download.unlabeled=['-1']" -S "$P:prepare.test_groups=['2','4','9','10','12','13','18','20','24']"
        -S "$P:train.bidirectional=true" -S "$P:train.lr=0.001" -S "$P:train.epochs=25")
windows=(-S "$P:prepare.target=sequence" -S "$P:window.length=128" -S "$P:window.stride=64"
         -S "$P:train.cell=gru" -S "$P:train.hidden=128" -S "$P:train.layers=1" -S "$P:train.dropout=0.3"
         -S "$P:train.pooling=meanmax" -S "$P:train.batch_size=32" -S "$P:train.patience=6")
case "$recipe" in
  windows)   # windows of 128 samples (2.56 s), 50% overlap, each of one activity; a bidirectional GRU
    exec dvc exp run sequences/dvc.yaml -n "hapt-windows${NAME:+-$NAME}" "${common[@]}" "${windows[@]}" \
      -S "$P:prepare.classes=['1','2','3','4','5','6']" -S "$P:window.label=pure" "$@" ;;
  windows12) # the same on all 12 labels (transitions too); a window's label is its most common sample label
    exec dvc exp run sequences/dvc.yaml -n "hapt-windows12${NAME:+-$NAME}" "${common[@]}" "${windows[@]}" \
      -S "$P:prepare.classes=[]" -S "$P:window.label=majority" "$@" ;;
  steps)     # a label per sample (12 labels), a bidirectional GRU trained on 512-sample pieces; sessions
             # scored whole
    exec dvc exp run sequences/dvc.yaml -n "hapt-steps${NAME:+-$NAME}" "${common[@]}" \
      -S "$P:prepare.target=step" -S "$P:prepare.classes=[]" -S "$P:window.length=512" -S "$P:window.stride=256" \
      -S "$P:window.label=last" -S "$P:train.cell=gru" -S "$P:train.hidden=64" -S "$P:train.layers=2" \
      -S "$P:train.dropout=0.2" -S "$P:train.pooling=last" -S "$P:train.batch_size=16" -S "$P:train.patience=4" "$@" ;;
  *) echo "unknown recipe $recipe (windows | windows12 | steps)" >&2; exit 2 ;;
esac
