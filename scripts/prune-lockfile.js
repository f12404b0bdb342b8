#!/usr/bin/env node
// `npm run lockfile:prune` — run after `npm install` changes package-lock.json.
//
// Why: npm (npm/cli#4828, #8320) leaves the platform-specific optional binaries of other
// platforms (@swc/core-darwin-arm64, @unrs/resolver-binding-win32-…) out of the lockfile it
// writes on Linux, yet keeps them in the optionalDependencies of the packages that list
// them; `npm ci` then refuses the lockfile as "out of sync" ("Missing: … from lock file").
// Dropping those dangling optional edges makes the lockfile self-consistent; on this
// platform nothing changes (the binaries it needs are in the lockfile). A unit test
// (scripts/lockfile.test.ts) fails when a lockfile has dangling edges again.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Removes optional edges to packages the lockfile does not contain; returns what it removed. */
function pruneDanglingOptionals(lock) {
  const packages = lock.packages ?? {};
  const present = new Set(Object.keys(packages).filter(Boolean).map((key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)));
  const removed = [];
  for (const [key, entry] of Object.entries(packages)) {
    if (!key.includes('node_modules/') || !entry.optionalDependencies) continue;
    for (const name of Object.keys(entry.optionalDependencies)) {
      if (!present.has(name)) {
        delete entry.optionalDependencies[name];
        removed.push(`${key} → ${name}`);
      }
    }
    if (Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
  }
  return removed;
}

module.exports = { pruneDanglingOptionals };

if (require.main === module) {
  const file = path.join(__dirname, '..', 'package-lock.json');
  const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  const removed = pruneDanglingOptionals(lock);
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  console.log(`package-lock.json: removed ${removed.length} dangling optional dependency edge(s)`);
}
