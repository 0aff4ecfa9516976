// Non-standard RTCVideoSource and RTCAudioSource, with the shapes @roamhq/wrtc users know: a
// source fed from JS whose tracks are local MediaStreamTracks (addTrack, addTransceiver,
// replaceTrack, RTCVideoSink, clone() all work as with getUserMedia()'s tracks).
//   const source = new RTCVideoSource(); const track = source.createTrack()
//   source.onFrame({ width, height, data })        // I420 by default; format 'NV12'|'RGBA'|'BGRA'
//   const audio = new RTCAudioSource(); audio.onData({ samples, sampleRate, bitsPerSample: 16,
//     channelCount, numberOfFrames })              // any length: sent in 10 ms chunks
// And i420ToRgba / rgbaToI420 (libyuv). Every argument is checked here (TypeError); the native
// side (src-native/wrap/track_sources.h) trusts what it is given.
import { createTrack, type MediaStreamTrack } from './MediaStreamTrack'
import { binding, type NativeAudioSource, type NativeVideoSource } from './native'

export type RTCVideoFrameFormat = 'I420' | 'NV12' | 'RGBA' | 'BGRA'

export interface RTCVideoSourceInit {
  isScreencast?: boolean
  /** The VP8/VP9 encoder's temporal denoiser, for camera-like frames. Default: off, unlike libwebrtc's (docs/tracks.md). */
  needsDenoising?: boolean
}

/** A frame for RTCVideoSource.onFrame (and the i420ToRgba / rgbaToI420 conversions). */
export interface RTCVideoFrameData {
  width: number
  height: number
  /** I420 (Y, U, V planes without padding) unless `format` says otherwise. */
  data: Uint8ClampedArray | Uint8Array
  /** Not in @roamhq/wrtc: the layout of `data` (default 'I420'). RGBA and BGRA are byte orders. */
  format?: RTCVideoFrameFormat
  /** Clockwise degrees the frame must be turned for display: 0, 90, 180 or 270. */
  rotation?: number
  /** Capture time in microseconds (default: now). Later frames must have later times. */
  timestamp?: number
}

export interface RTCAudioDataInit {
  /** 16-bit PCM, channels interleaved. */
  samples: Int16Array
  sampleRate: number
  bitsPerSample?: 16
  channelCount?: number
  /** Frames (samples per channel) in this call; default: all of `samples`. */
  numberOfFrames?: number
  /** Capture time of the first frame, microseconds (default: unknown). */
  timestamp?: number
}

const FORMATS = new Set<string>(['I420', 'NV12', 'RGBA', 'BGRA'])
const ROTATIONS = new Set([0, 90, 180, 270])

function fail (method: string, message: string): never {
  throw new TypeError(`${method}: ${message}`)
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function checkSize (method: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(method, `${what} must be a positive integer, not ${String(v)}`)
  if (v % 2 !== 0) fail(method, `${what} must be even (I420 halves it), not ${v}`)
  if (v > 16384) fail(method, `${what} must be at most 16384, not ${v}`)
  return v
}

// A capture time in µs, at most Number.MAX_SAFE_INTEGER (285 years): libwebrtc keeps it in int64
// microseconds and milliseconds, and a larger one (9.2e18 fits a double) aborted the process on a
// live DCHECK in the audio packetizer (RTPSenderAudio::SendAudio's Timestamp::Millis).
function checkTimestamp (method: string, v: unknown): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
    fail(method, `timestamp must be a number of microseconds from 0 to Number.MAX_SAFE_INTEGER, not ${String(v)}`)
  }
  return Math.trunc(v)
}

function bytesPerFrame (format: string, width: number, height: number): number {
  return format === 'RGBA' || format === 'BGRA' ? width * height * 4 : width * height * 3 / 2
}

// A frame's width, height and data, checked against `format`.
function checkFrame (method: string, frame: unknown, format: string): { width: number, height: number, data: Uint8Array | Uint8ClampedArray } {
  if (!isObject(frame)) fail(method, 'the frame must be an object with width, height and data')
  const width = checkSize(method, 'width', frame.width)
  const height = checkSize(method, 'height', frame.height)
  const data = frame.data
  if (!(data instanceof Uint8ClampedArray) && !(data instanceof Uint8Array)) {
    fail(method, 'data must be a Uint8ClampedArray or a Uint8Array')
  }
  const need = bytesPerFrame(format, width, height)
  if (data.byteLength < need) {
    fail(method, `a ${width}x${height} ${format} frame needs a data .byteLength of ${need}, not ${data.byteLength}`)
  }
  return { width, height, data }
}

export class RTCVideoSource {
  readonly #native: NativeVideoSource
  readonly #isScreencast: boolean
  readonly #needsDenoising: boolean | undefined

