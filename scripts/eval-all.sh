#!/usr/bin/env bash
# Reproduces the accuracy tables of the README (docs/eval/*.json), 600 seeded episodes each.
#   CLINC150 held-out domains (data/, carried by the repository): the holdout-recipe model
#   (npx fewshot meta-train --recipe holdout);
#   SNIPS, TREC-6, R8 (never trained on): the shipped model. These evaluation-only sets may not be
#   redistributed, so the repository does not carry them (data/README.md, "Sets that are not
#   here"): put snips.test.jsonl, trec6.test.jsonl and r8.test.jsonl in a folder and set
#   FEWSHOT_EVAL_DATA=<folder>; each one missing is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
data=data
out=docs/eval
mkdir -p "$out" "$out/open-set"
methods=default,selftrain,logreg,protonet,natural-logreg,natural-bayes
run() { node bin/fewshot.js eval --episodes 600 --seed 1 --way 5 --shot 1,5 --query 15 --baseline logreg --json "$@"; }
[ -d out/models-holdout-final ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out out/models-holdout-final
run --data $data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods $methods > $out/clinc-heldout.json
run --data $data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods default,selftrain,logreg --no-label-names > $out/clinc-heldout-no-names.json
for d in snips.test trec6.test r8.test; do
  file="${FEWSHOT_EVAL_DATA:-}/$d.jsonl"
  if [ -z "${FEWSHOT_EVAL_DATA:-}" ]; then why="FEWSHOT_EVAL_DATA is not set"; elif [ ! -f "$file" ]; then why="not found at $file"; else why=; fi
  if [ -n "$why" ]; then
    echo "eval-all: skipping $d: $why. It is an evaluation-only set the repository may not carry (data/README.md):" \
      "put $d.jsonl in a folder and set FEWSHOT_EVAL_DATA=<folder>." >&2
    continue
  fi
  run --data "$file" --methods $methods > $out/$d.json
  run --data "$file" --methods default,logreg --no-label-names > $out/$d-no-names.json
done
# Lines that fit no label: 25% of each episode's query lines from held-out intents outside the episode
# (or from CLINC150's out-of-scope file); the rules are fitted on the training domains only.
[ -f out/models-holdout-final/abstention.json ] || node bin/fewshot.js fit-abstention --data $data --model out/models-holdout-final
open_set() { node bin/fewshot.js eval --episodes "$1" --seed 1 --way 5 --shot 5 --query 15 --json --data $data/clinc150.test.jsonl \
  --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods default --open-set 0.25 "${@:2}"; }
open_set 600 > $out/open-set/clinc-heldout.json
open_set 200 --oos-file $data/clinc150.oos.jsonl > $out/open-set/clinc-heldout-oos-file.json
node scripts/eval-tables.mjs $out/*.json $out/open-set/*.json
