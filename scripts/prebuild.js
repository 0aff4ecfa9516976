'use strict'
// npm run prebuilds: the self-contained binary for prebuilds/linux-x64/, made by prebuildify
// (stripped, tagged napi + glibc) from the cmake-js build. node-gyp-build loads it before any
// local build.
// npm run prebuilds -- --arch arm64: the linux-arm64 one, cross-compiled (scripts/prebuild-arm64.js).
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const args = process.argv.slice(2)
const i = args.findIndex(a => a === '--arch' || a.startsWith('--arch='))
const arch = i < 0 ? 'x64' : (args[i].includes('=') ? args[i].split('=')[1] : args[i + 1])
if (arch !== 'x64' && arch !== 'arm64') {
  console.error(`prebuild: --arch ${arch}: only x64 and arm64`)
  process.exit(1)
}
const r = arch === 'arm64'
  ? spawnSync(process.execPath, [path.join(__dirname, 'prebuild-arm64.js')], { cwd: root, stdio: 'inherit' })
  : spawnSync(path.join(root, 'node_modules', '.bin', 'prebuildify'),
    ['--napi', '--strip', '--tag-libc', '--node-gyp', path.join(root, 'scripts', 'cmake-js-as-node-gyp.sh')],
    { cwd: root, stdio: 'inherit' })
process.exit(r.status ?? 1)
