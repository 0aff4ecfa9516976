'use strict'
// nonstandard.RTCVideoSink / RTCAudioSink (the @roamhq/wrtc shapes), read on local synthetic
// tracks: what the synthetic devices produce, as documented in src-native/media/.
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard, MediaStreamTrackProcessor } = require('..')
const { binding } = require('../dist/native')
const { createTrack } = require('../dist/MediaStreamTrack')
const { closeAll, once, negotiate, trickledPeers } = require('./helpers/pair')

const { RTCVideoSink, RTCAudioSink } = nonstandard

function lumaMean (frame) {
  let sum = 0
  const n = frame.width * frame.height
  for (let i = 0; i < n; i++) sum += frame.data[i]
  return sum / n
}
// Left edge of the white bar on row 0 (the first column of luma 235 after one that is not).
function barStart (frame) {
  const row = frame.data.subarray(0, frame.width)
  for (let x = 0; x < frame.width; x++) {
    if (row[x] === 235 && row[(x + frame.width - 1) % frame.width] !== 235) return x
  }
  return -1
}
function nextFrames (sink, count) {
  return new Promise(resolve => {
    const got = []
    sink.onframe = ({ frame }) => {
      got.push(frame)
      if (got.length === count) { sink.onframe = null; resolve(got) }
    }
  })
}
function nextChunks (sink, count) {
  return new Promise(resolve => {
    const got = []
    sink.ondata = d => {
      got.push(d)
      if (got.length === count) { sink.ondata = null; resolve(got) }
    }
  })
}

