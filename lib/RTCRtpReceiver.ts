import { domError } from './errors'
import type { ReadableStream, WritableStream } from 'node:stream/web'
import { TransformSlot, type RTCEncodedFrame, type RTCRtpScriptTransform } from './encoded_transform'
import { INTERNAL, illegalConstructor } from './internal'
import type { MediaStreamTrack } from './MediaStreamTrack'
import type { NativeRtpSource } from './native'
import type { RTCDtlsTransport } from './RTCDtlsTransport'
import type { RTCStatsReport } from './RTCStatsReport'
import { toParameters, type RTCRtpReceiveParameters } from './RTCRtpSender'
import { capabilities, type RTCRtpCapabilities } from './rtp_capabilities'
import type { TransceiverHost } from './RTCRtpTransceiver'
import { toNumber } from './webidl'

export interface RTCRtpContributingSource {
  timestamp: number
  source: number
  audioLevel?: number
  rtpTimestamp: number
}
export interface RTCRtpSynchronizationSource extends RTCRtpContributingSource {}

function toSources (list: NativeRtpSource[]): RTCRtpContributingSource[] {
  // webrtc-pc timestamps are on the Performance timeline (timeOrigin + now()).
  const now = performance.timeOrigin + performance.now()
  return list.map(s => {
    const out: RTCRtpContributingSource = { timestamp: now - s.ageMs, source: s.source, rtpTimestamp: s.rtpTimestamp }
    if (s.audioLevel !== undefined) out.audioLevel = s.audioLevel
    return out
  })
}

export class RTCRtpReceiver {
  readonly #host: TransceiverHost
  readonly #track: MediaStreamTrack
  #jitterBufferTarget: number | null = null

  /** @internal */
  constructor (token: unknown, host: TransceiverHost, track: MediaStreamTrack) {
    illegalConstructor(token)
    this.#host = host
    this.#track = track
  }

  static getCapabilities (kind: string): RTCRtpCapabilities | null {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'getCapabilities': 1 argument required")
    return capabilities(kind, 'receiver')
  }

  get track (): MediaStreamTrack { return this.#track }
  get transport (): RTCDtlsTransport | null { return this.#host.transport() }

  readonly #transformSlot = new TransformSlot('receiver', () => this.#host.closed() ? null : this.#host.native())
  /** webrtc-encoded-transform: an RTCRtpScriptTransform whose Worker sees this receiver's encoded frames. */
  get transform (): RTCRtpScriptTransform | null { return this.#transformSlot.transform }
  set transform (value: RTCRtpScriptTransform | null) { this.#transformSlot.transform = value }
  /** @internal The connection closed. */
  [INTERNAL] (update: 'closed'): void {
    if (update === 'closed') this.#transformSlot.closed()
  }
  /** Chromium's encoded insertable streams, on this thread (call it before frames flow). */
  createEncodedStreams (): { readable: ReadableStream<RTCEncodedFrame>, writable: WritableStream<RTCEncodedFrame> } {
    return this.#transformSlot.createEncodedStreams()
  }

  get jitterBufferTarget (): number | null { return this.#jitterBufferTarget }
  set jitterBufferTarget (value: number | null) {
    const ms = value === null ? null : toNumber(value, 'jitterBufferTarget')
    if (ms !== null && !Number.isFinite(ms)) throw new TypeError('jitterBufferTarget is not a finite number')
    if (ms !== null && (ms < 0 || ms > 4000)) throw new RangeError('jitterBufferTarget must be within [0, 4000]')
    this.#jitterBufferTarget = ms
    if (!this.#host.closed()) this.#host.native().setJitterBufferTarget(ms)
  }

  getParameters (): RTCRtpReceiveParameters {
    if (this.#host.closed()) return { headerExtensions: [], rtcp: {}, codecs: [] }
    return toParameters(this.#host.native().receiverParameters())
  }

  getSynchronizationSources (): RTCRtpSynchronizationSource[] {
    return this.#host.closed() ? [] : toSources(this.#host.native().sources('ssrc'))
  }

  getContributingSources (): RTCRtpContributingSource[] {
    return this.#host.closed() ? [] : toSources(this.#host.native().sources('csrc'))
  }

  /** webrtc-pc: the inbound-rtp stats of this receiver and the stats they reference. */
  getStats (): Promise<RTCStatsReport> { return this.#host.stats('receiver') }
}
