#!/usr/bin/env bash
# Measures `fewshot meta-train --from-checkpoint` with CLINC150 domains as a user's finished tasks
# (docs/improve.md): the base is the holdout-recipe model, which never trained on banking,
# credit_cards or work (it validated on auto_and_commute). Five domains are the tasks, one JSONL file
# each from the train split; the sixth, work, is used by nothing but the comparison (test split).
set -euo pipefail
cd "$(dirname "$0")/.."
tasks=out/clinc-tasks
mkdir -p "$tasks"
# One file per domain and split: the lines of that domain's intents.
node -e '
const fs = require("fs");
const domains = JSON.parse(fs.readFileSync("data/clinc150.domains.json", "utf8"));
for (const split of ["train", "test"]) {
  const out = {};
  for (const raw of fs.readFileSync(`data/clinc150.${split}.jsonl`, "utf8").split("\n")) {
    if (!raw.trim()) continue;
    const d = domains[JSON.parse(raw).label];
    if (d) (out[d] ??= []).push(raw);
  }
  for (const [d, lines] of Object.entries(out)) fs.writeFileSync(`'"$tasks"'/${d}.${split}.jsonl`, lines.join("\n") + "\n");
}'
[ -d out/models-holdout ] || node bin/fewshot.js meta-train --recipe holdout --out out/models-holdout
node bin/fewshot.js meta-train --from-checkpoint out/models-holdout \
  --data $tasks/banking.train.jsonl $tasks/credit_cards.train.jsonl $tasks/auto_and_commute.train.jsonl \
  $tasks/home.train.jsonl $tasks/utility.train.jsonl \
  --test $tasks/work.test.jsonl --out out/models-improved --test-episodes 600 --seed 1 "$@"
