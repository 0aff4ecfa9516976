import type { AddEventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { domError, fromNative, RTCError } from './errors'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { RTCErrorEvent, setDataChannelBrandCheck } from './events'
import { INTERNAL, illegalConstructor } from './internal'
import { deliverBatch } from './message_batch'
import type { DataChannelEvent, DataChannelInfo, NativeDataChannel } from './native'
import { toNumber } from './webidl'

export type RTCDataChannelState = 'connecting' | 'open' | 'closing' | 'closed'
export type RTCPriorityType = 'very-low' | 'low' | 'medium' | 'high'
export type BinaryType = 'blob' | 'arraybuffer'

export interface RTCDataChannelInit {
  ordered?: boolean
  maxPacketLifeTime?: number
  maxRetransmits?: number
  protocol?: string
  negotiated?: boolean
  id?: number
  priority?: RTCPriorityType
}

export interface RTCDataChannelEventMap {
  open: Event
  message: MessageEvent
  bufferedamountlow: Event
  error: RTCErrorEvent
  closing: Event
  close: Event
}

/** libwebrtc closes a channel whose send queue would pass 16 MiB; send() refuses first. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024

/** What the owning connection tells a channel. @internal */
export interface ChannelOwner {
  maxMessageSize (): number
  /** The channel reached 'closed'. (Not an event listener: that would keep the channel, and
   * through it the connection, reachable while it is open: event_target.ts.) */
  channelClosed (channel: RTCDataChannel): void
  /** The channel reached 'open' (getStats' dataChannelsOpened once the connection is closed). */
  channelOpened (): void
}

const channels = new WeakSet<object>()
setDataChannelBrandCheck(v => channels.has(v))

export class RTCDataChannel extends RTCEventTarget {
  readonly #native: NativeDataChannel
  readonly #owner: ChannelOwner
  readonly #info: DataChannelInfo
  #id: number | null
  #idMayBeKnown = false  // a description was applied since #id was last read as unknown
  #readyState: RTCDataChannelState
  #bufferedAmount = 0
  #threshold = 0
  #binaryType: BinaryType = 'arraybuffer'
  // Blob sends read asynchronously; later sends wait behind them to keep the order.
  #blobChain: Promise<void> | null = null
  #pendingAfterBlob = 0

  declare onopen: ((this: RTCDataChannel, ev: Event) => unknown) | null
  declare onmessage: ((this: RTCDataChannel, ev: MessageEvent) => unknown) | null
  declare onbufferedamountlow: ((this: RTCDataChannel, ev: Event) => unknown) | null
  declare onerror: ((this: RTCDataChannel, ev: RTCErrorEvent) => unknown) | null
  declare onclosing: ((this: RTCDataChannel, ev: Event) => unknown) | null
  declare onclose: ((this: RTCDataChannel, ev: Event) => unknown) | null

  /** @internal */
  #openFired = false

  /** @internal */
  constructor (token: unknown, native?: NativeDataChannel, owner?: ChannelOwner, local = false) {
    illegalConstructor(token)
    super()
    channels.add(this)
    this.#native = native!
    this.#owner = owner!
    const info = native!.info()
    if (info === null) throw domError('InvalidStateError', 'The data channel is gone')
    this.#info = info
    this.#id = info.id
    // A channel we create starts 'connecting' even if SCTP is already up; its open event follows.
    this.#readyState = local ? 'connecting' : info.readyState as RTCDataChannelState
    // libwebrtc reports no state change for a channel that was open before we observed it
    // (a negotiated channel on a connected transport): announce it in a later task.
    if (local && info.readyState === 'open') setImmediate(() => { this.#onNative(['state', 'open', info.id ?? -1]) })
    native!.setEventHandler(RTCDataChannel.#handler(new WeakRef(this)))
  }

  // The native side holds the handler strongly: it reaches the channel through a WeakRef only, and
  // is made here rather than in the constructor, whose closures share one context that holds
  // `this` (and through the owner, the connection): that would keep both alive forever.
  static #handler (self: WeakRef<RTCDataChannel>): (...event: DataChannelEvent) => boolean | undefined {
    return (...event) => {
      if (event[0] === 'messages') {
        // Must take the batch (and call resume) even if the channel is gone. Held strongly until
        // the batch is delivered.
        const ch = self.deref()
        return deliverBatch(event as unknown as Array<string | ArrayBuffer>, 3,
          data => { if (ch !== undefined) ch.#onMessage(data) }, event[1], event[2])
      }
      const ch = self.deref()
      if (ch !== undefined) ch.#onNative(event)
      return undefined
    }
  }

  get label (): string { return this.#info.label }
  get ordered (): boolean { return this.#info.ordered }
  get maxPacketLifeTime (): number | null { return this.#info.maxPacketLifeTime }
  get maxRetransmits (): number | null { return this.#info.maxRetransmits }
  get protocol (): string { return this.#info.protocol }
  get negotiated (): boolean { return this.#info.negotiated }
  get id (): number | null {
    if (this.#id === null && this.#idMayBeKnown) {
      // What the last applied description gave, else ask the signaling thread (a blocking call
      // that waits behind the operation in progress: during the answer's signalingstatechange,
      // until the answer is applied).
      let id = this.#native.knownId()
      if (id < 0) id = this.#native.id()
      if (id >= 0) {
        this.#id = id
        this.#idMayBeKnown = false
      }
    }
    return this.#id
  }
  get priority (): RTCPriorityType { return this.#info.priority as RTCPriorityType }
  get readyState (): RTCDataChannelState { return this.#readyState }
  get bufferedAmount (): number { return this.#bufferedAmount }

  get bufferedAmountLowThreshold (): number { return this.#threshold }
  set bufferedAmountLowThreshold (value: number) {
    const n = toNumber(value, 'bufferedAmountLowThreshold')
    this.#threshold = Number.isFinite(n) ? (Math.trunc(n) % 4294967296 + 4294967296) % 4294967296 : 0
  }

  get binaryType (): BinaryType { return this.#binaryType }
  set binaryType (value: BinaryType) {
    // An enum attribute: other values are ignored, as browsers do.
    if (value === 'blob' || value === 'arraybuffer') this.#binaryType = value
  }

  send (data: string | Blob | ArrayBuffer | ArrayBufferView): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'send' on 'RTCDataChannel': 1 argument required, but only 0 present.")
    // Argument conversion comes before the state check (WebIDL).
    if (typeof data === 'symbol') throw new TypeError('send() does not take a Symbol')
    if (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer) {
      throw new TypeError('send() does not take a SharedArrayBuffer')
    }
    if (this.#readyState !== 'open') {
      throw domError('InvalidStateError', `RTCDataChannel.readyState is '${this.#readyState}', not 'open'`)
    }
    let size: number
    let payload: string | Blob | ArrayBuffer | ArrayBufferView
    if (typeof data === 'string') {
      payload = data
      size = Buffer.byteLength(data, 'utf8')
    } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      payload = data
      size = data.byteLength
    } else if (typeof Blob !== 'undefined' && data instanceof Blob) {
      payload = data
      size = data.size
    } else if (data instanceof SharedArrayBuffer) {
      throw new TypeError('send() does not take a SharedArrayBuffer')
    } else {
      payload = String(data) // WebIDL: anything else becomes a USVString
      size = Buffer.byteLength(payload, 'utf8')
    }
    const max = this.#owner.maxMessageSize()
    if (size > max) throw new TypeError(`The message is ${size} bytes; the maximum is ${max}.`)
    if (this.#bufferedAmount + size > MAX_QUEUED_BYTES) {
      throw domError('OperationError', 'The send queue is full (16 MiB): wait for bufferedamountlow')
    }
    this.#bufferedAmount += size
    if (payload instanceof Blob || this.#blobChain !== null) this.#sendBehindBlobs(payload)
    else this.#native.send(payload)
  }

  #sendBehindBlobs (payload: string | Blob | ArrayBuffer | ArrayBufferView): void {
    this.#pendingAfterBlob++
    const prev = this.#blobChain ?? Promise.resolve()
    const next = prev.then(async () => {
      const data = payload instanceof Blob ? new Uint8Array(await payload.arrayBuffer()) : payload
      this.#native.send(data)
    }).catch(() => {}).finally(() => {
      if (--this.#pendingAfterBlob === 0) this.#blobChain = null
    })
    this.#blobChain = next
  }

  close (): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return
    this.#readyState = 'closing'
    const send = (): void => { this.#native.close() }
    if (this.#blobChain !== null) void this.#blobChain.then(send)
    else send()
  }

  protected get active (): boolean { return this.#readyState !== 'closed' }

  /** The connection closed: the channel ends at once, with no events (webrtc-pc "close the connection"). @internal */
  [INTERNAL] (what?: 'refresh-id'): void {
    if (what === 'refresh-id') {
      // Read lazily, by the id getter: a setup where nobody reads it makes no blocking call.
      if (this.#id === null && this.#readyState !== 'closed') this.#idMayBeKnown = true
      return
    }
    this.#becomeClosed()
  }

  /** 'closed' is final: nothing keeps the channel alive for events any more, and the native side
   * (libwebrtc's channel, invisible to V8's GC) is freed now. */
  #becomeClosed (): void {
    this.#readyState = 'closed'
    this.updateRetention()
    this.#native.release()
  }

  #onMessage (data: string | ArrayBuffer): void {
    if (this.#readyState !== 'open') return
    const value = typeof data === 'string' || this.#binaryType === 'arraybuffer' ? data : new Blob([data])
    this.dispatchEvent(new MessageEvent('message', { data: value }))
  }

  #onNative (event: DataChannelEvent): void {
    switch (event[0]) {
      case 'sent': {
        const before = this.#bufferedAmount
        this.#bufferedAmount = Math.max(0, before - event[1])
        if (before > this.#threshold && this.#bufferedAmount <= this.#threshold && this.#readyState !== 'closed') {
          this.dispatchEvent(new Event('bufferedamountlow'))
        }
        return
      }
      case 'error': {
        if (this.#readyState === 'closed') return
        const err = fromNative(event[1])
        const rtcError = err instanceof RTCError ? err : new RTCError({ errorDetail: 'data-channel-failure' }, err.message)
        this.dispatchEvent(new RTCErrorEvent('error', { error: rtcError }))
        return
      }
      case 'state': {
        const [, state, id] = event
        if (id >= 0) this.#id = id
        if (this.#readyState === 'closed') return
        if (state === 'open' && !this.#openFired && (this.#readyState === 'connecting' || this.#readyState === 'open')) {
          this.#openFired = true
          this.#readyState = 'open'
          this.#owner.channelOpened()
          this.dispatchEvent(new Event('open'))
        } else if (state === 'closing' && this.#readyState !== 'closing') {
          this.#readyState = 'closing'
          this.dispatchEvent(new Event('closing'))
        } else if (state === 'closed') {
          this.#becomeClosed() // the last native event: nothing more will come
          this.#owner.channelClosed(this)
          this.dispatchEvent(new Event('close'))
        }
      }
    }
  }
}
defineEventHandlers(RTCDataChannel.prototype, ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close'])

export interface RTCDataChannel {
  addEventListener<K extends keyof RTCDataChannelEventMap>(type: K,
    listener: (this: RTCDataChannel, ev: RTCDataChannelEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void
}
