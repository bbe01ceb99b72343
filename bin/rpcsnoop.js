#!/usr/bin/env node
'use strict';
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the "prepare" script), loaded from
// the one-file bundle of its modules when that is current (dist/src/cli/start-bundle.js: a faster start).
let main;
try {
  ({ main } = require('../dist/src/cli/start-bundle.js').loadMain());
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('rpcsnoop: not built yet; run "npm install" (or "npm run build") in the rpcsnoop directory\n');
    process.exit(1);
  }
  throw e;
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`rpcsnoop: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
