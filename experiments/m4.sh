#!/usr/bin/env bash
# Named forecasting experiments on the M4 competition's data (dvc exp run on forecast/dvc.yaml):
# one GRU for every series of a frequency, the whole horizon at once with a 95% interval, scored
# as M4 scores (sMAPE, MASE, OWA against Naive2; MSIS, coverage) beside the M4 benchmarks.
#
#   bash experiments/m4.sh hourly               # the recipe behind the M4 results (docs/pipelines/forecast.md)
#   M4=/path/to/m4_hourly bash experiments/m4.sh hourly
#   NAME=h128 bash experiments/m4.sh hourly -S forecast/params.yaml:train.hidden=128   # a variant
#
# The folder holds the competition's files as published (Hourly-train.csv, Hourly-test.csv): the
# test file's 48 values per series are the test period, read once by evaluate; the 48 training
# values before them are validation (the epoch kept, recipe variants compared by
# metrics/train.json val_loss).
set -euo pipefail
cd "$(dirname "$0")/.."
frequency="${1:-hourly}"
shift || true
case "$frequency" in
  # horizon and season as M4 sets them; the lookback: a week of hours
  hourly) file=Hourly horizon=48 season=24 lookback=168 ;;
  *) echo "usage: $0 hourly [extra dvc exp run args]" >&2; exit 2 ;;
esac
M4="${M4:-../shared/datasets/m4_$frequency}"
# Absolute, so the recipe also runs queued (--queue / --temp), in DVC's temporary copy of the repository.
M4="$(realpath -m "$M4")"
P=forecast/params.yaml
exec dvc exp run forecast/dvc.yaml -n "m4-$frequency${NAME:+-$NAME}" \
  -S "$P:data.source=files" -S "$P:download.path=$M4" -S "$P:download.pattern=$file-*.csv" \
  -S "$P:prepare.layout=wide" -S "$P:window.target=value" \
  -S "$P:window.lookback=$lookback" -S "$P:window.horizon=$horizon" -S "$P:window.season=$season" \
  -S "$P:window.intervals=[0.95]" -S "$P:window.scaling=log" \
  -S "$P:train.cell=gru" -S "$P:train.hidden=64" -S "$P:train.layers=1" -S "$P:train.dropout=0.0" \
  -S "$P:train.lr=0.003" -S "$P:train.weight_decay=0.0" -S "$P:train.batch_size=256" \
  -S "$P:train.epochs=15" -S "$P:train.windows_per_epoch=51200" -S "$P:train.schedule=cosine" \
  -S "$P:train.patience=0" -S "$P:train.clip_norm=1.0" -S "$P:train.ensemble_linear=false" \
  -S "$P:train.seed=0" "$@"
