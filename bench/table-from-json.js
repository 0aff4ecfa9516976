'use strict'
// Prints the Markdown table of a run saved with `npm run bench -- --json <file>` again, with the
// current bench/lib/table.js (rows added since the run are computed from the raw results).
// Usage: node bench/table-from-json.js <file>
const fs = require('node:fs')
const { table } = require('./lib/table')

const { info, results: saved } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
// Runs since the path modes were added keep their results per path ('in-process', ...): the first.
const results = saved['in-process'] ?? Object.values(saved).find(v => !('ours' in v) && typeof v === 'object' && Object.values(v).some(x => 'ours' in x)) ?? saved
const scenarios = Object.keys(results)
const peers = [...new Set(scenarios.flatMap(s => Object.keys(results[s])))]
console.log(table(info, { peers, scenarios, runs: info.runs, quick: info.quick }, results))
