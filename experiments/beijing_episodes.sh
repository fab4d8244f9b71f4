#!/usr/bin/env bash
# When does the next heavy-pollution episode start? The UCI Beijing stations' hourly PM2.5 as an
# event log (experiments/beijing_episodes.py: an episode starts at the first hour >= 150 ug/m3
# after 12 hours below), forecast with the event-log layout: each station's gaps between episode
# starts (in days), the next gap's bin: under 2 days, 2 to 7, a week or more (window.bins).
#
#   bash experiments/beijing_episodes.sh                # one GRU for the 12 stations' gaps
#   BEIJING=/path/to/beijing_multisite bash experiments/beijing_episodes.sh
#   bash experiments/beijing_episodes.sh -S forecast/params.yaml:window.bins=[]   # the gap itself
#
# Each station's last 20 gaps are the test period (20 origins, evaluate.origins), the 20 before
# them validation; the log is written to $EPISODES (default: a file under /tmp) first.
set -euo pipefail
cd "$(dirname "$0")/.."
BEIJING="$(realpath -m "${BEIJING:-../shared/datasets/weather/beijing_multisite}")"
EPISODES="${EPISODES:-${TMPDIR:-/tmp}/rnnpipe-beijing-episodes/episodes.csv}"
python experiments/beijing_episodes.py "$BEIJING" "$EPISODES"
P=forecast/params.yaml
exec dvc exp run forecast/dvc.yaml -n "beijing-episodes${NAME:+-$NAME}" \
  -S "$P:data.source=files" -S "$P:download.path=$(realpath "$EPISODES")" \
  -S "$P:download.pattern=*.csv" -S "$P:prepare.layout=events" -S "$P:prepare.series_column=station" \
  -S "$P:prepare.time_column=time" -S "$P:prepare.gap_unit=1D" \
  -S "$P:window.lookback=16" -S "$P:window.horizon=1" -S "$P:window.season=1" \
  -S "$P:window.bins=[2,7]" -S "$P:window.intervals=[0.8]" -S "$P:evaluate.origins=20" \
  -S "$P:train.cell=gru" -S "$P:train.hidden=32" -S "$P:train.dropout=0.2" \
  -S "$P:train.lr=0.003" -S "$P:train.batch_size=64" -S "$P:train.epochs=30" \
  -S "$P:train.windows_per_epoch=0" -S "$P:train.patience=5" -S "$P:train.ensemble_linear=false" \
  -S "$P:train.seed=0" "$@"