  constructor (init?: RTCVideoSourceInit) {
    if (init !== undefined && init !== null && typeof init !== 'object') fail('RTCVideoSource', 'the options must be an object')
    const isScreencast = init?.isScreencast ?? false
    const needsDenoising = init?.needsDenoising
    if (typeof isScreencast !== 'boolean') fail('RTCVideoSource', 'isScreencast must be a boolean')
    if (needsDenoising !== undefined && typeof needsDenoising !== 'boolean') fail('RTCVideoSource', 'needsDenoising must be a boolean')
    this.#isScreencast = isScreencast
    this.#needsDenoising = needsDenoising
    // Frames a program pushes (rendered, decoded, synthetic) carry no camera sensor noise: the
    // encoder's temporal denoiser is off unless asked for (libwebrtc's default would turn it on
    // for any source that is not a screencast; it costs about a sixth of a 720p pipeline's CPU).
    this.#native = new binding.VideoSource(isScreencast, needsDenoising ?? false)
  }

  get isScreencast (): boolean { return this.#isScreencast }
  get needsDenoising (): boolean | undefined { return this.#needsDenoising }

  /** A new live local video track fed by this source (each call: a new track, a new id). */
  createTrack (): MediaStreamTrack {
    return createTrack(this.#native.createTrack(), { remote: false })
  }

  /** Hands a frame to the source's tracks: copied (or converted to I420) once, at once. */
  onFrame (frame: RTCVideoFrameData): void {
    const method = 'RTCVideoSource.onFrame'
    if (!isObject(frame)) fail(method, 'the frame must be an object with width, height and data')
    const format = frame.format ?? 'I420'
    if (typeof format !== 'string' || !FORMATS.has(format)) fail(method, "format must be 'I420', 'NV12', 'RGBA' or 'BGRA'")
    const { width, height, data } = checkFrame(method, frame, format)
    const rotation = frame.rotation ?? 0
    if (!ROTATIONS.has(rotation as number)) fail(method, 'rotation must be 0, 90, 180 or 270')
    const timestamp = checkTimestamp(method, frame.timestamp)
    this.#native.onFrame(width, height, format, data, rotation, timestamp)
  }

  get [Symbol.toStringTag] (): string { return 'RTCVideoSource' }
}

export class RTCAudioSource {
  readonly #native: NativeAudioSource

  constructor () {
    this.#native = new binding.AudioSource()
  }

  /** A new live local audio track fed by this source. */
  createTrack (): MediaStreamTrack {
    return createTrack(this.#native.createTrack(), { remote: false })
  }

  /**
   * Hands samples to the source's tracks. Any number of frames: whole 10 ms chunks go at once,
   * a remainder waits for the next call (with the same rate and channel count).
   */
  onData (data: RTCAudioDataInit): void {
    const method = 'RTCAudioSource.onData'
    if (!isObject(data)) fail(method, 'the data must be an object with samples and sampleRate')
    const { samples, sampleRate, bitsPerSample } = data
    if (!(samples instanceof Int16Array)) fail(method, 'samples must be an Int16Array')
    if (bitsPerSample !== undefined && bitsPerSample !== 16) fail(method, 'bitsPerSample must be 16')
    if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 96000 || sampleRate % 100 !== 0) {
      fail(method, `sampleRate must be a multiple of 100 from 8000 to 96000, not ${String(sampleRate)}`)
    }
    const channelCount = data.channelCount ?? 1
    if (typeof channelCount !== 'number' || !Number.isInteger(channelCount) || channelCount < 1 || channelCount > 8) {
      fail(method, `channelCount must be an integer from 1 to 8, not ${String(channelCount)}`)
    }
    const numberOfFrames = data.numberOfFrames ?? samples.length / channelCount
    if (typeof numberOfFrames !== 'number' || !Number.isInteger(numberOfFrames) || numberOfFrames < 0) {
      fail(method, `numberOfFrames must be a non-negative integer, not ${String(numberOfFrames)}`)
    }
    if (samples.length < numberOfFrames * channelCount) {
      fail(method, `${numberOfFrames} frames of ${channelCount} channels need ${numberOfFrames * channelCount} samples, not ${samples.length}`)
    }
    const timestamp = checkTimestamp(method, data.timestamp)
    this.#native.onData(samples, sampleRate, channelCount, numberOfFrames, timestamp)
  }

  get [Symbol.toStringTag] (): string { return 'RTCAudioSource' }
}

function checkPair (method: string, from: unknown, fromFormat: string, to: unknown, toFormat: string) {
  const a = checkFrame(method, from, fromFormat)
  const b = checkFrame(method, to, toFormat)
  if (a.width !== b.width || a.height !== b.height) {
    fail(method, `both frames must have the same size, not ${a.width}x${a.height} and ${b.width}x${b.height}`)
  }
  return [a, b] as const
}

/** Converts an I420 frame into the RGBA frame `rgba` (same width and height), in place. */
export function i420ToRgba (i420: RTCVideoFrameData, rgba: RTCVideoFrameData): void {
  const [a, b] = checkPair('i420ToRgba', i420, 'I420', rgba, 'RGBA')
  binding.i420ToRgba(a.data, b.data, a.width, a.height)
}

/** Converts an RGBA frame into the I420 frame `i420` (same width and height), in place. */
export function rgbaToI420 (rgba: RTCVideoFrameData, i420: RTCVideoFrameData): void {
  const [a, b] = checkPair('rgbaToI420', rgba, 'RGBA', i420, 'I420')
  binding.rgbaToI420(a.data, b.data, a.width, a.height)
}
