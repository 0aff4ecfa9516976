'use strict'
// A simulcast publisher (sendEncodings with rids) sending to a relay (docs/nonstandard.md,
// "Simulcast publishers"). As libwebrtc M108 answers, the relay declines simulcast, so the
// publisher sends its first encoding only and the relay forwards that one stream. With the
// non-standard receiveSimulcast, the relay's answer accepts the layers, receives each on a stream
// of its own, and each subscriber gets the layer that fits its estimate.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { RTCPeerConnection, mediaDevices, nonstandard } = require('../..')
const { closeAll, once, negotiate, trickledPeers } = require('../helpers/pair')
const { subscribe, withVideoBandwidth } = require('../helpers/relay-subscriber')

const { RTCVideoSink, RTCVideoSource } = nonstandard

/** Resolves once `count` frames in a row of `sink` have the size `size`; rejects after `ms`. */
function framesOfSize (sink, size, count, ms = 20000) {
  return new Promise((resolve, reject) => {
    const seen = {}
    let run = 0
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`no ${count} frames of ${size} in a row in ${ms} ms: ${JSON.stringify(seen)}`)) }, ms)
    sink.onframe = ({ frame }) => {
      const got = `${frame.width}x${frame.height}`
      seen[got] = (seen[got] ?? 0) + 1
      run = got === size ? run + 1 : 0
      if (run === count) { clearTimeout(timer); sink.onframe = null; resolve(seen) }
    }
  })
}

