// webrtc-encoded-transform: RTCRtpScriptTransform (frames handled in a worker_threads Worker),
// RTCRtpScriptTransformer, RTCEncodedVideoFrame / RTCEncodedAudioFrame, RTCTransformEvent, and
// Chromium's createEncodedStreams(). The frames cross from libwebrtc through a native bridge
// (src-native/media/encoded_frame_bridge.h) to the thread that reads them.
import * as v8 from 'node:v8'
import { isMainThread, threadId, Worker } from 'node:worker_threads'
import { ReadableStream, WritableStream } from 'node:stream/web'
import type { ReadableStreamDefaultController } from 'node:stream/web'
import { domError } from './errors'
import { illegalConstructor, INTERNAL } from './internal'
import { binding, type NativeEncodedFrameInfo, type NativeEncodedStreams, type NativeRtpTransceiver } from './native'

/** Frames waiting in a readable nobody reads: beyond this many, new ones are dropped. */
const MAX_QUEUED_FRAMES = 300

export type RTCEncodedVideoFrameType = 'empty' | 'key' | 'delta'

export interface RTCEncodedVideoFrameMetadata {
  frameId?: number
  dependencies: number[]
  width: number
  height: number
  spatialIndex: number
  temporalIndex: number
  synchronizationSource: number
  payloadType: number
  contributingSources: number[]
  rtpTimestamp: number
}

export interface RTCEncodedAudioFrameMetadata {
  synchronizationSource: number
  payloadType: number
  contributingSources: number[]
  sequenceNumber?: number
  rtpTimestamp: number
}

/** What a frame holds while JS has it: the native frame and, once read or set, its bytes. */
interface FrameSlot { ext: unknown, info: NativeEncodedFrameInfo, data: ArrayBuffer | null }
const slots = new WeakMap<object, FrameSlot>()

function slotOf (frame: object, what: string): FrameSlot {
  const s = slots.get(frame)
  if (s === undefined) throw new TypeError(`Illegal invocation: ${what}`)
  return s
}

function readData (s: FrameSlot): ArrayBuffer {
  if (s.data === null) s.data = binding.EncodedStreams.frameData(s.ext)
  return s.data
}

function writeData (s: FrameSlot, value: unknown): void {
  if (!(value instanceof ArrayBuffer)) throw new TypeError("Failed to set 'data': the value is not an ArrayBuffer.")
  s.data = value
}

export class RTCEncodedVideoFrame {
  /** @internal */
  constructor (token: unknown, slot?: FrameSlot) {
    illegalConstructor(token)
    slots.set(this, slot!)
  }

  get type (): RTCEncodedVideoFrameType { return slotOf(this, 'type').info.type ?? 'delta' }
  /** The RTP timestamp (Chromium's member; getMetadata().rtpTimestamp in the current spec). */
  get timestamp (): number { return slotOf(this, 'timestamp').info.rtpTimestamp }
  get data (): ArrayBuffer { return readData(slotOf(this, 'data')) }
  set data (value: ArrayBuffer) { writeData(slotOf(this, 'data'), value) }

  getMetadata (): RTCEncodedVideoFrameMetadata {
    const i = slotOf(this, 'getMetadata').info
    const m: RTCEncodedVideoFrameMetadata = {
      dependencies: [...(i.dependencies ?? [])],
      width: i.width ?? 0,
      height: i.height ?? 0,
      spatialIndex: i.spatialIndex ?? 0,
      temporalIndex: i.temporalIndex ?? 0,
      synchronizationSource: i.ssrc,
      payloadType: i.payloadType,
      contributingSources: [],
      rtpTimestamp: i.rtpTimestamp
    }
    if (i.frameId !== undefined) m.frameId = i.frameId
    return m
  }

  get [Symbol.toStringTag] (): string { return 'RTCEncodedVideoFrame' }
}

export class RTCEncodedAudioFrame {
  /** @internal */
  constructor (token: unknown, slot?: FrameSlot) {
    illegalConstructor(token)
    slots.set(this, slot!)
  }

  get timestamp (): number { return slotOf(this, 'timestamp').info.rtpTimestamp }
  get data (): ArrayBuffer { return readData(slotOf(this, 'data')) }
  set data (value: ArrayBuffer) { writeData(slotOf(this, 'data'), value) }

