#!/usr/bin/env bash
# The sentence-block ablation of docs/sentence.md (JSON in docs/eval/sentence/), paired episodes.
#   1. the weight of the block in `default+sentence@W`, chosen on CLINC150 validation intents of
#      training domains (kitchen_and_dining, home, travel: 45-way, 10 episodes; W = 2 won);
#   2. CLINC150 held-out domains (banking, credit_cards, work), 45-way, shots from the train split,
#      the holdout-recipe model (built here when missing, as scripts/eval-all.sh does);
#   3. SNIPS and TREC-6 (5-way, the shipped model): evaluation-only sets the repository does not
#      carry; set FEWSHOT_EVAL_DATA=<folder with snips.test.jsonl, trec6.test.jsonl>, else skipped.
#   4. (step `meta`, not in `all`) the adaptation meta-trained WITH the block on the holdout model
#      (`fewshot meta-train --sentence`: its scale a meta-parameter with the rest, kept only if it
#      validates better than default+sentence@2), then the CLINC held-out 45-way ablation with and
#      without the block, with and without meta-learning (docs/accuracy.md, "Meta-trained with the block").
# Usage: scripts/eval-sentence.sh [select|clinc|others|all|meta] [W[,W...]]   (W: the weight chosen in step 1)
# EPISODES (default 100) sets the episodes of steps 2 and 3. Sentence vectors are kept in
# .fewshot-cache/sentence between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
step=${1:-all}
weight=${2:-2}
episodes=${EPISODES:-100}
out=docs/eval/sentence
mkdir -p "$out"
cache=(--sentence --sentence-cache .fewshot-cache/sentence --backend wasm --seed 1 --query 15 --json)
ablation="default,logreg,sentence-logreg,both-logreg,$(echo "$weight" | sed 's/\([^,]*\)/default+sentence@\1/g')"
holdout=out/models-holdout-final

if [[ $step == select || $step == all ]]; then
  [ -d $holdout ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out $holdout
  node bin/fewshot.js eval "${cache[@]}" --data data/clinc150.val.jsonl --holdout-domains kitchen_and_dining,home,travel \
    --model $holdout --way all --shot 1,5 --episodes 10 --baseline default \
    --methods default,default+sentence@1,default+sentence@2,default+sentence@3 > $out/select-weight.json
fi
if [[ $step == clinc || $step == all ]]; then
  [ -d $holdout ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out $holdout
  node bin/fewshot.js eval "${cache[@]}" --data data/clinc150.test.jsonl --shots-from data/clinc150.train.jsonl \
    --holdout-domains banking,credit_cards,work --model $holdout --way all --shot 1,5 --episodes $episodes --baseline default \
    --methods "$ablation" > $out/clinc-heldout-45way.json
fi
if [[ $step == meta ]]; then
  [ -d $holdout ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out $holdout
  node bin/fewshot.js meta-train --sentence --recipe holdout --out $holdout --sentence-cache .fewshot-cache/sentence \
    --steps 100 --eval-every 20 --validation-episodes 100
  node bin/fewshot.js eval "${cache[@]}" --data data/clinc150.test.jsonl --shots-from data/clinc150.train.jsonl \
    --holdout-domains banking,credit_cards,work --model $holdout --way all --shot 1,5 --episodes "${EPISODES:-30}" --baseline default \
    --methods default,selftrain,default+sentence@2,default+sentence > $out/clinc-heldout-45way-meta.json
  for set in snips trec6; do
    file=${FEWSHOT_EVAL_DATA:-}/$set.test.jsonl
    if [ -z "${FEWSHOT_EVAL_DATA:-}" ] || [ ! -f "$file" ]; then
      echo "eval-sentence: $file not found (set FEWSHOT_EVAL_DATA): $set skipped" >&2
      continue
    fi
    node bin/fewshot.js eval "${cache[@]}" --data "$file" --model $holdout --way 5 --shot 1,5 --episodes 100 \
      --baseline default+sentence@2 --methods default,default+sentence@2,default+sentence > $out/$set-meta.json
  done
fi
if [[ $step == others || $step == all ]]; then
  if [ -z "${FEWSHOT_EVAL_DATA:-}" ]; then
    echo "eval-sentence: FEWSHOT_EVAL_DATA is not set: SNIPS and TREC-6 skipped" >&2
  else
    for set in snips trec6; do
      file=$FEWSHOT_EVAL_DATA/$set.test.jsonl
      if [ ! -f "$file" ]; then
        echo "eval-sentence: $file not found: $set skipped" >&2
        continue
      fi
      node bin/fewshot.js eval "${cache[@]}" --data "$file" --way 5 --shot 1,5 --episodes $episodes --baseline default \
        --methods "$ablation" > $out/$set.json
    done
  fi
fi
