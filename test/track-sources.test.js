'use strict'
// nonstandard.RTCVideoSource / RTCAudioSource (the @roamhq/wrtc shapes, plus formats, timestamps,
// any length of audio) and i420ToRgba / rgbaToI420: what is pushed is what arrives, locally and
// at the other peer, read with RTCVideoSink / RTCAudioSink.
const assert = require('node:assert/strict')
const { nonstandard, MediaStreamTrack } = require('..')
const { makePc, closeAll, once, trickle, negotiate } = require('./helpers/pair')
const { runFixture, assertNoCrash, lastJson } = require('./reliability/helpers')

const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink, i420ToRgba, rgbaToI420 } = nonstandard

function i420 (width, height, y, u = 128, v = 128) {
  const data = new Uint8ClampedArray(width * height * 3 / 2)
  data.fill(y, 0, width * height)
  data.fill(u, width * height, width * height * 5 / 4)
  data.fill(v, width * height * 5 / 4)
  return { width, height, data }
}
// Mean luma of columns [x0, x1) of an I420 frame.
function lumaMean (frame, x0 = 0, x1 = frame.width) {
  let sum = 0
  for (let y = 0; y < frame.height; y++) {
    for (let x = x0; x < x1; x++) sum += frame.data[y * frame.width + x]
  }
  return sum / (frame.height * (x1 - x0))
}
function planeMean (frame, plane) {
  const ys = frame.width * frame.height
  const cs = ys / 4
  const start = plane === 'u' ? ys : ys + cs
  let sum = 0
  for (let i = start; i < start + cs; i++) sum += frame.data[i]
  return sum / cs
}
function delay (ms) { return new Promise(resolve => setTimeout(resolve, ms)) }

/** Calls push() every `ms` until stop() (so frames keep coming while a peer connects). */
function every (ms, push) {
  const timer = setInterval(push, ms)
  return () => clearInterval(timer)
}

/** The next `count` frames matching `ok` at `sink`, or rejects after `ms`. */
function frames (sink, count, ok = () => true, ms = 10000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`${got.length} of ${count} frames in ${ms} ms`)) }, ms)
    sink.onframe = ({ frame }) => {
      if (!ok(frame)) return
      got.push(frame)
      if (got.length === count) { clearTimeout(timer); sink.onframe = null; resolve(got) }
    }
  })
}

function chunks (sink, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.ondata = null; reject(new Error(`${got.length} of ${count} chunks in ${ms} ms`)) }, ms)
    sink.ondata = d => {
      got.push({ samples: d.samples, sampleRate: d.sampleRate, channelCount: d.channelCount, numberOfFrames: d.numberOfFrames })
      if (got.length === count) { clearTimeout(timer); sink.ondata = null; resolve(got) }
    }
  })
}

/** Upward zero crossings per second of channel `ch` over the chunks. */
function hz (list, ch = 0) {
  let crossings = 0; let prev = 0; let seconds = 0
  for (const c of list) {
    for (let i = 0; i < c.numberOfFrames; i++) {
      const v = c.samples[i * c.channelCount + ch]
      if (prev < 0 && v >= 0) crossings++
      prev = v
    }
    seconds += c.numberOfFrames / c.sampleRate
  }
  return crossings / seconds
}

/** A tone generator: next(frames) gives `frames` frames of `channels` channels, channel c at freqs[c]. */
function toneGen (sampleRate, freqs, amplitude = 8000) {
  let n = 0
  return frames => {
    const out = new Int16Array(frames * freqs.length)
    for (let i = 0; i < frames; i++, n++) {
      for (let c = 0; c < freqs.length; c++) out[i * freqs.length + c] = Math.round(amplitude * Math.sin(2 * Math.PI * freqs[c] * n / sampleRate))
    }
    return out
  }
}

/** Pushes a tone into `source` in 30 ms calls, keeping up with the clock, until stop(). */
function feedTone (source, sampleRate, freqs) {
  const next = toneGen(sampleRate, freqs)
  const per = sampleRate * 3 / 100
  const start = Date.now()
  let sent = 0
  const tick = () => {
    while (sent * 30 <= Date.now() - start) {
      source.onData({ samples: next(per), sampleRate, bitsPerSample: 16, channelCount: freqs.length, numberOfFrames: per })
      sent++
    }
  }
  tick()
  return every(10, tick)
}

function connected () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  return { a, b, errors }
}

