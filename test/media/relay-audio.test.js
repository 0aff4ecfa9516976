'use strict'
// The relay's audio (issue 17): a publisher's remote Opus track sent on to subscriber connections
// is forwarded as the publisher encoded it (no decode, no Opus encode per subscriber), and encoded
// again when the subscriber's codec differs or forwarding is off. publisher -> relay (two of our
// connections) -> subscribers, all in this process.
const assert = require('node:assert/strict')
const { nonstandard, RTCRtpSender } = require('../..')
const { binding } = require('../../dist/native')
const { createTrack } = require('../../dist/MediaStreamTrack')
const { closeAll, once, negotiate, delay, trickledPeers } = require('../helpers/pair')
const { tone } = require('../helpers/content')

const { RTCAudioSink } = nonstandard

function counters () { return nonstandard.relayCounters() }

async function statsOf (pc, type, kind) {
  const report = await pc.getStats()
  return [...report.values()].filter(s => s.type === type && s.kind === kind)
}

describe('media: relay (forwarding Opus)', function () {
  this.timeout(60000)
  // libwebrtc's path (pictures through the forwarding encoder, Opus through the stand-in encoder):
  // RTP forwarding, which takes these senders by default, has its own tests (rtp-forward.test.js).
  let savedForward
  before(() => { savedForward = process.env.NODE_LIBWEBRTC_RTP_FORWARD; process.env.NODE_LIBWEBRTC_RTP_FORWARD = '0' })
  after(() => { if (savedForward === undefined) delete process.env.NODE_LIBWEBRTC_RTP_FORWARD; else process.env.NODE_LIBWEBRTC_RTP_FORWARD = savedForward })
  const sinks = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })

  /** A publisher sending a 440 Hz tone to the relay; resolves with the relay's remote track. */
  async function publish (relayConfig) {
    const pub = trickledPeers(undefined, relayConfig)
    const mic = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
    pub.a.addTrack(mic)
    const remote = once(pub.b, 'track').then(e => e.track)
    await negotiate(pub.a, pub.b)
    return { pub, mic, track: await remote }
  }

  /** A subscriber: a new relay connection sends `track` to a new subscriber connection. */
  async function subscribe (track, { relayConfig, codec } = {}) {
    const sub = trickledPeers(relayConfig, {})
    const sender = sub.a.addTrack(track)
    if (codec) {
      const t = sub.a.getTransceivers().find(x => x.sender === sender)
      t.setCodecPreferences(RTCRtpSender.getCapabilities('audio').codecs.filter(c => c.mimeType === codec))
    }
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const s = new RTCAudioSink(await remote)
    sinks.push(s)
    return { sub, sender, sink: s }
  }

  /** The tone within three 0.5 s windows (on a loaded machine a window can hold concealment or, after replaceTrack, the previous tone still in the jitter buffer). */
  async function hears440 (sink) {
    await tone(sink, 30) // the decoder's first chunks fade in
    let t
    for (let i = 0; i < 3; i++) {
      t = await tone(sink, 50)
      if (Math.abs(t.hz - 440) < 10 && t.rms > 2000) return
    }
    assert.fail(`${t.hz} Hz, rms ${t.rms}`)
  }

  it('subscribers hear the publisher\'s tone, forwarded: the relay neither decodes it nor encodes Opus', async () => {
    const { pub, track } = await publish()
    const subs = []
    for (let i = 0; i < 3; i++) subs.push(await subscribe(track))
    await Promise.all(subs.map(s => hears440(s.sink)))
    const before = counters()
    const started = performance.now()
    const [inBefore] = await statsOf(pub.b, 'inbound-rtp', 'audio')
    await Promise.all(subs.map(s => hears440(s.sink)))
    const forwarded = counters().forwardedAudioPackets - before.forwardedAudioPackets
    // The publisher sends a 20 ms packet every 20 ms: each subscriber gets them as they come, at
    // least 60 % of them over the window (80 chunks heard: ~0.8 s, less when a loaded machine
    // hands a backlog of chunks at once, which is why this is measured in time, not chunks).
    const seconds = (performance.now() - started) / 1000
    assert.ok(forwarded >= 30 && forwarded >= 0.6 * 3 * 50 * seconds, `${forwarded} packets forwarded in ${seconds.toFixed(2)} s`)
    // The relay does not decode the publisher: its inbound-rtp counts packets, not samples.
    const [inAfter] = await statsOf(pub.b, 'inbound-rtp', 'audio')
    assert.ok(inAfter.packetsReceived > inBefore.packetsReceived)
    assert.equal(inAfter.totalSamplesReceived ?? 0, inBefore.totalSamplesReceived ?? 0)
    // getStats says so.
    for (const { sub } of subs) {
      const [out] = await statsOf(sub.a, 'outbound-rtp', 'audio')
      assert.equal(out.encoderImplementation, 'forward')
    }
  })

  /** The audioLevel (0..1) of a receiver's synchronization source, read until it is there. */
  async function levelOf (receiver) {
    for (let i = 0; i < 50; i++) {
      const [src] = receiver.getSynchronizationSources()
      if (src && src.audioLevel !== undefined) return src.audioLevel
      await delay(20)
    }
    assert.fail('no synchronization source with an audioLevel')
  }

  it('the forwarded packets carry the publisher\'s audio level (ssrc-audio-level), not silence', async () => {
    const { pub, track } = await publish()
    const s = await subscribe(track)
    await hears440(s.sink)
    const [out] = await statsOf(s.sub.a, 'outbound-rtp', 'audio')
    assert.equal(out.encoderImplementation, 'forward')
    // The relay reads the publisher's level from its packets' extension; the subscriber reads the
    // relay's. The tone is loud (rms > 2000, about -24 dBov): far above silence (1e-6 or 0).
    const publisher = await levelOf(pub.b.getReceivers()[0])
    const subscriber = await levelOf(s.sub.b.getReceivers()[0])
    assert.ok(publisher > 0.01, `publisher's level ${publisher}`)
    assert.ok(subscriber > publisher / 2 && subscriber < publisher * 2, `subscriber ${subscriber}, publisher ${publisher}`)
    // Disabled, the relayed track sends silence: its level says so.
    track.enabled = false
    await delay(300)
    assert.ok(await levelOf(s.sub.b.getReceivers()[0]) < 0.001)
    track.enabled = true
  })

  it('packets reaching the relay in bursts keep their audio level (none reads as silence)', async () => {
    // The publisher's source gets 80 ms at a time, so its packets leave (and reach the relay) four
    // at once. M108 measures a packet's level in a task queued behind the burst's audio: without
    // the relay's pacing, three packets of four read as silence (127).
    const pub = trickledPeers()
    const source = new nonstandard.RTCAudioSource()
    const mic = source.createTrack()
    pub.a.addTrack(mic)
    const samples = new Int16Array(3840)
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(3000 * Math.sin(2 * Math.PI * 440 * i / 48000))
    const timer = setInterval(() => source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 3840 }), 80)
    try {
      const remote = once(pub.b, 'track').then(e => e.track)
      await negotiate(pub.a, pub.b)
      const s = await subscribe(await remote)
      await tone(s.sink, 100)
      const receiver = s.sub.b.getReceivers()[0]
      const levels = new Map() // rtpTimestamp -> audioLevel, the newest packet's at each look
      for (const end = Date.now() + 3000; Date.now() < end;) {
        const [src] = receiver.getSynchronizationSources()
        if (src && src.audioLevel !== undefined) levels.set(src.rtpTimestamp, src.audioLevel)
        await delay(2)
      }
      const silent = [...levels.values()].filter(l => l < 0.001).length
      assert.ok(levels.size >= 20, `${levels.size} packets seen`)
      // A heavily loaded machine may still bunch a few (the pacing gives up on a stalled encoder).
      assert.ok(silent <= levels.size * 0.15, `${silent} of ${levels.size} packets read as silence`)
    } finally {
      clearInterval(timer)
      mic.stop()
    }
  })

  /** Offers from the publisher (pub.a) to the relay (pub.b) with its a=ssrc lines taken out, as from a client that signals none. */
  async function negotiateWithoutSsrc (pub) {
    await pub.a.setLocalDescription()
    const sdp = pub.a.localDescription.sdp.replace(/a=ssrc(-group)?:[^\r\n]*\r\n/g, '')
    assert.notEqual(sdp, pub.a.localDescription.sdp)
    await pub.b.setRemoteDescription({ type: 'offer', sdp })
    await pub.b.setLocalDescription()
    await pub.a.setRemoteDescription(pub.b.localDescription)
  }

  it('the publisher\'s receive stream is made again (its SSRC no longer signaled): subscribers go on hearing the tone, forwarded', async () => {
    const { pub, track } = await publish()
    const s = await subscribe(track)
    await hears440(s.sink)
    // The publisher's next offer reaches the relay without its a=ssrc lines (as from a client
    // that signals none): the relay drops the stream of the signaled SSRC and makes a new,
    // unsignaled one when the publisher's next packet comes (libwebrtc's SSRC-change path).
    await negotiateWithoutSsrc(pub)
    const forwarded = counters().forwardedAudioPackets
    await hears440(s.sink)
    assert.ok(counters().forwardedAudioPackets - forwarded >= 30)
    // A subscriber that joins now hears it too.
    const late = await subscribe(track)
    await hears440(late.sink)
  })

  it('a track sent on from ontrack (before the relay answers the publisher) is forwarded too', async () => {
    const pub = trickledPeers()
    const sub = trickledPeers()
    const mic = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
    pub.a.addTrack(mic)
    // The relay's receiver has no codecs yet (they come with its answer): the tap reads them again.
    pub.b.ontrack = e => sub.a.addTrack(e.track)
    await negotiate(pub.a, pub.b)
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const sink = new RTCAudioSink(await remote)
    sinks.push(sink)
    await hears440(sink)
    const before = counters().forwardedAudioPackets
    await hears440(sink)
    assert.ok(counters().forwardedAudioPackets - before >= 30)
    const [out] = await statsOf(sub.a, 'outbound-rtp', 'audio')
    assert.equal(out.encoderImplementation, 'forward')
  })

  /** A publisher whose offer signals no SSRC (as some stacks send): the relay's stream is unsignaled. */
  async function publishUnsignaled (onTrack) {
    const pub = trickledPeers()
    const mic = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
    pub.a.addTrack(mic)
    const remote = once(pub.b, 'track').then(e => { if (onTrack) onTrack(e.track); return e.track })
    await negotiateWithoutSsrc(pub)
    return { pub, track: await remote }
  }

  async function forwardedTo (s) {
    await hears440(s.sink)
    const before = counters().forwardedAudioPackets
    await hears440(s.sink)
    assert.ok(counters().forwardedAudioPackets - before >= 30, 'forwarded packets')
    const [out] = await statsOf(s.sub.a, 'outbound-rtp', 'audio')
    assert.equal(out.encoderImplementation, 'forward')
  }

  it('a publisher that signals no SSRC, sent on from ontrack (before its first packet): forwarded', async () => {
    let pending
    const { track } = await publishUnsignaled(t => { pending = subscribe(t) })
    await forwardedTo(await pending)
  })

  it('a publisher that signals no SSRC, sent on after its packets flow: forwarded', async () => {
    const { pub, track } = await publishUnsignaled()
    // Its unsignaled receive stream exists before the track is sent on.
    for (let i = 0; i < 100; i++) {
      const [inbound] = await statsOf(pub.b, 'inbound-rtp', 'audio')
      if (inbound && inbound.packetsReceived > 10) break
      await delay(20)
    }
    const [inbound] = await statsOf(pub.b, 'inbound-rtp', 'audio')
    assert.ok(inbound && inbound.packetsReceived > 10, 'the publisher\'s packets reach the relay')
    await forwardedTo(await subscribe(track))
  })

  it('a G.722 subscriber of an Opus publisher gets the tone encoded again; Opus subscribers go on forwarded', async () => {
    const { track } = await publish()
    const opus = await subscribe(track)
    const g722 = await subscribe(track, { codec: 'audio/G722' })
    await Promise.all([hears440(opus.sink), hears440(g722.sink)])
    const [out] = await statsOf(g722.sub.a, 'outbound-rtp', 'audio')
    assert.notEqual(out.encoderImplementation, 'forward')
    const before = counters().forwardedAudioPackets
    await hears440(opus.sink)
    assert.ok(counters().forwardedAudioPackets - before >= 30)
  })

  it('forwardEncodedVideo: false also re-encodes audio (still heard)', async () => {
    const { track } = await publish()
    const s = await subscribe(track, { relayConfig: { forwardEncodedVideo: false } })
    await hears440(s.sink)
    const before = counters().forwardedAudioPackets
    await hears440(s.sink)
    assert.equal(counters().forwardedAudioPackets - before, 0)
    const [out] = await statsOf(s.sub.a, 'outbound-rtp', 'audio')
    assert.notEqual(out.encoderImplementation, 'forward')
  })

  it('a disabled relayed track sends silence; enabled again, the tone', async () => {
    const { track } = await publish()
    const s = await subscribe(track)
    await hears440(s.sink)
    track.enabled = false
    await tone(s.sink, 30)
    // Within three windows (a loaded machine's jitter buffer may still hold some of the tone).
    let quiet
    for (let i = 0; i < 3 && !(quiet && quiet.rms < 50); i++) quiet = await tone(s.sink, 30)
    assert.ok(quiet.rms < 50, `rms while disabled ${quiet.rms}`)
    track.enabled = true
    await hears440(s.sink)
  })

  it('replaceTrack: a sender switches from a local tone to the relayed one and back', async () => {
    const { track } = await publish()
    const sub = trickledPeers()
    const local = createTrack(binding.createSyntheticAudioTrack({ frequency: 1000 }), { remote: false })
    const sender = sub.a.addTrack(local)
    const remote = once(sub.b, 'track').then(e => e.track)
    await negotiate(sub.a, sub.b)
    const sink = new RTCAudioSink(await remote)
    sinks.push(sink)
    await tone(sink, 30)
    assert.ok(Math.abs((await tone(sink, 50)).hz - 1000) < 20)
    await sender.replaceTrack(track)
    await hears440(sink)
    await sender.replaceTrack(local)
    await tone(sink, 30)
    assert.ok(Math.abs((await tone(sink, 50)).hz - 1000) < 20)
  })

  it('the application\'s encoded transforms on a relayed sender and on the publisher\'s receiver see the forwarded packets', async () => {
    const { pub, track } = await publish()
    const s = await subscribe(track)
    await hears440(s.sink)
    // Set after forwarding started: M108 takes one transformer per stream, so they are chained
    // behind the relay's (a second one would abort the sender, or be ignored by the receiver).
    const seen = { sent: 0, received: 0 }
    const count = key => new TransformStream({ transform (frame, c) { seen[key]++; c.enqueue(frame) } })
    const out = s.sender.createEncodedStreams()
    out.readable.pipeThrough(count('sent')).pipeTo(out.writable)
    const inbound = pub.b.getTransceivers()[0].receiver.createEncodedStreams()
    inbound.readable.pipeThrough(count('received')).pipeTo(inbound.writable)
    const before = counters().forwardedAudioPackets
    await hears440(s.sink)
    assert.ok(seen.sent >= 30 && seen.received >= 30, JSON.stringify(seen))
    assert.ok(counters().forwardedAudioPackets - before >= 30)
  })

  it('50 subscriber joins and leaves: no growth of routes or relay sources; the subscriber that stays hears the tone', async function () {
    this.timeout(120000)
    const { track } = await publish()
    const keep = await subscribe(track)
    await hears440(keep.sink)
    const base = nonstandard.liveObjects()
    for (let i = 0; i < 50; i++) {
      const sub = trickledPeers()
      sub.a.addTrack(track)
      const up = once(sub.b, 'connectionstatechange', () => sub.b.connectionState === 'connected')
      await negotiate(sub.a, sub.b)
      await up
      sub.a.close(); sub.b.close()
    }
    // A route goes with its sender, once libwebrtc has destroyed the closed connection.
    let now
    for (let i = 0; i < 50; i++) {
      now = nonstandard.liveObjects()
      if (now.audioForwardRoutes <= base.audioForwardRoutes) break
      await delay(100)
    }
    assert.ok(now.audioForwardRoutes <= base.audioForwardRoutes, JSON.stringify({ base, now }))
    assert.ok(now.relayAudioSources <= base.relayAudioSources, JSON.stringify({ base, now }))
    await hears440(keep.sink)
  })

  it('a subscriber leaving and the publisher leaving mid-stream: no crash, the others go on', async () => {
    const { pub, track } = await publish()
    const subs = [await subscribe(track), await subscribe(track), await subscribe(track)]
    await Promise.all(subs.map(s => hears440(s.sink)))
    subs[0].sub.a.close(); subs[0].sub.b.close()
    await Promise.all(subs.slice(1).map(s => hears440(s.sink)))
    pub.b.close() // the relay drops the publisher mid-stream
    assert.equal(track.readyState, 'ended')
    await delay(300)
    pub.a.close()
    // The subscribers' connections stay up (they get silence) and close cleanly.
    for (const { sub } of subs.slice(1)) assert.equal(sub.a.connectionState, 'connected')
  })
})
