'use strict'
// Interop with headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) as the remote peer.
// Signaling goes through the tiny HTTP server of chromium-helpers.js on 127.0.0.1; its page '/' is
// the browser peer (chromium-peer.html).
// Run inside a loopback-only namespace:
//   unshare -n sh -c 'ip link set lo up && npx mocha --no-config --timeout 60000 test/interop/chromium.test.js'
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { RTCPeerConnection } = require('../..')
const { CHROMIUM, SignalingPeer, startSignaling, stopSignaling, withTimeout, waitFor, launchChromium } = require('./chromium-helpers')

const PAGE = path.join(__dirname, 'chromium-peer.html')
const STEP_MS = 15000

const FROM_NODE_TEXT = 'hello from node ✓'
const FROM_NODE_BYTES = [0xde, 0xad, 0xbe, 0xef, 0x00, 0x7f, 0x80, 0xff]
const FROM_BROWSER_TEXT = 'hello from chromium'
const FROM_BROWSER_BYTES = [0xc0, 0xff, 0xee, 0x00, 0x01, 0xfe]

// ------------------------------------------------------------------ the Node peer

/** The Node side: answers or offers a data channel, and keeps what it receives on it. */
class NodePeer extends SignalingPeer {
  constructor (base, session) {
    super(base, session)
    this.received = []
    this.channel = null
    this.channelReady = new Promise(resolve => { this.resolveChannel = resolve })
    this.pc.ondatachannel = e => this.wire(e.channel)
  }

  wire (channel) {
    this.channel = channel
    this.opened = channel.readyState === 'open'
      ? Promise.resolve()
      : new Promise(resolve => channel.addEventListener('open', () => resolve(), { once: true }))
    this.closed = new Promise(resolve => channel.addEventListener('close', () => resolve(), { once: true }))
    channel.onmessage = e => this.received.push(e.data)
    channel.onerror = e => this.errors.push(e.error ?? new Error('data channel error'))
    this.resolveChannel(channel)
  }

  async offer () {
    this.wire(this.pc.createDataChannel('interop'))
    await super.offer()
  }
}

// ------------------------------------------------------------------ tests

