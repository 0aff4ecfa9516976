import { domError, fromNative } from './errors'
import type { ReadableStream, WritableStream } from 'node:stream/web'
import { TransformSlot, type RTCEncodedFrame, type RTCRtpScriptTransform } from './encoded_transform'
import { INTERNAL, illegalConstructor } from './internal'
import { MediaStream } from './MediaStream'
import { isTrack, type MediaStreamTrack, nativeTrack } from './MediaStreamTrack'
import type { NativeRtpParameters } from './native'
import { RTCDTMFSender } from './RTCDTMFSender'
import type { RTCDtlsTransport } from './RTCDtlsTransport'
import type { RTCStatsReport } from './RTCStatsReport'
import { capabilities, toCodec, type RTCRtpCapabilities, type RTCRtpCodec } from './rtp_capabilities'
import type { TransceiverHost } from './RTCRtpTransceiver'
import { domString, rejectInsteadOfThrow, toNumber } from './webidl'

export type RTCPriorityType = 'very-low' | 'low' | 'medium' | 'high'
export type RTCDegradationPreference = 'maintain-framerate' | 'maintain-resolution' | 'balanced'

export interface RTCRtpEncodingParameters {
  rid?: string
  active?: boolean
  maxBitrate?: number
  maxFramerate?: number
  scaleResolutionDownBy?: number
  priority?: RTCPriorityType
  networkPriority?: RTCPriorityType
  scalabilityMode?: string
}
export interface RTCRtpCodecParameters extends RTCRtpCodec { payloadType: number }
export interface RTCRtpHeaderExtensionParameters { uri: string, id: number, encrypted?: boolean }
export interface RTCRtcpParameters { cname?: string, reducedSize?: boolean }
export interface RTCRtpParameters {
  headerExtensions: RTCRtpHeaderExtensionParameters[]
  rtcp: RTCRtcpParameters
  codecs: RTCRtpCodecParameters[]
}
export interface RTCRtpSendParameters extends RTCRtpParameters {
  transactionId: string
  encodings: RTCRtpEncodingParameters[]
  degradationPreference?: RTCDegradationPreference
}
export interface RTCRtpReceiveParameters extends RTCRtpParameters {}

const PRIORITIES = ['very-low', 'low', 'medium', 'high']

export function toParameters (p: NativeRtpParameters): RTCRtpParameters {
  return {
    headerExtensions: p.headerExtensions.map(e => ({ uri: e.uri, id: e.id, encrypted: e.encrypted })),
    rtcp: p.rtcp.cname === undefined ? { reducedSize: p.rtcp.reducedSize } : { cname: p.rtcp.cname, reducedSize: p.rtcp.reducedSize },
    codecs: p.codecs.map(c => ({ payloadType: c.payloadType ?? 0, ...toCodec(c) }))
  }
}

// RFC 8851 rid-syntax as webrtc-pc checks it: alphanumerics, at most 16 (Chromium's limit).
export function checkRid (rid: unknown): string {
  const r = domString(rid, 'rid')
  if (!/^[A-Za-z0-9]{1,16}$/.test(r)) throw new TypeError(`Invalid rid '${r}'`)
  return r
}

/** Validates RTCRtpEncodingParameters as webrtc-pc's addTransceiver and setParameters do. */
export function checkEncoding (e: unknown, what: string): RTCRtpEncodingParameters {
  if (e === null || typeof e !== 'object') throw new TypeError(`${what} must be an object`)
  const enc = e as Record<string, unknown>
  const out: RTCRtpEncodingParameters = {}
  if (enc.rid !== undefined) out.rid = checkRid(enc.rid)
  if (enc.active !== undefined) out.active = Boolean(enc.active)
  if (enc.maxBitrate !== undefined) {
    const n = toNumber(enc.maxBitrate, 'maxBitrate')
    if (!Number.isFinite(n) || n < 0) throw new TypeError('maxBitrate is outside the range of unsigned long')
    out.maxBitrate = Math.trunc(n)
  }
  if (enc.maxFramerate !== undefined) {
    const n = toNumber(enc.maxFramerate, 'maxFramerate')
    if (!Number.isFinite(n)) throw new TypeError('maxFramerate is not a finite number')
    if (n < 0) throw new RangeError('maxFramerate must not be negative')
    out.maxFramerate = n
  }
  if (enc.scaleResolutionDownBy !== undefined) {
    const n = toNumber(enc.scaleResolutionDownBy, 'scaleResolutionDownBy')
    if (!Number.isFinite(n)) throw new TypeError('scaleResolutionDownBy is not a finite number')
    if (n < 1) throw new RangeError('scaleResolutionDownBy must be at least 1')
    out.scaleResolutionDownBy = n
  }
  for (const key of ['priority', 'networkPriority'] as const) {
    if (enc[key] !== undefined) {
      const p = domString(enc[key], key)
      if (!PRIORITIES.includes(p)) throw new TypeError(`'${p}' is not a valid enum value of type RTCPriorityType.`)
      out[key] = p as RTCPriorityType
    }
  }
  if (enc.scalabilityMode !== undefined) out.scalabilityMode = domString(enc.scalabilityMode, 'scalabilityMode')
  return out
}