describe('nonstandard RTCVideoSink / RTCAudioSink', () => {
  const made = []
  afterEach(() => { for (const x of made.splice(0)) x.stop() })
  async function track (c) {
    const s = await mediaDevices.getUserMedia(c)
    made.push(...s.getTracks())
    return s.getTracks()[0]
  }

  it('video frames are I420 with the documented test pattern: gray, a white bar moving 8 px a frame', async () => {
    const t = await track({ video: { width: 160, height: 120 } })
    const sink = new RTCVideoSink(t)
    made.push(sink)
    const frames = await nextFrames(sink, 5)
    for (const f of frames) {
      assert.equal(f.width, 160)
      assert.equal(f.height, 120)
      assert.ok(f.data instanceof Uint8ClampedArray)
      assert.equal(f.data.length, 160 * 120 * 3 / 2)
      assert.equal(f.rotation, 0)
      assert.equal(typeof f.timestamp, 'number')
      // bar 20 px of 235 on 128: mean (128 * 140 + 235 * 20) / 160
      assert.equal(lumaMean(f), 141.375)
      assert.ok(f.data.subarray(160 * 120).every(v => v === 128), 'chroma is neutral')
    }
    // Consecutive frames: the bar moves 8 px (mod width), timestamps increase.
    for (let i = 1; i < frames.length; i++) {
      assert.ok(frames[i].timestamp > frames[i - 1].timestamp)
      const moved = (barStart(frames[i]) - barStart(frames[i - 1]) + 160) % 160
      assert.equal(moved % 8, 0, `bar moved ${moved}`)
      assert.ok(moved > 0)
    }
  })

  it('follows applyConstraints; a disabled track gives black frames', async () => {
    const t = await track({ video: { width: 160, height: 120 } })
    const sink = new RTCVideoSink(t)
    made.push(sink)
    await t.applyConstraints({ width: 64, height: 48 })
    let [f] = await nextFrames(sink, 2).then(fs => fs.slice(-1))
    assert.deepEqual([f.width, f.height], [64, 48])
    t.enabled = false
    await nextFrames(sink, 3)
    ;[f] = await nextFrames(sink, 1)
    assert.ok(lumaMean(f) <= 16, `luma ${lumaMean(f)}`)
    t.enabled = true
    await nextFrames(sink, 3)
    ;[f] = await nextFrames(sink, 1)
    assert.ok(lumaMean(f) > 128)
  })

  it('audio chunks are 10 ms of 16-bit PCM at the track\'s rate and channels: a 440 Hz tone', async () => {
    const t = await track({ audio: { sampleRate: 16000, channelCount: 2 } })
    const sink = new RTCAudioSink(t)
    made.push(sink)
    const chunks = await nextChunks(sink, 50)
    let crossings = 0
    let prev = 0
    for (const c of chunks) {
      assert.equal(c.sampleRate, 16000)
      assert.equal(c.channelCount, 2)
      assert.equal(c.bitsPerSample, 16)
      assert.equal(c.numberOfFrames, 160)
      assert.ok(c.samples instanceof Int16Array)
      assert.equal(c.samples.length, 320)
      for (let i = 0; i < c.numberOfFrames; i++) {
        const l = c.samples[2 * i]
        assert.equal(c.samples[2 * i + 1], l, 'both channels carry the tone')
        assert.ok(Math.abs(l) <= 8192)
        if ((prev < 0 && l >= 0)) crossings++
        prev = l
      }
    }
    // 0.5 s of 440 Hz: 220 upward zero crossings.
    assert.ok(Math.abs(crossings - 220) <= 2, `crossings ${crossings}`)
  })

  it('the tone frequency is settable on a synthetic audio track', async () => {
    const t = createTrack(binding.createSyntheticAudioTrack({ frequency: 1000 }), { remote: false })
    made.push(t)
    const sink = new RTCAudioSink(t)
    made.push(sink)
    const chunks = await nextChunks(sink, 20)
    let crossings = 0
    let prev = 0
    for (const c of chunks) {
      for (const v of c.samples) { if (prev < 0 && v >= 0) crossings++; prev = v }
    }
    assert.ok(Math.abs(crossings - 200) <= 2, `crossings ${crossings}`)
  })

  it('the tone is one continuous sine across chunks, for whole and fractional frequencies', async () => {
    for (const frequency of [440, 440.5]) {
      const t = createTrack(binding.createSyntheticAudioTrack({ sampleRate: 48000, channelCount: 1, frequency }), { remote: false })
      made.push(t)
      const sink = new RTCAudioSink(t)
      made.push(sink)
      const chunks = await nextChunks(sink, 30)
      const x = []
      for (const c of chunks) x.push(...c.samples)
      // A sampled sine obeys x[n+1] + x[n-1] = 2 cos(w) x[n]; rounding to integers leaves at most
      // 2. A phase jump at a chunk boundary (a tone restarted or read from the wrong place) would not.
      const c2 = 2 * Math.cos(2 * Math.PI * frequency / 48000)
      let worst = 0
      for (let n = 1; n + 1 < x.length; n++) worst = Math.max(worst, Math.abs(x[n + 1] + x[n - 1] - c2 * x[n]))
      assert.ok(worst <= 3, `${frequency} Hz: worst recurrence error ${worst.toFixed(2)}`)
      assert.ok(Math.max(...x) >= 8190 && Math.min(...x) <= -8190, `${frequency} Hz: full amplitude`)
    }
  })

  it('a frame a sink received, pushed into an RTCVideoSource, reaches that source\'s sink unchanged', async () => {
    const t = await track({ video: { width: 160, height: 120 } })
    const sink = new RTCVideoSink(t)
    made.push(sink)
    const [got] = await nextFrames(sink, 1)
    const source = new nonstandard.RTCVideoSource()
    const t2 = source.createTrack()
    made.push(t2)
    const sink2 = new RTCVideoSink(t2)
    made.push(sink2)
    const again = nextFrames(sink2, 1)
    source.onFrame({ width: got.width, height: got.height, data: got.data })
    const [out] = await again
    assert.equal(out.width, 160)
    assert.equal(out.height, 120)
    assert.equal(out.data.length, got.data.length)
    assert.ok(out.data.every((v, i) => v === got.data[i]), 'same pixels')
    assert.equal(barStart(out), barStart(got))
  })

  it('stop() ends delivery; the kind must match; TypeError for a non-track', async () => {
    const v = await track({ video: true })
    const a = await track({ audio: true })
    assert.throws(() => new RTCVideoSink(a), TypeError)
    assert.throws(() => new RTCAudioSink(v), TypeError)
    assert.throws(() => new RTCVideoSink({}), TypeError)
    const sink = new RTCVideoSink(v)
    let n = 0
    sink.onframe = () => n++
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.ok(n > 0)
    assert.equal(sink.stopped, false)
    sink.stop()
    sink.stop()
    assert.equal(sink.stopped, true)
    const at = n
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.equal(n, at)
    assert.equal(sink.track, v)
  })

  it('a slow consumer gets the newest frame, not a backlog', async () => {
    const t = await track({ video: { width: 64, height: 48, frameRate: 60 } })
    const sink = new RTCVideoSink(t)
    made.push(sink)
    const stamps = []
    await new Promise(resolve => {
      sink.onframe = ({ frame }) => {
        stamps.push(frame.timestamp)
        const until = Date.now() + 100  // a handler far slower than the 60 fps source
        while (Date.now() < until) { /* busy */ }
        if (stamps.length === 5) { sink.stop(); resolve() }
      }
    })
    // Frames produced meanwhile were skipped: each delivered frame is the newest, about one
    // handler's time after the one before, not the next of a queue (16.7 ms later).
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i] - stamps[i - 1] > 50000, `${stamps[i] - stamps[i - 1]} us`)
  })
  /** Chunks over about 0.3 s: how many, and the largest absolute sample. */
  async function loudness (sink) {
    const chunks = await nextChunks(sink, 30)
    let peak = 0
    for (const c of chunks) for (const v of c.samples) peak = Math.max(peak, Math.abs(v))
    return { chunks: chunks.length, frames: chunks[0].numberOfFrames, peak }
  }

  // mediacapture-streams: a disabled track renders silence (Chromium gives its sinks zeros).
  it('a disabled audio track gives its sinks silence, 10 ms chunks as before: local, remote, remote with a receive transform', async function () {
    this.timeout(20000)
    const local = await track({ audio: true })
    const pc = trickledPeers()
    const withTransform = trickledPeers({ encodedInsertableStreams: true }, { encodedInsertableStreams: true })
    try {
      const remotes = []
      for (const [p, transform] of [[pc, false], [withTransform, true]]) {
        const mic = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
        made.push(mic)
        const sender = p.a.addTrack(mic)
        const got = once(p.b, 'track')
        if (transform) {
          const { readable, writable } = sender.createEncodedStreams()
          readable.pipeTo(writable).catch(() => {})
        }
        await negotiate(p.a, p.b)
        const { track: remote, receiver } = await got
        if (transform) {
          const { readable, writable } = receiver.createEncodedStreams()
          readable.pipeTo(writable).catch(() => {})
        }
        remotes.push(remote)
      }
      for (const [name, t] of [['local', local], ['remote', remotes[0]], ['remote with a receive transform', remotes[1]]]) {
        const sink = new RTCAudioSink(t)
        made.push(sink)
        await nextChunks(sink, 20) // a remote decoder's first chunks fade in
        assert.ok((await loudness(sink)).peak > 1000, `${name}: the tone`)
        t.enabled = false
        await nextChunks(sink, 5)
        const quiet = await loudness(sink)
        assert.equal(quiet.peak, 0, `${name}: disabled, ${JSON.stringify(quiet)}`)
        assert.equal(quiet.frames, (await nextChunks(sink, 1))[0].sampleRate / 100)
        t.enabled = true
        // The tone comes back. Not within a fixed time: a remote decoder that went without packets
        // (a receive transform on a loaded machine) plays concealment first; 5 s of audio at most.
        let again = 0
        for (let i = 0; i < 16 && again <= 1000; i++) again = (await loudness(sink)).peak
        assert.ok(again > 1000, `${name}: enabled again (peak ${again})`)
      }
    } finally {
      closeAll()
    }
  })

  it('a disabled audio track gives a MediaStreamTrackProcessor silence: local, remote', async function () {
    this.timeout(20000)
    const local = await track({ audio: true })
    const pc = trickledPeers()
    try {
      const mic = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
      made.push(mic)
      pc.a.addTrack(mic)
      const got = once(pc.b, 'track')
      await negotiate(pc.a, pc.b)
      const { track: remote } = await got
      for (const [name, t] of [['local', local], ['remote', remote]]) {
        const reader = new MediaStreamTrackProcessor({ track: t, maxBufferSize: 100 }).readable.getReader()
        const peakOf = async (count) => {
          let peak = 0
          for (let i = 0; i < count; i++) {
            const { value } = await reader.read()
            const s = new Int16Array(value.allocationSize({ planeIndex: 0 }) / 2)
            value.copyTo(s, { planeIndex: 0 })
            value.close()
            for (const v of s) peak = Math.max(peak, Math.abs(v))
          }
          return peak
        }
        await peakOf(20) // a remote decoder's first chunks fade in
        assert.ok(await peakOf(30) > 1000, `${name}: the tone`)
        t.enabled = false
        await peakOf(10) // chunks queued before
        assert.equal(await peakOf(30), 0, `${name}: disabled`)
        t.enabled = true
        let again = 0 // the tone comes back, after a remote decoder's concealment if any (5 s at most)
        for (let i = 0; i < 16 && again <= 1000; i++) again = await peakOf(30)
        assert.ok(again > 1000, `${name}: enabled again (peak ${again})`)
        await reader.cancel()
      }
    } finally {
      closeAll()
    }
  })
})
