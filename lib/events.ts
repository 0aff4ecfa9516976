// The spec's Event subclasses.
import type { EventInit } from './dom_types'
import type { RTCDataChannel } from './RTCDataChannel'
import { RTCError } from './errors'
import { RTCIceCandidate } from './RTCIceCandidate'
import type { MediaStreamTrack } from './MediaStreamTrack'

function requireArgs (name: string, given: number, needed: number): void {
  if (given < needed) {
    throw new TypeError(`Failed to construct '${name}': ${needed} argument${needed > 1 ? 's' : ''} required, but only ${given} present.`)
  }
}

export interface RTCPeerConnectionIceEventInit extends EventInit {
  candidate?: RTCIceCandidate | null
  url?: string | null
}

export class RTCPeerConnectionIceEvent extends Event {
  readonly candidate: RTCIceCandidate | null
  readonly url: string | null
  constructor (type: string, init: RTCPeerConnectionIceEventInit = {}) {
    requireArgs('RTCPeerConnectionIceEvent', arguments.length, 1)
    super(type, init)
    const candidate = init.candidate ?? null
    if (candidate !== null && !(candidate instanceof RTCIceCandidate)) {
      throw new TypeError("Failed to construct 'RTCPeerConnectionIceEvent': member candidate is not of type RTCIceCandidate.")
    }
    this.candidate = candidate
    this.url = init.url ?? null
  }
}

export interface RTCPeerConnectionIceErrorEventInit extends EventInit {
  address?: string | null
  port?: number | null
  url?: string
  errorCode: number
  errorText?: string
}

export class RTCPeerConnectionIceErrorEvent extends Event {
  readonly address: string | null
  readonly port: number | null
  readonly url: string
  readonly errorCode: number
  readonly errorText: string
  constructor (type: string, init: RTCPeerConnectionIceErrorEventInit) {
    requireArgs('RTCPeerConnectionIceErrorEvent', arguments.length, 2)
    if (init === null || typeof init !== 'object' || init.errorCode === undefined) {
      throw new TypeError("Failed to construct 'RTCPeerConnectionIceErrorEvent': required member errorCode is undefined.")
    }
    super(type, init)
    this.address = init.address ?? null
    this.port = init.port ?? null
    this.url = init.url ?? ''
    this.errorCode = Number(init.errorCode) & 0xffff
    this.errorText = init.errorText ?? ''
  }
}

export interface RTCDataChannelEventInit extends EventInit {
  channel: RTCDataChannel
}

export class RTCDataChannelEvent extends Event {
  readonly channel: RTCDataChannel
  constructor (type: string, init: RTCDataChannelEventInit) {
    requireArgs('RTCDataChannelEvent', arguments.length, 2)
    // Checked by brand, not instanceof, to avoid an import cycle at load time.
    const channel = init?.channel as unknown
    if (channel === null || typeof channel !== 'object' || !isDataChannel(channel)) {
      throw new TypeError("Failed to construct 'RTCDataChannelEvent': member channel is not of type RTCDataChannel.")
    }
    super(type, init)
    this.channel = init.channel
  }
}

let isDataChannel: (v: object) => boolean = () => false
/** Set by RTCDataChannel.ts, which owns the brand check. */
export function setDataChannelBrandCheck (fn: (v: object) => boolean): void { isDataChannel = fn }

export interface RTCErrorEventInit extends EventInit {
  error: RTCError
}

export class RTCErrorEvent extends Event {
  readonly error: RTCError
  constructor (type: string, init: RTCErrorEventInit) {
    requireArgs('RTCErrorEvent', arguments.length, 2)
    if (init === null || typeof init !== 'object' || !(init.error instanceof RTCError)) {
      throw new TypeError("Failed to construct 'RTCErrorEvent': member error is not of type RTCError.")
    }
    super(type, init)
    this.error = init.error
  }
}

export interface MediaStreamTrackEventInit extends EventInit {
  track: MediaStreamTrack
}

/** MediaStreamTrackEvent (mediacapture-streams): addtrack and removetrack of a MediaStream. */
export class MediaStreamTrackEvent extends Event {
  readonly #track: MediaStreamTrack
  constructor (type: string, init: MediaStreamTrackEventInit) {
    requireArgs('MediaStreamTrackEvent', arguments.length, 2)
    // Checked by brand, not instanceof, to avoid an import cycle at load time.
    const track = init?.track as unknown
    if (track === null || typeof track !== 'object' || !isTrack(track)) {
      throw new TypeError("Failed to construct 'MediaStreamTrackEvent': member track is not of type MediaStreamTrack.")
    }
    super(type, init)
    this.#track = init.track
  }

  get track (): MediaStreamTrack { return this.#track }
}

let isTrack: (v: object) => boolean = () => false
/** Set by MediaStreamTrack.ts, which owns the brand check. */
export function setTrackBrandCheck (fn: (v: object) => boolean): void { isTrack = fn }

export interface RTCDTMFToneChangeEventInit extends EventInit {
  tone?: string
}

/** RTCDTMFToneChangeEvent (webrtc-pc §7.3): the tone that started, '' once the buffer is empty. */
export class RTCDTMFToneChangeEvent extends Event {
  readonly #tone: string
  constructor (type: string, init: RTCDTMFToneChangeEventInit = {}) {
    requireArgs('RTCDTMFToneChangeEvent', arguments.length, 1)
    if (init === null || init === undefined) init = {}
    if (typeof init !== 'object') throw new TypeError("Failed to construct 'RTCDTMFToneChangeEvent': The provided value is not of type 'RTCDTMFToneChangeEventInit'.")
    super(type, init)
    this.#tone = init.tone === undefined ? '' : String(init.tone)
  }

  get tone (): string { return this.#tone }
}
