'use strict'
// `npm run bench [-- options]`: installs the other stacks into bench/node_modules on first use
// (bench/package-lock.json; the package's own devDependencies stay lean), then runs bench/run.js,
// which puts every peer process into network namespaces of its own (needs root for `ip netns`).
// Options: see bench/run.js.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const bench = __dirname

if (!fs.existsSync(path.join(bench, 'node_modules'))) {
  console.error('bench: installing @roamhq/wrtc, node-datachannel, werift into bench/node_modules (npm ci --prefix bench)')
  const r = spawnSync('npm', ['ci', '--prefix', bench, '--no-audit', '--no-fund'], { stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('bench: npm ci failed; the other stacks will be reported as not installed')
  }
}
if (process.getuid?.() !== 0) {
  console.error('bench: needs root (it creates network namespaces and a veth pair with `ip netns`/`ip link`)')
  process.exit(2)
}
const r = spawnSync(process.execPath, [path.join(bench, 'run.js'), ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(r.status ?? 1)
