'use strict'
// WebCodecs VideoFrame and AudioData as scripts make them: construction, the spec's errors,
// copyTo with rects, layouts and format conversion, clone and close.
const assert = require('node:assert/strict')
const { VideoFrame, AudioData } = require('../..')

// A w x h I420 frame of one colour (Y, U, V), packed.
function i420 (w, h, [y, u, v]) {
  const cw = Math.ceil(w / 2); const ch = Math.ceil(h / 2)
  const data = new Uint8Array(w * h + 2 * cw * ch)
  data.fill(y, 0, w * h)
  data.fill(u, w * h, w * h + cw * ch)
  data.fill(v, w * h + cw * ch)
  return data
}
const isName = name => err => { assert.equal(err.name, name); return true }

describe('VideoFrame', () => {
  it('from an I420 buffer: attributes as given, defaults from the coded size', () => {
    const f = new VideoFrame(i420(8, 6, [81, 90, 240]), { format: 'I420', codedWidth: 8, codedHeight: 6, timestamp: 1234, duration: 33 })
    assert.equal(f.format, 'I420')
    assert.equal(f.codedWidth, 8)
    assert.equal(f.codedHeight, 6)
    assert.deepEqual(f.codedRect.toJSON(), { x: 0, y: 0, width: 8, height: 6 })
    assert.deepEqual(f.visibleRect.toJSON(), { x: 0, y: 0, width: 8, height: 6 })
    assert.equal(f.displayWidth, 8)
    assert.equal(f.displayHeight, 6)
    assert.equal(f.timestamp, 1234)
    assert.equal(f.duration, 33)
    assert.equal(f.colorSpace.fullRange, false)
    assert.equal(f.allocationSize(), 8 * 6 * 3 / 2)
    assert.equal(Object.prototype.toString.call(f), '[object VideoFrame]')
    f.close()
  })

  it('copies its data: later changes to the source buffer do not show', async () => {
    const data = i420(4, 4, [10, 20, 30])
    const f = new VideoFrame(data, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 })
    data.fill(0)
    const out = new Uint8Array(f.allocationSize())
    const layout = await f.copyTo(out)
    assert.deepEqual(layout, [{ offset: 0, stride: 4 }, { offset: 16, stride: 2 }, { offset: 20, stride: 2 }])
    assert.deepEqual([out[0], out[16], out[20]], [10, 20, 30])
    f.close()
  })

  it('many frames held open at once each keep their own pixels (pooled memory runs out, plain memory follows)', async () => {
    const frames = []
    for (let i = 0; i < 100; i++) frames.push(new VideoFrame(i420(6, 4, [i, 255 - i, i + 1]), { format: 'I420', codedWidth: 6, codedHeight: 4, timestamp: i }))
    for (const [i, f] of frames.entries()) {
      const out = new Uint8Array(f.allocationSize())
      await f.copyTo(out)
      assert.deepEqual([out[0], out[23], out[24], out[29], out[30], out[35]], [i, i, 255 - i, 255 - i, i + 1, i + 1])
      f.close()
    }
    // Closed frames gave their memory back: a new one still gets (and keeps) its pixels.
    const f = new VideoFrame(i420(6, 4, [7, 8, 9]), { format: 'I420', codedWidth: 6, codedHeight: 4, timestamp: 0 })
    const out = new Uint8Array(f.allocationSize())
    await f.copyTo(out)
    assert.deepEqual([out[0], out[24], out[30]], [7, 8, 9])
    f.close()
  })

  it('takes a transferred buffer without a copy (the caller\'s buffer is detached)', () => {
    const data = i420(4, 4, [10, 20, 30])
    const f = new VideoFrame(data, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, transfer: [data.buffer] })
    assert.equal(data.byteLength, 0)
    assert.equal(f.allocationSize(), 24)
    f.close()
  })

  it('copyTo with a rect and a layout with padding', async () => {
    // 4x4 I420 with Y = 10 * row + column
    const data = i420(4, 4, [0, 128, 128])
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) data[r * 4 + c] = 10 * r + c
    const f = new VideoFrame(data, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 })
    const rect = { x: 2, y: 2, width: 2, height: 2 }
    assert.equal(f.allocationSize({ rect }), 4 + 1 + 1)
    const out = new Uint8Array(64).fill(255)
    const layout = [{ offset: 0, stride: 8 }, { offset: 32, stride: 4 }, { offset: 48, stride: 4 }]
    assert.equal(f.allocationSize({ rect, layout }), 52)
    assert.deepEqual(await f.copyTo(out, { rect, layout }), layout)
    assert.deepEqual([...out.subarray(0, 2)], [22, 23])
    assert.deepEqual([...out.subarray(8, 10)], [32, 33])
    assert.equal(out[2], 255)  // padding untouched
    assert.equal(out[32], 128)
    f.close()
  })

  it('a visibleRect selects what copyTo and displayWidth/Height see', async () => {
    const data = i420(8, 8, [50, 128, 128])
    const f = new VideoFrame(data, { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0, visibleRect: { x: 2, y: 4, width: 4, height: 2 } })
    assert.equal(f.displayWidth, 4)
    assert.equal(f.displayHeight, 2)
    assert.equal(f.allocationSize(), 4 * 2 + 2 * 2)
    const g = new VideoFrame(f, { displayWidth: 16, displayHeight: 8, timestamp: 5 })
    assert.equal(g.displayWidth, 16)
    assert.equal(g.timestamp, 5)
    assert.deepEqual(g.visibleRect.toJSON(), { x: 2, y: 4, width: 4, height: 2 })
    f.close(); g.close()
  })

  it('copyTo converts I420 and NV12 to RGBA and BGRA (BT.601); RGBX to RGBA sets alpha', async () => {
    // Pure red in BT.601 limited range: Y 81, U 90, V 240.
    const f = new VideoFrame(i420(4, 2, [81, 90, 240]), { format: 'I420', codedWidth: 4, codedHeight: 2, timestamp: 0 })
    assert.equal(f.allocationSize({ format: 'RGBA' }), 32)
    const rgba = new Uint8Array(32)
    assert.deepEqual(await f.copyTo(rgba, { format: 'RGBA' }), [{ offset: 0, stride: 16 }])
    const [r, g, b, a] = rgba
    assert.ok(r > 240 && g < 15 && b < 15 && a === 255, `red, not ${[r, g, b, a]}`)
    const bgra = new Uint8Array(32)
    await f.copyTo(bgra, { format: 'BGRA' })
    assert.ok(bgra[2] > 240 && bgra[0] < 15)
    f.close()
    const nv = new Uint8Array(4 * 2 + 4); nv.fill(81, 0, 8); for (let i = 8; i < 12; i += 2) { nv[i] = 90; nv[i + 1] = 240 }
    const n = new VideoFrame(nv, { format: 'NV12', codedWidth: 4, codedHeight: 2, timestamp: 0 })
    const out = new Uint8Array(32)
    await n.copyTo(out, { format: 'RGBA' })
    assert.ok(out[0] > 240 && out[1] < 15 && out[2] < 15)
    n.close()
    const x = new VideoFrame(new Uint8Array([1, 2, 3, 0]), { format: 'RGBX', codedWidth: 1, codedHeight: 1, timestamp: 0 })
    const o = new Uint8Array(4)
    await x.copyTo(o, { format: 'BGRA' })
    assert.deepEqual([...o], [3, 2, 1, 255])
    x.close()
  })

  it('conversions to YUV formats are NotSupportedError; bad rects and layouts TypeError', async () => {
    const f = new VideoFrame(i420(4, 4, [1, 2, 3]), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 })
    await assert.rejects(f.copyTo(new Uint8Array(100), { format: 'NV12' }), isName('NotSupportedError'))
    assert.throws(() => f.allocationSize({ format: 'I420A' }), isName('NotSupportedError'))
    await assert.rejects(f.copyTo(new Uint8Array(100), { rect: { x: 1, y: 0, width: 2, height: 2 } }), TypeError)  // odd x
    await assert.rejects(f.copyTo(new Uint8Array(100), { rect: { x: 0, y: 0, width: 8, height: 2 } }), TypeError)  // outside
    await assert.rejects(f.copyTo(new Uint8Array(100), { layout: [{ offset: 0, stride: 4 }] }), TypeError)  // plane count
    await assert.rejects(f.copyTo(new Uint8Array(100), { layout: [{ offset: 0, stride: 3 }, { offset: 20, stride: 2 }, { offset: 30, stride: 2 }] }), TypeError)
    await assert.rejects(f.copyTo(new Uint8Array(100), { layout: [{ offset: 0, stride: 4 }, { offset: 8, stride: 2 }, { offset: 40, stride: 2 }] }), TypeError)  // overlap
    await assert.rejects(f.copyTo(new Uint8Array(23)), TypeError)  // too small
    await assert.rejects(f.copyTo('nope'), TypeError)
    f.close()
  })

  it('constructor errors: TypeError for bad init, too little data, displayWidth alone; InvalidStateError from a closed frame', () => {
    const d = i420(4, 4, [1, 2, 3])
    assert.throws(() => new VideoFrame(d, { format: 'I420', codedWidth: 4, codedHeight: 4 }), TypeError)  // no timestamp
    assert.throws(() => new VideoFrame(d, { format: 'YUV9', codedWidth: 4, codedHeight: 4, timestamp: 0 }), TypeError)
    assert.throws(() => new VideoFrame(d, { format: 'I420', codedWidth: 0, codedHeight: 4, timestamp: 0 }), TypeError)
    assert.throws(() => new VideoFrame(d, { format: 'I420', codedWidth: 8, codedHeight: 8, timestamp: 0 }), TypeError)
    assert.throws(() => new VideoFrame(d, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, displayWidth: 4 }), TypeError)
    assert.throws(() => new VideoFrame(d, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0, visibleRect: { x: 0, y: 0, width: 0, height: 2 } }), TypeError)
    assert.throws(() => new VideoFrame({}, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 }), TypeError)
    assert.throws(() => new VideoFrame(d), TypeError)
    const f = new VideoFrame(d, { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 0 })
    f.close()
    assert.throws(() => new VideoFrame(f), isName('InvalidStateError'))
  })

  it('close(): attributes reset, every use InvalidStateError, timestamp kept; clones live on', async () => {
    const f = new VideoFrame(i420(4, 4, [7, 8, 9]), { format: 'I420', codedWidth: 4, codedHeight: 4, timestamp: 99 })
    const c = f.clone()
    f.close()
    f.close()  // twice is fine
    assert.equal(f.format, null)
    assert.equal(f.codedWidth, 0)
    assert.equal(f.codedRect, null)
    assert.equal(f.visibleRect, null)
    assert.equal(f.displayWidth, 0)
    assert.equal(f.timestamp, 99)
    assert.throws(() => f.clone(), isName('InvalidStateError'))
    assert.throws(() => f.allocationSize(), isName('InvalidStateError'))
    await assert.rejects(f.copyTo(new Uint8Array(24)), isName('InvalidStateError'))
    const out = new Uint8Array(24)
    await c.copyTo(out)
    assert.equal(out[0], 7)
    c.close()
    assert.throws(() => c.clone(), isName('InvalidStateError'))
  })

  it('alpha: discard turns I420A into I420 and RGBA into RGBX', () => {
    const d = new Uint8Array(4 * 4 * 2 + 2 * 2 * 2)
    const f = new VideoFrame(d, { format: 'I420A', codedWidth: 4, codedHeight: 4, timestamp: 0 })
    assert.equal(f.allocationSize(), 40)
    const g = new VideoFrame(f, { alpha: 'discard' })
    assert.equal(g.format, 'I420')
    assert.equal(g.allocationSize(), 24)
    f.close(); g.close()
  })
})