describe('nonstandard RTCVideoSource / RTCAudioSource', function () {
  this.timeout(30000)
  const cleanup = []
  afterEach(() => { for (const f of cleanup.splice(0)) f(); closeAll() })
  const sink = (Kind, track) => { const s = new Kind(track); cleanup.push(() => s.stop()); return s }
  const feed = stop => { cleanup.push(stop); return stop }

  it('createTrack() gives a live local video track; the getters; clone() shares the source', async () => {
    const source = new RTCVideoSource()
    assert.equal(source.isScreencast, false)
    assert.equal(source.needsDenoising, undefined)
    const screen = new RTCVideoSource({ isScreencast: true, needsDenoising: false })
    assert.equal(screen.isScreencast, true)
    assert.equal(screen.needsDenoising, false)
    const track = source.createTrack()
    cleanup.push(() => track.stop())
    assert.ok(track instanceof MediaStreamTrack)
    assert.equal(track.kind, 'video')
    assert.equal(track.readyState, 'live')
    assert.equal(track.muted, false)
    const other = source.createTrack()
    assert.notEqual(other.id, track.id)
    other.stop()
    const clone = track.clone()
    cleanup.push(() => clone.stop())
    const s1 = sink(RTCVideoSink, track)
    const s2 = sink(RTCVideoSink, clone)
    feed(every(20, () => source.onFrame(i420(64, 48, 77))))
    const [[a], [b]] = await Promise.all([frames(s1, 1), frames(s2, 1)])
    assert.deepEqual([a.width, a.height, lumaMean(a)], [64, 48, 77])
    assert.deepEqual([b.width, b.height, lumaMean(b)], [64, 48, 77])
    assert.deepEqual(track.getSettings(), { width: 64, height: 48, aspectRatio: 1.3333 })
  })

  it('a frame pushed locally arrives whole: size, luma, chroma, rotation and the given timestamp', async () => {
    const source = new RTCVideoSource()
    const track = source.createTrack()
    cleanup.push(() => track.stop())
    const s = sink(RTCVideoSink, track)
    const got = frames(s, 1)
    await delay(10)
    source.onFrame({ ...i420(32, 16, 60, 90, 200), rotation: 90, timestamp: 123456789 })
    const [f] = await got
    assert.equal(f.width, 32)
    assert.equal(f.height, 16)
    assert.equal(lumaMean(f), 60)
    assert.equal(planeMean(f, 'u'), 90)
    assert.equal(planeMean(f, 'v'), 200)
    assert.equal(f.rotation, 90)
    assert.equal(f.timestamp, 123456789)
  })

  it('RTCVideoSource -> addTrack -> the other peer: the picture arrives at its size, a bright left half where it was drawn', async () => {
    const { a, b } = connected()
    const source = new RTCVideoSource()
    const track = source.createTrack()
    cleanup.push(() => track.stop())
    // 320x240: luma 200 on the left half, 50 on the right.
    const frame = i420(320, 240, 50)
    for (let y = 0; y < 240; y++) frame.data.fill(200, y * 320, y * 320 + 160)
    feed(every(33, () => source.onFrame(frame)))
    a.addTrack(track)
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    const s = sink(RTCVideoSink, await remote)
    const got = await frames(s, 5, f => f.width === 320)
    for (const f of got) {
      assert.equal(f.height, 240)
      // The codec blurs the edge: read away from it.
      const left = lumaMean(f, 8, 150)
      const right = lumaMean(f, 170, 312)
      assert.ok(Math.abs(left - 200) < 8, `left luma ${left}`)
      assert.ok(Math.abs(right - 50) < 8, `right luma ${right}`)
    }
  })

  // A sender on a track of one source (luma 40) switched by replaceTrack to a track of another
  // (luma 220); `push(one, two)` feeds both every 33 ms. Resolves when `count` frames of the second
  // have arrived.
  async function replaceBetweenSources (push, count) {
    const { a, b } = connected()
    const one = new RTCVideoSource()
    const two = new RTCVideoSource()
    const t1 = one.createTrack(); const t2 = two.createTrack()
    cleanup.push(() => { t1.stop(); t2.stop() })
    feed(every(33, () => push(one, two)))
    const tr = a.addTransceiver(t1, { direction: 'sendonly' })
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    const s = sink(RTCVideoSink, await remote)
    await frames(s, 2, f => Math.abs(lumaMean(f) - 40) < 8)
    await tr.sender.replaceTrack(t2)
    await frames(s, count, f => Math.abs(lumaMean(f) - 220) < 8)
  }

  it('addTransceiver and replaceTrack take its tracks too', async () => {
    await replaceBetweenSources((one, two) => { one.onFrame(i420(160, 120, 40)); two.onFrame(i420(160, 120, 220)) }, 2)
  })

  // The encoder drops frames whose capture time is not after the last one it took; with the
  // program's own times handed on, the second track's frames (behind the first's clock-based ones
  // by the machine's uptime) were all dropped and the remote picture froze on the first track.
  it('replaceTrack to a track whose frames count their own timestamps from 0: its frames are sent', async () => {
    let ts = 0
    await replaceBetweenSources((one, two) => {
      one.onFrame(i420(160, 120, 40)) // no timestamp: now
      two.onFrame({ ...i420(160, 120, 220), timestamp: (ts += 33333) })
    }, 5)
  })

  it("format: 'RGBA', 'BGRA' and 'NV12' are converted to I420 (BT.601: white 235, gray 126, red and blue apart)", async () => {
    const source = new RTCVideoSource()
    const track = source.createTrack()
    cleanup.push(() => track.stop())
    const s = sink(RTCVideoSink, track)
    await delay(10)
    async function push (frame) {
      const got = frames(s, 1)
      source.onFrame(frame)
      return (await got)[0]
    }
    function rgba (r, g, b, format = 'RGBA') {
      const data = new Uint8ClampedArray(16 * 16 * 4)
      for (let i = 0; i < data.length; i += 4) data.set(format === 'RGBA' ? [r, g, b, 255] : [b, g, r, 255], i)
      return { width: 16, height: 16, data, format }
    }
    const near = (v, want) => assert.ok(Math.abs(v - want) <= 2, `${v}, expected ${want}`)
    near(lumaMean(await push(rgba(255, 255, 255))), 235)
    near(lumaMean(await push(rgba(128, 128, 128))), 126)
    const red = await push(rgba(255, 0, 0))
    near(lumaMean(red), 82)
    assert.ok(planeMean(red, 'v') > 200, 'red has a high V')
    const blue = await push(rgba(0, 0, 255, 'BGRA'))
    near(lumaMean(blue), 41)
    assert.ok(planeMean(blue, 'u') > 200, 'blue has a high U')
    const nv12 = new Uint8Array(16 * 16 * 3 / 2).fill(90)
    for (let i = 256; i < nv12.length; i += 2) { nv12[i] = 70; nv12[i + 1] = 180 }
    const f = await push({ width: 16, height: 16, data: nv12, format: 'NV12' })
    assert.deepEqual([lumaMean(f), planeMean(f, 'u'), planeMean(f, 'v')], [90, 70, 180])
  })

  it('onFrame checks its argument: TypeError for wrong types, short data, odd or zero sizes, unknown formats', () => {
    const source = new RTCVideoSource()
    const ok = i420(4, 2, 0)
    source.onFrame(ok)
    source.onFrame({ ...ok, data: new Uint8Array(12) })
    source.onFrame({ ...ok, data: new Uint8ClampedArray(100) }) // longer: the rest is ignored
    const bad = [
      undefined, null, 1, 'frame', {},
      { ...ok, width: undefined }, { ...ok, width: '4' }, { ...ok, width: 0 }, { ...ok, height: 0 },
      { ...ok, width: -4 }, { ...ok, width: 3, data: new Uint8ClampedArray(100) }, { ...ok, height: 1 },
      { ...ok, width: 4.5 }, { ...ok, width: NaN },
      { ...ok, data: undefined }, { ...ok, data: [0, 0, 0] }, { ...ok, data: new Int16Array(12) },
      { ...ok, data: new Uint8ClampedArray(11) }, { ...ok, data: new ArrayBuffer(12) },
      { ...ok, format: 'YUY2' }, { ...ok, format: 'RGBA' }, // 4x2 RGBA needs 32 bytes
      { ...ok, rotation: 45 }, { ...ok, rotation: '90' },
      { ...ok, timestamp: -1 }, { ...ok, timestamp: 'now' }
    ]
    for (const f of bad) assert.throws(() => source.onFrame(f), TypeError, JSON.stringify(f))
    assert.throws(() => new RTCVideoSource(5), TypeError)
    assert.throws(() => new RTCVideoSource({ isScreencast: 'yes' }), TypeError)
    assert.throws(() => new RTCVideoSource({ needsDenoising: 1 }), TypeError)
  })

  it('onData takes any number of 10 ms frames at 8, 16, 32, 44.1 and 48 kHz; a remainder waits for the next call', async () => {
    for (const rate of [8000, 16000, 32000, 44100, 48000]) {
      const source = new RTCAudioSource()
      const track = source.createTrack()
      cleanup.push(() => track.stop())
      assert.equal(track.kind, 'audio')
      const s = sink(RTCAudioSink, track)
      await delay(5)
      const per = rate / 100
      // About 2.5 + 1.5 + 1 chunks: a counter, so that order and completeness show.
      const all = Int16Array.from({ length: per * 5 }, (_, i) => i % 30000)
      const cut = per * 2 + Math.floor(per / 2)
      const got = chunks(s, 5)
      source.onData({ samples: all.subarray(0, cut), sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: cut })
      source.onData({ samples: all.subarray(cut, per * 4), sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: per * 4 - cut })
      source.onData({ samples: all.subarray(per * 4), sampleRate: rate, channelCount: 1 }) // numberOfFrames and bitsPerSample omitted
      const list = await got
      for (const c of list) {
        assert.equal(c.sampleRate, rate)
        assert.equal(c.numberOfFrames, per)
        assert.equal(c.channelCount, 1)
      }
      const joined = Int16Array.from(list.flatMap(c => Array.from(c.samples)))
      assert.deepEqual(joined, all, `${rate} Hz`)
      assert.deepEqual(track.getSettings(), { sampleRate: rate, channelCount: 1 })
    }
  })

  it('stereo and more channels: each channel keeps its own content', async () => {
    const source = new RTCAudioSource()
    const track = source.createTrack()
    cleanup.push(() => track.stop())
    const s = sink(RTCAudioSink, track)
    await delay(5)
    const got = chunks(s, 30)
    const next = toneGen(48000, [440, 1000])
    for (let i = 0; i < 10; i++) source.onData({ samples: next(1440), sampleRate: 48000, bitsPerSample: 16, channelCount: 2, numberOfFrames: 1440 })
    const list = await got
    assert.ok(list.every(c => c.channelCount === 2 && c.numberOfFrames === 480 && c.samples.length === 960))
    assert.ok(Math.abs(hz(list, 0) - 440) < 5, `left ${hz(list, 0)} Hz`)
    assert.ok(Math.abs(hz(list, 1) - 1000) < 5, `right ${hz(list, 1)} Hz`)
    // Six channels at 16 kHz, channel c holding c * 1000: interleaving kept.
    const got6 = chunks(s, 3)
    const six = Int16Array.from({ length: 480 * 6 }, (_, i) => (i % 6) * 1000)
    source.onData({ samples: six, sampleRate: 16000, bitsPerSample: 16, channelCount: 6, numberOfFrames: 480 })
    for (const c of await got6) {
      assert.deepEqual([c.channelCount, c.numberOfFrames, c.sampleRate], [6, 160, 16000])
      assert.deepEqual(c.samples, six.subarray(0, 960))
    }
  })

  it('a tone pushed in 30 ms calls arrives at the other peer as that tone (mono and stereo)', async () => {
    for (const freqs of [[440], [660, 660]]) {
      const { a, b } = connected()
      const source = new RTCAudioSource()
      const track = source.createTrack()
      cleanup.push(() => track.stop())
      const stop = feed(feedTone(source, 48000, freqs))
      a.addTrack(track)
      const remote = once(b, 'track').then(e => e.track)
      await negotiate(a, b)
      const s = sink(RTCAudioSink, await remote)
      await chunks(s, 30) // the decoder fades in
      const list = await chunks(s, 50)
      const f = hz(list)
      assert.ok(Math.abs(f - freqs[0]) < 12, `${f} Hz, sent ${freqs[0]}`)
      stop()
      closeAll()
    }
  })

  it('onData checks its argument: TypeError for wrong types, rates, channel counts and too few samples', () => {
    const source = new RTCAudioSource()
    const samples = new Int16Array(480)
    source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 })
    source.onData({ samples, sampleRate: 48000, channelCount: 2, numberOfFrames: 240 })
    source.onData({ samples, sampleRate: 48000, numberOfFrames: 0 })
    const ok = { samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }
    const bad = [
      undefined, null, 'x', {},
      { ...ok, samples: undefined }, { ...ok, samples: new Uint8Array(960) }, { ...ok, samples: new Float32Array(480) },
      { ...ok, samples: Array.from(samples) },
      { ...ok, sampleRate: undefined }, { ...ok, sampleRate: '48000' }, { ...ok, sampleRate: 44000.5 },
      { ...ok, sampleRate: 44101 }, { ...ok, sampleRate: 0 }, { ...ok, sampleRate: 4000 }, { ...ok, sampleRate: 1e6 },
      { ...ok, bitsPerSample: 8 }, { ...ok, bitsPerSample: 32 },
      { ...ok, channelCount: 0 }, { ...ok, channelCount: 1.5 }, { ...ok, channelCount: 9 }, { ...ok, channelCount: '1' },
      { ...ok, numberOfFrames: 481 }, { ...ok, numberOfFrames: -1 }, { ...ok, numberOfFrames: 1.5 },
      { ...ok, channelCount: 2, numberOfFrames: 480 }, { ...ok, channelCount: 7, numberOfFrames: undefined },
      { ...ok, timestamp: -5 }, { ...ok, timestamp: Infinity }
    ]
    for (const d of bad) assert.throws(() => source.onData(d), TypeError, JSON.stringify(d))
  })

  it('i420ToRgba and rgbaToI420: a round trip keeps a gray ramp; TypeError on wrong sizes and types', () => {
    const width = 64; const height = 32
    const rgba = { width, height, data: new Uint8ClampedArray(width * height * 4) }
    for (let i = 0; i < width * height; i++) {
      const v = 20 + (i % width) * 3
      rgba.data.set([v, v, v, 255], i * 4)
    }
    const yuv = { width, height, data: new Uint8ClampedArray(width * height * 3 / 2) }
    rgbaToI420(rgba, yuv)
    // Limited range: Y = 16 + 219/255 v.
    assert.ok(Math.abs(yuv.data[10] - (16 + 219 / 255 * 50)) <= 1.5, `Y ${yuv.data[10]}`)
    assert.ok(Math.abs(planeMean(yuv, 'u') - 128) <= 1 && Math.abs(planeMean(yuv, 'v') - 128) <= 1, 'gray has no chroma')
    const back = { width, height, data: new Uint8ClampedArray(width * height * 4) }
    i420ToRgba(yuv, back)
    let worst = 0
    for (let i = 0; i < back.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i] - rgba.data[i]))
    assert.ok(worst <= 3, `worst difference ${worst}`)
    const small = { width, height, data: new Uint8ClampedArray(10) }
    const other = { width: width / 2, height, data: new Uint8ClampedArray(width * height * 4) }
    for (const [f, a, b] of [
      [i420ToRgba, yuv, small], [i420ToRgba, small, back], [i420ToRgba, yuv, other], [i420ToRgba, yuv, undefined],
      [i420ToRgba, { ...yuv, width: 63 }, back], [i420ToRgba, yuv, { ...back, data: new Float32Array(8192) }],
      [rgbaToI420, rgba, small], [rgbaToI420, undefined, yuv], [rgbaToI420, { ...rgba, data: 'x' }, yuv],
      [rgbaToI420, rgba, { ...yuv, height: 0 }]
    ]) assert.throws(() => f(a, b), TypeError)
  })

  it('onFrame and onData after the track stopped or the connection closed do nothing harmful', async () => {
    const { a, b } = connected()
    const video = new RTCVideoSource()
    const audio = new RTCAudioSource()
    const vt = video.createTrack()
    const at = audio.createTrack()
    a.addTrack(vt); a.addTrack(at)
    const stopV = feed(every(20, () => video.onFrame(i420(64, 48, 100))))
    const stopA = feed(feedTone(audio, 48000, [440]))
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    await frames(sink(RTCVideoSink, await remote), 1)
    vt.stop(); at.stop()
    await delay(100)
    a.close()
    await delay(100)
    b.close()
    await delay(100)
    stopV(); stopA()
    video.onFrame(i420(64, 48, 100))
    audio.onData({ samples: new Int16Array(480), sampleRate: 48000, channelCount: 1 })
    // A new track of the same source still works.
    const again = video.createTrack()
    cleanup.push(() => again.stop())
    const s = sink(RTCVideoSink, again)
    const got = frames(s, 1)
    await delay(10)
    video.onFrame(i420(64, 48, 33))
    assert.equal(lumaMean((await got)[0]), 33)
  })

  describe('lifecycle', function () {
    this.timeout(120000)
    it('sources and tracks dropped (after feeding connected peers) are collected and released', async () => {
      const r = await runFixture('track-sources.js', { args: ['gc'], nodeArgs: ['--expose-gc'], timeout: 100000 })
      assertNoCrash(r)
      assert.equal(r.status, 0, r.out)
      const res = lastJson(r)
      assert.ok(res.before.trackSources >= 10 && res.before.mediaStreamTracks >= 15, JSON.stringify(res))
      assert.deepEqual([res.notCollected, res.trackSources, res.mediaStreamTracks], [0, 0, 0], JSON.stringify(res))
    })

    for (const mode of ['exit', 'process-exit']) {
      it(`a process that ends while its sources feed a connection exits cleanly (${mode})`, async () => {
        const r = await runFixture('track-sources.js', { args: [mode], timeout: 60000 })
        assertNoCrash(r)
        assert.match(r.stdout, /flowing/, r.out)
        assert.equal(r.status, 0, r.out)
        assert.equal(r.signal, null, r.out)
      })
    }
  })
})
