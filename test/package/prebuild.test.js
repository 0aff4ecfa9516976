'use strict'
// The prebuilt binary that npm users get: self-contained, and installable where no -dev package
// exists. Needs `npm run prebuilds` first (scripts/setup.sh does it).
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const dir = path.join(root, 'prebuilds', 'linux-x64')

function prebuild () {
  assert.ok(fs.existsSync(dir), 'prebuilds/linux-x64 is missing: run `npm run prebuilds`')
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.node'))
  assert.equal(files.length, 1, `one prebuild expected, found: ${files.join(', ')}`)
  return path.join(dir, files[0])
}

describe('prebuild', function () {
  it('is what node-gyp-build loads when no local build exists', function () {
    const file = prebuild()
    assert.match(path.basename(file), /\.glibc\.node$/)
    const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'nlw-'))
    try {
      fs.copyFileSync(path.join(root, 'package.json'), path.join(tmp, 'package.json'))
      fs.mkdirSync(path.join(tmp, 'prebuilds', 'linux-x64'), { recursive: true })
      fs.copyFileSync(file, path.join(tmp, 'prebuilds', 'linux-x64', path.basename(file)))
      assert.equal(require('node-gyp-build').resolve(tmp), path.join(tmp, 'prebuilds', 'linux-x64', path.basename(file)))
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('needs only glibc libraries (readelf -d NEEDED)', function () {
    const out = execFileSync('readelf', ['-d', prebuild()], { encoding: 'utf8' })
    const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(m => m[1])
    assert.ok(needed.includes('libc.so.6'), out)
    const allowed = new Set(['libc.so.6', 'libm.so.6', 'ld-linux-x86-64.so.2', 'libpthread.so.0', 'libdl.so.2'])
    assert.deepEqual(needed.filter(n => !allowed.has(n)), [], `NEEDED: ${needed.join(' ')}`)
  })

  // Every thread_local access in a dlopen'ed object called __tls_get_addr (2-3 % of a transfer's
  // CPU). With TLS descriptors (CMakeLists.txt, -mtls-dialect=gnu2) it is a load, but only while
  // the addon's TLS block fits the part of glibc's static TLS reserve left to dlopen (512 bytes
  // by default): one large thread_local would put every access back on the slow path.
  it('reaches its thread-locals through TLS descriptors, in a block small enough for static TLS', function () {
    const file = prebuild()
    const segments = execFileSync('readelf', ['-lW', file], { encoding: 'utf8' })
    const tls = segments.split('\n').find(l => /^\s*TLS\s/.test(l))
    assert.ok(tls, 'no TLS segment')
    const memsz = Number(tls.trim().split(/\s+/)[5])
    assert.ok(memsz > 0 && memsz <= 512, `TLS block of ${memsz} bytes: ${tls.trim()}`)
    const relocs = execFileSync('readelf', ['-rW', file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 })
    assert.match(relocs, /R_X86_64_TLSDESC/)
    // The static libstdc++ keeps two module relocations (its exception globals and call_once,
    // both off the hot paths); one more is a thread_local of ours built without descriptors.
    const dynamic = relocs.split('\n').filter(l => l.includes('R_X86_64_DTPMOD64'))
    assert.ok(dynamic.length <= 2, `general-dynamic TLS accesses (__tls_get_addr):\n${dynamic.join('\n')}`)
  })

  it('exports only the Node-API entry points (no libwebrtc/OpenSSL symbols leak)', function () {
    const out = execFileSync('nm', ['-D', '--defined-only', prebuild()], { encoding: 'utf8' })
    const symbols = out.trim().split('\n').map(l => l.trim().split(/\s+/).pop()).sort()
    assert.deepEqual(symbols, ['napi_register_module_v1', 'node_api_module_get_api_version_v1'])
  })

  it('the npm pack tarball installs offline and runs in a chroot with only node and glibc', function () {
    this.timeout(240000)
    const out = execFileSync('bash', [path.join(root, 'scripts', 'tarball-chroot-test.sh')], { encoding: 'utf8', timeout: 240000 })
    // installed from tarballs alone (ours + our runtime dependencies), empty npm cache, no network
    assert.match(out, /installed offline with an empty cache and no network: node-libwebrtc-[^ ]+\.tgz \+ .*node-addon-api-.*node-gyp-build-/, out)
    assert.match(out, /loads the prebuild: node_modules\/node-libwebrtc\/prebuilds\/linux-x64\//, out)
    assert.match(out, /received: echo: hello libwebrtc/, out)
    assert.match(out, /states after close: closed closed closed/, out)
  })
})
