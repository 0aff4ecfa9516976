'use strict'
// The relay (issue 17): a publisher's remote video track sent on to subscriber connections is
// forwarded as the publisher encoded it (no decode, no encode) when the codecs match, and encoded
// again otherwise. publisher -> relay (two of our connections) -> subscribers, all in this process.
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { mediaDevices, nonstandard } = require('../..')
const { RTCRtpSender } = require('../..')
const { closeAll, once, negotiate, delay, trickledPeers } = require('../helpers/pair')
const { underAsan } = require('../helpers/sanitizers')

const { RTCVideoSink } = nonstandard

const { lumaMean, frames, assertPattern, counters, delta } = require('../helpers/pictures')

describe('media: relay (forwarding encoded video)', function () {
  this.timeout(60000)
  // libwebrtc's path (pictures through the forwarding encoder, Opus through the stand-in encoder):
  // RTP forwarding, which takes these senders by default, has its own tests (rtp-forward.test.js).
  let savedForward
  before(() => { savedForward = process.env.NODE_LIBWEBRTC_RTP_FORWARD; process.env.NODE_LIBWEBRTC_RTP_FORWARD = '0' })
  after(() => { if (savedForward === undefined) delete process.env.NODE_LIBWEBRTC_RTP_FORWARD; else process.env.NODE_LIBWEBRTC_RTP_FORWARD = savedForward })
  const sinks = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })

  /** A publisher sending our synthetic camera to the relay; resolves with the relay's remote track. */
  async function publish (codec) {
    const pub = trickledPeers()
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } })
    const sender = pub.a.addTrack(stream.getVideoTracks()[0], stream)
    if (codec) preferCodec(pub.a, sender, codec)
    const remote = once(pub.b, 'track').then(e => e.track)
    await negotiate(pub.a, pub.b)
    return { pub, camera: stream.getVideoTracks()[0], track: await remote }
  }

  /** A subscriber: a new relay connection sends `track` to a new subscriber connection. */
  async function subscribe (track, { relayConfig, codec } = {}) {
    const sub = trickledPeers(relayConfig, {})
    const sender = sub.a.addTrack(track)
    if (codec) preferCodec(sub.a, sender, codec)
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const s = new RTCVideoSink(await remote)
    sinks.push(s)
    return { sub, sender, sink: s }
  }

  /** Offers only `mimeType` (and, for H.264, packetization-mode 1 first) on the sender's transceiver. */
  function preferCodec (pc, sender, mimeType) {
    const { codecs } = RTCRtpSender.getCapabilities('video')
    const t = pc.getTransceivers().find(x => x.sender === sender)
    const chosen = codecs.filter(c => c.mimeType === mimeType)
      .sort((x, y) => Number(/packetization-mode=1/.test(y.sdpFmtpLine ?? '')) - Number(/packetization-mode=1/.test(x.sdpFmtpLine ?? '')))
    t.setCodecPreferences(chosen)
  }

  it('subscribers get the publisher\'s pictures, forwarded: the relay encodes nothing', async () => {
    const { track } = await publish()
    const subs = []
    for (let i = 0; i < 3; i++) subs.push(await subscribe(track))
    for (const s of subs) assertPattern(await frames(s.sink, 10))
    // Over 2 s: every subscriber's pictures are forwarded ones; the only encoder that runs is the
    // publisher's (one stream), not one per subscriber.
    const before = counters()
    const counts = await Promise.all(subs.map(s => frames(s.sink, 40)))
    const d = delta(before, counters())
    for (const got of counts) assertPattern(got)
    assert.equal(d.transcodedFrames, 0, JSON.stringify(d))
    assert.ok(d.forwardedFrames >= 3 * 35, JSON.stringify(d))
    assert.ok(d.encodedFrames < d.forwardedFrames / 2, `publisher's encodes only: ${JSON.stringify(d)}`)
    // The relay's track emitted the pictures once; each of the 3 senders sent each at most once
    // (a picture or two in flight at either end of the window).
    assert.ok(d.relayedPictures >= 35, JSON.stringify(d))
    assert.ok(d.forwardedFrames <= 3 * (d.relayedPictures + 2), JSON.stringify(d))
  })

  it('the relay decodes the publisher only while something takes pictures; a sink attached later gets them', async () => {
    const { track } = await publish()
    const sub = await subscribe(track)
    await frames(sub.sink, 10)
    // The relay's remote track has no sink: its pictures are forwarded, not decoded. (Counters are
    // of the process: the subscriber's track, which has a sink, decodes its ~30 pictures/s.)
    let before = counters()
    await frames(sub.sink, 40)
    let d = delta(before, counters())
    assert.ok(d.undecodedFrames >= 30, JSON.stringify(d))
    // One stream decoded (the subscriber's), not two: the relay's pictures are the undecoded ones.
    assert.ok(d.decodedFrames <= d.undecodedFrames + 15, JSON.stringify(d))
    // A sink on the relay's track: correct pictures (from a keyframe on, not garbage).
    const late = new RTCVideoSink(track)
    sinks.push(late)
    const t0 = performance.now()
    const first = await frames(late, 1)
    const firstMs = performance.now() - t0
    assertPattern(first)
    assertPattern(await frames(late, 20))
    before = counters()
    await frames(late, 30)
    d = delta(before, counters())
    assert.ok(d.undecodedFrames <= 2, `both streams decoded while the sink is on: ${JSON.stringify(d)} (first picture after ${firstMs.toFixed(0)} ms)`)
    // The sink stops: the relay stops decoding again; the subscriber goes on.
    late.stop()
    sinks.splice(sinks.indexOf(late), 1)
    await frames(sub.sink, 10)
    before = counters()
    assertPattern(await frames(sub.sink, 30))
    assert.ok(delta(before, counters()).undecodedFrames >= 20, JSON.stringify(delta(before, counters())))
  })

  for (const codec of ['video/VP9', 'video/H264']) {
    it(`${codec.slice(6)} is forwarded as well`, async () => {
      const { track } = await publish(codec)
      const subs = [await subscribe(track, { codec }), await subscribe(track, { codec })]
      for (const s of subs) await frames(s.sink, 5)
      const before = counters()
      for (const s of subs) assertPattern(await frames(s.sink, 20))
      const d = delta(before, counters())
      assert.equal(d.transcodedFrames, 0, JSON.stringify(d))
      assert.ok(d.forwardedFrames >= 2 * 15, JSON.stringify(d))
    })
  }

  it('a subscriber joining late gets a picture (a keyframe asked of the publisher)', async () => {
    const { track } = await publish()
    const first = await subscribe(track)
    await frames(first.sink, 30)
    const before = counters()
    const late = await subscribe(track)
    assertPattern(await frames(late.sink, 5))
    const d = delta(before, counters())
    assert.ok(d.keyFrameRequests >= 1, JSON.stringify(d))
    // The first subscriber goes on undisturbed.
    assertPattern(await frames(first.sink, 5))
  })

  it('keyframe requests of many new subscribers are coalesced upstream (at most one per 300 ms)', async () => {
    const { track } = await publish()
    await frames((await subscribe(track)).sink, 10)
    const before = counters()
    const t0 = performance.now()
    const subs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => subscribe(track)))
    for (const s of subs) assertPattern(await frames(s.sink, 3))
    const elapsed = performance.now() - t0
    const d = delta(before, counters())
    assert.ok(d.keyFrameRequests >= 1, JSON.stringify(d))
    assert.ok(d.keyFrameRequests <= Math.floor(elapsed / 300) + 1, `${d.keyFrameRequests} requests in ${elapsed.toFixed(0)} ms`)
  })

  it('codec mismatch: a VP9 subscriber of a VP8 publisher gets the pictures encoded again', async () => {
    const { track } = await publish()
    const vp8 = await subscribe(track)
    const before = counters()
    const vp9 = await subscribe(track, { codec: 'video/VP9' })
    assertPattern(await frames(vp9.sink, 20))
    assertPattern(await frames(vp8.sink, 5))
    const d = delta(before, counters())
    assert.ok(d.transcodedFrames >= 15, JSON.stringify(d))
    assert.ok(d.forwardedFrames >= 5, JSON.stringify(d))
  })

  it('a subscriber sent a smaller size (scaleResolutionDownBy) gets it encoded again; a disabled track sends black', async () => {
    const { track } = await publish()
    const full = await subscribe(track)
    const sub = trickledPeers()
    sub.a.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ scaleResolutionDownBy: 2 }] })
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const small = new RTCVideoSink(await remote)
    sinks.push(small)
    await frames(small, 5)
    const before = counters()
    const got = await frames(small, 20)
    for (const f of got) {
      assert.equal(f.width, 160)
      assert.equal(f.height, 120)
      assert.ok(Math.abs(f.mean - 141.4) < 8, `luma mean ${f.mean}`)
    }
    assert.ok(delta(before, counters()).transcodedFrames >= 15)
    assertPattern(await frames(full.sink, 5))
    // libwebrtc sends black pictures for a disabled track: encoded, since there is nothing to forward.
    track.enabled = false
    const black = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no black picture')), 10000)
      full.sink.onframe = ({ frame }) => { if (lumaMean(frame) < 40) { clearTimeout(timer); full.sink.onframe = null; resolve(frame) } }
    })
    assert.equal(black.width, 320)
    track.enabled = true
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no picture after enabling again')), 10000)
      full.sink.onframe = ({ frame }) => { if (Math.abs(lumaMean(frame) - 141.4) < 6) { clearTimeout(timer); full.sink.onframe = null; resolve() } }
    })
  })

  it('replaceTrack: a sender switches from a local camera to the relayed track (forwarded from a keyframe on)', async () => {
    const { track } = await publish()
    const sub = trickledPeers()
    const [local] = (await mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 30 } })).getVideoTracks()
    const sender = sub.a.addTrack(local)
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const s = new RTCVideoSink(await remote)
    sinks.push(s)
    assert.equal((await frames(s, 3))[0].width, 160)
    await sender.replaceTrack(track)
    const before = counters()
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no 320x240 picture after replaceTrack')), 10000)
      s.onframe = ({ frame }) => { if (frame.width === 320) { clearTimeout(timer); s.onframe = null; resolve() } }
    })
    assertPattern(await frames(s, 10))
    const d = delta(before, counters())
    assert.ok(d.forwardedFrames >= 10, JSON.stringify(d))
    local.stop()
  })

  it('forwardEncodedVideo: false re-encodes (and is in getConfiguration)', async () => {
    const { track } = await publish()
    const { sub, sink } = await subscribe(track, { relayConfig: { forwardEncodedVideo: false } })
    assert.equal(sub.a.getConfiguration().forwardEncodedVideo, false)
    await frames(sink, 10)
    const before = counters()
    assertPattern(await frames(sink, 30))
    const d = delta(before, counters())
    assert.equal(d.forwardedFrames, 0, JSON.stringify(d))
    // The publisher's encoder and the relay's: two streams.
    assert.ok(d.encodedFrames >= 50, JSON.stringify(d))
  })

  it('the publisher leaving: the relay ends its subscribers\' tracks cleanly', async () => {
    const { pub, track } = await publish()
    const subs = [await subscribe(track), await subscribe(track)]
    for (const s of subs) await frames(s.sink, 5)
    pub.b.close() // the relay drops the publisher: its remote track ends
    assert.equal(track.readyState, 'ended')
    // What a relay does then: stop sending to each subscriber; their tracks end.
    await Promise.all(subs.map(async ({ sub, sender }) => {
      const t = sub.a.getTransceivers().find(x => x.sender === sender)
      const remote = sub.b.getTransceivers()[0].receiver.track
      t.stop()
      await negotiate(sub.a, sub.b)
      assert.equal(remote.readyState, 'ended')
    }))
  })

  it('relay connections on other shard threads than the publisher\'s (NODE_LIBWEBRTC_NETWORK_THREADS=3): forwarded, clean exit', function () {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'media-fixtures', 'relay-shards.js')], {
      env: { ...process.env, NODE_LIBWEBRTC_NETWORK_THREADS: '3' }, encoding: 'utf8', timeout: 45000
    })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').pop())
    for (const n of out.frames) assert.ok(n >= 20, JSON.stringify(out))
    assert.equal(out.transcoded, 0, JSON.stringify(out))
    assert.ok(out.forwarded >= 6 * 20, JSON.stringify(out))
  })

  it('200 subscriber joins and leaves: no growth', async function () {
    this.timeout(240000)
    const { track } = await publish()
    const keep = await subscribe(track)
    await frames(keep.sink, 5)
    const cycles = Number(process.env.NODE_LIBWEBRTC_RELAY_CYCLES || 200)
    const base = nonstandard.liveObjects()
    let rssAfterWarmup = 0
    for (let i = 0; i < cycles; i++) {
      const sub = trickledPeers()
      sub.a.addTrack(track)
      const remote = once(sub.b, 'track')
      const up = once(sub.b, 'connectionstatechange', () => sub.b.connectionState === 'connected')
      await negotiate(sub.a, sub.b)
      await remote
      await up
      sub.a.close(); sub.b.close()
      if (i === 20) { global.gc?.(); rssAfterWarmup = process.memoryUsage().rss }
    }
    await delay(500)
    global.gc?.()
    const now = nonstandard.liveObjects()
    // One relay source per published track, however many subscribers came and went (the
    // previous tests' go with their tracks, when those are collected).
    assert.ok(now.relaySources <= base.relaySources, JSON.stringify({ base, now }))
    assert.ok(now.libwebrtcPeerConnections <= base.libwebrtcPeerConnections + 2, JSON.stringify(now))
    const growth = (process.memoryUsage().rss - rssAfterWarmup) / 1048576
    // AddressSanitizer's quarantine makes RSS meaningless (scripts/sanitize.sh): the native
    // counts above still hold there.
    if (!underAsan) assert.ok(growth < 40, `RSS +${growth.toFixed(1)} MiB after warm-up`)
    // The subscriber that stayed still gets pictures.
    assertPattern(await frames(keep.sink, 5))
  })
})
