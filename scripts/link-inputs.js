'use strict'
// Prints the libraries the addon links, for binding.gyp (node-gyp). CMakeLists.txt reads the same
// src-native/build.json. Also prepares libtg_owt without the members that cannot go into a shared
// object (see src-native/shims/tls_shim.cc) and with dcsctp's consistency walks made weak (see
// src-native/shims/dcsctp_release_checks.cc).
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const build = JSON.parse(fs.readFileSync(path.join(root, 'src-native/build.json'), 'utf8'))
const outDir = path.join(root, 'build', 'tgowt')
fs.mkdirSync(outDir, { recursive: true })
const archive = path.join(outDir, 'libtg_owt_shlib.a')
// build.json names x86-64's paths and members; an arm64 machine has its own (as in CMakeLists.txt)
const multiarch = (p) => process.arch === 'arm64' ? p.replace('x86_64-linux-gnu', 'aarch64-linux-gnu') : p
const drop = process.arch === 'arm64'
  ? [...build.tgowt_drop_members.filter(m => !m.endsWith('.asm.o')), ...build.tgowt_drop_members_aarch64]
  : build.tgowt_drop_members
const src = multiarch(build.tgowt_archive)
if (!fs.existsSync(src)) {
  console.error(`node-libwebrtc: ${src} is missing: apt-get install -y libtgowt-dev`)
  process.exit(1)
}
const buildJson = path.join(root, 'src-native/build.json')
if (!fs.existsSync(archive) || Math.max(fs.statSync(src).mtimeMs, fs.statSync(buildJson).mtimeMs) > fs.statSync(archive).mtimeMs) {
  fs.copyFileSync(src, archive)
  execFileSync('ar', ['d', archive, ...drop])
  // src-native/shims/dcsctp_release_checks.cc defines these instead.
  execFileSync('objcopy', [...build.tgowt_weaken_symbols.map(s => `--weaken-symbol=${s}`), archive])
}
const dir = multiarch(build.static_libs_dir)
const re = new RegExp('^' + build.static_libs_glob.replace(/\./g, '\\.').replace(/\*/g, '.*') + '$')
const globbed = fs.readdirSync(dir).filter(f => re.test(f)).sort().map(f => path.join(dir, f))
const libs = [archive, '-Wl,--start-group', ...globbed, ...build.static_libs.map(f => path.join(dir, f)),
  '-Wl,--end-group', ...build.system_libs]
process.stdout.write(libs.join(' ') + '\n')
