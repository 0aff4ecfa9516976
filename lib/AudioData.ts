// WebCodecs AudioData (https://w3c.github.io/webcodecs/#audiodata-interface): samples with their
// format, rate, channel count and time. Made by scripts from an AudioDataInit (copied, or taken
// without a copy when the buffer is in `transfer`) and by MediaStreamTrackProcessor from an audio
// track (10 ms of s16 at a time, in memory the addon lends). copyTo converts between all eight
// sample formats. Clones share the memory; the last close() gives it back.
import { binding } from './native'
import type { BufferSource } from './VideoFrame'

export type AudioSampleFormat = 'u8' | 's16' | 's32' | 'f32' | 'u8-planar' | 's16-planar' | 's32-planar' | 'f32-planar'

export interface AudioDataInit {
  format: AudioSampleFormat
  sampleRate: number
  numberOfFrames: number
  numberOfChannels: number
  timestamp: number
  data: BufferSource
  transfer?: ArrayBuffer[]
}

export interface AudioDataCopyToOptions {
  planeIndex: number
  frameOffset?: number
  frameCount?: number
  format?: AudioSampleFormat
}

const BYTES: Record<AudioSampleFormat, number> = {
  u8: 1, s16: 2, s32: 4, f32: 4, 'u8-planar': 1, 's16-planar': 2, 's32-planar': 4, 'f32-planar': 4
}

interface Resource { buffer: ArrayBuffer, lent: boolean, users: number }

interface DataState {
  resource: Resource
  /** Where the samples start in resource.buffer. */
  offset: number
  format: AudioSampleFormat
  sampleRate: number
  numberOfFrames: number
  numberOfChannels: number
  timestamp: number
}

const states = new WeakMap<AudioData, DataState>()
const closed = new WeakSet<AudioData>()

function live (data: AudioData, what: string): DataState {
  const s = states.get(data)
  if (s === undefined) throw new TypeError(`${what}: not an AudioData`)
  if (closed.has(data)) throw new DOMException(`${what}: the AudioData is closed`, 'InvalidStateError')
  return s
}

function peek (data: AudioData): DataState | undefined {
  return closed.has(data) ? undefined : states.get(data)
}

