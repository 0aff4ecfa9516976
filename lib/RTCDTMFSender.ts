// RTCDTMFSender (webrtc-pc §7): the tone buffer and the playout task live here; libwebrtc sends one
// tone (or ',') at a time as telephone-event and tells us when it and its gap are over. This is
// how Chromium's RTCDTMFSender drives libwebrtc, and its timing is Chromium's: a tone's
// tonechange comes duration + 2 × interToneGap after the previous one (libwebrtc waits
// duration + gap, the playout task one more gap), a ',' 2000 ms + interToneGap.
import type { AddEventListenerOptions, EventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { domError } from './errors'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { RTCDTMFToneChangeEvent } from './events'
import { INTERNAL, illegalConstructor } from './internal'
import type { NativeRtpTransceiver } from './native'
import { domString, toNumber } from './webidl'

export interface RTCDTMFSenderEventMap {
  tonechange: RTCDTMFToneChangeEvent
}

/** What the DTMF sender needs from its RTCRtpSender and transceiver. */
export interface DtmfHost {
  closed(): boolean
  connected(): boolean
  stopping(): boolean
  currentDirection(): string | null
  hasTrack(): boolean
  native(): NativeRtpTransceiver
}

// WebIDL unsigned long (no [EnforceRange]): modulo 2^32, NaN and infinities are 0.
function unsignedLong (value: unknown, what: string): number {
  const n = toNumber(value, what)
  if (!Number.isFinite(n)) return 0
  const m = Math.trunc(n) % 2 ** 32
  return m < 0 ? m + 2 ** 32 : m
}

const VALID_TONES = /^[0-9A-D#*,]*$/i

export class RTCDTMFSender extends RTCEventTarget {
  readonly #host: DtmfHost
  #toneBuffer = ''
  #duration = 100
  #interToneGap = 70
  #scheduled = false

  declare ontonechange: ((this: RTCDTMFSender, ev: RTCDTMFToneChangeEvent) => unknown) | null

  /** @internal */
  constructor (token: unknown, host: DtmfHost) {
    illegalConstructor(token)
    super()
    this.#host = host
  }

  /** Listeners keep it (and its connection) reachable only while tones are queued or playing. */
  protected override get active (): boolean {
    return !this.#host.closed() && (this.#scheduled || this.#toneBuffer !== '')
  }

  get toneBuffer (): string { return this.#toneBuffer }

  /**
   * webrtc-pc "determine if DTMF can be sent": connected, not stopped, a track, a current direction
   * that sends, and telephone-event negotiated (libwebrtc's CanInsertDtmf).
   */
  get canInsertDTMF (): boolean {
    if (this.#host.closed() || !this.#host.connected() || this.#host.stopping()) return false
    const d = this.#host.currentDirection()
    if (d !== 'sendrecv' && d !== 'sendonly') return false
    if (!this.#host.hasTrack()) return false
    return this.#host.native().canInsertDtmf()
  }

  insertDTMF (tones: string, duration: number = 100, interToneGap: number = 70): void {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'insertDTMF' on 'RTCDTMFSender': 1 argument required, but only 0 present.")
    }
    const t = domString(tones, 'tones')
    let d = unsignedLong(duration, 'duration')
    let gap = unsignedLong(interToneGap, 'interToneGap')
    if (!this.canInsertDTMF) {
      throw domError('InvalidStateError', "The 'canInsertDTMF' attribute is false: this sender cannot send DTMF.")
    }
    if (!VALID_TONES.test(t)) throw domError('InvalidCharacterError', 'Illegal characters in insertDTMF tone argument')
    d = Math.min(Math.max(d, 40), 6000)
    gap = Math.min(Math.max(gap, 30), 6000)
    this.#duration = d
    this.#interToneGap = gap
    this.#toneBuffer = t.toUpperCase()
    if (this.#toneBuffer !== '' && !this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => { this.#playout() })
    }
    this.updateRetention()
  }

  // The spec's "Playout task".
  #playout (): void {
    this.#scheduled = false
    this.#playoutSteps()
    this.updateRetention()
  }

  #playoutSteps (): void {
    if (this.#host.closed() || this.#host.stopping()) return
    const d = this.#host.currentDirection()
    if (d === 'recvonly' || d === 'inactive') return
    if (this.#toneBuffer === '') {
      this.dispatchEvent(new RTCDTMFToneChangeEvent('tonechange', { tone: '' }))
      return
    }
    const tone = this.#toneBuffer[0]!
    this.#toneBuffer = this.#toneBuffer.slice(1)
    // libwebrtc plays it and reports its end (toneEnded); a ',' is libwebrtc's 2000 ms pause.
    if (!this.#host.native().insertDtmf(tone, this.#duration, this.#interToneGap)) return
    this.#scheduled = true
    this.dispatchEvent(new RTCDTMFToneChangeEvent('tonechange', { tone }))
  }

  /**
   * @internal 'toneend': libwebrtc finished the tone and its gap, the next playout task runs one
   * gap later. 'closed': the connection closed (no more events; listeners no longer retain it).
   */
  [INTERNAL] (what: 'toneend' | 'closed'): void {
    if (what === 'closed' || this.#host.closed()) {
      this.updateRetention()
      return
    }
    const timer = setTimeout(() => { this.#playout() }, this.#interToneGap)
    timer.unref()
  }

  override addEventListener<K extends keyof RTCDTMFSenderEventMap> (type: K,
    listener: ((this: RTCDTMFSender, ev: RTCDTMFSenderEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options)
  }

  override removeEventListener<K extends keyof RTCDTMFSenderEventMap> (type: K,
    listener: ((this: RTCDTMFSender, ev: RTCDTMFSenderEventMap[K]) => unknown) | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options)
  }

  get [Symbol.toStringTag] (): string { return 'RTCDTMFSender' }
}

defineEventHandlers(RTCDTMFSender.prototype, ['tonechange'])