/** A 640x360 source whose pictures change a band at a time (so each layer has a rate of its own), 20 frames/s. */
function bandedSource () {
  const W = 640
  const H = 360
  const source = new RTCVideoSource()
  const data = new Uint8ClampedArray(W * H * 3 / 2).fill(128)
  let n = 0
  const timer = setInterval(() => {
    crypto.randomFillSync(data, (n++ % 8) * W * (H / 8), W * H / 64)
    source.onFrame({ width: W, height: H, data })
  }, 50)
  return { track: source.createTrack(), stop: () => clearInterval(timer) }
}

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
  const stops = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); for (const f of stops.splice(0)) f(); closeAll() })

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

  it('receiveSimulcast: the answer accepts the layers (rid recv, no RTX); each is received on a stream of its own; the track shows the largest', async () => {
    const probe = new RTCPeerConnection({ receiveSimulcast: true })
    assert.equal(probe.getConfiguration().receiveSimulcast, true)
    probe.close()
    const pub = trickledPeers({}, { receiveSimulcast: true })
    const source = bandedSource()
    stops.push(source.stop)
    pub.a.addTransceiver(source.track, { direction: 'sendonly', sendEncodings: [{ rid: 'l', scaleResolutionDownBy: 2 }, { rid: 'h' }] })
    const remote = once(pub.b, 'track').then(e => e.track)
    await negotiate(pub.a, pub.b)
    const answer = pub.b.localDescription.sdp
    assert.match(answer, /a=rid:l recv\r\na=rid:h recv\r\na=simulcast:recv l;h\r\n/)
    assert.doesNotMatch(answer, /rtx\//, 'no RTX for the layers')
    const track = await remote
    const sink = new RTCVideoSink(track)
    sinks.push(sink)
    await framesOfSize(sink, '640x360', 20)
    const before = nonstandard.relayCounters().layerPictures
    // The publisher sends both layers; the relay has one inbound-rtp per layer, each decoding.
    const inbound = [...(await pub.b.getStats()).values()].filter(s => s.type === 'inbound-rtp' && s.kind === 'video')
    assert.deepEqual(inbound.map(s => `${s.frameWidth}x${s.frameHeight}`).sort(), ['320x180', '640x360'])
    for (const s of inbound) assert.ok(s.framesReceived > 10, JSON.stringify(s))
    const out = await outboundByRid(pub.a)
    assert.ok(out.l.framesEncoded > 10 && out.h.framesEncoded > 10, JSON.stringify(out))
    assert.equal(nonstandard.liveObjects().simulcastLayers, 1)
    // Nothing relays the track yet: the layers' pictures are not taken.
    assert.equal(nonstandard.relayCounters().layerPictures, before)
    // Closing the connection ends the watcher of the layers (leak accounting).
    pub.b.close()
    for (let i = 0; i < 50 && nonstandard.liveObjects().simulcastLayers > 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
    assert.equal(nonstandard.liveObjects().simulcastLayers, 0)
  })

  it('receiveSimulcast: each subscriber gets the largest layer that fits its estimate; a low one gets the small layer and keeps decoding; an estimate that drops switches down', async () => {
    const pub = trickledPeers({}, { receiveSimulcast: true })
    const source = bandedSource()
    stops.push(source.stop)
    pub.a.addTransceiver(source.track, { direction: 'sendonly', sendEncodings: [{ rid: 'l', scaleResolutionDownBy: 2 }, { rid: 'h' }] })
    const remote = once(pub.b, 'track').then(e => e.track)
    await negotiate(pub.a, pub.b)
    const track = await remote
    const subscribers = []
    for (const kbps of [null, 250]) {
      const { sub, track: subTrack } = await subscribe(track, kbps)
      const sink = new RTCVideoSink(subTrack)
      sinks.push(sink)
      subscribers.push({ sub, sink })
    }
    const before = nonstandard.relayCounters()
    // Both layers' rates are known after a second or so; then each subscriber settles on its layer.
    await Promise.all([framesOfSize(subscribers[0].sink, '640x360', 40), framesOfSize(subscribers[1].sink, '320x180', 40)])
    const after = nonstandard.relayCounters()
    assert.ok(after.layerPictures - before.layerPictures > 40, 'the relay takes both layers')
    assert.equal(after.transcodedFrames - before.transcodedFrames, 0, 'forwarded, not encoded again')
    const stats = await Promise.all(subscribers.map(async ({ sub }) =>
      [...(await sub.a.getStats()).values()].find(s => s.type === 'outbound-rtp' && s.kind === 'video')))
    assert.deepEqual(stats.map(s => `${s.encoderImplementation} ${s.frameWidth}x${s.frameHeight}`), ['forward 640x360', 'forward 320x180'])
    // The low subscriber keeps decoding what it gets.
    const decoded = async () => [...(await subscribers[1].sub.b.getStats()).values()].find(s => s.type === 'inbound-rtp' && s.kind === 'video').framesDecoded
    const first = await decoded()
    await framesOfSize(subscribers[1].sink, '320x180', 20)
    assert.ok(await decoded() >= first + 20)

    // The first subscriber's estimate drops (a new answer with b=AS:250): it switches down at the
    // small layer's keyframe and goes on decoding.
    const { sub } = subscribers[0]
    const switches = nonstandard.relayCounters().layerSwitches
    await sub.a.setLocalDescription()
    await sub.b.setRemoteDescription(sub.a.localDescription)
    await sub.b.setLocalDescription()
    await sub.a.setRemoteDescription({ type: 'answer', sdp: withVideoBandwidth(sub.b.localDescription.sdp, 250) })
    await framesOfSize(subscribers[0].sink, '320x180', 40)
    assert.ok(nonstandard.relayCounters().layerSwitches > switches)
  })

  it('receiveSimulcast with odd simulcast offers: the answer accepts what it can, or nothing; no crash', async () => {
    const pub = trickledPeers()
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
    pub.a.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', sendEncodings: [{ rid: 'a' }, { rid: 'b', scaleResolutionDownBy: 2 }] })
    await pub.a.setLocalDescription()
    const offer = pub.a.localDescription.sdp
    const variants = [
      [s => s.replace(/a=simulcast:send a;b/, 'a=simulcast:send ~a,x;b'), /a=simulcast:recv a;b\r\n/],
      [s => s.replace(/a=simulcast:send a;b/, 'a=simulcast:send a;zz'), null],
      [s => s.replace(/a=simulcast:send a;b/, 'a=simulcast:send ;;;'), null],
      [s => s.replace(/a=rid:b send/, 'a=rid:b recv'), null],
      [s => s.replace(/a=rid:a send/, 'a=rid:a send pt=96;max-width=100'), /a=rid:a recv\r\na=rid:b recv\r\n/],
      [s => s.replace(/a=extmap:\d+ urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n/, ''), null]
    ]
    for (const [change, expected] of variants) {
      const pc = new RTCPeerConnection({ receiveSimulcast: true })
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: change(offer) })
      } catch (err) {
        pc.close()
        continue // refused by libwebrtc itself: nothing of ours ran
      }
      const answer = await pc.createAnswer()
      if (expected === null) assert.doesNotMatch(answer.sdp, /a=simulcast/)
      else assert.match(answer.sdp, expected)
      await pc.setLocalDescription(answer).catch(err => assert.ok(err instanceof Error))
      pc.close()
    }
  })
})
