#!/usr/bin/env bash
# The Stanford Sentiment Treebank through the trees pipeline (dvc exp run trees/dvc.yaml): the recipes
# behind the trees results (docs/pipelines/trees.md). One experiment per call, named sst-<model>-<granularity>-s<seed>.
#
#   bash experiments/sst.sh treelstm fine 1        # model (treelstm | spinn | bilstm | lstm), granularity, seed
#   for s in 1 2 3; do bash experiments/sst.sh treelstm binary $s; done
#   bash experiments/sst.sh table                  # mean +- std of test root accuracy per model and granularity
#   SST=/path/to/trainDevTestTrees_PTB.zip bash experiments/sst.sh treelstm fine 1
#
# Every recipe sets every param any recipe changes: `dvc exp run` starts from the workspace's params,
# which the previous experiment left behind. The best epoch is chosen on dev root accuracy; the test
# split is read once, by evaluate.
set -euo pipefail
cd "$(dirname "$0")/.."
P=trees/params.yaml
if [ "${1:-}" = table ]; then
  dvc exp show --csv | python experiments/sst_table.py; exit
fi
model="${1:?usage: bash experiments/sst.sh treelstm|spinn|bilstm|lstm fine|binary SEED | table}"
granularity="${2:?granularity: fine | binary}"
seed="${3:?seed: an integer}"
shift 3
SST="$(realpath -m "${SST:-../shared/datasets/sst}")"  # absolute, so a queued run finds it too
common=(-S "$P:data.source=sst" -S "$P:download.url=$SST" -S "$P:embed.source=glove-package"
        -S "$P:parse.granularity=$granularity" -S "$P:train.model=$model" -S "$P:train.seed=$seed"
        -S "$P:train.tracker=false" -S "$P:train.node_loss=all" -S "$P:train.select_on=accuracy"
        -S "$P:train.freeze_embeddings=false" -S "$P:train.hidden=150" -S "$P:train.dropout=0.5"
        -S "$P:train.optimizer=adam" -S "$P:train.lr=0.002" -S "$P:train.weight_decay=0.0" -S "$P:train.clip_norm=5.0"
        -S "$P:train.ema_decay=0.999")
case "$model" in
  treelstm|spinn)  # 150 units and dropout 0.5 as Tai et al.; Adam with an averaged copy of the weights (chosen on dev)
    recipe=(-S "$P:train.batch_size=25" -S "$P:train.epochs=30" -S "$P:train.patience=6") ;;
  bilstm|lstm)     # every labelled phrase as a sentence (318,582 in SST's training split): bigger batches, fewer epochs
    recipe=(-S "$P:train.batch_size=100" -S "$P:train.epochs=3" -S "$P:train.patience=2") ;;
  *) echo "unknown model $model (treelstm | spinn | bilstm | lstm)" >&2; exit 2 ;;
esac
exec dvc exp run trees/dvc.yaml -n "sst-$model-$granularity-s$seed" "${common[@]}" "${recipe[@]}" "$@"
