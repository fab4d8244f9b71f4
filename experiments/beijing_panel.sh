#!/usr/bin/env bash
# PM2.5 24 hours ahead at the 12 UCI Beijing stations as one panel (dvc exp run on forecast/dvc.yaml):
# one model for all stations against one model per station, beside the baselines.
#
#   bash experiments/beijing_panel.sh global            # one GRU for the 12 stations
#   bash experiments/beijing_panel.sh Dongsi            # one station's own model (any of the 12)
#   BEIJING=/path/to/beijing_multisite bash experiments/beijing_panel.sh global
#
# Each station's last 30 days are the test period (30 forecast origins a day apart, evaluate.origins),
# the 30 days before them validation; hourly PM2.5 with gaps of up to 6 hours interpolated, longer
# outages kept out of every window. Both kinds train on the same number of windows.
set -euo pipefail
cd "$(dirname "$0")/.."
BEIJING="${BEIJING:-../shared/datasets/weather/beijing_multisite}"
BEIJING="$(realpath -m "$BEIJING")"
which="${1:-global}"
shift || true
pattern="PRSA_Data_*.csv"
[ "$which" = global ] || pattern="PRSA_Data_${which}_*.csv"
P=forecast/params.yaml
exec dvc exp run forecast/dvc.yaml -n "beijing-pm25-$which${NAME:+-$NAME}" \
  -S "$P:data.source=files" -S "$P:download.path=$BEIJING" -S "$P:download.pattern=$pattern" \
  -S "$P:prepare.layout=long" -S "$P:prepare.series_column=station" -S "$P:prepare.fill=interpolate" \
  -S "$P:prepare.max_gap=6" -S "$P:window.target=PM2.5" \
  -S "$P:window.lookback=168" -S "$P:window.horizon=24" -S "$P:window.season=24" \
  -S "$P:window.intervals=[0.95]" -S "$P:window.scaling=auto" -S "$P:evaluate.origins=30" \
  -S "$P:train.cell=gru" -S "$P:train.hidden=64" -S "$P:train.layers=1" -S "$P:train.dropout=0.0" \
  -S "$P:train.lr=0.003" -S "$P:train.weight_decay=0.0" -S "$P:train.batch_size=256" \
  -S "$P:train.epochs=8" -S "$P:train.windows_per_epoch=25600" -S "$P:train.schedule=cosine" \
  -S "$P:train.patience=0" -S "$P:train.clip_norm=1.0" -S "$P:train.ensemble_linear=false" \
  -S "$P:train.seed=0" "$@"
