import type { AddEventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { INTERNAL, illegalConstructor } from './internal'
import type { DtlsSnapshot } from './native'
import { RTCIceTransport } from './RTCIceTransport'

export type RTCDtlsTransportState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed'

export interface RTCDtlsTransportEventMap {
  statechange: Event
  error: Event
}

export class RTCDtlsTransport extends RTCEventTarget {
  readonly #iceTransport: RTCIceTransport
  #state: RTCDtlsTransportState = 'new'
  #certificates: ArrayBuffer[] = []

  declare onstatechange: ((this: RTCDtlsTransport, ev: Event) => unknown) | null
  declare onerror: ((this: RTCDtlsTransport, ev: Event) => unknown) | null

  /** @internal */
  constructor (token?: unknown) {
    illegalConstructor(token)
    super()
    this.#iceTransport = new RTCIceTransport(INTERNAL)
  }

  get iceTransport (): RTCIceTransport { return this.#iceTransport }
  get state (): RTCDtlsTransportState { return this.#state }
  /** The peer's certificate chain, DER-encoded, as in webrtc-pc. */
  getRemoteCertificates (): ArrayBuffer[] { return this.#certificates.map(c => c.slice(0)) }

  protected get active (): boolean { return this.#state !== 'closed' }

  /** @internal */
  [INTERNAL] (s: DtlsSnapshot | 'closed'): void {
    if (s === 'closed') {
      this.#state = 'closed'
      this.#iceTransport[INTERNAL]('closed')
      this.updateRetention()
      return
    }
    if (this.#state === 'closed') return
    if (s.remoteCertificates.length > 0) this.#certificates = s.remoteCertificates
    if (s.state !== this.#state) {
      this.#state = s.state as RTCDtlsTransportState
      this.dispatchEvent(new Event('statechange'))
    }
  }
}
defineEventHandlers(RTCDtlsTransport.prototype, ['statechange', 'error'])

export interface RTCDtlsTransport {
  addEventListener<K extends keyof RTCDtlsTransportEventMap>(type: K,
    listener: (this: RTCDtlsTransport, ev: RTCDtlsTransportEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void
}
