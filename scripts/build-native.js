'use strict'
// The main native build: cmake-js (offline: package.json's binary.napi_versions makes it use
// node-api-headers instead of downloading Node headers). Output: build/Release/node_libwebrtc.node
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const cmakeJs = path.join(root, 'node_modules', '.bin', 'cmake-js')
const extra = process.argv.slice(2)
const jobs = String(require('node:os').availableParallelism?.() ?? 2)
for (const step of [['configure', ...extra], ['build', '--parallel', jobs]]) {
  const r = spawnSync(cmakeJs, [...step, '--out', path.join(root, 'build')], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