let transactions = 0

// Set by the class's static block: module functions that reach its private state.
let streamsOf: (sender: RTCRtpSender) => readonly MediaStream[]
let setStreamsOf: (sender: RTCRtpSender, streams: readonly MediaStream[]) => void
let toneEnded: (sender: RTCRtpSender) => void

export class RTCRtpSender {
  readonly #host: TransceiverHost
  readonly #kind: 'audio' | 'video'
  #track: MediaStreamTrack | null = null
  #last: RTCRtpSendParameters | null = null
  #lastTimer: ReturnType<typeof setTimeout> | null = null
  #dtmf: RTCDTMFSender | null = null
  // The MediaStream objects of addTrack / addTransceiver / setStreams (legacy getLocalStreams).
  #streams: readonly MediaStream[] = []

  /** @internal */
  constructor (token: unknown, host: TransceiverHost, kind: 'audio' | 'video', track: MediaStreamTrack | null) {
    illegalConstructor(token)
    this.#host = host
    this.#kind = kind
    this.#track = track
  }

  static getCapabilities (kind: string): RTCRtpCapabilities | null {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'getCapabilities': 1 argument required")
    return capabilities(kind, 'sender')
  }

  get track (): MediaStreamTrack | null { return this.#track }
  get transport (): RTCDtlsTransport | null { return this.#host.transport() }
  readonly #transformSlot = new TransformSlot('sender', () => this.#host.closed() ? null : this.#host.native())
  /** webrtc-encoded-transform: an RTCRtpScriptTransform whose Worker sees this sender's encoded frames. */
  get transform (): RTCRtpScriptTransform | null { return this.#transformSlot.transform }
  set transform (value: RTCRtpScriptTransform | null) { this.#transformSlot.transform = value }
  /** Chromium's encoded insertable streams, on this thread (call it before frames flow). */
  createEncodedStreams (): { readable: ReadableStream<RTCEncodedFrame>, writable: WritableStream<RTCEncodedFrame> } {
    return this.#transformSlot.createEncodedStreams()
  }

  /** The sender's RTCDTMFSender (audio senders; null for video), the same object each time. */
  get dtmf (): RTCDTMFSender | null {
    if (this.#kind !== 'audio') return null
    if (this.#dtmf === null) {
      const host = this.#host
      this.#dtmf = new RTCDTMFSender(INTERNAL, {
        closed: () => host.closed(),
        connected: () => host.connected(),
        stopping: () => host.stopping(),
        currentDirection: () => host.currentDirection(),
        hasTrack: () => this.#track !== null,
        native: () => host.native()
      })
    }
    return this.#dtmf
  }

  replaceTrack (withTrack: MediaStreamTrack | null): Promise<void> {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'replaceTrack': 1 argument required")
    if (withTrack !== null && !isTrack(withTrack)) {
      throw new TypeError("Failed to execute 'replaceTrack': parameter 1 is not of type 'MediaStreamTrack'.")
    }
    if (withTrack !== null && withTrack.kind !== this.#kind) {
      throw new TypeError(`Failed to execute 'replaceTrack': the track is ${withTrack.kind}, the sender ${this.#kind}.`)
    }
    if (this.#host.closed()) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (this.#host.stopping()) throw domError('InvalidStateError', 'The transceiver is stopped')
    // webrtc-pc: the replacement happens in the operations chain, without renegotiation.
    return this.#host.chain(() => {
      if (this.#host.closed()) return
      let ok: boolean
      try {
        ok = this.#host.native().replaceTrack(withTrack === null ? null : nativeTrack(withTrack))
      } catch (err) {
        throw fromNative(err)
      }
      if (!ok) throw domError('InvalidModificationError', 'replaceTrack failed')
      this.#track = withTrack
    })
  }

  setStreams (...streams: MediaStream[]): void {
    if (this.#host.closed()) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    const ids: string[] = []
    for (const s of streams) {
      if (!(s instanceof MediaStream)) throw new TypeError("Failed to execute 'setStreams': parameter is not of type 'MediaStream'.")
      if (!ids.includes(s.id)) ids.push(s.id)
    }
    this.#host.native().setStreams(ids)
    this.#streams = streams.filter((s, i) => streams.indexOf(s) === i)
    this.#host.refresh()
  }

  getParameters (): RTCRtpSendParameters {
    const p = this.#host.closed() ? null : this.#host.native().senderParameters()
    const out: RTCRtpSendParameters = {
      ...(p === null ? { headerExtensions: [], rtcp: {}, codecs: [] } : toParameters(p)),
      transactionId: String(++transactions),
      encodings: p === null ? [] : p.encodings.map(e => ({ ...e }) as RTCRtpEncodingParameters)
    }
    if (p?.degradationPreference !== undefined) out.degradationPreference = p.degradationPreference as RTCDegradationPreference
    // webrtc-pc: valid for setParameters until the current task ends.
    this.#last = structuredClone(out)
    if (this.#lastTimer !== null) clearTimeout(this.#lastTimer)
    this.#lastTimer = setTimeout(() => { this.#last = null; this.#lastTimer = null }, 0)
    this.#lastTimer.unref()
    return out
  }

  setParameters (parameters: RTCRtpSendParameters, setParameterOptions?: object): Promise<void> {
    if (arguments.length < 1 || parameters === null || typeof parameters !== 'object') {
      throw new TypeError("Failed to execute 'setParameters': 1 argument required")
    }
    void setParameterOptions
    if (this.#host.closed()) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (this.#host.stopping()) throw domError('InvalidStateError', 'The transceiver is stopped')
    const last = this.#last
    if (last === null) throw domError('InvalidStateError', 'getParameters() must be called first, in the same task')
    if (parameters.transactionId !== last.transactionId) {
      throw domError('InvalidModificationError', 'transactionId does not match the last getParameters()')
    }
    const encodings = parameters.encodings
    if (!Array.isArray(encodings) || encodings.length !== last.encodings.length) {
      throw domError('InvalidModificationError', 'The number of encodings cannot change')
    }
    const checked = encodings.map((e, i) => checkEncoding(e, `encodings[${i}]`))
    checked.forEach((e, i) => {
      if ((e.rid ?? '') !== (last.encodings[i]!.rid ?? '')) throw domError('InvalidModificationError', 'rid cannot change')
    })
    if (JSON.stringify(parameters.codecs) !== JSON.stringify(last.codecs) ||
      JSON.stringify(parameters.headerExtensions) !== JSON.stringify(last.headerExtensions) ||
      JSON.stringify(parameters.rtcp) !== JSON.stringify(last.rtcp)) {
      throw domError('InvalidModificationError', 'codecs, headerExtensions and rtcp are read-only')
    }
    const degradation = parameters.degradationPreference
    if (degradation !== undefined && !['maintain-framerate', 'maintain-resolution', 'balanced'].includes(degradation)) {
      throw new TypeError(`'${String(degradation)}' is not a valid enum value of type RTCDegradationPreference.`)
    }
    this.#last = null
    try {
      this.#host.native().setSenderParameters({ encodings: checked, degradationPreference: degradation })
    } catch (err) {
      return Promise.reject(fromNative(err))
    }
    return Promise.resolve()
  }

  /** webrtc-pc: the outbound-rtp stats of this sender and the stats they reference. */
  getStats (): Promise<RTCStatsReport> { return this.#host.stats('sender') }

  /** @internal Whether `value` is a sender made here (a brand check: the prototype is not enough). */
  static [INTERNAL] (value: unknown): boolean {
    return typeof value === 'object' && value !== null && #host in value
  }

  /** @internal the track after removeTrack / addTrack reuse; 'closed' when the connection closes. */
  [INTERNAL] (track: MediaStreamTrack | null | 'closed'): void {
    if (track === 'closed') {
      this.#dtmf?.[INTERNAL]('closed')
      this.#transformSlot.closed()
    } else this.#track = track
  }

  static {
    streamsOf = sender => sender.#streams
    setStreamsOf = (sender, streams) => { sender.#streams = streams.filter((s, i) => streams.indexOf(s) === i) }
    toneEnded = sender => { sender.#dtmf?.[INTERNAL]('toneend') }
  }
}

/** The MediaStreams the sender's track was added with (addTrack, addTransceiver, setStreams). */
export function senderStreams (sender: RTCRtpSender): readonly MediaStream[] { return streamsOf(sender) }
/** @internal */
export function setSenderStreams (sender: RTCRtpSender, streams: readonly MediaStream[]): void { setStreamsOf(sender, streams) }
/** @internal libwebrtc finished a DTMF tone of this sender. */
export function dtmfToneEnded (sender: RTCRtpSender): void { toneEnded(sender) }
rejectInsteadOfThrow(RTCRtpSender.prototype, ['replaceTrack', 'setParameters'])
