'use strict'
// Interop with pion (Go, Debian's golang-github-pion-webrtc.v3-dev, its own SCTP and DTLS) as the
// remote peer over loopback, both offer directions (issue 20: what we do only on loopback paths
// must reach every peer we test). Each connection: 20 messages answered in order, then 4 MiB each
// way, checked chunk by chunk on both ends. The peer (pion-peer.go) is built here, offline, in
// GOPATH mode against Debian's Go sources. Skipped when Go or pion is not installed
// (scripts/setup.sh installs golang-go and golang-github-pion-webrtc.v3-dev).
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { RTCPeerConnection } = require('../..')
const { startLinePeer, gathered } = require('./line-peer')
const { withTimeout } = require('./chromium-helpers')
const { chunkOf: chunkOfSize, sendChunks } = require('./chunks')

const GOCODE = '/usr/share/gocode'
const MESSAGES = 20
// 16 KiB messages: pion 3.1 never takes a message of 65,536 bytes (the size its SDP allows by
// saying nothing, RFC 8841), from us or from @roamhq/wrtc: the transfer stalls.
const CHUNK = 16 * 1024
const CHUNKS = 256

const hasPion = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0 &&
  fs.existsSync(path.join(GOCODE, 'src/github.com/pion/webrtc'))

/** Builds the peer into a temporary GOPATH; returns the binary's path. */
function buildPeer () {
  const gopath = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-pion-'))
  const src = path.join(gopath, 'src', 'pionpeer')
  fs.mkdirSync(src, { recursive: true })
  fs.copyFileSync(path.join(__dirname, 'pion-peer.go'), path.join(src, 'main.go'))
  // Without a go.mod the import of github.com/pion/webrtc/v3 is not found: Debian stores it
  // without /v3 (../shared/notes/peers-and-browsers.md).
  fs.writeFileSync(path.join(src, 'go.mod'), 'module pionpeer\n')
  const binary = path.join(gopath, 'peer')
  const r = spawnSync('go', ['build', '-o', binary, 'pionpeer'], {
    cwd: gopath,
    encoding: 'utf8',
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${gopath}:${GOCODE}`, GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }
  })
  if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`)
  return { binary, gopath }
}

const startPeer = (binary, role) => startLinePeer('pion', binary, [role])

const chunkOf = i => chunkOfSize(i, CHUNK)

/** 20 pings answered, 4 MiB to pion (it reports what it got), 4 MiB back (checked here). */
async function exercise (channel, peer) {
  channel.binaryType = 'arraybuffer'
  const replies = []
  const back = []
  let answered, returned
  const allAnswered = new Promise(resolve => { answered = resolve })
  const allReturned = new Promise(resolve => { returned = resolve })
  channel.onmessage = e => {
    if (typeof e.data === 'string') {
      replies.push(e.data)
      if (replies.length === MESSAGES) answered()
    } else {
      back.push(Buffer.from(e.data))
      if (back.length === CHUNKS) returned()
    }
  }
  for (let i = 0; i < MESSAGES; i++) channel.send(`ping ${i}`)
  await withTimeout(allAnswered, 10000, () => `${replies.length} of ${MESSAGES} replies`)
  assert.deepEqual(replies, Array.from({ length: MESSAGES }, (_, i) => `pong ${i}`))
  await sendChunks(channel, CHUNKS, CHUNK)
  const report = await withTimeout(peer.next(), 20000, () => 'pion\'s report of the 4 MiB')
  assert.deepEqual(report, { type: 'bulk', chunks: CHUNKS }, 'pion got every chunk intact (bad: chunks that differ)')
  await withTimeout(allReturned, 20000, () => `${back.length} of ${CHUNKS} chunks back`)
  back.forEach((b, i) => assert.ok(b.equals(chunkOf(i)), `chunk ${i} from pion differs`))
}

describe('interop: pion over loopback (data channel)', function () {
  this.timeout(60000)
  let built
  before(function () {
    if (!hasPion) this.skip() // apt-get install golang-go golang-github-pion-webrtc.v3-dev
    this.timeout(180000) // a cold build takes ~15 s on an idle machine
    built = buildPeer()
  })
  after(() => { if (built) fs.rmSync(built.gopath, { recursive: true, force: true }) })

  it('pion offers, we answer: 20 replies, 4 MiB each way', async () => {
    const peer = startPeer(built.binary, 'offer')
    const pc = new RTCPeerConnection()
    try {
      const channel = new Promise(resolve => { pc.ondatachannel = e => resolve(e.channel) })
      const offer = await peer.next()
      assert.equal(offer.type, 'offer')
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp })
      await pc.setLocalDescription(await pc.createAnswer())
      peer.send({ type: 'answer', sdp: (await gathered(pc)).sdp })
      const ch = await withTimeout(channel, 10000, () => 'pion\'s channel')
      if (ch.readyState !== 'open') await new Promise(resolve => { ch.onopen = resolve })
      await exercise(ch, peer)
    } finally {
      pc.close()
      await peer.stop()
    }
  })

  it('we offer, pion answers: 20 replies, 4 MiB each way', async () => {
    const peer = startPeer(built.binary, 'answer')
    const pc = new RTCPeerConnection()
    try {
      const ch = pc.createDataChannel('x')
      const open = new Promise(resolve => { ch.onopen = resolve })
      await pc.setLocalDescription(await pc.createOffer())
      peer.send({ type: 'offer', sdp: (await gathered(pc)).sdp })
      const answer = await peer.next()
      assert.equal(answer.type, 'answer')
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp })
      await withTimeout(open, 10000, () => 'the channel to open')
      await exercise(ch, peer)
    } finally {
      pc.close()
      await peer.stop()
    }
  })
})