describe('interop: headless Chromium as the remote peer', function () {
  this.timeout(60000)

  let server = null
  let base = null
  let browser = null
  let sessions = 0
  let page = null
  let node = null
  let pageLog = []

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      (skipped: ${CHROMIUM} does not exist; install Debian's chromium package to run the interop tests)`)
      this.skip()
    }
    server = await startSignaling({ '': PAGE })
    base = `http://127.0.0.1:${server.address().port}`
    const { chromium } = require('playwright-core')
    browser = await launchChromium(chromium)
  })

  after(async function () {
    if (browser) await browser.close()
    browser = null
    if (server) await stopSignaling(server)
    server = null
  })

  beforeEach(async function () {
    const session = ++sessions
    pageLog = []
    page = await browser.context.newPage()
    page.on('console', m => pageLog.push(`[console.${m.type()}] ${m.text()}`))
    page.on('pageerror', err => pageLog.push(`[pageerror] ${err.message}`))
    await page.goto(`${base}/`)
    node = new NodePeer(base, session)
    node.session = session
  })

  afterEach(async function () {
    if (this.currentTest && this.currentTest.state === 'failed' && page) {
      const state = await page.evaluate(() => window.peer).catch(() => null)
      console.log('      browser peer state:', JSON.stringify(state, null, 2))
      if (pageLog.length) console.log('      page log:\n        ' + pageLog.join('\n        '))
      if (node) console.log('      node peer errors:', node.errors.map(e => e && (e.stack || e.message || String(e))))
    }
    if (node) await node.stop()
    node = null
    if (page) await page.close().catch(() => {})
    page = null
  })

  const browserState = () => page.evaluate(() => window.peer)

  /** Both ends open, a string and an ArrayBuffer each way with content checks. */
  async function exchange () {
    const channel = await withTimeout(node.channelReady, STEP_MS, 'Node datachannel')
    assert.equal(channel.label, 'interop')
    await withTimeout(node.opened, STEP_MS, 'Node channel open')
    assert.equal(channel.readyState, 'open')
    await waitFor(async () => (await browserState()).channel?.state === 'open', STEP_MS, 'Chromium channel open')

    channel.send(FROM_NODE_TEXT)
    channel.send(new Uint8Array(FROM_NODE_BYTES).buffer)

    // Node receives what Chromium sent on open.
    await waitFor(() => node.received.length >= 2, STEP_MS, 'Node receives two messages')
    assert.equal(node.received.length, 2)
    const [text, bin] = node.received
    assert.equal(typeof text, 'string')
    assert.equal(text, FROM_BROWSER_TEXT)
    assert.ok(bin instanceof ArrayBuffer, `expected an ArrayBuffer, got ${Object.prototype.toString.call(bin)}`)
    assert.deepEqual(Array.from(new Uint8Array(bin)), FROM_BROWSER_BYTES)

    // Chromium receives what Node sent.
    const got = await waitFor(async () => {
      const s = await browserState()
      return s.received.length >= 2 ? s.received : null
    }, STEP_MS, 'Chromium receives two messages')
    assert.deepEqual(got, [
      { kind: 'string', value: FROM_NODE_TEXT },
      { kind: 'arraybuffer', value: FROM_NODE_BYTES }
    ])

    const pair = node.pc.sctp.transport.iceTransport.getSelectedCandidatePair()
    assert.ok(pair, 'Node has a selected candidate pair')
    assert.match(pair.local.address, /^(127\.0\.0\.1|::1)$/)
    // libwebrtc (as Chromium) hides the address of a peer-reflexive remote candidate.
    if (pair.remote.type === 'prflx') assert.equal(pair.remote.address, 'redacted-ip.invalid')
    else assert.match(pair.remote.address, /^(127\.0\.0\.1|::1)$/)
    assert.equal(node.pc.connectionState, 'connected')
    await waitFor(async () => (await browserState()).connectionState === 'connected', STEP_MS, 'Chromium connected')
    return channel
  }

  /** Close the channel from `closer`, see both ends reach 'closed', then close both peer connections. */
  async function closeBoth (channel, closer) {
    if (closer === 'node') channel.close()
    else await page.evaluate(() => window.closeChannel())
    await withTimeout(node.closed, STEP_MS, 'Node channel close event')
    assert.equal(channel.readyState, 'closed')
    await waitFor(async () => (await browserState()).channel.closed, STEP_MS, 'Chromium channel close event')
    assert.equal((await browserState()).channel.state, 'closed')

    const b = await page.evaluate(() => window.closePeer())
    assert.deepEqual(b, { connectionState: 'closed', signalingState: 'closed' })
    node.pc.close()
    assert.equal(node.pc.connectionState, 'closed')
    assert.equal(node.pc.signalingState, 'closed')

    const s = await browserState()
    assert.deepEqual(s.errors, [])
    assert.deepEqual(node.errors, [])
    assert.ok(node.localCandidates > 0, 'Node gathered candidates')
    assert.ok(node.remoteCandidates > 0, 'Node received trickled candidates')
    assert.ok(s.localCandidates > 0, 'Chromium gathered candidates')
    assert.ok(s.remoteCandidates > 0, 'Chromium received trickled candidates')
  }

  it('Chromium offers, Node answers', async function () {
    node.start()
    await page.evaluate(session => window.runPeer('offerer', session), node.session)
    const channel = await exchange()
    assert.equal(node.pc.localDescription.type, 'answer')
    assert.equal(node.pc.remoteDescription.type, 'offer')
    await closeBoth(channel, 'node')
  })

  // Bursts carry many DTLS records per datagram on loopback (runtime/datagram_batch.h): Chromium
  // must read them all, and check each SCTP packet's CRC32c.
  it('a 4 MiB burst each way arrives whole and in order', async function () {
    node.start()
    await page.evaluate(session => window.runPeer('offerer', session), node.session)
    const channel = await exchange()
    const count = 256
    const size = 16384
    await page.evaluate(() => window.countBursts())
    for (let i = 0; i < count; i++) channel.send(new Uint8Array(size).fill(i & 0xff))
    const got = await waitFor(async () => {
      const b = (await browserState()).burst
      return b.count >= count ? b : null
    }, STEP_MS, 'Chromium receives the burst')
    assert.deepEqual(got, { count, bytes: count * size, bad: 0 })

    node.received.length = 0
    await page.evaluate(([n, s]) => window.sendBurst(n, s), [count, size])
    await waitFor(() => node.received.length >= count, STEP_MS, 'Node receives the burst')
    assert.equal(node.received.length, count)
    node.received.forEach((m, i) => {
      assert.equal(m.byteLength, size)
      const b = new Uint8Array(m)
      assert.ok(b[0] === (i & 0xff) && b[size - 1] === (i & 0xff), `message ${i} is out of order or damaged`)
    })
    await closeBoth(channel, 'node')
  })

  it('Node offers, Chromium answers', async function () {
    await page.evaluate(session => window.runPeer('answerer', session), node.session)
    node.start()
    await node.offer()
    const channel = await exchange()
    assert.equal(node.pc.localDescription.type, 'offer')
    assert.equal(node.pc.remoteDescription.type, 'answer')
    await closeBoth(channel, 'browser')
  })

  it('video: each side answers the other\'s offer with H.264 42e01f packetization-mode=1 among its codecs', async function () {
    const h264 = /^a=fmtp:\d+ .*packetization-mode=1;profile-level-id=42e01f/m
    const ours = new RTCPeerConnection()
    const answering = new RTCPeerConnection()
    try {
      const offer = await ours.createOffer({ offerToReceiveVideo: true })
      const { answer, chromiumOffer } = await page.evaluate(async sdp => {
        const answerer = new RTCPeerConnection()
        await answerer.setRemoteDescription({ type: 'offer', sdp })
        const answer = (await answerer.createAnswer()).sdp
        answerer.close()
        const offerer = new RTCPeerConnection()
        offerer.addTransceiver('video')
        const chromiumOffer = (await offerer.createOffer()).sdp
        offerer.close()
        return { answer, chromiumOffer }
      }, offer.sdp)
      assert.match(answer, h264, answer)
      await answering.setRemoteDescription({ type: 'offer', sdp: chromiumOffer })
      await answering.setLocalDescription()
      assert.match(answering.localDescription.sdp, h264, answering.localDescription.sdp)
    } finally {
      ours.close()
      answering.close()
    }
  })
})
