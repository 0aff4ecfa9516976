'use strict'
// Prints the Markdown table of a run saved with `npm run bench -- --json <file>` again, with the
// current bench/lib/table.js (rows added since the run are computed from the raw results).
// Usage: node bench/table-from-json.js <file>
const fs = require('node:fs')
const { table } = require('./lib/table')

const { info, results } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const scenarios = Object.keys(results)
const peers = [...new Set(scenarios.flatMap(s => Object.keys(results[s])))]
console.log(table(info, { peers, scenarios, runs: info.runs, quick: info.quick }, results))
