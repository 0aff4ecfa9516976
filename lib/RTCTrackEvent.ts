import type { EventInit } from './dom_types'
import { MediaStream } from './MediaStream'
import { MediaStreamTrack } from './MediaStreamTrack'
import { RTCRtpReceiver } from './RTCRtpReceiver'
import { RTCRtpTransceiver } from './RTCRtpTransceiver'

export interface RTCTrackEventInit extends EventInit {
  receiver: RTCRtpReceiver
  track: MediaStreamTrack
  streams?: MediaStream[]
  transceiver: RTCRtpTransceiver
}

export class RTCTrackEvent extends Event {
  readonly receiver: RTCRtpReceiver
  readonly track: MediaStreamTrack
  readonly streams: readonly MediaStream[]
  readonly transceiver: RTCRtpTransceiver

  constructor (type: string, init: RTCTrackEventInit) {
    if (arguments.length < 2) {
      throw new TypeError(`Failed to construct 'RTCTrackEvent': 2 arguments required, but only ${arguments.length} present.`)
    }
    if (init === null || typeof init !== 'object') throw new TypeError("Failed to construct 'RTCTrackEvent': the init is not an object.")
    const member = (name: string, ok: boolean): void => {
      if (!ok) throw new TypeError(`Failed to construct 'RTCTrackEvent': member ${name} is missing or of the wrong type.`)
    }
    member('receiver', init.receiver instanceof RTCRtpReceiver)
    member('track', init.track instanceof MediaStreamTrack)
    member('transceiver', init.transceiver instanceof RTCRtpTransceiver)
    const streams = init.streams ?? []
    member('streams', Array.isArray(streams) && streams.every(s => s instanceof MediaStream))
    super(type, init)
    this.receiver = init.receiver
    this.track = init.track
    this.streams = Object.freeze([...streams])
    this.transceiver = init.transceiver
  }
}
