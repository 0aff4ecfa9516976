import type { AddEventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { INTERNAL, illegalConstructor } from './internal'
import type { IceSnapshot } from './native'
import { RTCIceCandidate, type RTCIceComponent } from './RTCIceCandidate'

export type RTCIceRole = 'unknown' | 'controlling' | 'controlled'
export type RTCIceTransportState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed'
export type RTCIceGathererState = 'new' | 'gathering' | 'complete'

export interface RTCIceCandidatePair {
  local: RTCIceCandidate
  remote: RTCIceCandidate
}

export interface RTCIceTransportEventMap {
  statechange: Event
  gatheringstatechange: Event
  selectedcandidatepairchange: Event
}

export class RTCIceTransport extends RTCEventTarget {
  #role: RTCIceRole = 'unknown'
  #component: RTCIceComponent = 'rtp'
  #state: RTCIceTransportState = 'new'
  #gatheringState: RTCIceGathererState = 'new'
  #pair: RTCIceCandidatePair | null = null
  #pairKey = ''

  declare onstatechange: ((this: RTCIceTransport, ev: Event) => unknown) | null
  declare ongatheringstatechange: ((this: RTCIceTransport, ev: Event) => unknown) | null
  declare onselectedcandidatepairchange: ((this: RTCIceTransport, ev: Event) => unknown) | null

  /** @internal */
  constructor (token?: unknown) {
    illegalConstructor(token)
    super()
  }

  get role (): RTCIceRole { return this.#role }
  get component (): RTCIceComponent { return this.#component }
  get state (): RTCIceTransportState { return this.#state }
  get gatheringState (): RTCIceGathererState { return this.#gatheringState }
  getSelectedCandidatePair (): RTCIceCandidatePair | null { return this.#pair }

  protected get active (): boolean { return this.#state !== 'closed' }

  /** @internal */
  [INTERNAL] (s: IceSnapshot | 'closed' | { state: string }): void {
    if (s === 'closed') {
      this.#state = 'closed'
      this.updateRetention()
      return
    }
    if (this.#state === 'closed') return
    if (!('role' in s)) {
      // The connection's ICE state (one bundled transport): every step, in order.
      if (s.state !== this.#state) {
        this.#state = s.state as RTCIceTransportState
        this.dispatchEvent(new Event('statechange'))
      }
      return
    }
    this.#role = s.role as RTCIceRole
    this.#component = s.component as RTCIceComponent
    const key = s.selectedCandidatePair === null ? '' : s.selectedCandidatePair.local + '|' + s.selectedCandidatePair.remote
    const fire: string[] = []
    if (s.gatheringState !== this.#gatheringState) {
      this.#gatheringState = s.gatheringState as RTCIceGathererState
      fire.push('gatheringstatechange')
    }
    if (key !== this.#pairKey) {
      this.#pairKey = key
      const p = s.selectedCandidatePair
      this.#pair = p === null
        ? null
        : {
            local: new RTCIceCandidate({ candidate: p.local, sdpMid: s.sdpMid }),
            remote: new RTCIceCandidate({ candidate: p.remote, sdpMid: s.sdpMid })
          }
      if (p !== null) fire.push('selectedcandidatepairchange')
    }
    for (const type of fire) this.dispatchEvent(new Event(type))
  }
}
defineEventHandlers(RTCIceTransport.prototype, ['statechange', 'gatheringstatechange', 'selectedcandidatepairchange'])

export interface RTCIceTransport {
  addEventListener<K extends keyof RTCIceTransportEventMap>(type: K,
    listener: (this: RTCIceTransport, ev: RTCIceTransportEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void
}
