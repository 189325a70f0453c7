#!/usr/bin/env bash
# The ideograph block (docs/accuracy.md, "Chinese: zh-classics"): the default (which reads it on
# documents with ideographs) against default-plain (the same regression without it) and char-tfidf
# on the same seeded episodes. zh-classics comes with the repository (its second half of each class
# is also reported alone: the block's settings were chosen on the first half); the English sets
# check that nothing moves where there are no ideographs: CLINC150's held-out domains with the
# shipped model, and SNIPS and TREC-6 from FEWSHOT_EVAL_DATA (evaluation-only sets the repository
# may not carry; each one missing is skipped with a message). JSON in docs/eval/cjk/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/eval/cjk
mkdir -p "$out" out/zh
run() { node bin/fewshot.js eval --seed 1 --shot 1,5 --query 15 --way 5 --json "$@"; }
# The halves: the first 80 lines of each work tuned the block (learners/ideographBlock.ts), the rest is kept apart.
node -e '
const fs = require("fs");
const rows = fs.readFileSync("data/zh-classics.jsonl", "utf8").split("\n").filter(Boolean);
const seen = new Map();
const halves = [[], []];
for (const line of rows) {
  const label = JSON.parse(line).label;
  seen.set(label, (seen.get(label) ?? 0) + 1);
  halves[seen.get(label) <= 80 ? 0 : 1].push(line);
}
fs.writeFileSync("out/zh/zh-tune.jsonl", halves[0].join("\n") + "\n");
fs.writeFileSync("out/zh/zh-test.jsonl", halves[1].join("\n") + "\n");
'
zh=default,default-plain,protonet,char-tfidf
run --episodes 300 --data data/zh-classics.jsonl --methods $zh --baseline char-tfidf > $out/zh-classics.json
run --episodes 300 --data out/zh/zh-test.jsonl --methods $zh --baseline char-tfidf > $out/zh-test.json
en=default,default-plain
run --episodes 200 --data data/clinc150.test.jsonl --holdout-domains banking,credit_cards,work --methods $en --baseline default-plain > $out/clinc-heldout.json
for d in snips.test trec6.test; do
  file="${FEWSHOT_EVAL_DATA:-}/$d.jsonl"
  if [ -z "${FEWSHOT_EVAL_DATA:-}" ] || [ ! -f "$file" ]; then
    echo "eval-cjk: skipping $d: put $d.jsonl in a folder and set FEWSHOT_EVAL_DATA=<folder> (data/README.md)." >&2
    continue
  fi
  run --episodes 200 --data "$file" --methods $en --baseline default-plain > $out/$d.json
done
node scripts/eval-tables.mjs $out/*.json
