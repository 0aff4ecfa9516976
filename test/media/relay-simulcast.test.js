'use strict'
// A simulcast publisher (sendEncodings with rids) sending to a relay, as libwebrtc M108 answers it
// today: the relay's answer declines simulcast, so the publisher sends its first encoding only and
// the relay forwards that one stream (docs/nonstandard.md, "Simulcast publishers").
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard } = require('../..')
const { closeAll, once, negotiate, trickledPeers } = require('../helpers/pair')

const { RTCVideoSink } = nonstandard

/** The next `count` frames' sizes of `sink`, or rejects after `ms`. */
function frames (sink, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`${got.length} of ${count} frames in ${ms} ms`)) }, ms)
    sink.onframe = ({ frame }) => {
      got.push(`${frame.width}x${frame.height}`)
      if (got.length === count) { clearTimeout(timer); sink.onframe = null; resolve(got) }
    }
  })
}

async function outboundByRid (pc) {
  const out = {}
  for (const s of (await pc.getStats()).values()) {
    if (s.type === 'outbound-rtp' && s.kind === 'video') out[s.rid] = s
  }
  return out
}

describe('media: relay and a simulcast publisher', function () {
  this.timeout(60000)
  const sinks = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })

  it('the relay answers without simulcast; the publisher sends its first encoding, which subscribers get forwarded', async () => {
    const pub = trickledPeers()
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } })
    pub.a.addTransceiver(stream.getVideoTracks()[0], {
      direction: 'sendonly',
      streams: [stream],
      sendEncodings: [{ rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'l', scaleResolutionDownBy: 4 }]
    })
    const remote = once(pub.b, 'track').then(e => e.track)
    await negotiate(pub.a, pub.b)
    assert.match(pub.a.localDescription.sdp, /a=simulcast:send h;m;l/)
    // M108 as the answerer: no a=simulcast:recv, no a=rid lines in its answer.
    assert.doesNotMatch(pub.b.localDescription.sdp, /a=simulcast|a=rid:/)
    const track = await remote

    const sub = trickledPeers()
    sub.a.addTrack(track)
    const subRemote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const sink = new RTCVideoSink(await subRemote)
    sinks.push(sink)
    await frames(sink, 10)
    const before = nonstandard.relayCounters()
    const sizes = await frames(sink, 30)
    const after = nonstandard.relayCounters()
    // The first encoding (rid h, full size) is the one stream: the subscriber sees the camera's size.
    assert.deepEqual([...new Set(sizes)], ['320x240'])
    assert.ok(after.forwardedFrames - before.forwardedFrames >= 25, 'forwarded, not encoded again')
    assert.equal(after.transcodedFrames - before.transcodedFrames, 0)
    const out = await outboundByRid(pub.a)
    assert.ok(out.h.framesEncoded > 30, JSON.stringify(out.h))
    for (const rid of ['m', 'l']) {
      assert.ok(!(out[rid]?.framesEncoded > 0), `layer ${rid} is not sent: ${JSON.stringify(out[rid])}`)
    }
  })
})