function integer (v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v === 'symbol' || typeof v === 'bigint') throw new TypeError(`${what} must be a number`)
  const n = Number(v)
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number, not ${String(v)}`)
  const t = Math.trunc(n)
  if (t < min || t > max) throw new TypeError(`${what} is out of range: ${t}`)
  return t
}

function isFormat (v: unknown): v is AudioSampleFormat {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(BYTES, v)
}

function planar (f: AudioSampleFormat): boolean { return f.endsWith('-planar') }

// One sample as a float in [-1, 1) (WebCodecs' conversion: u8 biased by 128, s16/s32 scaled).
type Reader = (i: number) => number
type Writer = (i: number, v: number) => void

function reader (format: AudioSampleFormat, buf: ArrayBuffer, offset: number, length: number): Reader {
  switch (format.replace('-planar', '')) {
    case 'u8': { const a = new Uint8Array(buf, offset, length); return i => (a[i]! - 128) / 128 }
    case 's16': { const a = new Int16Array(buf, offset, length); return i => a[i]! / 32768 }
    case 's32': { const a = new Int32Array(buf, offset, length); return i => a[i]! / 2147483648 }
    default: { const a = new Float32Array(buf, offset, length); return i => a[i]! }
  }
}

function writer (format: AudioSampleFormat, dst: Uint8Array, count: number): Writer {
  const clamp = (v: number): number => v < -1 ? -1 : v > 1 ? 1 : v
  switch (format.replace('-planar', '')) {
    case 'u8': return (i, v) => { dst[i] = Math.max(0, Math.min(255, Math.round(clamp(v) * 128 + 128))) }
    case 's16': { const a = new Int16Array(dst.buffer, dst.byteOffset, count); return (i, v) => { a[i] = Math.max(-32768, Math.min(32767, Math.round(clamp(v) * 32768))) } }
    case 's32': { const a = new Int32Array(dst.buffer, dst.byteOffset, count); return (i, v) => { a[i] = Math.max(-2147483648, Math.min(2147483647, Math.round(clamp(v) * 2147483648))) } }
    default: { const a = new Float32Array(dst.buffer, dst.byteOffset, count); return (i, v) => { a[i] = v } }
  }
}

function bytesOf (data: unknown, what: string): Uint8Array {
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data)
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError(`${what} must be an ArrayBuffer or an ArrayBufferView`)
}

interface Copy { format: AudioSampleFormat, plane: number, frameOffset: number, frames: number, elements: number }

// Compute Copy Element Count, with the spec's RangeErrors.
function copyPlan (s: DataState, optionsArg: unknown, what: string): Copy {
  if (optionsArg === null || typeof optionsArg !== 'object') throw new TypeError(`${what}: options with a planeIndex are required`)
  const o = optionsArg as Record<string, unknown>
  if (o.planeIndex === undefined) throw new TypeError(`${what}: options.planeIndex is required`)
  const plane = integer(o.planeIndex, `${what}: planeIndex`, 0, 0xffffffff)
  const frameOffset = o.frameOffset === undefined ? 0 : integer(o.frameOffset, `${what}: frameOffset`, 0, 0xffffffff)
  if (o.format !== undefined && !isFormat(o.format)) throw new TypeError(`${what}: format must be an AudioSampleFormat`)
  const format = (o.format as AudioSampleFormat | undefined) ?? s.format
  if (!planar(format) && plane > 0) throw new RangeError(`${what}: planeIndex ${plane} of an interleaved format (only 0)`)
  if (planar(format) && plane >= s.numberOfChannels) throw new RangeError(`${what}: planeIndex ${plane} of ${s.numberOfChannels} channels`)
  if (frameOffset >= s.numberOfFrames) throw new RangeError(`${what}: frameOffset ${frameOffset} of ${s.numberOfFrames} frames`)
  let frames = s.numberOfFrames - frameOffset
  if (o.frameCount !== undefined) {
    const count = integer(o.frameCount, `${what}: frameCount`, 0, 0xffffffff)
    if (count > frames) throw new RangeError(`${what}: frameCount ${count} is more than the ${frames} frames from frameOffset`)
    frames = count
  }
  return { format, plane, frameOffset, frames, elements: planar(format) ? frames : frames * s.numberOfChannels }
}

export class AudioData {
  constructor (init: AudioDataInit) {
    states.set(this, fromInit(init))
  }

  get format (): AudioSampleFormat | null { return peek(this)?.format ?? null }
  get sampleRate (): number { return peek(this)?.sampleRate ?? 0 }
  get numberOfFrames (): number { return peek(this)?.numberOfFrames ?? 0 }
  get numberOfChannels (): number { return peek(this)?.numberOfChannels ?? 0 }
  /** Microseconds: numberOfFrames / sampleRate. */
  get duration (): number {
    const s = peek(this)
    return s === undefined ? 0 : Math.trunc(s.numberOfFrames * 1e6 / s.sampleRate)
  }

  /** Microseconds. Kept after close(). */
  get timestamp (): number { return states.get(this)?.timestamp ?? 0 }

  allocationSize (options: AudioDataCopyToOptions): number {
    const s = live(this, 'AudioData.allocationSize')
    const c = copyPlan(s, options, 'AudioData.allocationSize')
    return c.elements * BYTES[c.format]
  }

  /** Copies one plane (all of it for an interleaved format) into `destination`, converting the format if asked. */
  copyTo (destination: BufferSource, options: AudioDataCopyToOptions): void {
    const s = live(this, 'AudioData.copyTo')
    const c = copyPlan(s, options, 'AudioData.copyTo')
    const dst = bytesOf(destination, 'AudioData.copyTo: destination')
    const size = c.elements * BYTES[c.format]
    if (dst.byteLength < size) throw new RangeError(`AudioData.copyTo: the destination has ${dst.byteLength} bytes, ${size} are needed`)
    copySamples(s, c, dst)
  }

  clone (): AudioData {
    const s = live(this, 'AudioData.clone')
    return makeData({ ...s })
  }

  close (): void {
    const s = states.get(this)
    if (s === undefined || closed.has(this)) return
    closed.add(this)
    const r = s.resource
    if (--r.users > 0) return
    if (r.lent) binding.detachArrayBuffer(r.buffer)
    r.buffer = new ArrayBuffer(0)
  }

  get [Symbol.toStringTag] (): string { return 'AudioData' }
}

function copySamples (s: DataState, c: Copy, dst: Uint8Array): void {
  const channels = s.numberOfChannels
  const srcBytes = BYTES[s.format]
  const total = s.numberOfFrames * channels
  const out = dst.subarray(0, c.elements * BYTES[c.format])
  // Same layout and format: bytes as they are.
  if (c.format === s.format) {
    const per = planar(s.format) ? s.numberOfFrames : 0
    const start = s.offset + (per * c.plane + c.frameOffset * (planar(s.format) ? 1 : channels)) * srcBytes
    out.set(new Uint8Array(s.resource.buffer, start, out.byteLength))
    return
  }
  // Aligned views need the samples at a multiple of their size: copy into a fresh buffer if not.
  let buf = s.resource.buffer
  let offset = s.offset
  if (offset % srcBytes !== 0) {
    buf = s.resource.buffer.slice(offset, offset + total * srcBytes)
    offset = 0
  }
  const read = reader(s.format, buf, offset, total)
  let target = out
  if (out.byteOffset % BYTES[c.format] !== 0) target = new Uint8Array(out.byteLength)
  const write = writer(c.format, target, c.elements)
  const srcIndex = planar(s.format)
    ? (frame: number, ch: number) => ch * s.numberOfFrames + frame
    : (frame: number, ch: number) => frame * channels + ch
  if (planar(c.format)) {
    for (let f = 0; f < c.frames; f++) write(f, read(srcIndex(c.frameOffset + f, c.plane)))
  } else {
    for (let f = 0; f < c.frames; f++) {
      for (let ch = 0; ch < channels; ch++) write(f * channels + ch, read(srcIndex(c.frameOffset + f, ch)))
    }
  }
  if (target !== out) out.set(target)
}

function makeData (s: DataState): AudioData {
  const data = Object.create(AudioData.prototype) as AudioData
  s.resource.users++
  states.set(data, s)
  return data
}

function fromInit (initArg: unknown): DataState {
  if (initArg === null || typeof initArg !== 'object') throw new TypeError('AudioData: an AudioDataInit is required')
  const init = initArg as Record<string, unknown>
  for (const k of ['format', 'sampleRate', 'numberOfFrames', 'numberOfChannels', 'timestamp', 'data']) {
    if (init[k] === undefined) throw new TypeError(`AudioDataInit.${k} is required`)
  }
  if (!isFormat(init.format)) throw new TypeError(`AudioDataInit.format must be one of ${Object.keys(BYTES).join(', ')}`)
  const sampleRate = Number(init.sampleRate)
  if (typeof init.sampleRate === 'symbol' || !Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new TypeError('AudioDataInit.sampleRate must be a positive number')
  }
  const numberOfFrames = integer(init.numberOfFrames, 'AudioDataInit.numberOfFrames', 0, 0xffffffff)
  const numberOfChannels = integer(init.numberOfChannels, 'AudioDataInit.numberOfChannels', 0, 0xffffffff)
  if (numberOfFrames === 0) throw new TypeError('AudioDataInit.numberOfFrames must not be 0')
  if (numberOfChannels === 0) throw new TypeError('AudioDataInit.numberOfChannels must not be 0')
  const timestamp = integer(init.timestamp, 'AudioDataInit.timestamp', Number.MIN_SAFE_INTEGER)
  const bytes = bytesOf(init.data, 'AudioDataInit.data')
  const size = numberOfFrames * numberOfChannels * BYTES[init.format]
  if (bytes.byteLength < size) {
    throw new TypeError(`AudioDataInit.data has ${bytes.byteLength} bytes, ${numberOfFrames} frames of ${numberOfChannels} channels of ${init.format} need ${size}`)
  }
  const transfer = init.transfer
  if (transfer !== undefined && !Array.isArray(transfer)) throw new TypeError('AudioDataInit.transfer must be a sequence of ArrayBuffer')
  const list = (transfer ?? []) as unknown[]
  if (list.some(b => !(b instanceof ArrayBuffer))) throw new TypeError('AudioDataInit.transfer must hold ArrayBuffers')
  if (new Set(list).size !== list.length) throw new DOMException('transfer lists a buffer twice', 'DataCloneError')
  let buffer: ArrayBuffer
  let offset = 0
  if (list.includes(bytes.buffer)) {
    offset = bytes.byteOffset
    buffer = structuredClone(bytes.buffer as ArrayBuffer, { transfer: [bytes.buffer as ArrayBuffer] })
  } else {
    buffer = bytes.slice(0, size).buffer
  }
  for (const b of list) if ((b as ArrayBuffer).byteLength > 0) structuredClone(b, { transfer: [b as ArrayBuffer] })
  return { resource: { buffer, lent: false, users: 1 }, offset, format: init.format, sampleRate, numberOfFrames, numberOfChannels, timestamp }
}

/** @internal 10 ms of s16 interleaved samples in memory the addon lends (MediaStreamTrackProcessor). */
export function audioDataFromNative (n: { data: ArrayBuffer, sampleRate: number, numberOfChannels: number,
  numberOfFrames: number, timestamp: number }): AudioData {
  return makeData({
    resource: { buffer: n.data, lent: true, users: 0 },
    offset: 0,
    format: 's16',
    sampleRate: n.sampleRate,
    numberOfFrames: n.numberOfFrames,
    numberOfChannels: n.numberOfChannels,
    timestamp: n.timestamp
  })
}

/** @internal The samples as s16 interleaved (the pushed audio source's format), and their time. */
export function interleavedS16 (data: AudioData): { samples: Int16Array, sampleRate: number, channels: number, frames: number, timestamp: number } {
  const s = live(data, 'write')
  let samples: Int16Array
  const count = s.numberOfFrames * s.numberOfChannels
  if (s.format === 's16' && s.offset % 2 === 0) {
    samples = new Int16Array(s.resource.buffer, s.offset, count)
  } else {
    samples = new Int16Array(count)
    copySamples(s, { format: 's16', plane: 0, frameOffset: 0, frames: s.numberOfFrames, elements: count }, new Uint8Array(samples.buffer))
  }
  return { samples, sampleRate: s.sampleRate, channels: s.numberOfChannels, frames: s.numberOfFrames, timestamp: s.timestamp }
}

/** @internal */
export function isAudioData (v: unknown): v is AudioData {
  return typeof v === 'object' && v !== null && states.has(v as AudioData)
}