describe('AudioData', () => {
  function s16 (values, channels = 1) {
    return new AudioData({ format: 's16', sampleRate: 48000, numberOfFrames: values.length / channels, numberOfChannels: channels, timestamp: 10, data: Int16Array.from(values) })
  }

  it('attributes, duration in microseconds, allocationSize per plane and format', () => {
    const d = new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 480, numberOfChannels: 2, timestamp: 77, data: new Float32Array(960) })
    assert.equal(d.format, 'f32-planar')
    assert.equal(d.sampleRate, 48000)
    assert.equal(d.numberOfFrames, 480)
    assert.equal(d.numberOfChannels, 2)
    assert.equal(d.duration, 10000)
    assert.equal(d.timestamp, 77)
    assert.equal(d.allocationSize({ planeIndex: 1 }), 480 * 4)
    assert.equal(d.allocationSize({ planeIndex: 0, format: 's16' }), 960 * 2)
    assert.equal(d.allocationSize({ planeIndex: 0, frameOffset: 80, frameCount: 100 }), 400)
    d.close()
  })

  it('copyTo converts between interleaved and planar and between sample formats', () => {
    const d = s16([0, 16384, -32768, 32767], 2)  // frames: (0, 0.5), (-1, ~1)
    const right = new Float32Array(2)
    d.copyTo(right, { planeIndex: 1, format: 'f32-planar' })
    assert.deepEqual([...right], [0.5, 32767 / 32768])
    const u8 = new Uint8Array(4)
    d.copyTo(u8, { planeIndex: 0, format: 'u8' })
    assert.deepEqual([...u8], [128, 192, 0, 255])
    const s32 = new Int32Array(1)
    d.copyTo(s32, { planeIndex: 0, format: 's32-planar', frameOffset: 1 })
    assert.equal(s32[0], -2147483648)
    const same = new Int16Array(2)
    d.copyTo(same, { planeIndex: 0, frameOffset: 1 })
    assert.deepEqual([...same], [-32768, 32767])
    // f32 back to s16, clamped
    const f = new AudioData({ format: 'f32', sampleRate: 8000, numberOfFrames: 3, numberOfChannels: 1, timestamp: 0, data: new Float32Array([2, -2, 0.25]) })
    const back = new Int16Array(3)
    f.copyTo(back, { planeIndex: 0, format: 's16' })
    assert.deepEqual([...back], [32767, -32768, 8192])
    d.close(); f.close()
  })

  it('the spec\'s errors: TypeError for a bad init, RangeError for planes, frames and small destinations', () => {
    const base = { format: 's16', sampleRate: 48000, numberOfFrames: 2, numberOfChannels: 2, timestamp: 0, data: new Int16Array(4) }
    assert.throws(() => new AudioData({ ...base, numberOfFrames: 0 }), TypeError)
    assert.throws(() => new AudioData({ ...base, numberOfChannels: 0 }), TypeError)
    assert.throws(() => new AudioData({ ...base, sampleRate: 0 }), TypeError)
    assert.throws(() => new AudioData({ ...base, format: 's24' }), TypeError)
    assert.throws(() => new AudioData({ ...base, data: new Int16Array(3) }), TypeError)
    assert.throws(() => new AudioData({ ...base, timestamp: undefined }), TypeError)
    const d = new AudioData(base)
    assert.throws(() => d.allocationSize({ planeIndex: 1 }), RangeError)  // interleaved: plane 0 only
    assert.throws(() => d.allocationSize({ planeIndex: 2, format: 's16-planar' }), RangeError)
    assert.throws(() => d.allocationSize({ planeIndex: 0, frameOffset: 2 }), RangeError)
    assert.throws(() => d.allocationSize({ planeIndex: 0, frameCount: 3 }), RangeError)
    assert.throws(() => d.allocationSize({}), TypeError)
    assert.throws(() => d.copyTo(new Int16Array(3), { planeIndex: 0 }), RangeError)
    d.close()
  })

  it('close(): attributes reset, every use InvalidStateError; clones share the samples and live on', () => {
    const d = s16([1, 2, 3, 4])
    const c = d.clone()
    d.close()
    assert.equal(d.format, null)
    assert.equal(d.numberOfFrames, 0)
    assert.equal(d.numberOfChannels, 0)
    assert.equal(d.sampleRate, 0)
    assert.equal(d.timestamp, 10)
    assert.throws(() => d.clone(), isName('InvalidStateError'))
    assert.throws(() => d.allocationSize({ planeIndex: 0 }), isName('InvalidStateError'))
    assert.throws(() => d.copyTo(new Int16Array(4), { planeIndex: 0 }), isName('InvalidStateError'))
    const out = new Int16Array(4)
    c.copyTo(out, { planeIndex: 0 })
    assert.deepEqual([...out], [1, 2, 3, 4])
    c.close()
  })
})
