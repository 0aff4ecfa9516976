'use strict'
// RTP forwarding (issue 17, media/rtp_forwarder.h; opt-in: NODE_LIBWEBRTC_RTP_FORWARD=1): a relayed
// track's packets go from the publisher's channel to each subscriber's SRTP transport, rewritten,
// beside libwebrtc's send path, which stays shut for those senders. publisher -> relay -> subscribers,
// all in this process.
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard, RTCRtpSender } = require('../..')
const { closeAll, once, negotiate, delay, trickledPeers } = require('../helpers/pair')

const { RTCVideoSink } = nonstandard

function lumaMean (frame) {
  let sum = 0
  const n = frame.width * frame.height
  for (let i = 0; i < n; i++) sum += frame.data[i]
  return sum / n
}

/** The next `count` frames of `sink` (size and luma mean), or rejects after `ms`. */
function frames (sink, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`${got.length} of ${count} frames in ${ms} ms`)) }, ms)
    sink.onframe = ({ frame }) => {
      got.push({ width: frame.width, height: frame.height, mean: lumaMean(frame) })
      if (got.length === count) { clearTimeout(timer); sink.onframe = null; resolve(got) }
    }
  })
}

/** Our synthetic camera's picture: 320x240, gray 128 with a white bar an eighth wide (141.4). */
function assertPattern (got) {
  for (const f of got) {
    assert.equal(f.width, 320)
    assert.equal(f.height, 240)
    assert.ok(Math.abs(f.mean - 141.4) < 6, `luma mean ${f.mean}`)
  }
}

function counters () { return nonstandard.relayCounters() }
function delta (before, after) {
  const out = {}
  for (const k of Object.keys(after)) out[k] = after[k] - before[k]
  return out
}

async function inbound (pc, kind) {
  const report = await pc.getStats()
  return [...report.values()].find(s => s.type === 'inbound-rtp' && s.kind === kind)
}

describe('media: relay by RTP forwarding (NODE_LIBWEBRTC_RTP_FORWARD=1: audio)', function () {
  this.timeout(60000)
  const sinks = []
  let saved
  before(() => { saved = process.env.NODE_LIBWEBRTC_RTP_FORWARD; process.env.NODE_LIBWEBRTC_RTP_FORWARD = '1' })
  after(() => { if (saved === undefined) delete process.env.NODE_LIBWEBRTC_RTP_FORWARD; else process.env.NODE_LIBWEBRTC_RTP_FORWARD = saved })
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })

  async function publish () {
    const pub = trickledPeers()
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 }, audio: true })
    for (const t of stream.getTracks()) pub.a.addTrack(t, stream)
    const tracks = []
    pub.b.addEventListener('track', e => tracks.push(e.track))
    await negotiate(pub.a, pub.b)
    while (tracks.length < 2) await delay(10)
    return { video: tracks.find(t => t.kind === 'video'), audio: tracks.find(t => t.kind === 'audio') }
  }

  async function subscribe (tracks, { codec } = {}) {
    const sub = trickledPeers()
    for (const t of tracks) {
      const sender = sub.a.addTrack(t)
      if (codec && t.kind === 'video') {
        const tr = sub.a.getTransceivers().find(x => x.sender === sender)
        tr.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter(c => c.mimeType === codec))
      }
    }
    const got = []
    sub.b.addEventListener('track', e => got.push(e.track))
    await negotiate(sub.a, sub.b)
    while (got.length < tracks.length) await delay(10)
    const video = got.find(t => t.kind === 'video')
    const sink = video ? new RTCVideoSink(video) : null
    if (sink) sinks.push(sink)
    return { sub, sink }
  }

  it('subscribers get the publisher\'s audio forwarded by RTP; the senders\' own audio path sends none', async () => {
    const { video, audio } = await publish()
    const subs = [await subscribe([video, audio]), await subscribe([video, audio])]
    for (const s of subs) assertPattern(await frames(s.sink, 10))
    const before = counters()
    await delay(2000)
    const d = delta(before, counters())
    // Two audio senders forward (video takes libwebrtc's path unless NODE_LIBWEBRTC_RTP_FORWARD=all).
    assert.equal(counters().rtpForwardingSenders, 2, JSON.stringify(counters()))
    // 50 Opus packets a second per subscriber, as forwarded packets; none by the relayed-Opus route.
    assert.ok(d.rtpForwardedPackets >= 2 * 50, JSON.stringify(d))
    assert.equal(d.forwardedAudioPackets, 0, JSON.stringify(d))
    for (const s of subs) {
      const a = await inbound(s.sub.b, 'audio')
      assert.ok(a && a.packetsReceived > 75, `audio: ${JSON.stringify(a)}`)
      assert.equal(a.packetsLost, 0, `audio: ${JSON.stringify(a)}`)
    }
    // Video went libwebrtc's way, forwarding the encoded pictures as before.
    assert.ok(d.forwardedFrames >= 2 * 40, JSON.stringify(d))
  })

  it('the subscriber gets sender reports with the forwarded timestamps (remote-outbound-rtp)', async () => {
    const { audio } = await publish()
    const { sub } = await subscribe([audio])
    let remote
    for (let i = 0; i < 150 && !remote; i++) {
      const report = await sub.b.getStats()
      remote = [...report.values()].find(s => s.type === 'remote-outbound-rtp' && s.kind === 'audio')
      if (!remote) await delay(100)
    }
    assert.ok(remote, 'no sender report reached the subscriber in 15 s')
    assert.ok(remote.remoteTimestamp > 0, JSON.stringify(remote))
  })

  it('replaceTrack(null) and back: forwarding stops and starts again', async () => {
    const { audio } = await publish()
    const { sub } = await subscribe([audio])
    await delay(1000)
    assert.equal(counters().rtpForwardingSenders, 1)
    const sender = sub.a.getSenders()[0]
    await sender.replaceTrack(null)
    await delay(700)
    assert.equal(counters().rtpForwardingSenders, 0)
    const before = counters().rtpForwardedPackets
    await sender.replaceTrack(audio)
    await delay(1500)
    assert.equal(counters().rtpForwardingSenders, 1)
    assert.ok(counters().rtpForwardedPackets - before >= 40, `${counters().rtpForwardedPackets - before} packets`)
  })
})
