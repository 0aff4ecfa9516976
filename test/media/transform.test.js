'use strict'
// mediacapture-transform over our tracks: MediaStreamTrackProcessor, VideoTrackGenerator and the
// legacy MediaStreamTrackGenerator. Content is checked (colour after VP8, pitch after Opus),
// with the queue's dropping, backpressure, close semantics, lifecycle and worker_threads.
const assert = require('node:assert/strict')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')
const { Worker } = require('node:worker_threads')
const { spawnSync } = require('node:child_process')
const {
  VideoFrame, AudioData, MediaStreamTrackProcessor, VideoTrackGenerator, MediaStreamTrackGenerator, MediaStreamTrack,
  mediaDevices, nonstandard
} = require('../..')
const { makePc, closeAll, once, trickle, negotiate } = require('../helpers/pair')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const tick = () => new Promise(resolve => setImmediate(resolve))
// Collects what earlier tests dropped, so that the process-wide counts (lentMediaBuffers) and the
// thread's (trackSinks) move only with what the test itself does.
async function settle () {
  for (let i = 0; i < 3; i++) { gc(); await tick(); await new Promise(resolve => setTimeout(resolve, 10)) }
}

// A w x h I420 frame of one colour; pure red in BT.601 limited range is Y 81, U 90, V 240.
function colourFrame (w, h, [y, u, v], timestamp) {
  const data = new Uint8Array(w * h * 3 / 2)
  data.fill(y, 0, w * h)
  data.fill(u, w * h, w * h * 5 / 4)
  data.fill(v, w * h * 5 / 4)
  return new VideoFrame(data, { format: 'I420', codedWidth: w, codedHeight: h, timestamp, transfer: [data.buffer] })
}

// Mean Y, U, V of a frame (through copyTo, in its own layout).
async function meanYuv (frame) {
  const buf = new Uint8Array(frame.allocationSize())
  const layout = await frame.copyTo(buf)
  const w = frame.visibleRect.width; const h = frame.visibleRect.height
  const mean = (plane, pw, ph) => {
    let s = 0
    for (let r = 0; r < ph; r++) for (let c = 0; c < pw; c++) s += buf[layout[plane].offset + r * layout[plane].stride + c]
    return s / (pw * ph)
  }
  return [mean(0, w, h), mean(1, w / 2, h / 2), mean(2, w / 2, h / 2)]
}

function feedVideo (writer, w, h, colour, ms = 33) {
  let t = 0
  const timer = setInterval(() => {
    writer.write(colourFrame(w, h, colour, t += ms * 1000)).catch(() => {})
  }, ms)
  return () => clearInterval(timer)
}

function sine (hz, rate, frames, start) {
  const s = new Int16Array(frames)
  for (let i = 0; i < frames; i++) s[i] = Math.round(8000 * Math.sin(2 * Math.PI * hz * (start + i) / rate))
  return s
}

function connected () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  return { a, b, errors }
}

async function readWithin (reader, ms = 8000) {
  let timer
  const timeout = new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`no chunk in ${ms} ms`)), ms) })
  try { return await Promise.race([reader.read(), timeout]) } finally { clearTimeout(timer) }
}

