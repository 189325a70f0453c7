#!/usr/bin/env bash
# Reproduces the accuracy tables of the README (docs/eval/*.json), 600 seeded episodes each.
#   CLINC150 held-out domains: the holdout-recipe model (npx fewshot meta-train --recipe holdout);
#   SNIPS, TREC-6, R8 (never trained on): the shipped model.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
out=docs/eval
mkdir -p "$out" "$out/open-set"
methods=default,selftrain,logreg,protonet,natural-logreg,natural-bayes
run() { node bin/fewshot.js eval --episodes 600 --seed 1 --way 5 --shot 1,5 --query 15 --baseline logreg --json "$@"; }
[ -d out/models-holdout-final ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out out/models-holdout-final
run --data $data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods $methods > $out/clinc-heldout.json
run --data $data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods default,selftrain,logreg --no-label-names > $out/clinc-heldout-no-names.json
for d in snips.test trec6.test r8.test; do
  run --data $data/$d.jsonl --methods $methods > $out/$d.json
  run --data $data/$d.jsonl --methods default,logreg --no-label-names > $out/$d-no-names.json
done
# Lines that fit no label: 25% of each episode's query lines from held-out intents outside the episode
# (or from CLINC150's out-of-scope file); the rules are fitted on the training domains only.
[ -f out/models-holdout-final/abstention.json ] || node bin/fewshot.js fit-abstention --data $data --model out/models-holdout-final
open_set() { node bin/fewshot.js eval --episodes "$1" --seed 1 --way 5 --shot 5 --query 15 --json --data $data/clinc150.test.jsonl \
  --holdout-domains banking,credit_cards,work --model out/models-holdout-final --methods default --open-set 0.25 "${@:2}"; }
open_set 600 > $out/open-set/clinc-heldout.json
open_set 200 --oos-file $data/clinc150.oos.jsonl > $out/open-set/clinc-heldout-oos-file.json
node scripts/eval-tables.mjs $out/*.json $out/open-set/*.json