  getMetadata (): RTCEncodedAudioFrameMetadata {
    const i = slotOf(this, 'getMetadata').info
    const m: RTCEncodedAudioFrameMetadata = {
      synchronizationSource: i.ssrc,
      payloadType: i.payloadType,
      contributingSources: [...(i.contributingSources ?? [])],
      rtpTimestamp: i.rtpTimestamp
    }
    if (i.sequenceNumber !== undefined) m.sequenceNumber = i.sequenceNumber
    return m
  }

  get [Symbol.toStringTag] (): string { return 'RTCEncodedAudioFrame' }
}

export type RTCEncodedFrame = RTCEncodedVideoFrame | RTCEncodedAudioFrame

/** A readable of the bridge's frames on this thread and a writable that sends them on. */
interface OpenStreams {
  readable: ReadableStream<RTCEncodedFrame>
  writable: WritableStream<RTCEncodedFrame>
  /** Detaches from the bridge: no frame comes any more, and nothing native holds the streams. */
  release: () => void
}

function openStreams (bridgeId: number, onKeyFrame?: (info: NativeEncodedFrameInfo) => void): OpenStreams {
  let controller: ReadableStreamDefaultController<RTCEncodedFrame> | null = null
  let native: NativeEncodedStreams | null = null
  const close = (): void => { native?.close(); native = null }
  const readable = new ReadableStream<RTCEncodedFrame>({
    start (c) { controller = c },
    cancel () { close() }
  }, { highWaterMark: 1 })
  native = new binding.EncodedStreams(bridgeId, (exts: unknown[]) => {
    if (controller === null) return
    for (const ext of exts) {
      // A reader that stopped reading: drop (the native frame goes with its handle).
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_FRAMES) continue
      const info = binding.EncodedStreams.frameInfo(ext)
      const slot: FrameSlot = { ext, info, data: null }
      // generateKeyFrame() resolves before the key frame is enqueued, as the spec orders it.
      if (onKeyFrame !== undefined && info.type === 'key') onKeyFrame(info)
      controller.enqueue(info.kind === 'video' ? new RTCEncodedVideoFrame(INTERNAL, slot) : new RTCEncodedAudioFrame(INTERNAL, slot))
    }
  })
  const writable = new WritableStream<RTCEncodedFrame>({
    write (frame) {
      const s = slots.get(frame as object)
      if (s === undefined) throw new TypeError('The chunk is not an RTCEncodedVideoFrame or RTCEncodedAudioFrame.')
      if (s.data !== null) binding.EncodedStreams.setFrameData(s.ext, new Uint8Array(s.data))
      binding.EncodedStreams.returnFrame(s.ext) // a frame written twice goes once
    },
    close () { close() },
    abort () { close() }
  })
  return { readable, writable, release: close }
}

// --- RTCRtpScriptTransform: made on one thread, its transformer lives in a Worker ------------

const used = new WeakSet<RTCRtpScriptTransform>()
const bridgeOf = new WeakMap<RTCRtpScriptTransform, number>()
// The bridge stays registered while the transform object lives (a sender may still take it).
const bridges = new FinalizationRegistry<number>(id => { binding.EncodedStreams.releaseBridge(id) })

export class RTCRtpScriptTransform {
  constructor (worker: Worker, options?: unknown, transfer?: unknown[]) {
    if (arguments.length < 1) throw new TypeError("Failed to construct 'RTCRtpScriptTransform': 1 argument required, but only 0 present.")
    if (!(worker instanceof Worker)) throw new TypeError("Failed to construct 'RTCRtpScriptTransform': parameter 1 is not of type 'Worker'.")
    if (transfer !== undefined && (!Array.isArray(transfer) || transfer.length > 0)) {
      throw domError('DataCloneError', 'transfer lists are not supported: options are copied with the structured clone algorithm')
    }
    let bytes: Buffer
    try {
      bytes = v8.serialize(options)
    } catch (err) {
      throw domError('DataCloneError', `options could not be cloned: ${(err as Error).message}`)
    }
    const id = binding.EncodedStreams.createBridge()
    bridgeOf.set(this, id)
    bridges.register(this, id)
    binding.EncodedStreams.offer(worker.threadId, id, bytes)
  }

  get [Symbol.toStringTag] (): string { return 'RTCRtpScriptTransform' }
}

/** Senders and receivers: claims `transform` for one of them (InvalidStateError when taken). */
export function claimTransform (transform: RTCRtpScriptTransform): number {
  const id = bridgeOf.get(transform)
  if (id === undefined) throw new TypeError("Failed to set 'transform': the value is not of type 'RTCRtpScriptTransform'.")
  if (used.has(transform)) throw domError('InvalidStateError', 'This RTCRtpScriptTransform is already used by another sender or receiver')
  used.add(transform)
  return id
}

