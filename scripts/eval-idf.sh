#!/usr/bin/env bash
# The ablation of the char block's IDF weighting (docs/accuracy.md, "Weighting the char block by
# document frequency"): default against default-idf (power 0.5, chosen on validation intents) and
# default-idf1 (plain IDF) on the same seeded episodes, beside char-tfidf. JSON in docs/eval/idf/.
#   zh-classics and the CLINC150 held-out domains (5-way and every intent of the three domains,
#   with the holdout-recipe model) come with the repository; SNIPS and TREC-6 are evaluation-only
#   sets it may not carry: put snips.test.jsonl and trec6.test.jsonl in a folder and set
#   FEWSHOT_EVAL_DATA=<folder>; each one missing is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
data=data
out=docs/eval/idf
mkdir -p "$out"
methods=default,default-idf,default-idf1,char-tfidf
run() { node bin/fewshot.js eval --seed 1 --shot 1,5 --query 15 --baseline default --json --methods $methods "$@"; }
[ -d out/models-holdout-final ] || node bin/fewshot.js meta-train --recipe holdout --steps 100 --eval-every 20 --validation-episodes 150 --out out/models-holdout-final
run --episodes 300 --way 5 --data $data/zh-classics.jsonl > $out/zh-classics.json
run --episodes 300 --way 5 --data $data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --model out/models-holdout-final > $out/clinc-heldout.json
run --episodes 50 --way all --data $data/clinc150.test.jsonl --shots-from $data/clinc150.train.jsonl \
  --holdout-domains banking,credit_cards,work --model out/models-holdout-final > $out/clinc-heldout-45way.json
for d in snips.test trec6.test; do
  file="${FEWSHOT_EVAL_DATA:-}/$d.jsonl"
  if [ -z "${FEWSHOT_EVAL_DATA:-}" ]; then why="FEWSHOT_EVAL_DATA is not set"; elif [ ! -f "$file" ]; then why="not found at $file"; else why=; fi
  if [ -n "$why" ]; then
    echo "eval-idf: skipping $d: $why. It is an evaluation-only set the repository may not carry (data/README.md):" \
      "put $d.jsonl in a folder and set FEWSHOT_EVAL_DATA=<folder>." >&2
    continue
  fi
  run --episodes 300 --way 5 --data "$file" > $out/$d.json
done
node scripts/eval-tables.mjs $out/*.json
