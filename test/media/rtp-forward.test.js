'use strict'
// RTP forwarding (issue 17, media/rtp_forwarder.h; the default, NODE_LIBWEBRTC_RTP_FORWARD=0 turns it off): a relayed
// track's packets go from the publisher's channel to each subscriber's SRTP transport, rewritten,
// beside libwebrtc's send path, which stays shut for those senders. publisher -> relay -> subscribers,
// all in this process.
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard, RTCRtpSender } = require('../..')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { closeAll, negotiate, delay, trickledPeers } = require('../helpers/pair')

const { RTCVideoSink } = nonstandard

const { lumaMean, frames, assertPattern, counters, delta } = require('../helpers/pictures')

async function inbound (pc, kind) {
  const report = await pc.getStats()
  return [...report.values()].find(s => s.type === 'inbound-rtp' && s.kind === kind)
}

describe('media: relay by RTP forwarding (the default)', function () {
  this.timeout(60000)
  const sinks = []
  let saved
  before(() => { saved = process.env.NODE_LIBWEBRTC_RTP_FORWARD; delete process.env.NODE_LIBWEBRTC_RTP_FORWARD })
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

  it('subscribers get the publisher\'s video and audio, forwarded by RTP; the senders\' own paths send none', async () => {
    const { video, audio } = await publish()
    const subs = [await subscribe([video, audio]), await subscribe([video, audio])]
    for (const s of subs) assertPattern(await frames(s.sink, 10))
    const before = counters()
    const counts = await Promise.all(subs.map(s => frames(s.sink, 40)))
    const d = delta(before, counters())
    for (const got of counts) assertPattern(got)
    assert.equal(counters().rtpForwardingSenders, 4, JSON.stringify(counters()))
    // 40 pictures and ~65 Opus packets per subscriber went out as forwarded packets; the senders'
    // own encoders (the forwarding video encoder, the relayed-Opus route) were given nothing.
    assert.ok(d.rtpForwardedPackets >= 2 * (40 + 50), JSON.stringify(d))
    assert.equal(d.forwardedFrames, 0, JSON.stringify(d))
    assert.equal(d.transcodedFrames, 0, JSON.stringify(d))
    assert.equal(d.forwardedAudioPackets, 0, JSON.stringify(d))
    for (const s of subs) {
      const v = await inbound(s.sub.b, 'video')
      assert.equal(v.framesDropped, 0, `video: ${JSON.stringify(v)}`)
      const a = await inbound(s.sub.b, 'audio')
      assert.ok(a && a.packetsReceived > 50, `audio: ${JSON.stringify(a)}`)
      assert.equal(a.packetsLost, 0, `audio: ${JSON.stringify(a)}`)
    }
  })

  it('getStats on the relay: a forwarded sender\'s outbound-rtp counts what was forwarded, encoderImplementation "forward"', async () => {
    const { video, audio } = await publish()
    const { sub, sink } = await subscribe([video, audio])
    await frames(sink, 30)
    const report = await sub.a.getStats()
    const out = [...report.values()].filter(s => s.type === 'outbound-rtp')
    const v = out.find(s => s.kind === 'video')
    const a = out.find(s => s.kind === 'audio')
    assert.equal(v.encoderImplementation, 'forward', JSON.stringify(v))
    assert.ok(v.packetsSent >= 30 && v.framesSent >= 30 && v.bytesSent > 1000 && v.keyFramesEncoded >= 1, JSON.stringify(v))
    assert.equal(a.encoderImplementation, 'forward', JSON.stringify(a))
    assert.ok(a.packetsSent >= 40 && a.bytesSent > 1000, JSON.stringify(a))
    // The subscriber saw them all.
    const inV = await inbound(sub.b, 'video')
    assert.ok(inV.packetsReceived <= v.packetsSent + 5, `${inV.packetsReceived} received, ${v.packetsSent} sent`)
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

  it('a subscriber whose codec differs gets libwebrtc\'s path (encoded again)', async () => {
    const { video } = await publish()
    const before = counters()
    const { sink } = await subscribe([video], { codec: 'video/VP9' })
    assertPattern(await frames(sink, 20))
    const d = delta(before, counters())
    assert.ok(d.transcodedFrames > 0, JSON.stringify(d))
    assert.equal(counters().rtpForwardingSenders, 0, JSON.stringify(counters()))
  })

  it('a subscriber joining late gets a picture (a keyframe asked of the publisher)', async () => {
    const { video } = await publish()
    await subscribe([video])
    await delay(1500)
    const { sink } = await subscribe([video])
    assertPattern(await frames(sink, 1))
    assert.equal(counters().rtpForwardingSenders, 2)
  })

  it('the relayed track disabled: its sender takes libwebrtc\'s path (black), continuing the numbering SRTP checks', async () => {
    const { video } = await publish()
    const { sub, sink } = await subscribe([video])
    assertPattern(await frames(sink, 5))
    video.enabled = false
    // Black pictures from libwebrtc's path reach the subscriber: SRTP took its packets, whose
    // sequence numbers go on from the forwarded ones.
    const black = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no black picture in 10 s')), 10000)
      sink.onframe = ({ frame }) => { if (lumaMean(frame) < 20) { clearTimeout(timer); sink.onframe = null; resolve(frame) } }
    })
    assert.ok(black.width > 0)
    assert.equal(counters().rtpForwardingSenders, 0)
    const v = await inbound(sub.b, 'video')
    assert.equal(v.packetsLost, 0, JSON.stringify(v))
  })

  it('replaceTrack from the relayed track to a local camera and back to the relayed one', async () => {
    const { video } = await publish()
    const { sub, sink } = await subscribe([video])
    assertPattern(await frames(sink, 5))
    const sender = sub.a.getSenders()[0]
    const camera = (await mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 30 } })).getVideoTracks()[0]
    await sender.replaceTrack(camera)
    const local = await frames(sink, 30)
    assert.ok(local.some(f => f.width === 160), JSON.stringify(local.slice(-3)))
    await sender.replaceTrack(video)
    const back = await frames(sink, 40)
    assert.ok(back.slice(-10).every(f => f.width === 320), JSON.stringify(back.slice(-3)))
    assertPattern(back.slice(-10))
    assert.equal(counters().rtpForwardingSenders, 1)
    camera.stop()
  })

  it('subscribers on other shard threads than the publisher\'s (NODE_LIBWEBRTC_NETWORK_THREADS=3): forwarded by RTP, clean exit', function () {
    const env = { ...process.env, NODE_LIBWEBRTC_NETWORK_THREADS: '3' }
    delete env.NODE_LIBWEBRTC_RTP_FORWARD
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'media-fixtures', 'relay-shards.js')], { env, encoding: 'utf8', timeout: 45000 })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').pop())
    for (const n of out.frames) assert.ok(n >= 20, JSON.stringify(out))
    assert.equal(out.transcoded, 0, JSON.stringify(out))
    assert.equal(out.forwarded, 0, JSON.stringify(out))  // none through libwebrtc's path
    assert.ok(out.rtpForwarded >= 6 * 20, JSON.stringify(out))
  })

  it('5 % loss both ways (in a child process): NACKs answered from the publisher\'s packets, its retransmissions forwarded; the pictures go on', function () {
    // NODE_LIBWEBRTC_TEST_RTP_LOSS (tests only: no netem or packet filter on every machine) loses
    // forwarded streams' packets on the relay's way in and out.
    const env = { ...process.env, NODE_LIBWEBRTC_TEST_RTP_LOSS: '5' }
    delete env.NODE_LIBWEBRTC_RTP_FORWARD
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'media-fixtures', 'rtp-forward-loss.js')], { env, encoding: 'utf8', timeout: 60000 })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').pop())
    assert.ok(out.frames >= 90, JSON.stringify(out))
    assert.ok(out.meanLuma > 135 && out.meanLuma < 148, JSON.stringify(out))  // our pattern, not garbage
    assert.ok(out.resent > 0, `no NACK answered: ${JSON.stringify(out)}`)
    assert.ok(out.subscriberNacks > 0 && out.relayNacks > 0, JSON.stringify(out))
    assert.equal(out.forwardingSenders, 1, JSON.stringify(out))
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
