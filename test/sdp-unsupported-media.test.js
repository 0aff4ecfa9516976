'use strict'
// Remote descriptions with a media section libwebrtc does not know. Found by the sanitizer run
// (docs/sanitizers.md): an unknown media type with an SCTP protocol crashed the process (SIGSEGV in
// libwebrtc's SdpSerialize) as soon as the description was applied. Each case runs in its own
// process, so that a regression fails one test instead of killing the suite.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')

// Sets a remote offer whose only (or second) m= line is `mline`, prints what a user sees.
const SCRIPT = `
const { RTCPeerConnection } = require(${JSON.stringify(root)})
const [mline, withData] = JSON.parse(process.argv[1])
const session = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0']
const section = (m, mid) => [m, 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:dbOP', 'a=ice-pwd:ZmuSejRJZD8VFUFPWYU/p4iC',
  'a=fingerprint:sha-256 67:89:3D:C0:13:D6:6E:7D:B8:31:B7:03:8F:E8:2B:43:DC:24:9C:2C:55:84:CF:09:14:24:48:7C:CE:FE:C0:A7',
  'a=setup:actpass', 'a=mid:' + mid, 'a=sctp-port:5000']
const lines = withData
  ? [...session, 'a=group:BUNDLE 0 1', ...section('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', '0'), ...section(mline, '1')]
  : [...session, 'a=group:BUNDLE 0', ...section(mline, '0')]
const pc = new RTCPeerConnection()
pc.setRemoteDescription({ type: 'offer', sdp: lines.join('\\r\\n') + '\\r\\n' }).then(
  () => ({ ok: true, sdp: pc.remoteDescription.sdp }),
  err => ({ ok: false, name: err.name, errorDetail: err.errorDetail, message: err.message })
).then(result => {
  result.signalingState = pc.signalingState
  result.remoteDescription = pc.remoteDescription === null ? null : 'set'
  pc.close()
  console.log(JSON.stringify(result))
})
`

function setRemote (mline, withData = false) {
  const r = spawnSync(process.execPath, ['-e', SCRIPT, JSON.stringify([mline, withData])],
    { cwd: root, encoding: 'utf8', timeout: 20000 })
  const out = `status=${r.status} signal=${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`
  assert.equal(r.signal, null, `the process died: ${out}`)
  assert.equal(r.status, 0, out)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

function assertSyntaxError (result, mline) {
  assert.equal(result.ok, false, `accepted: ${JSON.stringify(result)}`)
  assert.equal(result.name, 'OperationError')
  assert.equal(result.errorDetail, 'sdp-syntax-error')
  assert.ok(result.message.includes(mline.split(' ').slice(0, 1)[0]), result.message)
  assert.equal(result.signalingState, 'stable')
  assert.equal(result.remoteDescription, null)
}

describe('setRemoteDescription() with an unknown media type', function () {
  this.timeout(30000)

  for (const mline of ['m=foo 9 UDP/DTLS/SCTP webrtc-datachannel', 'm=foo 0 UDP/DTLS/SCTP webrtc-datachannel',
    'm=text 9 TCP/DTLS/SCTP webrtc-datachannel', 'm=foo 9 DTLS/SCTP 5000']) {
    it(`rejects "${mline}" as a syntax error (it crashed the process) and stays stable`, function () {
      assertSyntaxError(setRemote(mline), mline)
    })
  }

  it('rejects it after a valid data section too', function () {
    const mline = 'm=foo 9 UDP/DTLS/SCTP webrtc-datachannel'
    assertSyntaxError(setRemote(mline, true), mline)
  })

  it('still accepts an unknown media type with an RTP protocol (only SCTP was the problem)', function () {
    const result = setRemote('m=foo 9 RTP/AVP 0', true)
    assert.equal(result.ok, true, JSON.stringify(result))
    assert.equal(result.signalingState, 'have-remote-offer')
    assert.match(result.sdp, /^m=foo \d+ RTP\/AVP 0\r$/m) // kept, and rejected (port 0)
  })
})
