'use strict'
// One binary for every Node: the prebuild is Node-API, so the same file must load and work on each
// Node.js major we support. For Node 18, 20, 22 and 24 (the official linux-x64 binaries, fetched by
// scripts/node-versions.js into node_modules/.cache/node-versions/), runs examples/pair.js and an
// ESM program that exchanges strings and binary messages both ways, with the prebuild
// (prebuilds/linux-x64/) as the binding. Needs `npm run prebuilds` and `node scripts/node-versions.js`
// first (scripts/setup.sh does both); inside the loopback-only namespace nothing can be fetched.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const versions = require('../../scripts/node-versions')

const root = path.join(__dirname, '..', '..')

// Strings and binary messages both ways over one channel; prints what a user would check.
const exchange = `
import { RTCPeerConnection } from 'node-libwebrtc'
import { createRequire } from 'node:module'
import path from 'node:path'
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
// b answers each message: text upper-cased, bytes reversed
theirs.onmessage = e => theirs.send(typeof e.data === 'string' ? e.data.toUpperCase() : new Uint8Array(e.data).reverse())
const got = []
const done = new Promise(resolve => {
  channel.onmessage = e => { got.push(e.data); if (got.length === 40) resolve() }
})
for (let i = 0; i < 20; i++) {
  channel.send('message ' + i)
  channel.send(new Uint8Array([i, 1, 2, 3]))
}
await done
const texts = got.filter(m => typeof m === 'string')
const bytes = got.filter(m => m instanceof ArrayBuffer).map(m => [...new Uint8Array(m)].join(','))
a.close()
b.close()
const require = createRequire(import.meta.url)
console.log(JSON.stringify({
  node: process.version,
  binding: Object.keys(require.cache).filter(f => f.endsWith('.node')).map(f => path.relative(process.cwd(), f)),
  texts, bytes, states: [a.connectionState, b.connectionState, channel.readyState]
}))
`

function prebuild () {
  const dir = path.join(root, 'prebuilds', 'linux-x64')
  assert.ok(fs.existsSync(dir), 'prebuilds/linux-x64 is missing: run `npm run prebuilds`')
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.node'))
  assert.equal(files.length, 1, `one prebuild expected, found: ${files.join(', ')}`)
  return path.join(dir, files[0])
}

describe('prebuild on every Node.js major (18, 20, 22, 24)', function () {
  let nodes

  before(function () {
    this.timeout(900000) // a first fetch downloads four Node.js binaries
    const missing = versions.MAJORS.filter(m => versions.cachedVersion(m) === null)
    if (missing.length && process.env.NODE_LIBWEBRTC_NETNS === '1') {
      assert.fail(`Node.js ${missing.join(', ')} not in ${path.relative(root, versions.cacheDir)} and no network in the ` +
        'test namespace: run `node scripts/node-versions.js` first (scripts/setup.sh does)')
    }
    nodes = versions.ensure()
  })

  for (const major of versions.MAJORS) {
    describe(`Node ${major}`, function () {
      this.timeout(60000)

      function run (args) {
        const { node, version } = nodes.find(n => n.major === major)
        assert.match(version, new RegExp(`^v${major}\\.`))
        return execFileSync(node, args, {
          cwd: root,
          encoding: 'utf8',
          timeout: 50000,
          env: { ...process.env, NODE_LIBWEBRTC_BINARY: prebuild(), NODE_OPTIONS: '' }
        })
      }

      it('runs examples/pair.js with the prebuild', function () {
        const out = run([path.join(root, 'examples', 'pair.js')])
        assert.match(out, /^data channel open in [\d.]+ ms \(/m, out)
        assert.match(out, /^received: echo: hello libwebrtc$/m, out)
        assert.match(out, /^states after close: closed closed closed$/m, out)
      })

      it('imports the ESM entry and exchanges strings and bytes both ways', function () {
        const out = JSON.parse(run(['--input-type=module', '-e', exchange]))
        assert.match(out.node, new RegExp(`^v${major}\\.`))
        assert.deepEqual(out.binding, [path.relative(root, prebuild())])
        assert.deepEqual(out.texts, Array.from({ length: 20 }, (_, i) => `MESSAGE ${i}`))
        assert.deepEqual(out.bytes, Array.from({ length: 20 }, (_, i) => `3,2,1,${i}`))
        assert.deepEqual(out.states, ['closed', 'closed', 'closed'])
      })
    })
  }
})
