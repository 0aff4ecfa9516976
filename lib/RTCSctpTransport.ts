import type { AddEventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { INTERNAL, illegalConstructor } from './internal'
import type { SctpSnapshot } from './native'
import { RTCDtlsTransport } from './RTCDtlsTransport'

export type RTCSctpTransportState = 'connecting' | 'connected' | 'closed'

/** The largest message libwebrtc's SCTP sends (its a=max-message-size). */
export const DEFAULT_MAX_MESSAGE_SIZE = 262144

export interface RTCSctpTransportEventMap {
  statechange: Event
}

export class RTCSctpTransport extends RTCEventTarget {
  readonly #transport: RTCDtlsTransport
  #state: RTCSctpTransportState = 'connecting'
  #maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE
  #maxChannels: number | null = null
  #remoteMax = Infinity

  declare onstatechange: ((this: RTCSctpTransport, ev: Event) => unknown) | null

  /** @internal */
  constructor (token?: unknown, transport?: RTCDtlsTransport) {
    illegalConstructor(token)
    super()
    // Under BUNDLE, media and data share one DTLS transport: the connection passes its own.
    this.#transport = transport ?? new RTCDtlsTransport(INTERNAL)
  }

  get transport (): RTCDtlsTransport { return this.#transport }
  get state (): RTCSctpTransportState { return this.#state }
  /** min(what we can send, the remote a=max-message-size), as webrtc-pc computes it. */
  get maxMessageSize (): number { return Math.min(this.#maxMessageSize, this.#remoteMax) }
  get maxChannels (): number | null { return this.#maxChannels }

  protected get active (): boolean { return this.#state !== 'closed' }

  /** @internal */
  [INTERNAL] (s: SctpSnapshot | 'closed' | { remoteMaxMessageSize: number }): void {
    if (typeof s === 'object' && 'remoteMaxMessageSize' in s) {
      this.#remoteMax = (s as { remoteMaxMessageSize: number }).remoteMaxMessageSize
      return
    }
    if (s === 'closed') {
      this.#state = 'closed'
      this.#transport[INTERNAL]('closed')
      this.updateRetention()
      return
    }
    if (this.#state === 'closed') return
    s = s as SctpSnapshot
    if (s.maxMessageSize !== null) this.#maxMessageSize = s.maxMessageSize === 0 ? Infinity : s.maxMessageSize
    if (s.maxChannels !== null) this.#maxChannels = s.maxChannels
    const state = s.state === 'new' ? 'connecting' : s.state as RTCSctpTransportState
    if (state !== this.#state) {
      this.#state = state
      this.dispatchEvent(new Event('statechange'))
    }
  }
}
defineEventHandlers(RTCSctpTransport.prototype, ['statechange'])

export interface RTCSctpTransport {
  addEventListener<K extends keyof RTCSctpTransportEventMap>(type: K,
    listener: (this: RTCSctpTransport, ev: RTCSctpTransportEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void
}
