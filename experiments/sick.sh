#!/usr/bin/env bash
# SICK (SemEval-2014 Task 1) through the pairs pipeline (dvc exp run pairs/dvc.yaml): the recipes behind
# the sentence-pair results (docs/pipelines/pairs.md). One experiment per call, named
# sick-<task>-<encoder>-s<seed>.
#
#   bash experiments/sick.sh relatedness childsum 1    # task (relatedness | entailment), encoder, seed
#   for s in 1 2 3; do bash experiments/sick.sh entailment bilstm $s; done
#   SICK=/path/to/sick bash experiments/sick.sh relatedness childsum 1 --temp
#   bash experiments/sick.sh table                     # mean +- std per task and encoder
#
# The official split (SICK_trial.txt is validation), Tai et al.'s dependency parses (childsum), GloVe
# 6B 50d kept fixed and Adagrad 0.05 with weight decay 1e-4 in batches of 25 as Tai et al.; a head of
# 128 units and the lexical member mixed in (both chosen on validation: docs/pipelines/pairs.md). Every recipe sets every param any recipe changes: `dvc exp run` starts from the
# workspace's params. The best epoch is chosen on validation; the test split is read once, by evaluate.
set -euo pipefail
cd "$(dirname "$0")/.."
P=pairs/params.yaml
if [ "${1:-}" = table ]; then
  dvc exp show --csv --all-commits | python experiments/sick_table.py; exit
fi
task="${1:?usage: bash experiments/sick.sh relatedness|entailment childsum|bilstm|treelstm|spinn SEED}"
encoder="${2:?encoder: childsum | bilstm}"
seed="${3:?seed: an integer}"
shift 3
SICK="$(realpath -m "${SICK:-../shared/datasets/sick}")"  # absolute, so a queued run finds it too
case "$task" in
  relatedness) target=score; select=loss ;;
  entailment)  target=label; select=accuracy ;;
  *) echo "unknown task $task (relatedness | entailment)" >&2; exit 2 ;;
esac
exec dvc exp run pairs/dvc.yaml -n "${NAME:-sick-$task-$encoder-s$seed}" \
  -S "$P:data.source=sick" -S "$P:download.path=$SICK" -S "$P:parse.target=$target" \
  -S "$P:parse.lowercase=true" -S "$P:embed.source=glove-package" -S "$P:embed.dim=50" \
  -S "$P:train.encoder=$encoder" -S "$P:train.hidden=${HIDDEN:-150}" -S "$P:train.head_hidden=${HEAD:-128}" \
  -S "$P:train.dropout=${DROPOUT:-0.0}" -S "$P:train.freeze_embeddings=${FREEZE:-true}" -S "$P:train.tracker=false" \
  -S "$P:train.select_on=$select" -S "$P:train.optimizer=${OPTIMIZER:-adagrad}" -S "$P:train.lr=${LR:-0.05}" \
  -S "$P:train.weight_decay=${WD:-0.0001}" -S "$P:train.batch_size=25" -S "$P:train.epochs=${EPOCHS:-20}" \
  -S "$P:train.patience=${PATIENCE:-5}" -S "$P:train.schedule=none" -S "$P:train.warmup_steps=0" \
  -S "$P:train.clip_norm=5.0" -S "$P:train.ema_decay=0.0" -S "$P:train.features=all" -S "$P:train.mix_lexical=${MIX:-true}" \
  -S "$P:evaluate.linear_c=1.0" -S "$P:train.threads=${THREADS:-2}" -S "$P:evaluate.threads=${THREADS:-2}" \
  -S "$P:train.relation_dim=${RELATION_DIM:-0}" -S "$P:train.seed=$seed" "$@"
