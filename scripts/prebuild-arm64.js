'use strict'
// npm run prebuilds -- --arch arm64: cross-compiles the addon for linux-arm64 (cmake-js with
// cmake/aarch64-linux-gnu.cmake, into build-arm64/), strips it and puts it where node-gyp-build looks
// on an arm64 machine: prebuilds/linux-arm64/node-libwebrtc.glibc.node (the name prebuildify gives
// the x64 one). Needs scripts/setup-arm64.sh first (cross compiler, the unpacked arm64 packages).
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const sysroot = process.env.NLW_DEPS_ROOT || path.join(root, '.cache', 'arm64', 'sysroot')
const out = path.join(root, 'build-arm64')
const target = path.join(root, 'prebuilds', 'linux-arm64', 'node-libwebrtc.glibc.node')

function run (cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error(`prebuild-arm64: ${cmd} ${args.join(' ')} failed`)
    process.exit(r.status ?? 1)
  }
}

if (!fs.existsSync(path.join(sysroot, 'usr', 'lib', 'aarch64-linux-gnu', 'libtg_owt.a'))) {
  console.error(`prebuild-arm64: no arm64 libtg_owt.a under ${sysroot}: run scripts/setup-arm64.sh first`)
  process.exit(1)
}
const cmakeJs = path.join(root, 'node_modules', '.bin', 'cmake-js')
const jobs = String(os.availableParallelism?.() ?? 2)
run(cmakeJs, ['configure', '--out', out,
  `--CDCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'aarch64-linux-gnu.cmake')}`, `--CDNLW_DEPS_ROOT=${sysroot}`])
run(cmakeJs, ['build', '--out', out, '--parallel', jobs])
fs.mkdirSync(path.dirname(target), { recursive: true })
run('aarch64-linux-gnu-strip', ['--strip-all', '-o', target, path.join(out, 'Release', 'node_libwebrtc.node')])
console.log(`prebuild-arm64: ${path.relative(root, target)} (${fs.statSync(target).size} bytes)`)
