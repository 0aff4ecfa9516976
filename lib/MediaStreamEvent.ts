// MediaStreamEvent: the legacy addstream / removestream events of RTCPeerConnection, as Chromium
// still has them (not in webrtc-pc any more).
import type { EventInit } from './dom_types'
import { MediaStream } from './MediaStream'

export interface MediaStreamEventInit extends EventInit {
  stream?: MediaStream | null
}

export class MediaStreamEvent extends Event {
  readonly #stream: MediaStream | null
  constructor (type: string, init: MediaStreamEventInit = {}) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to construct 'MediaStreamEvent': 1 argument required, but only 0 present.")
    }
    if (init === null || init === undefined) init = {}
    if (typeof init !== 'object') throw new TypeError("Failed to construct 'MediaStreamEvent': The provided value is not of type 'MediaStreamEventInit'.")
    const stream = init.stream ?? null
    if (stream !== null && !(stream instanceof MediaStream)) {
      throw new TypeError("Failed to construct 'MediaStreamEvent': member stream is not of type MediaStream.")
    }
    super(type, init)
    this.#stream = stream
  }

  get stream (): MediaStream | null { return this.#stream }
}
