// WebCodecs VideoFrame (https://w3c.github.io/webcodecs/#videoframe-interface): raw pixels with
// their format, sizes and time. Made by scripts from a BufferSource (the bytes are copied, or
// taken without a copy when the buffer is in `transfer`) or from another frame, and by
// MediaStreamTrackProcessor from a track (then `data` is the decoder's own I420 memory, lent by
// the addon: src-native/media/frame_memory.h). Clones share the memory; the last close() gives it
// back (a lent buffer is detached, so the addon releases it on the next turn of the event loop).
import { binding } from './native'

/** WebIDL BufferSource. */
export type BufferSource = ArrayBuffer | ArrayBufferView

export type VideoPixelFormat = 'I420' | 'I420A' | 'NV12' | 'RGBA' | 'RGBX' | 'BGRA' | 'BGRX'

export interface DOMRectInit { x?: number, y?: number, width?: number, height?: number }

export interface PlaneLayout { offset: number, stride: number }

export interface VideoColorSpaceInit {
  primaries?: string | null
  transfer?: string | null
  matrix?: string | null
  fullRange?: boolean | null
}

export interface VideoFrameBufferInit {
  format: VideoPixelFormat
  codedWidth: number
  codedHeight: number
  timestamp: number
  duration?: number
  layout?: PlaneLayout[]
  visibleRect?: DOMRectInit
  rotation?: number
  flip?: boolean
  displayWidth?: number
  displayHeight?: number
  colorSpace?: VideoColorSpaceInit
  transfer?: ArrayBuffer[]
}

export interface VideoFrameInit {
  duration?: number
  timestamp?: number
  alpha?: 'keep' | 'discard'
  visibleRect?: DOMRectInit
  rotation?: number
  flip?: boolean
  displayWidth?: number
  displayHeight?: number
}

export interface VideoFrameCopyToOptions {
  rect?: DOMRectInit
  layout?: PlaneLayout[]
  format?: VideoPixelFormat
  colorSpace?: 'srgb' | 'display-p3'
}

/** A read-only rectangle (DOMRectReadOnly's members). */
export class DOMRectReadOnly {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  constructor (x = 0, y = 0, width = 0, height = 0) {
    this.x = Number(x); this.y = Number(y); this.width = Number(width); this.height = Number(height)
    Object.freeze(this)
  }

  get top (): number { return Math.min(this.y, this.y + this.height) }
  get left (): number { return Math.min(this.x, this.x + this.width) }
  get right (): number { return Math.max(this.x, this.x + this.width) }
  get bottom (): number { return Math.max(this.y, this.y + this.height) }
  toJSON (): Required<DOMRectInit> { return { x: this.x, y: this.y, width: this.width, height: this.height } }
}

export class VideoColorSpace {
  readonly primaries: string | null
  readonly transfer: string | null
  readonly matrix: string | null
  readonly fullRange: boolean | null
  constructor (init?: VideoColorSpaceInit) {
    this.primaries = init?.primaries ?? null
    this.transfer = init?.transfer ?? null
    this.matrix = init?.matrix ?? null
    this.fullRange = init?.fullRange ?? null
  }

  toJSON (): VideoColorSpaceInit {
    return { primaries: this.primaries, transfer: this.transfer, matrix: this.matrix, fullRange: this.fullRange }
  }
}

// Per plane: bytes per sample, and how many pixels one sample covers across and down.
interface PlaneInfo { bytes: number, sw: number, sh: number }
const Y: PlaneInfo = { bytes: 1, sw: 1, sh: 1 }
const C: PlaneInfo = { bytes: 1, sw: 2, sh: 2 }
const PLANES: Record<VideoPixelFormat, PlaneInfo[]> = {
  I420: [Y, C, C],
  I420A: [Y, C, C, Y],
  NV12: [Y, { bytes: 2, sw: 2, sh: 2 }],
  RGBA: [{ bytes: 4, sw: 1, sh: 1 }],
  RGBX: [{ bytes: 4, sw: 1, sh: 1 }],
  BGRA: [{ bytes: 4, sw: 1, sh: 1 }],
  BGRX: [{ bytes: 4, sw: 1, sh: 1 }]
}
const RGB_FORMATS = new Set<string>(['RGBA', 'RGBX', 'BGRA', 'BGRX'])

