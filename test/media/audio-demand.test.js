'use strict'
// Remote audio is decoded only while something reads it, as in Chromium (a remote track nobody
// plays is not decoded there: its inbound-rtp counts packets, but no samples and no level). What a
// user sees: the stats of an unread track, a consumer that comes late hearing the tone at once and
// the present (not what waited in the jitter buffer), and decoding stopping when it leaves.
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard, MediaStreamTrackProcessor } = require('../..')
const { makePc, closeAll, once, trickle, negotiate, delay } = require('../helpers/pair')
const { tone, peak, feedSilenceThenTone } = require('../helpers/content')

const { RTCAudioSource, RTCAudioSink } = nonstandard

async function inbound (pc) {
  let found
  for (const r of (await pc.getStats()).values()) if (r.type === 'inbound-rtp' && r.kind === 'audio') found = r
  return found
}

async function until (what, read, ok, ms = 8000) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(v)}`)
    await delay(100)
  }
}

async function remoteTone () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
  a.addTrack(track)
  const remote = once(b, 'track').then(e => e.track)
  await negotiate(a, b)
  return { a, b, track: await remote }
}

describe('media: remote audio decoded only while read', function () {
  this.timeout(30000)
  const sinks = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })
  const sink = track => { const s = new RTCAudioSink(track); sinks.push(s); return s }

  it('a remote track nobody reads: packets counted, no samples decoded; a sink attached later hears the tone', async () => {
    const { b, track } = await remoteTone()
    // Two seconds of packets (Opus: 50 a second) that nobody reads.
    const idle = await until('packets received', () => inbound(b), r => r && r.packetsReceived >= 100)
    // Chromium: 0. Ours: the few pulls that learn which track the stream feeds, at its start.
    assert.ok((idle.totalSamplesReceived ?? 0) < 4800, `${idle.totalSamplesReceived} samples decoded, not 100 ms`)
    await delay(500)
    const later = await inbound(b)
    assert.ok(later.packetsReceived > idle.packetsReceived)
    assert.equal(later.totalSamplesReceived ?? 0, idle.totalSamplesReceived ?? 0, 'nothing decoded since')
    assert.equal(track.muted, false, 'the track is unmuted by its packets, as in Chromium')
    assert.equal(track.getSettings().sampleRate, 48000, 'getSettings knows the rate without decoding')
    const s = sink(track)
    await tone(s, 10)
    const t = await tone(s, 50)
    assert.ok(Math.abs(t.hz - 440) < 10, `${t.hz} Hz`)
    assert.ok(t.rms > 2000, `rms ${t.rms}`)
    const read = await inbound(b)
    assert.ok(read.totalSamplesReceived > 0, 'decoded once read')
    assert.ok(read.totalAudioEnergy > 0)
  })

  it('decoding stops when the last consumer stops, and starts again for the next', async () => {
    const { b, track } = await remoteTone()
    const first = sink(track)
    await tone(first, 20)
    first.stop()
    await delay(300)
    const s0 = (await inbound(b)).totalSamplesReceived
    await delay(500)
    const s1 = (await inbound(b)).totalSamplesReceived
    assert.equal(s1, s0, 'no samples decoded without a consumer')
    // Another kind of consumer: a MediaStreamTrackProcessor.
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader()
    for (let i = 0; i < 20; i++) {
      const { value } = await reader.read()
      value.close()
    }
    await reader.cancel()
    assert.ok((await inbound(b)).totalSamplesReceived > s1, 'decoded while the processor reads')
  })

  it('a consumer that comes late hears the present, not the backlog of the jitter buffer', async () => {
    const errors = []
    const a = makePc(); const b = makePc()
    trickle(a, b, errors); trickle(b, a, errors)
    const source = new RTCAudioSource()
    a.addTrack(source.createTrack())
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    const track = await remote
    // Silence for 3 s (150 packets wait in the receiver's jitter buffer), then a tone from the
    // moment the sink is attached: the sink must hear the tone well before 3 s of audio went by.
    const feed = feedSilenceThenTone(source)
    try {
      await until('packets received', () => inbound(b), r => r && r.packetsReceived >= 150)
      const s = sink(track)
      feed.loud()
      const chunksBeforeTone = await new Promise((resolve, reject) => {
        let chunks = 0
        const timer = setTimeout(() => reject(new Error(`no tone in ${chunks} chunks`)), 10000)
        s.ondata = d => {
          chunks++
          if (peak(d) > 2000) { clearTimeout(timer); resolve(chunks) }
        }
      })
      // In 10 ms chunks: the backlog alone was 300; the path's own delay is a few.
      assert.ok(chunksBeforeTone < 100, `${chunksBeforeTone} chunks of the past before the tone`)
    } finally {
      feed.stop()
    }
  })
})
