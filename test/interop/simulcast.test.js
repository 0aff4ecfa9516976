'use strict'
// Headless Chromium publishes its fake camera (1280x720) with three simulcast layers (rids h, m /2,
// l /4) to our connection with the non-standard receiveSimulcast (docs/nonstandard.md, "Simulcast
// publishers"): our answer accepts the layers, each is received on a stream of its own, our track
// shows the largest, and a relayed subscriber whose answer reached the relay with a low b=AS gets a
// smaller layer. Run inside a loopback-only namespace:
//   node scripts/netns.js npx mocha --no-config --exit test/interop/simulcast.test.js
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const { RTCPeerConnection, nonstandard } = require('../..')
const { CHROMIUM, launchChromium } = require('./chromium-helpers')
const { closeAll, once } = require('../helpers/pair')
const { subscribe } = require('../helpers/relay-subscriber')

/** Resolves once `count` frames in a row of `sink` satisfy `test(width, height)`; rejects after `ms`. */
function framesWhere (sink, test, count, ms = 30000) {
  return new Promise((resolve, reject) => {
    const seen = {}
    let run = 0
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`no ${count} such frames in a row in ${ms} ms: ${JSON.stringify(seen)}`)) }, ms)
    sink.onframe = ({ frame }) => {
      const size = `${frame.width}x${frame.height}`
      seen[size] = (seen[size] ?? 0) + 1
      run = test(frame.width, frame.height) ? run + 1 : 0
      if (run === count) { clearTimeout(timer); sink.onframe = null; resolve(seen) }
    }
  })
}

function gathered (pc) {
  return new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') resolve()
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
  })
}

describe('interop: a Chromium simulcast publisher to our relay with receiveSimulcast', function () {
  this.timeout(90000)
  let launched = null
  let server = null
  const sinks = []

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      (skipped: ${CHROMIUM} does not exist)`)
      this.skip()
    }
    const { chromium } = require('playwright-core')
    launched = await launchChromium(chromium)
    server = http.createServer((req, res) => res.end('<html></html>'))
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  })

  after(async function () {
    for (const s of sinks.splice(0)) s.stop()
    closeAll()
    if (launched) await launched.close()
    if (server) server.close()
  })

  it('every layer gets a stream of ours, our track shows the largest, a subscriber with a low estimate gets a smaller layer', async function () {
    const page = await launched.context.newPage()
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    const offer = await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } })
      const pc = window.pc = new RTCPeerConnection()
      pc.addTransceiver(stream.getVideoTracks()[0], {
        direction: 'sendonly',
        sendEncodings: [{ rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'l', scaleResolutionDownBy: 4 }]
      })
      await pc.setLocalDescription()
      await new Promise(resolve => {
        if (pc.iceGatheringState === 'complete') resolve()
        pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve() }
      })
      return pc.localDescription.sdp
    })
    const relay = new RTCPeerConnection({ receiveSimulcast: true })
    const remote = once(relay, 'track').then(e => e.track)
    await relay.setRemoteDescription({ type: 'offer', sdp: offer })
    await relay.setLocalDescription()
    await gathered(relay)
    assert.match(relay.localDescription.sdp, /a=rid:h recv\r\na=rid:m recv\r\na=rid:l recv\r\na=simulcast:recv h;m;l\r\n/)
    await page.evaluate(async sdp => { await window.pc.setRemoteDescription({ type: 'answer', sdp }) }, relay.localDescription.sdp)
    const track = await remote

    const own = new nonstandard.RTCVideoSink(track)
    sinks.push(own)
    await framesWhere(own, (w, h) => w === 1280 && h === 720, 20)
    const inbound = [...(await relay.getStats()).values()].filter(s => s.type === 'inbound-rtp' && s.kind === 'video')
    assert.deepEqual(inbound.map(s => s.frameWidth).sort((a, b) => a - b), [320, 640, 1280], JSON.stringify(inbound.map(s => [s.ssrc, s.frameWidth, s.framesReceived])))
    const sent = await page.evaluate(async () => [...(await window.pc.getStats()).values()].filter(s => s.type === 'outbound-rtp').map(s => [s.rid, s.framesEncoded]))
    for (const [rid, encoded] of sent) assert.ok(encoded > 10, `Chromium's layer ${rid} sent ${encoded} frames`)

    // Two subscribers of ours; the relay sees the second's answer with b=AS:250.
    const got = []
    for (const kbps of [null, 250]) {
      const { sub, track: subTrack } = await subscribe(track, kbps)
      const sink = new nonstandard.RTCVideoSink(subTrack)
      sinks.push(sink)
      got.push(sink)
    }
    const before = nonstandard.relayCounters()
    const [wide, narrow] = await Promise.all([
      framesWhere(got[0], w => w > 320, 30),
      framesWhere(got[1], w => w < 1280, 30)
    ])
    console.log(`      subscriber: ${JSON.stringify(wide)}; b=AS:250: ${JSON.stringify(narrow)}`)
    const after = nonstandard.relayCounters()
    assert.equal(after.transcodedFrames - before.transcodedFrames, 0, 'forwarded, not encoded again')
    relay.close()
    await page.close()
  })
})