interface Rect { x: number, y: number, width: number, height: number }

/** The memory of one or more frames (clones share it). */
interface Resource {
  buffer: ArrayBuffer
  /** Lent by the addon: detached when the last frame using it closes. */
  lent: boolean
  users: number
}

interface FrameState {
  resource: Resource
  format: VideoPixelFormat
  codedWidth: number
  codedHeight: number
  /** Where each plane starts in `resource.buffer`, and its stride. */
  layout: PlaneLayout[]
  visibleRect: Rect
  displayWidth: number
  displayHeight: number
  rotation: number
  flip: boolean
  timestamp: number
  duration: number | null
  colorSpace: VideoColorSpaceInit
}

function invalidState (what: string): DOMException {
  return new DOMException(`${what}: the VideoFrame is closed`, 'InvalidStateError')
}

function dictionary (v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what} must be an object`)
  return v as Record<string, unknown>
}

// WebIDL [EnforceRange] integers (long long / unsigned long).
function integer (v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v === 'symbol' || typeof v === 'bigint') throw new TypeError(`${what} must be a number`)
  const n = Number(v)
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number, not ${String(v)}`)
  const t = Math.trunc(n)
  if (t < min || t > max) throw new TypeError(`${what} is out of range: ${t}`)
  return t
}

function optionalInteger (v: unknown, what: string, min: number, max?: number): number | undefined {
  return v === undefined ? undefined : integer(v, what, min, max)
}

function bytesOf (data: unknown, what: string): Uint8Array {
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data)
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError(`${what} must be an ArrayBuffer or an ArrayBufferView`)
}

function rotationOf (v: unknown): number {
  if (v === undefined) return 0
  const n = Number(v)
  if (!Number.isFinite(n)) throw new TypeError('rotation must be a finite number')
  return ((Math.round(n / 90) * 90) % 360 + 360) % 360
}

// Parse Visible Rect: inside the coded size, a whole number of samples from the top left.
function parseRect (init: unknown, fallback: Rect, codedWidth: number, codedHeight: number,
  format: VideoPixelFormat, what: string): Rect {
  if (init === undefined) return fallback
  const d = dictionary(init, what)
  const num = (k: string): number => {
    const n = Number(d[k] ?? 0)
    if (!Number.isFinite(n)) throw new TypeError(`${what}.${k} must be finite`)
    return n
  }
  const r = { x: num('x'), y: num('y'), width: num('width'), height: num('height') }
  if (r.width <= 0 || r.height <= 0) throw new TypeError(`${what} must have a positive width and height`)
  if (r.x < 0 || r.y < 0 || !Number.isInteger(r.x) || !Number.isInteger(r.y) ||
      !Number.isInteger(r.width) || !Number.isInteger(r.height)) {
    throw new TypeError(`${what} must have non-negative whole coordinates`)
  }
  if (r.x + r.width > codedWidth || r.y + r.height > codedHeight) {
    throw new TypeError(`${what} (${r.x},${r.y} ${r.width}x${r.height}) is not inside the ${codedWidth}x${codedHeight} frame`)
  }
  for (const p of PLANES[format]) {
    if (r.x % p.sw !== 0 || r.y % p.sh !== 0) throw new TypeError(`${what}: x and y must be even for ${format}`)
  }
  return r
}

interface ComputedLayout { layout: PlaneLayout[], size: number, rows: number[], rowBytes: number[], top: number[], leftBytes: number[] }

