'use strict'
// npm run test:arm64: the linux-arm64 prebuild (npm run prebuilds -- --arch arm64), run by Node.js for
// arm64 under qemu-aarch64 with the cross glibc (both from scripts/setup-arm64.sh). Not part of
// `npm test` (*.test.js): it needs the cross toolchain and takes about a minute.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const prebuild = path.join(root, 'prebuilds', 'linux-arm64', 'node-libwebrtc.glibc.node')
const node = path.join(root, '.cache', 'arm64', 'node', 'bin', 'node')
const crossLibc = '/usr/aarch64-linux-gnu'

// Text and bytes both ways over one channel; prints what a user would check.
const exchange = `
const { RTCPeerConnection } = require('node-libwebrtc')
;(async () => {
  const a = new RTCPeerConnection()
  const b = new RTCPeerConnection()
  a.onicecandidate = e => { if (e.candidate) b.addIceCandidate(e.candidate) }
  b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate) }
  const channel = a.createDataChannel('exchange')
  channel.binaryType = 'arraybuffer'
  const opened = new Promise(resolve => { channel.onopen = resolve })
  const remote = new Promise(resolve => { b.ondatachannel = e => resolve(e.channel) })
  await a.setLocalDescription()
  await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription()
  await a.setRemoteDescription(b.localDescription)
  await opened
  const theirs = await remote
  theirs.binaryType = 'arraybuffer'
  theirs.onmessage = e => theirs.send(typeof e.data === 'string' ? e.data.toUpperCase() : new Uint8Array(e.data).reverse())
  const got = []
  const done = new Promise(resolve => { channel.onmessage = e => { got.push(e.data); if (got.length === 20) resolve() } })
  for (let i = 0; i < 10; i++) {
    channel.send('message ' + i)
    channel.send(new Uint8Array([i, 1, 2, 3]))
  }
  await done
  a.close()
  b.close()
  console.log(JSON.stringify({
    arch: process.arch,
    texts: got.filter(m => typeof m === 'string'),
    bytes: got.filter(m => m instanceof ArrayBuffer).map(m => [...new Uint8Array(m)].join(',')),
    states: [a.connectionState, channel.readyState, theirs.readyState]
  }))
})()
`

function runArm64 (args) {
  return execFileSync('qemu-aarch64', ['-L', crossLibc, node, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110000,
    env: { ...process.env, NODE_LIBWEBRTC_BINARY: prebuild, NODE_OPTIONS: '' }
  })
}

describe('linux-arm64 prebuild (under qemu-aarch64)', function () {
  this.timeout(120000)

  before(function () {
    assert.ok(fs.existsSync(prebuild), `${path.relative(root, prebuild)} is missing: npm run prebuilds -- --arch arm64`)
    assert.ok(fs.existsSync(node), `${path.relative(root, node)} is missing: bash scripts/setup-arm64.sh`)
  })

  it('is an aarch64 shared object that needs only glibc and exports only Node-API (readelf, nm)', function () {
    const header = execFileSync('readelf', ['-h', prebuild], { encoding: 'utf8' })
    assert.match(header, /Machine:\s+AArch64/, header)
    const out = execFileSync('readelf', ['-d', prebuild], { encoding: 'utf8' })
    const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(m => m[1])
    assert.ok(needed.includes('libc.so.6'), out)
    const allowed = new Set(['libc.so.6', 'libm.so.6', 'ld-linux-aarch64.so.1', 'libpthread.so.0', 'libdl.so.2'])
    assert.deepEqual(needed.filter(n => !allowed.has(n)), [], `NEEDED: ${needed.join(' ')}`)
    // only the Node-API entry points are exported, as for x64
    const symbols = execFileSync('nm', ['-D', '--defined-only', prebuild], { encoding: 'utf8' })
      .trim().split('\n').map(l => l.trim().split(/\s+/).pop()).sort()
    assert.deepEqual(symbols, ['napi_register_module_v1', 'node_api_module_get_api_version_v1'])
  })

  it('is what node-gyp-build picks on arm64 when no local build exists', function () {
    const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'nlw-arm64-'))
    try {
      fs.copyFileSync(path.join(root, 'package.json'), path.join(tmp, 'package.json'))
      const dest = path.join(tmp, 'prebuilds', 'linux-arm64', path.basename(prebuild))
      fs.mkdirSync(path.dirname(dest), { recursive: true })
      fs.copyFileSync(prebuild, dest)
      const ngb = JSON.stringify(require.resolve('node-gyp-build'))
      const out = runArm64(['-p', `process.arch + ' ' + require(${ngb}).resolve(${JSON.stringify(tmp)})`]).trim()
      assert.equal(out, `arm64 ${dest}`)
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })

  it('runs examples/pair.js', function () {
    const out = runArm64([path.join(root, 'examples', 'pair.js')])
    assert.match(out, /^data channel open in [\d.]+ ms \(/m, out)
    assert.match(out, /^received: echo: hello libwebrtc$/m, out)
    assert.match(out, /^states after close: closed closed closed$/m, out)
  })

  it('exchanges text and bytes both ways over a data channel', function () {
    const out = JSON.parse(runArm64(['-e', exchange]))
    assert.equal(out.arch, 'arm64')
    assert.deepEqual(out.texts, Array.from({ length: 10 }, (_, i) => `MESSAGE ${i}`))
    assert.deepEqual(out.bytes, Array.from({ length: 10 }, (_, i) => `3,2,1,${i}`))
    assert.deepEqual(out.states, ['closed', 'closed', 'closed'])
  })
})
