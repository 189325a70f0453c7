#!/usr/bin/env node
// Thin launcher: the CLI is bundled by `npm run build` into out/cli.js.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'out', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(`fewshot: the CLI is not built yet. Run \`npm run build\` in ${path.join(__dirname, '..')}`);
  process.exit(2);
}
require(cli);