// Compute Layout and Allocation Size: where each plane of `rect` goes in a destination, packed
// unless `layout` says otherwise (TypeError when its planes are too narrow or overlap).
function computeLayout (rect: Rect, format: VideoPixelFormat, layout: unknown, what: string): ComputedLayout {
  const planes = PLANES[format]
  let given: PlaneLayout[] | undefined
  if (layout !== undefined) {
    if (layout === null || typeof layout !== 'object' || typeof (layout as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${what}.layout must be a sequence of PlaneLayout`)
    }
    given = Array.from(layout as Iterable<unknown>, (p, i) => {
      const d = dictionary(p, `${what}.layout[${i}]`)
      if (d.offset === undefined || d.stride === undefined) throw new TypeError(`${what}.layout[${i}] needs offset and stride`)
      return { offset: integer(d.offset, `${what}.layout[${i}].offset`, 0, 0xffffffff), stride: integer(d.stride, `${what}.layout[${i}].stride`, 0, 0xffffffff) }
    })
    if (given.length !== planes.length) throw new TypeError(`${what}.layout must have ${planes.length} planes for ${format}, not ${given.length}`)
  }
  const out: ComputedLayout = { layout: [], size: 0, rows: [], rowBytes: [], top: [], leftBytes: [] }
  let end = 0
  const spans: Array<[number, number]> = []
  planes.forEach((p, i) => {
    const rows = Math.ceil(rect.height / p.sh)
    const rowBytes = Math.ceil(rect.width / p.sw) * p.bytes
    let offset = end
    let stride = rowBytes
    if (given !== undefined) {
      offset = given[i]!.offset
      stride = given[i]!.stride
      if (stride < rowBytes) throw new TypeError(`${what}.layout[${i}].stride ${stride} is less than a row of the plane (${rowBytes} bytes)`)
    }
    const size = stride * rows
    const planeEnd = offset + size
    for (const [s, e] of spans) {
      if (offset < e && s < planeEnd) throw new TypeError(`${what}.layout: plane ${i} overlaps another plane`)
    }
    spans.push([offset, planeEnd])
    end = Math.max(end, planeEnd)
    out.layout.push({ offset, stride })
    out.rows.push(rows)
    out.rowBytes.push(rowBytes)
    out.top.push(Math.floor(rect.y / p.sh))
    out.leftBytes.push(Math.floor(rect.x / p.sw) * p.bytes)
  })
  out.size = end
  return out
}

// Row by row from `src` (planes at `from`) into `dst` (planes at `to`).
function copyPlanes (src: Uint8Array, from: PlaneLayout[], dst: Uint8Array, to: ComputedLayout): void {
  for (let i = 0; i < to.layout.length; i++) {
    const s = from[i]!
    const d = to.layout[i]!
    const n = to.rowBytes[i]!
    let so = s.offset + to.top[i]! * s.stride + to.leftBytes[i]!
    let dof = d.offset
    if (s.stride === n && d.stride === n) {
      dst.set(src.subarray(so, so + n * to.rows[i]!), dof)
      continue
    }
    for (let r = 0; r < to.rows[i]!; r++, so += s.stride, dof += d.stride) dst.set(src.subarray(so, so + n), dof)
  }
}

const states = new WeakMap<VideoFrame, FrameState>()
const closed = new WeakSet<VideoFrame>()

// (Frames made by makeFrame() are not constructed, so no #private members: these instead.)
function live (frame: VideoFrame, what: string): FrameState {
  const s = states.get(frame)
  if (s === undefined) throw new TypeError(`${what}: not a VideoFrame`)
  if (closed.has(frame)) throw invalidState(what)
  return s
}

function peek (frame: VideoFrame): FrameState | undefined {
  return closed.has(frame) ? undefined : states.get(frame)
}

function defaultColorSpace (format: VideoPixelFormat): VideoColorSpaceInit {
  // What our conversions (libyuv, BT.601 limited range) and VP8 assume for YUV.
  return RGB_FORMATS.has(format)
    ? { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true }
    : { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false }
}

function display (init: Record<string, unknown>, rect: Rect, rotation: number): [number, number] {
  const dw = optionalInteger(init.displayWidth, 'displayWidth', 0, 0xffffffff)
  const dh = optionalInteger(init.displayHeight, 'displayHeight', 0, 0xffffffff)
  if ((dw === undefined) !== (dh === undefined)) throw new TypeError('displayWidth and displayHeight must be given together')
  if (dw === 0 || dh === 0) throw new TypeError('displayWidth and displayHeight must not be 0')
  if (dw !== undefined) return [dw, dh!]
  return rotation % 180 === 0 ? [rect.width, rect.height] : [rect.height, rect.width]
}

export class VideoFrame {
  /**
   * new VideoFrame(data: BufferSource, init: VideoFrameBufferInit) or new VideoFrame(frame:
   * VideoFrame, init?: VideoFrameInit). Images, canvases and bitmaps do not exist here: TypeError.
   */
  constructor (source: BufferSource | VideoFrame, init?: VideoFrameBufferInit | VideoFrameInit) {
    const src: unknown = source
    if (src instanceof VideoFrame) {
      states.set(this, fromFrame(src, init))
      return
    }
    if (!(src instanceof ArrayBuffer) && !ArrayBuffer.isView(src) &&
        !(typeof SharedArrayBuffer !== 'undefined' && src instanceof SharedArrayBuffer)) {
      throw new TypeError('VideoFrame: the source must be a BufferSource or a VideoFrame (images do not exist in Node)')
    }
    states.set(this, fromBuffer(src as BufferSource, init))
  }

  get format (): VideoPixelFormat | null { return peek(this)?.format ?? null }
  get codedWidth (): number { return peek(this)?.codedWidth ?? 0 }
  get codedHeight (): number { return peek(this)?.codedHeight ?? 0 }
  get codedRect (): DOMRectReadOnly | null {
    const s = peek(this)
    return s === undefined ? null : new DOMRectReadOnly(0, 0, s.codedWidth, s.codedHeight)
  }

  get visibleRect (): DOMRectReadOnly | null {
    const s = peek(this)
    return s === undefined ? null : new DOMRectReadOnly(s.visibleRect.x, s.visibleRect.y, s.visibleRect.width, s.visibleRect.height)
  }

  get rotation (): number { return peek(this)?.rotation ?? 0 }
  get flip (): boolean { return peek(this)?.flip ?? false }
  get displayWidth (): number { return peek(this)?.displayWidth ?? 0 }
  get displayHeight (): number { return peek(this)?.displayHeight ?? 0 }
  /** Microseconds. Kept after close(), as the spec's internal slot is. */
  get timestamp (): number { return states.get(this)?.timestamp ?? 0 }
  get duration (): number | null { return peek(this)?.duration ?? null }
  get colorSpace (): VideoColorSpace { return new VideoColorSpace(peek(this)?.colorSpace ?? {}) }

  metadata (): Record<string, never> {
    live(this, 'VideoFrame.metadata')
    return {}
  }

  /** Bytes copyTo(…, options) needs. */
  allocationSize (options?: VideoFrameCopyToOptions): number {
    const s = live(this, 'VideoFrame.allocationSize')
    return copyPlan(s, options, 'VideoFrame.allocationSize').dest.size
  }

  /**
   * Copies the frame (or options.rect of it) into `destination`, in the frame's format or
   * converted to options.format (RGBA/RGBX/BGRA/BGRX, libyuv BT.601); resolves with the layout
   * of the planes written. The copy is done before the promise is returned.
   */
  copyTo (destination: BufferSource, options?: VideoFrameCopyToOptions): Promise<PlaneLayout[]> {
    try {
      const s = live(this, 'VideoFrame.copyTo')
      const plan = copyPlan(s, options, 'VideoFrame.copyTo')
      const dst = bytesOf(destination, 'VideoFrame.copyTo: destination')
      if (dst.byteLength < plan.dest.size) {
        throw new TypeError(`VideoFrame.copyTo: the destination has ${dst.byteLength} bytes, the frame needs ${plan.dest.size}`)
      }
      copyInto(s, plan, dst)
      return Promise.resolve(plan.dest.layout.map(p => ({ offset: p.offset, stride: p.stride })))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** A new frame on the same memory; InvalidStateError once closed. */
  clone (): VideoFrame {
    const s = live(this, 'VideoFrame.clone')
    return makeFrame({ ...s, layout: s.layout.slice(), visibleRect: { ...s.visibleRect } })
  }

  /** Releases the frame's memory (once no clone uses it); the frame can no longer be used. */
  close (): void {
    const s = states.get(this)
    if (s === undefined || closed.has(this)) return
    closed.add(this)
    release(s.resource)
  }

  get [Symbol.toStringTag] (): string { return 'VideoFrame' }
}

function release (r: Resource): void {
  if (--r.users > 0) return
  if (r.lent) binding.detachArrayBuffer(r.buffer)
  r.buffer = new ArrayBuffer(0)
}

// Every frame has its state in `states`; its memory counts one user more.
function makeFrame (s: FrameState): VideoFrame {
  const frame = Object.create(VideoFrame.prototype) as VideoFrame
  s.resource.users++
  states.set(frame, s)
  return frame
}

function fromBuffer (data: BufferSource, initArg: unknown): FrameState {
  const init = dictionary(initArg, 'VideoFrameBufferInit')
  const format = init.format
  if (typeof format !== 'string' || !(format in PLANES)) {
    throw new TypeError(`VideoFrameBufferInit.format must be one of ${Object.keys(PLANES).join(', ')}`)
  }
  const fmt = format as VideoPixelFormat
  if (init.codedWidth === undefined || init.codedHeight === undefined || init.timestamp === undefined) {
    throw new TypeError('VideoFrameBufferInit needs codedWidth, codedHeight and timestamp')
  }
  const codedWidth = integer(init.codedWidth, 'codedWidth', 0, 0xffffffff)
  const codedHeight = integer(init.codedHeight, 'codedHeight', 0, 0xffffffff)
  if (codedWidth === 0 || codedHeight === 0) throw new TypeError('codedWidth and codedHeight must not be 0')
  if (codedWidth > 16384 || codedHeight > 16384) throw new TypeError('codedWidth and codedHeight must be at most 16384')
  const timestamp = integer(init.timestamp, 'timestamp', Number.MIN_SAFE_INTEGER)
  const duration = optionalInteger(init.duration, 'duration', 0) ?? null
  const coded: Rect = { x: 0, y: 0, width: codedWidth, height: codedHeight }
  const visibleRect = parseRect(init.visibleRect, coded, codedWidth, codedHeight, fmt, 'visibleRect')
  const rotation = rotationOf(init.rotation)
  const [displayWidth, displayHeight] = display(init, visibleRect, rotation)
  const combined = computeLayout(coded, fmt, init.layout, 'VideoFrameBufferInit')
  const bytes = bytesOf(data, 'VideoFrame: data')
  if (bytes.byteLength < combined.size) {
    throw new TypeError(`VideoFrame: a ${codedWidth}x${codedHeight} ${fmt} frame needs ${combined.size} bytes, data has ${bytes.byteLength}`)
  }
  let buffer: ArrayBuffer | undefined
  let base = 0
  let lent = false
  const transfer = init.transfer
  if (transfer !== undefined && (transfer === null || typeof transfer !== 'object' || !Array.isArray(transfer))) {
    throw new TypeError('VideoFrameBufferInit.transfer must be a sequence of ArrayBuffer')
  }
  const transferList = (transfer ?? []) as unknown[]
  if (transferList.some(b => !(b instanceof ArrayBuffer))) throw new TypeError('VideoFrameBufferInit.transfer must hold ArrayBuffers')
  if (new Set(transferList).size !== transferList.length) throw new DOMException('transfer lists a buffer twice', 'DataCloneError')
  if (transferList.length > 0 && transferList.includes(bytes.buffer)) {
    // Taken without a copy; the caller's buffer is detached (as the spec's transfer says).
    base = bytes.byteOffset
    buffer = structuredClone(bytes.buffer as ArrayBuffer, { transfer: [bytes.buffer as ArrayBuffer] })
  } else if (fmt === 'I420' && init.layout === undefined && (buffer = pooledI420(codedWidth, codedHeight)) !== undefined) {
    // Packed I420 in a pooled native buffer: a VideoTrackGenerator takes it without a copy, and
    // close() gives it back to the pool at once (no fresh 1.4 MB allocation per 720p frame).
    new Uint8Array(buffer).set(bytes.subarray(0, combined.size))
    lent = true
  } else {
    buffer = bytes.slice(0, combined.size).buffer
  }
  for (const b of transferList) {
    if (b !== buffer && (b as ArrayBuffer).byteLength > 0) structuredClone(b, { transfer: [b as ArrayBuffer] })
  }
  const colorSpace = { ...defaultColorSpace(fmt), ...stripUndefined(dictionary(init.colorSpace, 'colorSpace')) }
  return {
    resource: { buffer, lent, users: 1 },
    format: fmt,
    codedWidth,
    codedHeight,
    layout: combined.layout.map(p => ({ offset: p.offset + base, stride: p.stride })),
    visibleRect,
    displayWidth,
    displayHeight,
    rotation,
    flip: Boolean(init.flip),
    timestamp,
    duration,
    colorSpace
  }
}

function stripUndefined (d: Record<string, unknown>): VideoColorSpaceInit {
  const out: Record<string, unknown> = {}
  for (const k of ['primaries', 'transfer', 'matrix', 'fullRange']) if (d[k] !== undefined) out[k] = d[k]
  return out as VideoColorSpaceInit
}

function fromFrame (frame: VideoFrame, initArg: unknown): FrameState {
  const s = states.get(frame)
  if (s === undefined || closed.has(frame)) throw new DOMException('VideoFrame: the source frame is closed', 'InvalidStateError')
  const init = dictionary(initArg, 'VideoFrameInit')
  const visibleRect = parseRect(init.visibleRect, s.visibleRect, s.codedWidth, s.codedHeight, s.format, 'visibleRect')
  const rotation = (s.rotation + rotationOf(init.rotation)) % 360
  const [dw, dh] = init.visibleRect === undefined && init.displayWidth === undefined && init.rotation === undefined
    ? [s.displayWidth, s.displayHeight]
    : display(init, visibleRect, rotation)
  let format = s.format
  if (init.alpha !== undefined && init.alpha !== 'keep' && init.alpha !== 'discard') throw new TypeError("alpha must be 'keep' or 'discard'")
  let layout = s.layout.slice()
  if (init.alpha === 'discard') {
    if (format === 'I420A') { format = 'I420'; layout = layout.slice(0, 3) }
    if (format === 'RGBA') format = 'RGBX'
    if (format === 'BGRA') format = 'BGRX'
  }
  s.resource.users++
  return {
    ...s,
    format,
    layout,
    visibleRect,
    displayWidth: dw,
    displayHeight: dh,
    rotation,
    flip: init.flip === undefined ? s.flip : s.flip !== Boolean(init.flip),
    timestamp: init.timestamp === undefined ? s.timestamp : integer(init.timestamp, 'timestamp', Number.MIN_SAFE_INTEGER),
    duration: init.duration === undefined ? s.duration : integer(init.duration, 'duration', 0)
  }
}

interface CopyPlan { rect: Rect, format: VideoPixelFormat, dest: ComputedLayout }

function pooledI420 (width: number, height: number): ArrayBuffer | undefined {
  const memory = binding.i420Memory(width, height)
  return memory instanceof ArrayBuffer && memory.byteLength === width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2) ? memory : undefined
}

function copyPlan (s: FrameState, optionsArg: unknown, what: string): CopyPlan {
  const options = dictionary(optionsArg, `${what}: options`)
  const rect = parseRect(options.rect, s.visibleRect, s.codedWidth, s.codedHeight, s.format, `${what}: rect`)
  let format = s.format
  if (options.format !== undefined && options.format !== s.format) {
    if (typeof options.format !== 'string' || !RGB_FORMATS.has(options.format)) {
      throw new DOMException(`${what}: conversion from ${s.format} to ${String(options.format)} is not supported (RGBA, RGBX, BGRA, BGRX are)`, 'NotSupportedError')
    }
    format = options.format as VideoPixelFormat
  }
  if (options.colorSpace !== undefined && options.colorSpace !== 'srgb') {
    if (options.colorSpace === 'display-p3') throw new DOMException(`${what}: display-p3 is not supported`, 'NotSupportedError')
    throw new TypeError(`${what}: colorSpace must be 'srgb' or 'display-p3'`)
  }
  return { rect, format, dest: computeLayout(rect, format, options.layout, `${what}: options`) }
}

function copyInto (s: FrameState, plan: CopyPlan, dst: Uint8Array): void {
  const src = new Uint8Array(s.resource.buffer)
  if (plan.format === s.format || (PLANES[plan.format].length === 1 && sameBytes(plan.format, s.format))) {
    const from = computeLayout(plan.rect, s.format, s.layout, 'copy')
    // computeLayout put the source planes at the frame's own offsets; copy rows of the rect.
    copyPlanes(src, from.layout, dst, plan.dest)
    if (plan.format.endsWith('A') && s.format.endsWith('X')) fillAlpha(dst, plan.dest)
    return
  }
  // A conversion (libyuv): the source planes at the top left of the rect.
  const from = computeLayout(plan.rect, s.format, s.layout, 'copy')
  const offsets = from.layout.map((p, i) => p.offset + from.top[i]! * p.stride + from.leftBytes[i]!)
  const strides = from.layout.map(p => p.stride)
  const d = plan.dest.layout[0]!
  binding.convertFrame(s.resource.buffer, s.format, offsets, strides, plan.rect.width, plan.rect.height,
    dst, d.offset, d.stride, plan.format)
}

// RGBA and RGBX (BGRA and BGRX) have the same bytes but for alpha.
function sameBytes (a: string, b: string): boolean { return a.slice(0, 3) === b.slice(0, 3) }

function fillAlpha (dst: Uint8Array, layout: ComputedLayout): void {
  const p = layout.layout[0]!
  for (let r = 0; r < layout.rows[0]!; r++) {
    const row = p.offset + r * p.stride
    for (let i = 3; i < layout.rowBytes[0]!; i += 4) dst[row + i] = 255
  }
}

/** @internal A frame over memory the addon lends (MediaStreamTrackProcessor). */
export function frameFromNative (n: { data: ArrayBuffer, offsets: number[], strides: number[], codedWidth: number,
  codedHeight: number, timestamp: number, rotation: number }): VideoFrame {
  const rect = { x: 0, y: 0, width: n.codedWidth, height: n.codedHeight }
  const [dw, dh] = n.rotation % 180 === 0 ? [n.codedWidth, n.codedHeight] : [n.codedHeight, n.codedWidth]
  return makeFrame({
    resource: { buffer: n.data, lent: true, users: 0 },
    format: 'I420',
    codedWidth: n.codedWidth,
    codedHeight: n.codedHeight,
    layout: n.offsets.map((offset, i) => ({ offset, stride: n.strides[i]! })),
    visibleRect: rect,
    displayWidth: dw,
    displayHeight: dh,
    rotation: n.rotation,
    flip: false,
    timestamp: n.timestamp,
    duration: null,
    colorSpace: defaultColorSpace('I420')
  })
}

/**
 * @internal The visible rect of a frame as one packed buffer the pushed video source takes
 * (I420, NV12, RGBA or BGRA bytes): the frame's own memory when it already is one, else a copy.
 */
export function packedPixels (frame: VideoFrame): { format: string, width: number, height: number, data: Uint8Array, timestamp: number, rotation: number } {
  const s = states.get(frame)
  if (s === undefined || closed.has(frame)) throw invalidState('write')
  const format = s.format === 'I420A' ? 'I420' : s.format === 'RGBX' ? 'RGBA' : s.format === 'BGRX' ? 'BGRA' : s.format
  const r = s.visibleRect
  const plan = { rect: r, format: s.format, dest: computeLayout(r, s.format, undefined, 'write') }
  const packed = plan.dest.layout.every((p, i) => p.offset === s.layout[i]!.offset && p.stride === s.layout[i]!.stride) &&
    r.x === 0 && r.y === 0
  let data: Uint8Array
  if (packed) {
    data = new Uint8Array(s.resource.buffer, 0, plan.dest.size)
  } else {
    data = new Uint8Array(plan.dest.size)
    copyInto(s, plan, data)
  }
  return { format, width: r.width, height: r.height, data, timestamp: s.timestamp, rotation: s.rotation }
}

/** @internal Whether `v` is one of our frames (closed or not). */
export function isVideoFrame (v: unknown): v is VideoFrame {
  return typeof v === 'object' && v !== null && states.has(v as VideoFrame)
}
