'use strict'
// `node-libwebrtc/polyfill`: browser globals where missing, never over what exists.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')

function run (args) {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 20000 }))
}

describe('polyfill entry', () => {
  it('require defines the RTC*, MediaStream* globals and navigator.mediaDevices, the same objects as the exports', () => {
    const out = run(['-e', `
      const already = typeof globalThis.RTCPeerConnection
      const { defined } = require('node-libwebrtc/polyfill')
      const api = require('node-libwebrtc')
      console.log(JSON.stringify({
        already, defined,
        same: globalThis.RTCPeerConnection === api.RTCPeerConnection && globalThis.MediaStream === api.MediaStream &&
          globalThis.RTCTrackEvent === api.RTCTrackEvent && navigator.mediaDevices === api.mediaDevices,
        enumerable: Object.keys(globalThis).includes('RTCPeerConnection'),
        pc: new RTCPeerConnection().signalingState
      }))
      process.exit(0)`])
    assert.equal(out.already, 'undefined')
    for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'RTCRtpTransceiver', 'MediaStream', 'MediaStreamTrack', 'OverconstrainedError']) {
      assert.ok(out.defined.includes(name), `${name} in ${out.defined}`)
    }
    assert.ok(out.defined.includes('navigator') || out.defined.includes('navigator.mediaDevices'))
    assert.equal(out.same, true)
    assert.equal(out.enumerable, false, 'globals are not enumerable, as in browsers')
    assert.equal(out.pc, 'stable')
  })

  it('never replaces a global that exists', () => {
    const out = run(['-e', `
      const mine = function MediaStream () {}
      globalThis.MediaStream = mine
      const { defined } = require('node-libwebrtc/polyfill')
      console.log(JSON.stringify({ kept: globalThis.MediaStream === mine, defined: defined.includes('MediaStream') }))`])
    assert.deepEqual(out, { kept: true, defined: false })
  })

  it('import works from ESM', () => {
    const out = run(['--input-type=module', '-e', `
      import 'node-libwebrtc/polyfill'
      console.log(JSON.stringify({ type: typeof RTCPeerConnection, gum: typeof navigator.mediaDevices.getUserMedia }))
      process.exit(0)`])
    assert.deepEqual(out, { type: 'function', gum: 'function' })
  })
})
