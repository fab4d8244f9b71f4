#!/usr/bin/env bash
# The text pipeline's default recipe on small public data, as a new user runs it: nothing set but
# data.source=table and download.path (docs/pipelines/text.md, "Small data").
#
#   python experiments/small_data.py --out ../small-data     # once: SST-2 sentences, IMDB 2k / 5k subsamples
#   bash experiments/small_data.sh sst2                       # or imdb2k, imdb5k
#   SMALL_DATA=/elsewhere bash experiments/small_data.sh imdb2k -S train.ensemble_linear=false   # a variant
#
# Every other param is the committed default: params.yaml is first restored from git (`git checkout
# params.yaml`), so what an earlier experiment left in the workspace plays no part.
set -euo pipefail
cd "$(dirname "$0")/.."
dataset="${1:?usage: $0 sst2|imdb2k|imdb5k [extra dvc exp run args]}"
shift
SMALL_DATA="$(realpath -m "${SMALL_DATA:-../small-data}")"
[ -d "$SMALL_DATA/$dataset" ] || { echo "no $SMALL_DATA/$dataset: run python experiments/small_data.py first" >&2; exit 2; }
git checkout -- params.yaml
exec dvc exp run -n "small-$dataset${NAME:+-$NAME}" -S data.source=table -S "download.path=$SMALL_DATA/$dataset" "$@"