describe('mediacapture-transform', function () {
  this.timeout(30000)
  const cleanups = []
  afterEach(() => { for (const c of cleanups.splice(0)) c(); closeAll() })

  it('VideoTrackGenerator -> MediaStreamTrackProcessor: the frame drawn arrives with its colour, size and timestamp', async () => {
    const gen = new VideoTrackGenerator()
    assert.ok(gen.track instanceof MediaStreamTrack)
    assert.equal(gen.track.kind, 'video')
    assert.equal(gen.muted, false)
    const reader = new MediaStreamTrackProcessor({ track: gen.track, maxBufferSize: 4 }).readable.getReader()
    const writer = gen.writable.getWriter()
    const sent = colourFrame(64, 48, [81, 90, 240], 123456)
    await writer.write(sent)
    assert.equal(sent.format, null, 'a written frame is closed')
    const { value: frame, done } = await readWithin(reader)
    assert.equal(done, false)
    assert.ok(frame instanceof VideoFrame)
    assert.equal(frame.format, 'I420')
    assert.equal(frame.codedWidth, 64)
    assert.equal(frame.codedHeight, 48)
    assert.equal(frame.timestamp, 123456)
    assert.deepEqual(await meanYuv(frame), [81, 90, 240])
    const rgba = new Uint8Array(frame.allocationSize({ format: 'RGBA' }))
    await frame.copyTo(rgba, { format: 'RGBA' })
    assert.ok(rgba[0] > 240 && rgba[1] < 15 && rgba[2] < 15, `red, not ${rgba.subarray(0, 4)}`)
    frame.close()
    gen.track.stop()
    assert.equal((await reader.read()).done, true)
  })

  it('a frame drawn red is red after VP8 between two peers; a tone keeps its pitch after Opus', async () => {
    const { a, b } = connected()
    const gen = new VideoTrackGenerator()
    const audio = new MediaStreamTrackGenerator({ kind: 'audio' })
    a.addTrack(gen.track)
    a.addTrack(audio)
    const tracks = []
    b.ontrack = e => tracks.push(e.track)
    cleanups.push(feedVideo(gen.writable.getWriter(), 320, 240, [81, 90, 240]))
    const aw = audio.writable.getWriter()
    let n = 0
    const audioTimer = setInterval(() => {
      const data = sine(440, 48000, 960, n)
      aw.write(new AudioData({ format: 's16', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1, timestamp: n / 48 * 1000, data })).catch(() => {})
      n += 960
    }, 20)
    cleanups.push(() => clearInterval(audioTimer))
    await negotiate(a, b)
    const video = tracks.find(t => t.kind === 'video')
    const sound = tracks.find(t => t.kind === 'audio')
    const vr = new MediaStreamTrackProcessor({ track: video }).readable.getReader()
    let yuv
    for (let i = 0; i < 60; i++) {
      const { value } = await readWithin(vr)
      if (value.codedWidth === 320) yuv = await meanYuv(value)
      value.close()
      if (yuv !== undefined && Math.abs(yuv[2] - 240) < 12) break
    }
    assert.ok(yuv !== undefined, 'a 320x240 frame arrived')
    assert.ok(Math.abs(yuv[0] - 81) < 8 && Math.abs(yuv[1] - 90) < 8 && Math.abs(yuv[2] - 240) < 8, `red after VP8: YUV ${yuv}`)
    vr.cancel()
    const ar = new MediaStreamTrackProcessor({ track: sound, maxBufferSize: 50 }).readable.getReader()
    // Skip the start (silence until the decoder has the stream), then count zero crossings.
    let crossings = 0; let seconds = 0; let prev = 0; let energy = 0; let samples = 0
    for (let i = 0; i < 150; i++) {
      const { value } = await readWithin(ar)
      assert.ok(value instanceof AudioData)
      assert.equal(value.format, 's16')
      const s = new Int16Array(value.allocationSize({ planeIndex: 0 }) / 2)
      value.copyTo(s, { planeIndex: 0 })
      const ch = value.numberOfChannels
      if (i >= 50) {
        for (let k = 0; k < value.numberOfFrames; k++) {
          const x = s[k * ch]
          if (prev < 0 && x >= 0) crossings++
          prev = x; energy += x * x; samples++
        }
        seconds += value.numberOfFrames / value.sampleRate
      }
      value.close()
    }
    const hz = crossings / seconds
    const rms = Math.sqrt(energy / samples)
    assert.ok(rms > 1000, `a tone, not silence (RMS ${rms.toFixed(0)})`)
    assert.ok(Math.abs(hz - 440) < 15, `440 Hz after Opus, not ${hz.toFixed(1)} Hz`)
  })

  it('timestamps of written frames and audio carry through to a processor on the track', async () => {
    const gen = new MediaStreamTrackGenerator({ kind: 'audio' })
    assert.ok(gen instanceof MediaStreamTrack)
    assert.equal(gen.kind, 'audio')
    const reader = new MediaStreamTrackProcessor({ track: gen, maxBufferSize: 10 }).readable.getReader()
    const w = gen.writable.getWriter()
    await w.write(new AudioData({ format: 'f32-planar', sampleRate: 16000, numberOfFrames: 320, numberOfChannels: 2, timestamp: 5_000_000, data: new Float32Array(640).fill(0.5) }))
    const first = (await readWithin(reader)).value
    const second = (await readWithin(reader)).value
    assert.equal(first.sampleRate, 16000)
    assert.equal(first.numberOfChannels, 2)
    assert.equal(first.numberOfFrames, 160)
    assert.equal(first.timestamp, 5_000_000)
    assert.equal(second.timestamp, 5_010_000)
    const s = new Int16Array(320)
    first.copyTo(s, { planeIndex: 0 })
    assert.equal(s[0], 16384)
    first.close(); second.close()
    gen.stop()
    assert.equal((await reader.read()).done, true)
  })

  it('maxBufferSize: the oldest frames are dropped (and released) while the reader is behind', async () => {
    const gen = new VideoTrackGenerator()
    const processor = new MediaStreamTrackProcessor({ track: gen.track, maxBufferSize: 2 })
    const reader = processor.readable.getReader()
    const writer = gen.writable.getWriter()
    await settle()
    const lent = nonstandard.liveObjects().lentMediaBuffers
    for (let t = 1; t <= 5; t++) await writer.write(colourFrame(16, 16, [t * 10, 128, 128], t))
    // Nothing was read: the frames wait in the addon, none was handed to JS (backpressure).
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, lent)
    assert.equal(nonstandard.droppedFrames(processor), 3)
    const a = (await reader.read()).value
    const b = (await reader.read()).value
    assert.deepEqual([a.timestamp, b.timestamp], [4, 5])
    assert.equal((await meanYuv(b))[0], 50)
    a.close(); b.close()
    gen.track.stop()
  })

  it('backpressure: a reader that waits gets the next frame written, none from before', async () => {
    const gen = new VideoTrackGenerator()
    const reader = new MediaStreamTrackProcessor({ track: gen.track }).readable.getReader()
    const writer = gen.writable.getWriter()
    for (let t = 1; t <= 20; t++) await writer.write(colourFrame(16, 16, [16, 128, 128], t))
    const pending = reader.read()
    await tick()
    const first = await pending
    assert.equal(first.value.timestamp, 20, 'the newest of the 20 (maxBufferSize 1 by default)')
    first.value.close()
    const next = reader.read()
    let settled = false
    next.then(() => { settled = true })
    await tick(); await tick()
    assert.equal(settled, false, 'no frame yet: the read waits')
    await writer.write(colourFrame(16, 16, [16, 128, 128], 21))
    assert.equal((await next).value.timestamp, 21)
    gen.track.stop()
  })

  it('close() gives a processor\'s frame memory back to the addon at once; clones keep it until they close; GC is the backstop', async () => {
    const gen = new VideoTrackGenerator()
    const reader = new MediaStreamTrackProcessor({ track: gen.track }).readable.getReader()
    await settle()
    const base = nonstandard.liveObjects().lentMediaBuffers
    const writer = gen.writable.getWriter()
    await writer.write(colourFrame(1280, 720, [100, 128, 128], 1))
    const { value: frame } = await reader.read()
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, base + 1)
    const copy = frame.clone()
    frame.close()
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, base + 1, 'the clone holds it')
    assert.equal((await meanYuv(copy))[0], 100)
    copy.close()
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, base, 'given back during close()')
    // A frame dropped without close() is given back when it is collected.
    await writer.write(colourFrame(64, 64, [100, 128, 128], 2))
    ;(await reader.read()).value.codedWidth.toString()
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, base + 1)
    for (let i = 0; i < 10 && nonstandard.liveObjects().lentMediaBuffers > base; i++) { gc(); await tick() }
    assert.equal(nonstandard.liveObjects().lentMediaBuffers, base)
    gen.track.stop()
  })

  it('no frame after the track stops: the readable ends, frames written later go nowhere', async () => {
    const [track] = (await mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 30 } })).getVideoTracks()
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader()
    const first = await readWithin(reader)
    assert.equal(first.value.codedWidth, 160)
    first.value.close()
    track.stop()
    assert.equal((await reader.read()).done, true)
    assert.throws(() => new MediaStreamTrackProcessor({ track }), TypeError)
    const gen = new VideoTrackGenerator()
    const r2 = new MediaStreamTrackProcessor({ track: gen.track }).readable.getReader()
    const w = gen.writable.getWriter()
    gen.track.stop()
    await w.write(colourFrame(16, 16, [1, 2, 3], 1))
    assert.equal((await r2.read()).done, true)
  })

  it('muted: frames written while muted are dropped, the track is muted', async () => {
    const gen = new VideoTrackGenerator()
    const events = []
    gen.track.onmute = () => events.push('mute')
    gen.track.onunmute = () => events.push('unmute')
    const processor = new MediaStreamTrackProcessor({ track: gen.track, maxBufferSize: 5 })
    const reader = processor.readable.getReader()
    const w = gen.writable.getWriter()
    gen.muted = true
    assert.equal(gen.track.muted, true)
    const f = colourFrame(16, 16, [1, 2, 3], 1)
    await w.write(f)
    assert.equal(f.format, null, 'closed even when dropped')
    gen.muted = false
    await w.write(colourFrame(16, 16, [1, 2, 3], 2))
    assert.equal((await reader.read()).value.timestamp, 2)
    assert.deepEqual(events, ['mute', 'unmute'])
    gen.track.stop()
  })

  it('errors: TypeError for a bad init or chunk; closing the writable ends the track', async () => {
    assert.throws(() => new MediaStreamTrackProcessor(), TypeError)
    assert.throws(() => new MediaStreamTrackProcessor({ track: {} }), TypeError)
    assert.throws(() => new MediaStreamTrackGenerator({ kind: 'data' }), TypeError)
    const gen = new VideoTrackGenerator()
    const w = gen.writable.getWriter()
    await assert.rejects(w.write({ not: 'a frame' }), TypeError)
    const g2 = new MediaStreamTrackGenerator({ kind: 'video' })
    const w2 = g2.writable.getWriter()
    const ended = once(g2, 'ended')
    await w2.close()
    await ended
    assert.equal(g2.readyState, 'ended')
    const g3 = new MediaStreamTrackGenerator({ kind: 'audio' })
    await assert.rejects(g3.writable.getWriter().write(colourFrame(16, 16, [1, 2, 3], 0)), TypeError)
    const g4 = new MediaStreamTrackGenerator({ kind: 'audio' })
    const odd = new AudioData({ format: 's16', sampleRate: 22050, numberOfFrames: 10, numberOfChannels: 1, timestamp: 0, data: new Int16Array(10) })
    await assert.rejects(g4.writable.getWriter().write(odd), err => err.name === 'NotSupportedError')
    gen.track.stop(); g4.stop()
  })

  it('dropped processors are garbage-collected and release their native queue', async () => {
    const [track] = (await mediaDevices.getUserMedia({ video: { width: 160, height: 120 } })).getVideoTracks()
    cleanups.push(() => track.stop())
    await settle()
    const base = nonstandard.liveObjects().trackSinks
    ;(() => {
      for (let i = 0; i < 20; i++) new MediaStreamTrackProcessor({ track }).readable.getReader().read().then(r => r.value?.close())
    })()
    assert.equal(nonstandard.liveObjects().trackSinks, base + 20)
    for (let i = 0; i < 20 && nonstandard.liveObjects().trackSinks > base; i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
      gc()
    }
    assert.equal(nonstandard.liveObjects().trackSinks, base)
  })

  for (const mode of ['exit', 'return']) {
    it(`a process ends cleanly (${mode === 'exit' ? 'process.exit()' : 'close() and return'}) while generators feed a call and processors read it`, function () {
      this.timeout(60000)
      const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'media-fixtures', 'transform-exit.js'), mode], { encoding: 'utf8', timeout: 45000 })
      assert.equal(r.signal, null, r.stderr)
      assert.equal(r.status, 0, r.stderr)
      const m = /frames (\d+) readers (\d+)/.exec(r.stdout)
      assert.ok(m && Number(m[1]) > 0 && Number(m[2]) === 4, r.stdout + r.stderr)
    })
  }

  it('works in a worker_thread on a track made in that worker', async () => {
    const worker = new Worker(path.join(__dirname, '..', 'media-fixtures', 'processor-worker.js'))
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    await worker.terminate()
    assert.deepEqual(result, { width: 32, height: 32, timestamp: 777, yuv: [81, 90, 240], done: true })
  })
})