/** RFC 8851's rid-id (alphanumeric), at most 255 characters as browsers take it. */
const RID = /^[A-Za-z0-9]{1,255}$/

/** A generateKeyFrame() waiting for its key frame: `layer` -1 takes a key frame of any layer. */
interface KeyFrameWait { layer: number, resolve: (timestamp: number) => void }

export class RTCRtpScriptTransformer {
  readonly #bridge: number
  readonly #options: unknown
  #keyFrameWaits: KeyFrameWait[] = []
  readonly #readable: ReadableStream<RTCEncodedFrame>
  readonly #writable: WritableStream<RTCEncodedFrame>

  /** @internal */
  constructor (token: unknown, bridge?: number, options?: unknown) {
    illegalConstructor(token)
    this.#bridge = bridge!
    this.#options = options
    const { readable, writable } = openStreams(bridge!, info => { this.#onKeyFrame(info) })
    this.#readable = readable
    this.#writable = writable
  }

  get readable (): ReadableStream<RTCEncodedFrame> { return this.#readable }
  get writable (): WritableStream<RTCEncodedFrame> { return this.#writable }
  get options (): unknown { return this.#options }

  /**
   * Asks the sender's encoder for a key frame of the layer whose encoding has `rid` (every layer
   * without it) and resolves with its RTP timestamp once that key frame comes through this
   * transformer (before it is enqueued on `readable`); calls before it share that key frame.
   * InvalidStateError unless a video sender that is sending (a track, a negotiated send
   * direction, not stopped, the transform still set); NotAllowedError for a malformed rid,
   * NotFoundError for a rid none of the sender's encodings has, or whose layer libwebrtc does
   * not encode (it makes fewer simulcast layers for small pictures).
   */
  async generateKeyFrame (rid?: string): Promise<number> {
    const use = binding.EncodedStreams.bridgeInfo(this.#bridge)
    if (use === null || use.side !== 'sender' || use.kind !== 'video') {
      throw domError('InvalidStateError', 'generateKeyFrame() needs a transformer of a video sender')
    }
    let id: string | undefined
    if (rid !== undefined && rid !== null) {
      id = String(rid)
      if (!RID.test(id)) throw domError('NotAllowedError', `generateKeyFrame(): '${id}' is not a valid rid (1 to 255 letters and digits)`)
    }
    const result = binding.EncodedStreams.generateKeyFrame(this.#bridge, id)
    if (result === 'unknown-rid') throw domError('NotFoundError', `generateKeyFrame(): the sender encodes no layer with rid '${id!}'`)
    if (typeof result !== 'number') throw domError('InvalidStateError', 'generateKeyFrame(): the sender is not sending video through this transformer')
    return await new Promise<number>(resolve => { this.#keyFrameWaits.push({ layer: result, resolve }) })
  }

  #onKeyFrame (info: NativeEncodedFrameInfo): void {
    if (this.#keyFrameWaits.length === 0) return
    const layer = info.layer ?? -1
    this.#keyFrameWaits = this.#keyFrameWaits.filter(w => {
      if (w.layer !== -1 && layer !== -1 && w.layer !== layer) return true
      w.resolve(info.rtpTimestamp)
      return false
    })
  }

  /**
   * Asks the remote sender for a key frame (a receiver's PLI/FIR). InvalidStateError unless a
   * video receiver whose transceiver is not stopped and whose transform is still set.
   */
  async sendKeyFrameRequest (): Promise<void> {
    const use = binding.EncodedStreams.bridgeInfo(this.#bridge)
    if (use === null || use.side !== 'receiver' || use.kind !== 'video') {
      throw domError('InvalidStateError', 'sendKeyFrameRequest() needs a transformer of a video receiver')
    }
    if (!binding.EncodedStreams.requestKeyFrame(this.#bridge)) {
      throw domError('InvalidStateError', 'sendKeyFrameRequest(): the receiver is stopped or its transform was unset')
    }
  }

  get [Symbol.toStringTag] (): string { return 'RTCRtpScriptTransformer' }
}

export interface RTCTransformEventInit { transformer: RTCRtpScriptTransformer }

export class RTCTransformEvent extends Event {
  readonly #transformer: RTCRtpScriptTransformer
  /** @internal */
  constructor (token: unknown, type?: string, init?: RTCTransformEventInit) {
    illegalConstructor(token)
    super(type!)
    this.#transformer = init!.transformer
  }

  get transformer (): RTCRtpScriptTransformer { return this.#transformer }
}

/**
 * In a Worker, the `rtctransform` event goes where a browser's worker would take it: to
 * `globalThis.onrtctransform` (or `globalThis.dispatchEvent` where the global scope is an
 * EventTarget). A Worker that has an `onrtctransform` handler stays alive, as a browser's does.
 */
function listenInWorker (): void {
  const g = globalThis as typeof globalThis & { onrtctransform?: unknown, dispatchEvent?: (e: Event) => boolean }
  if (Object.getOwnPropertyDescriptor(g, 'onrtctransform') !== undefined) return
  let handler: ((this: unknown, e: RTCTransformEvent) => unknown) | null = null
  const listener = new binding.TransformListener(threadId, (bridge: number, options: Uint8Array) => {
    let opts: unknown
    try { opts = v8.deserialize(options) } catch { opts = undefined }
    const transformer = new RTCRtpScriptTransformer(INTERNAL, bridge, opts)
    const event = new RTCTransformEvent(INTERNAL, 'rtctransform', { transformer })
    if (typeof g.dispatchEvent === 'function') g.dispatchEvent(event)
    else if (handler !== null) handler.call(g, event)
  })
  Object.defineProperty(g, 'onrtctransform', {
    configurable: true,
    enumerable: true,
    get: () => handler,
    set: (v: unknown) => {
      handler = typeof v === 'function' ? v as typeof handler : null
      listener.keepAlive(handler !== null)
    }
  })
}

if (!isMainThread) listenInWorker()

// --- Chromium's createEncodedStreams() ---------------------------------------------------------

/** Installs a new bridge on the sender or receiver and opens its streams on this thread. */
export function createEncodedStreams (install: (bridgeId: number) => void): OpenStreams {
  const id = binding.EncodedStreams.createBridge()
  try {
    install(id)
    return openStreams(id)
  } finally {
    // The sender or receiver and our streams hold the bridge from here.
    binding.EncodedStreams.releaseBridge(id)
  }
}

/** A sender's or receiver's `transform` attribute and createEncodedStreams(). */
export class TransformSlot {
  #transform: RTCRtpScriptTransform | null = null
  #bridge: number | null = null
  #streams = false
  // The native side holds its frame callback strongly, and with it the streams: let go once the
  // connection is closed, when no frame can come, so that GC takes them (and the bridge).
  #release: (() => void) | null = null
  readonly #side: 'sender' | 'receiver'
  readonly #native: () => NativeRtpTransceiver | null

  /** `native` gives null once the connection is closed. */
  constructor (side: 'sender' | 'receiver', native: () => NativeRtpTransceiver | null) {
    this.#side = side
    this.#native = native
  }

  get transform (): RTCRtpScriptTransform | null { return this.#transform }

  set transform (value: RTCRtpScriptTransform | null) {
    if (value !== null && !(value instanceof RTCRtpScriptTransform)) {
      throw new TypeError("Failed to set 'transform': the value is not of type 'RTCRtpScriptTransform'.")
    }
    if (value === this.#transform) return
    if (value === null) {
      // libwebrtc M108 cannot take the transformer away on every path: the installed one stops
      // transforming and passes frames straight on.
      if (this.#bridge !== null) binding.EncodedStreams.passThrough(this.#bridge)
      this.#transform = null
      return
    }
    const id = claimTransform(value)
    const native = this.#native()
    if (native !== null) binding.EncodedStreams.install(native, this.#side, id)
    this.#bridge = id
    this.#transform = value
  }

  createEncodedStreams (): { readable: ReadableStream<RTCEncodedFrame>, writable: WritableStream<RTCEncodedFrame> } {
    if (this.#streams) throw domError('InvalidStateError', 'createEncodedStreams() was already called')
    const native = this.#native()
    if (native === null) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    this.#streams = true
    const { readable, writable, release } = createEncodedStreams(id => { binding.EncodedStreams.install(native, this.#side, id) })
    this.#release = release
    return { readable, writable }
  }

  /** @internal The connection closed: no frame comes any more; the streams, here or in the
   * transform's Worker, let go of the native side. */
  closed (): void {
    this.#release?.()
    this.#release = null
    if (this.#bridge !== null) binding.EncodedStreams.passThrough(this.#bridge)
  }
}
