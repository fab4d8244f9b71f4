#!/usr/bin/env bash
# Named forecasting experiments on a UCI Beijing station (default Dongsi) (dvc exp run on forecast/dvc.yaml):
# temperature 24 hours ahead from the previous 5 days of hourly readings.
#
#   bash experiments/beijing.sh gru              # the recipe behind the forecasting results (docs/pipelines/forecast.md)
#   bash experiments/beijing.sh lstm             # the same with another cell: rnn | lstm | gru
#   BEIJING=/path/to/beijing_multisite bash experiments/beijing.sh gru
#   NAME=h64 bash experiments/beijing.sh gru -S forecast/params.yaml:train.hidden=64   # a variant
#   STATION=Aotizhongxin bash experiments/beijing.sh gru   # another of the 12 stations
#
# Model selection uses the validation period only (early stopping on validation loss; recipe
# variants compared by metrics/train.json val_mae); evaluate reads the test period once.
set -euo pipefail
cd "$(dirname "$0")/.."
BEIJING="${BEIJING:-../shared/datasets/weather/beijing_multisite}"
# Absolute, so the recipe also runs queued (--queue / --temp), in DVC's temporary copy of the repository.
BEIJING="$(realpath -m "$BEIJING")"
STATION="${STATION:-Dongsi}"
cell="${1:-gru}"
shift || true
case "$cell" in rnn|lstm|gru) ;; *) echo "usage: $0 rnn|lstm|gru [extra dvc exp run args]" >&2; exit 2;; esac
P=forecast/params.yaml
# All station columns except the row number and the station name; wd (compass text) -> sin/cos;
# hours of NA up to 6 in a row interpolated, longer gaps kept out of every window; 2 years train,
# 1 year validation, 1 year test.
station_name=""
[ "$STATION" = Dongsi ] || station_name="-$(echo "$STATION" | tr '[:upper:]' '[:lower:]')"
exec dvc exp run forecast/dvc.yaml -n "beijing-$cell$station_name${NAME:+-$NAME}" \
  -S "$P:data.source=files" -S "$P:download.path=$BEIJING" -S "$P:download.pattern=PRSA_Data_${STATION}_*.csv" \
  -S "$P:prepare.drop_columns=[\"No\",\"station\"]" -S "$P:prepare.direction_columns=[\"wd\"]" \
  -S "$P:prepare.train_fraction=0.5" -S "$P:prepare.val_fraction=0.25" \
  -S "$P:window.target=TEMP" -S "$P:window.lookback=120" -S "$P:window.step=1" -S "$P:window.delay=24" \
  -S "$P:window.missing_features=impute" \
  -S "$P:train.cell=$cell" "$@"
