#!/usr/bin/env bash
# Named entities, generated (tagging.synthetic.synthetic_entity_sentences): CoNLL-2003's layout and
# IOB1 scheme (eng.train / eng.testa / eng.testb; people's names in the test file never trained on),
# through the tagging pipeline (dvc exp run on tagging/dvc.yaml). One experiment per variant:
#
#   bash experiments/ner_generated.sh keep     # trained on the IOB1 tags as given
#   bash experiments/ner_generated.sh iob2     # converted to IOB2 (download.span_scheme=auto)
#   bash experiments/ner_generated.sh crf      # IOB2 and a CRF output layer (train.crf)
#   bash experiments/ner_generated.sh bioes    # converted to BIOES (download.span_scheme=bioes)
#   NAMES=seen bash experiments/ner_generated.sh iob2   # test names seen in training (../ner_generated_seen)
#   NAME=ner-crf-s2 bash experiments/ner_generated.sh crf -S tagging/params.yaml:train.seed=2
#
# The recipe is experiments/ud_pos.sh's word + character BiLSTM (words lowercased, characters as
# written: capitals are what tells a name), with random 50-d word vectors, 15 epochs at most.
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:?usage: bash experiments/ner_generated.sh keep|iob2|crf|bioes}"
shift
NAMES="${NAMES:-unseen}"
DATA="$(realpath -m "${NER:-../ner_generated$([ "$NAMES" = seen ] && echo _seen)}")"
if [ ! -f "$DATA/eng.train" ]; then
  PYTHONPATH=src python - "$DATA" "$NAMES" <<'PY'
import sys
from pathlib import Path
from rnnpipe.tagging.synthetic import synthetic_entity_sentences
folder = Path(sys.argv[1]); folder.mkdir(parents=True, exist_ok=True)
test_unseen = sys.argv[2] != "seen"
for name, count, seed, unseen in (("eng.train", 2000, 1, False), ("eng.testa", 500, 2, False), ("eng.testb", 1000, 3, test_unseen)):
    lines = ["-DOCSTART- O", ""]
    for tokens, tags in synthetic_entity_sentences(count, seed, "IOB1", unseen):
        lines += [f"{t} {g}" for t, g in zip(tokens, tags)] + [""]
    (folder / name).write_text("\n".join(lines) + "\n")
PY
fi
case "$variant" in
  keep) scheme=keep; crf=false ;;
  iob2) scheme=auto; crf=false ;;
  crf)  scheme=auto; crf=true ;;
  bioes) scheme=bioes; crf=false ;;
  *) echo "unknown variant $variant (keep | iob2 | crf | bioes)" >&2; exit 2 ;;
esac
P=tagging/params.yaml
exec dvc exp run tagging/dvc.yaml -n "${NAME:-ner-generated-$variant$([ "$NAMES" = seen ] && echo -seen)}" \
  -S $P:data.source=conll -S "$P:download.path=$DATA" -S $P:download.tag_column=-1 \
  -S $P:download.span_scheme=$scheme -S $P:tokenize.lowercase=true \
  -S $P:embed.source=random -S $P:embed.dim=50 \
  -S $P:train.cell=lstm -S $P:train.bidirectional=true -S $P:train.hidden=64 -S $P:train.dropout=0.5 \
  -S $P:train.word_dropout=0.1 -S $P:train.char_dim=32 -S $P:train.char_hidden=32 -S $P:train.lr=0.002 \
  -S $P:train.batch_size=32 -S $P:train.epochs=15 -S $P:train.patience=4 -S $P:train.crf=$crf "$@"
