// The legacy stream API of RTCPeerConnection (addStream, removeStream, getLocalStreams,
// getRemoteStreams, addstream/removestream), written over transceivers the way Chromium did
// under Unified Plan: addStream adds each track with the stream, then follows the stream's
// later addTrack/removeTrack; the stream lists are the streams of the senders that send and of
// the receivers that receive.
import { type MediaStream, type StreamObserver, observeStream, unobserveStream } from './MediaStream'
import type { MediaStreamTrack } from './MediaStreamTrack'
import type { RTCRtpSender } from './RTCRtpSender'
import { senderStreams } from './RTCRtpSender'
import type { RTCRtpTransceiver } from './RTCRtpTransceiver'

/** What the legacy API needs from its connection. */
export interface LegacyStreamHost {
  closed(): boolean
  addTrack(track: MediaStreamTrack, stream: MediaStream): void
  removeTrack(sender: RTCRtpSender): void
  transceivers(): RTCRtpTransceiver[]
  /** The remote streams a transceiver's receiver track is in. */
  receiverStreams(t: RTCRtpTransceiver): readonly MediaStream[]
}

const hasSend = (t: RTCRtpTransceiver): boolean => t.direction === 'sendrecv' || t.direction === 'sendonly'
const hasRecv = (t: RTCRtpTransceiver): boolean => t.direction === 'sendrecv' || t.direction === 'recvonly'

function unique (lists: Iterable<readonly MediaStream[]>): MediaStream[] {
  const out: MediaStream[] = []
  for (const list of lists) for (const s of list) if (!out.includes(s)) out.push(s)
  return out
}

export class LegacyStreams implements StreamObserver {
  readonly #host: LegacyStreamHost
  readonly #observed = new Set<MediaStream>()

  constructor (host: LegacyStreamHost) { this.#host = host }

  add (stream: MediaStream): void {
    for (const track of stream.getTracks()) this.streamTrackAdded(stream, track)
    this.#observed.add(stream)
    observeStream(stream, this)
  }

  remove (stream: MediaStream): void {
    for (const track of stream.getTracks()) this.streamTrackRemoved(stream, track)
    this.#observed.delete(stream)
    unobserveStream(stream, this)
  }

  local (): MediaStream[] {
    return unique(this.#host.transceivers().filter(hasSend).map(t => senderStreams(t.sender)))
  }

  remote (): MediaStream[] {
    return unique(this.#host.transceivers().filter(hasRecv).map(t => this.#host.receiverStreams(t)))
  }

  /** The connection closed: stop following the streams. */
  close (): void {
    for (const s of this.#observed) unobserveStream(s, this)
    this.#observed.clear()
  }

  // Failures are ignored, as Chromium does: most likely the track already has a sender.
  streamTrackAdded (stream: MediaStream, track: MediaStreamTrack): void {
    if (this.#host.closed()) return
    try {
      this.#host.addTrack(track, stream)
    } catch {}
  }

  streamTrackRemoved (stream: MediaStream, track: MediaStreamTrack): void {
    if (this.#host.closed()) return
    const sender = this.#host.transceivers().map(t => t.sender)
      .find(s => s.track === track && senderStreams(s).includes(stream))
    if (sender === undefined) return
    try {
      this.#host.removeTrack(sender)
    } catch {}
  }
}
