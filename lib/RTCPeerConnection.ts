import type { AddEventListenerOptions, EventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import {
  normalizeConfiguration, toConfigurationObject, toNative,
  type NormalizedConfiguration, type RTCConfiguration
} from './configuration'
import { domError, fromNative } from './errors'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import {
  RTCDataChannelEvent, RTCPeerConnectionIceErrorEvent, RTCPeerConnectionIceEvent
} from './events'
import { INTERNAL } from './internal'
import { domString, rejectInsteadOfThrow, toNumber } from './webidl'
import {
  binding, type DescriptionInit, type NativeDataChannel, type NativePeerConnection, type PeerConnectionEvent,
  type NativeRtpTransceiver, type SignalingSnapshot, type TransceiverList, type TransceiverState
} from './native'
import { RTCDataChannel, type RTCDataChannelInit } from './RTCDataChannel'
import { RTCDtlsTransport } from './RTCDtlsTransport'
import { MediaStream, addRemoteTrack, createStream, removeRemoteTrack } from './MediaStream'
import { type MediaStreamTrack, createTrack, isTrack, nativeTrack, setTrackMuted } from './MediaStreamTrack'
import { RTCRtpSender, checkEncoding, dtmfToneEnded, setSenderStreams, type RTCRtpEncodingParameters } from './RTCRtpSender'
import type { RTCRtpReceiver } from './RTCRtpReceiver'
import { DIRECTIONS, RTCRtpTransceiver, type ConnectionHooks, type RTCRtpTransceiverDirection } from './RTCRtpTransceiver'
import { unmuteWhenMediaFlows } from './remote_unmute'
import { RTCTrackEvent } from './RTCTrackEvent'
import { LegacyStreams } from './legacy_streams'
import { MediaStreamEvent } from './MediaStreamEvent'
import type { RTCDTMFSender } from './RTCDTMFSender'
import { type RTCStats, type RTCStatsReport, emptyReport, monotonicOrigin, statsReport } from './RTCStatsReport'
import { RTCIceCandidate, type RTCIceCandidateInit } from './RTCIceCandidate'
import { DEFAULT_MAX_MESSAGE_SIZE, RTCSctpTransport } from './RTCSctpTransport'
import { type EndOfCandidates, type SdpSection, findSection, markEndOfCandidates, withEndOfCandidates } from './sdp_text'
import { offerInAnswerOrder } from './answer_codec_order'
import { type AlgorithmIdentifier, type RTCCertificate, generateCertificate } from './RTCCertificate'
import {
  ConnectionIdentity, type RTCIdentityAssertion, type RTCIdentityErrorEvent, type RTCIdentityEvent,
  type RTCIdentityProviderOptions, sdpFingerprints, sdpIdentity, withIdentity, withoutIdentity
} from './identity'
import { RTCSessionDescription, SDP_TYPES, type RTCSdpType, type RTCSessionDescriptionInit } from './RTCSessionDescription'
import { redTwice } from './red_twice'
import { acceptOfferSimulcast } from './simulcast_answer'

export type RTCSignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'have-local-pranswer' | 'have-remote-pranswer' | 'closed'
export type RTCIceGatheringState = 'new' | 'gathering' | 'complete'
export type RTCIceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed'
export type RTCPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'

export interface RTCOfferOptions {
  iceRestart?: boolean
  offerToReceiveAudio?: boolean
  offerToReceiveVideo?: boolean
  voiceActivityDetection?: boolean
}
export type RTCAnswerOptions = Record<string, never>

export interface RTCRtpTransceiverInit {
  direction?: RTCRtpTransceiverDirection
  streams?: MediaStream[]
  sendEncodings?: RTCRtpEncodingParameters[]
}

type SuccessCallback<T> = (value: T) => void
type FailureCallback = (error: Error) => void

export interface RTCPeerConnectionEventMap {
  negotiationneeded: Event
  icecandidate: RTCPeerConnectionIceEvent
  icecandidateerror: RTCPeerConnectionIceErrorEvent
  signalingstatechange: Event
  iceconnectionstatechange: Event
  icegatheringstatechange: Event
  connectionstatechange: Event
  datachannel: RTCDataChannelEvent
  track: RTCTrackEvent
  /** webrtc-identity (2015 draft, kept as non-standard events): peerIdentity resolved. */
  peeridentity: Event
  identityresult: RTCIdentityEvent
  idpassertionerror: RTCIdentityErrorEvent
  idpvalidationerror: RTCIdentityErrorEvent
  addstream: MediaStreamEvent
  removestream: MediaStreamEvent
}

const MAX_LABEL_BYTES = 65535

function utf8Length (s: string): number { return Buffer.byteLength(s, 'utf8') }

// WebIDL unsigned short without [EnforceRange]: modulo 2^16, NaN and infinities are 0.
function unsignedShortWrap (value: unknown): number {
  const n = toNumber(value, 'sdpMLineIndex')
  return Number.isFinite(n) ? ((Math.trunc(n) % 65536) + 65536) % 65536 : 0
}

function unsignedShort (value: unknown, what: string): number {
  const n = toNumber(value, what)
  if (!Number.isFinite(n) || Math.trunc(n) < 0 || Math.trunc(n) > 65535) {
    throw new TypeError(`${what} is outside the range [0, 65535].`)
  }
  return Math.trunc(n)
}

// webrtc-pc legacy forms: create* pass the description to the success callback, set*/addIceCandidate
// call it with no argument; the returned promise always resolves with undefined.
// The callbacks are checked before the operation starts: a rejected form must not leave an
// operation running whose failure nobody handles (an unhandled rejection ends the process).
function legacy<T> (start: () => Promise<T>, success: unknown, failure: unknown, passValue = true): Promise<void> {
  if (typeof success !== 'function' || typeof failure !== 'function') {
    return Promise.reject(new TypeError('The legacy form takes a success and a failure callback.'))
  }
  return start().then(v => {
    if (passValue) (success as SuccessCallback<T>)(v)
    else (success as () => void)()
  }, e => { (failure as FailureCallback)(e as Error) })
}

// webrtc-pc: the remote a=max-message-size, 65536 when absent, 0 meaning "any size".
function remoteMaxMessageSize (sdp: string): number {
  const app = /^m=application[^]*?(?=^m=|(?![^]))/m.exec(sdp)
  if (app === null) return DEFAULT_MAX_MESSAGE_SIZE
  const m = /^a=max-message-size:(\d+)/m.exec(app[0])
  if (m === null) return 65536
  const n = Number(m[1])
  return n === 0 ? Infinity : n
}

export class RTCPeerConnection extends RTCEventTarget {
  readonly #native: NativePeerConnection
  #config: NormalizedConfiguration
  #closed = false
  #signalingState: RTCSignalingState = 'stable'
  #iceGatheringState: RTCIceGatheringState = 'new'
  #iceConnectionState: RTCIceConnectionState = 'new'
  #connectionState: RTCPeerConnectionState = 'new'
  #currentLocal: RTCSessionDescription | null = null
  #pendingLocal: RTCSessionDescription | null = null
  #currentRemote: RTCSessionDescription | null = null
  #pendingRemote: RTCSessionDescription | null = null
  // The remote offer libwebrtc holds in the answer's codec order, and the one set (shown).
  #reorderedOffer: { applied: string, shown: string } | null = null
  #canTrickle: boolean | null = null
  #sctp: RTCSctpTransport | null = null
  #lastOffer = ''
  #deferredNegotiation: number | null = null
  #pendingOps = 0
  #lastAnswer = ''
  #appliedLocal = false
  readonly #channels = new Set<RTCDataChannel>()
  // The last operation handed to libwebrtc (which chains them itself); JS-only steps wait on it.
  #lastOp: Promise<unknown> = Promise.resolve()
  // Snapshots are numbered on the signaling thread; one that arrives late must not win.
  #snapshotSeq = 0
  #snapshot: SignalingSnapshot | null = null
  // Sections whose end of candidates is known (webrtc-pc adds a=end-of-candidates to their SDP).
  readonly #localEnd: EndOfCandidates = new Map()
  readonly #remoteEnd: EndOfCandidates = new Map()
  // Media: transceivers in libwebrtc's order, by the id the native side gives them.
  #transceivers: RTCRtpTransceiver[] = []
  readonly #transceiverIds = new Map<number, RTCRtpTransceiver>()
  // Transceivers whose receiver saw its first packet (libwebrtc reports that only once).
  readonly #receivedMedia = new Set<number>()
  // Remote MediaStreams by msid (one object per id per connection, webrtc-pc), and the streams
  // each receiver's track is in.
  readonly #remoteStreams = new Map<string, MediaStream>()
  readonly #associatedStreams = new Map<RTCRtpTransceiver, MediaStream[]>()
  #dtls: RTCDtlsTransport | null = null
  readonly #identity: ConnectionIdentity
  // The a=identity of the descriptions last applied (libwebrtc drops the attribute).
  #localIdentity: string | null = null
  #remoteIdentity: string | null = null
  readonly #legacy = new LegacyStreams({
    closed: () => this.#closed,
    addTrack: (track, stream) => { this.addTrack(track, stream) },
    removeTrack: sender => { this.removeTrack(sender) },
    transceivers: () => this.#transceivers,
    receiverStreams: t => this.#associatedStreams.get(t) ?? []
  })
  readonly #hooks: ConnectionHooks = {
    closed: () => this.#closed,
    connected: () => this.#connectionState === 'connected',
    transport: mid => mid === null ? null : this.#sharedDtls(),
    refresh: () => { this.#refreshTransceivers() },
    chain: op => {
      const next = this.#lastOp.then(() => {}, () => {}).then(op)
      this.#lastOp = next.catch(() => {})
      return next
    },
    stats: (native, which) => this.#nativeStats(native, which)
  }
  // Channels that reached 'open' (libwebrtc's dataChannelsOpened, for the report of a closed connection).
  #channelsOpened = 0

  declare onnegotiationneeded: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare onicecandidate: ((this: RTCPeerConnection, ev: RTCPeerConnectionIceEvent) => unknown) | null
  declare onicecandidateerror: ((this: RTCPeerConnection, ev: RTCPeerConnectionIceErrorEvent) => unknown) | null
  declare onsignalingstatechange: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare oniceconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare onicegatheringstatechange: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare onconnectionstatechange: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare ondatachannel: ((this: RTCPeerConnection, ev: RTCDataChannelEvent) => unknown) | null
  declare ontrack: ((this: RTCPeerConnection, ev: RTCTrackEvent) => unknown) | null
  declare onpeeridentity: ((this: RTCPeerConnection, ev: Event) => unknown) | null
  declare onidentityresult: ((this: RTCPeerConnection, ev: RTCIdentityEvent) => unknown) | null
  declare onidpassertionerror: ((this: RTCPeerConnection, ev: RTCIdentityErrorEvent) => unknown) | null
  declare onidpvalidationerror: ((this: RTCPeerConnection, ev: RTCIdentityErrorEvent) => unknown) | null
  declare onaddstream: ((this: RTCPeerConnection, ev: MediaStreamEvent) => unknown) | null
  declare onremovestream: ((this: RTCPeerConnection, ev: MediaStreamEvent) => unknown) | null

  constructor (configuration: RTCConfiguration = {}) {
    super()
    this.#config = normalizeConfiguration(configuration)
    this.#identity = new ConnectionIdentity(this.#config.peerIdentity ?? null, {
      fire: e => { if (!this.#closed) this.dispatchEvent(e) },
      close: () => { this.close() },
      closed: () => this.#closed
    })
    try {
      this.#native = new binding.PeerConnection(toNative(this.#config), RTCPeerConnection.#handler(new WeakRef(this)))
    } catch (err) {
      throw fromNative(err)
    }
  }

  // The native side holds the handler strongly: it must reach the connection through the WeakRef
  // only (made outside the constructor, whose closures could share a context holding `this`).
  static #handler (self: WeakRef<RTCPeerConnection>): (...event: PeerConnectionEvent) => void {
    return (...event) => { const pc = self.deref(); if (pc !== undefined) pc.#onNative(event) }
  }

  /**
   * webrtc-pc: a certificate for the `certificates` option. `{ name: 'ECDSA', namedCurve: 'P-256' }`
   * or `{ name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: Uint8Array [1, 0, 1], hash: 'SHA-256' }`,
   * with an optional `expires` (ms from now; default 30 days, at most a year). Made off the JS thread.
   */
  static generateCertificate (keygenAlgorithm: AlgorithmIdentifier): Promise<RTCCertificate> {
    return generateCertificate(keygenAlgorithm)
  }

  get signalingState (): RTCSignalingState { return this.#signalingState }
  get iceGatheringState (): RTCIceGatheringState { return this.#iceGatheringState }
  get iceConnectionState (): RTCIceConnectionState { return this.#iceConnectionState }
  get connectionState (): RTCPeerConnectionState { return this.#connectionState }
  get localDescription (): RTCSessionDescription | null { return this.#pendingLocal ?? this.#currentLocal }
  get remoteDescription (): RTCSessionDescription | null { return this.#pendingRemote ?? this.#currentRemote }
  get currentLocalDescription (): RTCSessionDescription | null { return this.#currentLocal }
  get pendingLocalDescription (): RTCSessionDescription | null { return this.#pendingLocal }
  get currentRemoteDescription (): RTCSessionDescription | null { return this.#currentRemote }
  get pendingRemoteDescription (): RTCSessionDescription | null { return this.#pendingRemote }
  get canTrickleIceCandidates (): boolean | null { return this.#canTrickle }
  get sctp (): RTCSctpTransport | null { return this.#sctp }

  // Reachable through its own listeners while it can still fire events (event_target.ts). A
  // connection the remote ended (DTLS closed or failed) that has reached 'failed' has fired its
  // last event: once dropped by the program it is collected and released like a closed one.
  protected get active (): boolean {
    if (this.#closed) return false
    const dtls = this.#dtls?.state
    return !(this.#connectionState === 'failed' && (dtls === 'closed' || dtls === 'failed'))
  }

  // ------------------------------------------------------------------ offer / answer

  createOffer (options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit>
  /** @deprecated legacy callback form */
  createOffer (success: SuccessCallback<RTCSessionDescriptionInit>, failure: FailureCallback, options?: RTCOfferOptions): Promise<void>
  createOffer (a?: unknown, b?: unknown, c?: unknown): Promise<RTCSessionDescriptionInit | void> {
    if (typeof a === 'function') return legacy(() => this.createOffer(c as RTCOfferOptions | undefined), a, b)
    const options = (a ?? {}) as RTCOfferOptions
    if (typeof options !== 'object') return Promise.reject(new TypeError('RTCOfferOptions must be an object'))
    const native: Record<string, unknown> = {}
    if (options.iceRestart !== undefined) native.iceRestart = Boolean(options.iceRestart)
    if (options.offerToReceiveAudio !== undefined) native.offerToReceiveAudio = options.offerToReceiveAudio ? 1 : 0
    if (options.offerToReceiveVideo !== undefined) native.offerToReceiveVideo = options.offerToReceiveVideo ? 1 : 0
    if (options.voiceActivityDetection !== undefined) native.voiceActivityDetection = Boolean(options.voiceActivityDetection)
    if (!this.#closed && this.#signalingState !== 'stable' && this.#signalingState !== 'have-local-offer') {
      return Promise.reject(domError('InvalidStateError', `createOffer() in signaling state '${this.#signalingState}'`))
    }
    const legacyReceive = native.offerToReceiveAudio !== undefined || native.offerToReceiveVideo !== undefined
    return this.#op(() => this.#withAssertion(this.#native.createOffer(native)), d => {
      // The legacy options make libwebrtc add recvonly transceivers while it creates the offer.
      if (legacyReceive) this.#refreshTransceivers()
      this.#lastOffer = d.sdp
      return { type: d.type as RTCSdpType, sdp: d.sdp }
    })
  }

  createAnswer (options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit>
  /** @deprecated legacy callback form */
  createAnswer (success: SuccessCallback<RTCSessionDescriptionInit>, failure: FailureCallback): Promise<void>
  createAnswer (a?: unknown, b?: unknown): Promise<RTCSessionDescriptionInit | void> {
    if (typeof a === 'function') return legacy(() => this.createAnswer(), a, b)
    if (a !== undefined && a !== null && typeof a !== 'object') return Promise.reject(new TypeError('RTCAnswerOptions must be an object'))
    if (!this.#closed && this.#signalingState !== 'have-remote-offer' && this.#signalingState !== 'have-local-pranswer') {
      return Promise.reject(domError('InvalidStateError', `createAnswer() in signaling state '${this.#signalingState}'`))
    }
    return this.#op(async () => {
      const d = this.#simulcastAnswer(await this.#withAssertion(this.#native.createAnswer()))
      await this.#sendAnswerCodecs(d.sdp)
      return d
    }, d => {
      this.#lastAnswer = d.sdp
      return { type: d.type as RTCSdpType, sdp: d.sdp }
    })
  }

  setLocalDescription (description?: RTCSessionDescriptionInit): Promise<void>
  /** @deprecated legacy callback form */
  setLocalDescription (description: RTCSessionDescriptionInit, success: () => void, failure: FailureCallback): Promise<void>
  setLocalDescription (description?: RTCSessionDescriptionInit, b?: unknown, c?: unknown): Promise<void> {
    if (typeof b === 'function') return legacy(() => this.setLocalDescription(description), b, c, false)
    let type: string | undefined
    let sdp = ''
    if (description !== undefined && description !== null) {
      if (typeof description !== 'object') return Promise.reject(new TypeError('The description must be an object'))
      if (description.type !== undefined) {
        type = domString(description.type, 'RTCSessionDescriptionInit.type')
        if (!SDP_TYPES.includes(type)) {
          return Promise.reject(new TypeError(`'${type}' is not a valid enum value of type RTCSdpType.`))
        }
      }
      sdp = description.sdp === undefined || description.sdp === null ? '' : domString(description.sdp, 'RTCSessionDescriptionInit.sdp')
    }
    if ((type === 'answer' || type === 'pranswer') && !this.#closed &&
      this.#signalingState !== 'have-remote-offer' && this.#signalingState !== 'have-local-pranswer') {
      return Promise.reject(domError('InvalidStateError', `setLocalDescription(${type}) in signaling state '${this.#signalingState}'`))
    }
    // webrtc-pc: an explicit sdp must be the last one createOffer()/createAnswer() made (no munging).
    if (sdp !== '' && type !== 'rollback' && !this.#closed) {
      const last = type === 'answer' || type === 'pranswer' ? this.#lastAnswer : this.#lastOffer
      if (sdp !== last) {
        return Promise.reject(domError('InvalidModificationError',
          `setLocalDescription(${type ?? 'offer'}): the sdp is not the last one this connection created`))
      }
    }
    if (type !== 'rollback' && sdp === '') {
      // Implicit: the last offer/answer we created for this state, or a new one.
      const wantAnswer = type === 'answer' || type === 'pranswer' ||
        (type === undefined && (this.#signalingState === 'have-remote-offer' || this.#signalingState === 'have-local-pranswer'))
      const last = wantAnswer ? this.#lastAnswer : this.#lastOffer
      if ((type === undefined || last === '') && this.#identity.hasProvider && !this.#closed) {
        // The description must carry our assertion: create it here, then set it.
        const made = wantAnswer ? this.createAnswer() : this.createOffer()
        return made.then(d => this.setLocalDescription(d))
      }
      if (type === undefined || last === '') {
        return this.#op(async () => {
          if (this.#transceivers.some(t => redTwice.has(t)) || (wantAnswer && this.#acceptsSimulcast())) {
            // See red_twice.ts and simulcast_answer.ts: apply the description made for us, not libwebrtc's own.
            const made = wantAnswer ? this.#simulcastAnswer(await this.#native.createAnswer()) : await this.#native.createOffer({})
            if (wantAnswer) await this.#sendAnswerCodecs(made.sdp)
            return await this.#native.setLocalDescription(wantAnswer ? 'answer' : 'offer', made.sdp)
          }
          if (wantAnswer) await this.#sendAnswerCodecs((await this.#native.createAnswer()).sdp)
          return await this.#native.setLocalDescription()
        }, s => { this.#applySnapshot(s) })
      }
      type = type ?? (wantAnswer ? 'answer' : 'offer')
      sdp = last
    }
    const localIdentity = type === 'rollback' ? this.#localIdentity : sdpIdentity(sdp)
    return this.#op(() => this.#native.setLocalDescription(type!, withoutIdentity(sdp)), s => {
      this.#localIdentity = localIdentity
      this.#applySnapshot(s)
    })
  }

  setRemoteDescription (description: RTCSessionDescriptionInit): Promise<void>
  /** @deprecated legacy callback form */
  setRemoteDescription (description: RTCSessionDescriptionInit, success: () => void, failure: FailureCallback): Promise<void>
  setRemoteDescription (description: RTCSessionDescriptionInit, b?: unknown, c?: unknown): Promise<void> {
    if (typeof b === 'function') return legacy(() => this.setRemoteDescription(description), b, c, false)
    if (description === undefined || description === null || typeof description !== 'object') {
      return Promise.reject(new TypeError("Failed to execute 'setRemoteDescription': 1 argument required"))
    }
    if (description.type === undefined) {
      return Promise.reject(new TypeError("Failed to execute 'setRemoteDescription': required member type is undefined."))
    }
    const type = domString(description.type, 'RTCSessionDescriptionInit.type')
    if (!SDP_TYPES.includes(type)) return Promise.reject(new TypeError(`'${type}' is not a valid enum value of type RTCSdpType.`))
    const sdp = description.sdp === undefined || description.sdp === null ? '' : domString(description.sdp, 'RTCSessionDescriptionInit.sdp')
    if ((type === 'answer' || type === 'pranswer') && !this.#closed &&
      this.#signalingState !== 'have-local-offer' && this.#signalingState !== 'have-remote-pranswer') {
      return Promise.reject(domError('InvalidStateError', `setRemoteDescription(${type}) in signaling state '${this.#signalingState}'`))
    }
    const remoteIdentity = type === 'rollback' ? this.#remoteIdentity : sdpIdentity(sdp)
    const applied = (s: SignalingSnapshot | null): void => {
      if (type !== 'rollback') this.#remoteIdentity = remoteIdentity
      this.#applySnapshot(s)
    }
    if (type !== 'rollback' && !this.#closed && this.#identity.target !== null) {
      // webrtc-identity: with a target peer identity, nothing is applied before the peer's
      // identity is validated (a failure leaves the connection as it was: no media, no data).
      // A mismatch closes the connection and still rejects (webrtc-identity), hence outside #op.
      return this.#identity.validate(sdp).then(() => this.#remoteDescriptionOp(type, sdp, applied))
    }
    if (type !== 'rollback' && remoteIdentity !== null) {
      // Without one, setRemoteDescription does not wait: peerIdentity settles when validation ends.
      const go = this.#remoteDescriptionOp(type, sdp, applied)
      go.then(() => { this.#identity.validate(sdp).catch(() => {}) }, () => {})
      return go
    }
    return this.#remoteDescriptionOp(type, sdp, applied)
  }

  #remoteDescriptionOp (type: string, sdp: string, applied: (s: SignalingSnapshot | null) => void): Promise<void> {
    sdp = withoutIdentity(sdp)
    if (type === 'offer' && this.#signalingState === 'have-local-offer') {
      // An offer in have-local-offer rolls our own offer back first (webrtc-pc, perfect negotiation).
      // An explicit SLD(rollback) queued just before this call (the perfect-negotiation pattern
      // `Promise.all([SLD(rollback), SRD(offer)])`) has already rolled back: then there is nothing to undo.
      // Both go to libwebrtc now, so nothing queued later can slip in between.
      return this.#op(async () => {
        const rollback = this.#native.setLocalDescription('rollback', '').then(snap => snap, () => null)
        const remote = this.#native.setRemoteDescription(type, sdp)
        remote.catch(() => {}) // handled below, after the rollback
        const rolledBack = await rollback
        if (rolledBack !== null && !this.#closed) this.#applySnapshot(rolledBack)
        return await remote
      }, applied)
    }
    return this.#op(() => this.#native.setRemoteDescription(type, sdp), applied)
  }

  // ------------------------------------------------------------------ identity (webrtc-identity)

  /** webrtc-identity: the IdP that asserts this side's identity in the offers and answers it makes. */
  setIdentityProvider (provider: string, options?: RTCIdentityProviderOptions): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'setIdentityProvider': 1 argument required")
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    this.#identity.setIdentityProvider(provider, options)
  }

  /** webrtc-identity: the assertion (what a=identity carries) for this connection's certificate. */
  getIdentityAssertion (): Promise<string> {
    if (this.#closed) return Promise.reject(domError('InvalidStateError', 'The RTCPeerConnection is closed'))
    return this.#identity.assertion(() => this.#localFingerprints())
  }

  /** webrtc-identity: resolves with the peer's validated identity. */
  get peerIdentity (): Promise<RTCIdentityAssertion> { return this.#identity.peerIdentity }
  get idpLoginUrl (): string | null { return this.#identity.idpLoginUrl }
  get idpErrorInfo (): string | null { return this.#identity.idpErrorInfo }

  // This connection's certificate fingerprints: the configured certificate's, or those of the
  // descriptions libwebrtc makes with the certificate it generated.
  async #localFingerprints (): Promise<Array<{ algorithm: string, value: string }>> {
    const cert = this.#config.certificates[0]
    if (cert !== undefined) return cert.getFingerprints()
    const local = this.#rawLocalSdp()
    if (local !== null) return sdpFingerprints(local)
    const state = this.#signalingState
    const d = state === 'have-remote-offer' || state === 'have-local-pranswer'
      ? await this.#native.createAnswer()
      : await this.#native.createOffer({})
    const found = sdpFingerprints(d.sdp)
    // libwebrtc's own certificate shows only in media sections: none yet, nothing to assert.
    if (found.length === 0) {
      throw domError('InvalidStateError', 'No certificate fingerprint yet: add a track, transceiver or data channel first, or configure certificates')
    }
    return found
  }

  // An offer or answer from libwebrtc with our a=identity when an IdP is set (webrtc-pc §4.4.1.5:
  // a failed assertion is NotReadableError).
  async #withAssertion (made: Promise<DescriptionInit>): Promise<DescriptionInit> {
    const d = await made
    if (!this.#identity.hasProvider) return d
    let assertion: string
    try {
      assertion = await this.#identity.assertion(async () => sdpFingerprints(d.sdp))
    } catch (err) {
      throw domError('NotReadableError', `The identity provider gave no assertion: ${(err as Error).message}`)
    }
    return { type: d.type, sdp: withIdentity(d.sdp, assertion) }
  }

  addIceCandidate (candidate?: RTCIceCandidateInit | RTCIceCandidate | null): Promise<void>
  /** @deprecated legacy callback form */
  addIceCandidate (candidate: RTCIceCandidateInit | RTCIceCandidate, success: () => void, failure: FailureCallback): Promise<void>
  addIceCandidate (candidate?: RTCIceCandidateInit | RTCIceCandidate | null, b?: unknown, c?: unknown): Promise<void> {
    if (typeof b === 'function') return legacy(() => this.addIceCandidate(candidate), b, c, false)
    if (candidate !== undefined && candidate !== null && typeof candidate !== 'object') {
      return Promise.reject(new TypeError('The candidate must be an RTCIceCandidateInit'))
    }
    const init = candidate ?? {}
    const line = init.candidate === undefined || init.candidate === null ? '' : domString(init.candidate, 'RTCIceCandidateInit.candidate')
    const sdpMid = init.sdpMid === undefined || init.sdpMid === null ? null : domString(init.sdpMid, 'RTCIceCandidateInit.sdpMid')
    const index = init.sdpMLineIndex === undefined || init.sdpMLineIndex === null ? null : unsignedShortWrap(init.sdpMLineIndex)
    if (line !== '' && sdpMid === null && index === null) {
      return Promise.reject(new TypeError('Candidate with both sdpMid and sdpMLineIndex null'))
    }
    if (this.#closed) return Promise.reject(domError('InvalidStateError', 'The RTCPeerConnection is closed'))
    const ufrag = init.usernameFragment === undefined || init.usernameFragment === null ? null : domString(init.usernameFragment, 'RTCIceCandidateInit.usernameFragment')
    if (line === '') {
      // End of candidates: libwebrtc has nothing to do, but the checks run in operation order.
      return this.#op(() => this.#lastOp.then(() => null, () => null), () => {
        const remote = this.#rawRemoteSdp()
        if (remote === null) throw domError('InvalidStateError', 'addIceCandidate needs a remote description')
        const section = sdpMid === null && index === null ? undefined : this.#candidateSection(remote, sdpMid, index, ufrag)
        markEndOfCandidates(this.#remoteEnd, remote, section)
        this.#applyDescriptions()
      })
    }
    if (ufrag === null || this.#pendingOps === 0) {
      return this.#op(() => {
        if (ufrag !== null) this.#checkUfrag(sdpMid, index, ufrag)
        return this.#native.addIceCandidate(line, sdpMid, index, ufrag)
      }, s => { this.#applySnapshot(s) })
    }
    // The ufrag check needs the remote description this candidate will meet: wait for the
    // operations before it (libwebrtc itself would hold a stray ufrag for a future generation).
    return this.#op(() => this.#lastOp.then(() => null, () => null).then(() => {
      if (this.#closed) return new Promise<never>(() => {})
      this.#checkUfrag(sdpMid, index, ufrag)
      return this.#native.addIceCandidate(line, sdpMid, index, ufrag)
    }), s => { this.#applySnapshot(s) })
  }

  // An answerer sends the first codec of its answer (lib/answer_codec_order.ts): in
  // have-remote-offer, the offer is applied again in the answer's codec order when they differ.
  // Non-standard receiveSimulcast: the answer accepts the offer's simulcast (simulcast_answer.ts).
  #acceptsSimulcast (): boolean {
    if (this.#config.receiveSimulcast !== true) return false
    const offer = this.#rawRemoteSdp()
    return offer !== null && /^a=simulcast:send /m.test(offer)
  }

  #simulcastAnswer (d: DescriptionInit): DescriptionInit {
    if (!this.#acceptsSimulcast()) return d
    return { ...d, sdp: acceptOfferSimulcast(this.#rawRemoteSdp(), d.sdp) }
  }

  async #sendAnswerCodecs (answer: string): Promise<void> {
    const offer = this.#snapshot?.pendingRemoteDescription
    if (offer === null || offer === undefined || offer.type !== 'offer' || this.#closed) return
    const reordered = offerInAnswerOrder(offer.sdp, answer)
    if (reordered === null) return
    const s = await this.#native.setRemoteDescription('offer', reordered)
    const applied = s?.pendingRemoteDescription?.sdp
    if (applied !== undefined) this.#reorderedOffer = { applied, shown: offer.sdp }
  }

  #rawRemoteSdp (): string | null {
    const s = this.#snapshot
    return (s?.pendingRemoteDescription ?? s?.currentRemoteDescription)?.sdp ?? null
  }

  #rawLocalSdp (): string | null {
    const s = this.#snapshot
    return (s?.pendingLocalDescription ?? s?.currentLocalDescription)?.sdp ?? null
  }

  /** The remote section a candidate (or end-of-candidates) belongs to, or OperationError. */
  #candidateSection (remote: string, sdpMid: string | null, index: number | null, ufrag: string | null): SdpSection {
    const section = findSection(remote, sdpMid, index)
    if (section === undefined) throw domError('OperationError', 'No media section matches the candidate')
    if (ufrag !== null && section.ufrag !== ufrag) {
      throw domError('OperationError', `usernameFragment '${ufrag}' matches no remote ICE generation`)
    }
    return section
  }

  #checkUfrag (sdpMid: string | null, index: number | null, ufrag: string): void {
    const remote = this.#rawRemoteSdp()
    if (remote !== null) this.#candidateSection(remote, sdpMid, index, ufrag)
  }

  restartIce (): void {
    if (!this.#closed) this.#native.restartIce()
  }

  // ------------------------------------------------------------------ configuration

  getConfiguration (): RTCConfiguration {
    return toConfigurationObject(this.#config)
  }

  setConfiguration (configuration: RTCConfiguration): void {
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    const next = normalizeConfiguration(configuration)
    if (next.certificates.length > 0 && (next.certificates.length !== this.#config.certificates.length ||
      next.certificates.some((c, i) => c !== this.#config.certificates[i]))) {
      throw domError('InvalidModificationError', 'certificates cannot change')
    }
    if (next.peerIdentity !== undefined && next.peerIdentity !== this.#config.peerIdentity) {
      throw domError('InvalidModificationError', 'peerIdentity cannot change')
    }
    if (next.bundlePolicy !== this.#config.bundlePolicy) throw domError('InvalidModificationError', 'bundlePolicy cannot change')
    if (next.rtcpMuxPolicy !== this.#config.rtcpMuxPolicy) throw domError('InvalidModificationError', 'rtcpMuxPolicy cannot change')
    if (next.iceCandidatePoolSize !== this.#config.iceCandidatePoolSize && this.#appliedLocal) {
      throw domError('InvalidModificationError', 'iceCandidatePoolSize cannot change after setLocalDescription')
    }
    try {
      this.#native.setConfiguration(toNative(next))
    } catch (err) {
      throw fromNative(err)
    }
    next.certificates = this.#config.certificates
    if (this.#config.peerIdentity !== undefined) next.peerIdentity = this.#config.peerIdentity
    next.network = this.#config.network
    this.#config = next
  }

  // ------------------------------------------------------------------ data channels

  createDataChannel (label: string, init: RTCDataChannelInit = {}): RTCDataChannel {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'createDataChannel': 1 argument required, but only 0 present.")
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (init === null || typeof init !== 'object') init = {}
    const labelStr = domString(label, 'label')
    const protocol = init.protocol === undefined ? '' : domString(init.protocol, 'RTCDataChannelInit.protocol')
    if (utf8Length(labelStr) > MAX_LABEL_BYTES) throw new TypeError('label is longer than 65535 bytes')
    if (utf8Length(protocol) > MAX_LABEL_BYTES) throw new TypeError('protocol is longer than 65535 bytes')
    const native: Record<string, unknown> = { ordered: init.ordered === undefined ? true : Boolean(init.ordered), protocol }
    if (init.maxPacketLifeTime !== undefined && init.maxPacketLifeTime !== null) {
      native.maxPacketLifeTime = unsignedShort(init.maxPacketLifeTime, 'maxPacketLifeTime')
    }
    if (init.maxRetransmits !== undefined && init.maxRetransmits !== null) {
      native.maxRetransmits = unsignedShort(init.maxRetransmits, 'maxRetransmits')
    }
    if (native.maxPacketLifeTime !== undefined && native.maxRetransmits !== undefined) {
      throw new TypeError('maxPacketLifeTime and maxRetransmits cannot both be set')
    }
    const negotiated = Boolean(init.negotiated)
    native.negotiated = negotiated
    // [EnforceRange] unsigned short in any case, but the id counts only for negotiated channels.
    const id = init.id === undefined || init.id === null ? undefined : unsignedShort(init.id, 'id')
    if (negotiated) {
      if (id === undefined) throw new TypeError('A negotiated channel needs an id')
      if (id === 65535) throw new TypeError('id 65535 is reserved')
      native.id = id
    }
    if (init.priority !== undefined) {
      const p = domString(init.priority, 'RTCDataChannelInit.priority')
      if (!['very-low', 'low', 'medium', 'high'].includes(p)) throw new TypeError(`'${p}' is not a valid enum value of type RTCPriorityType.`)
      native.priority = p
    }
    const maxChannels = this.#sctp?.maxChannels
    if (native.id !== undefined && maxChannels !== null && maxChannels !== undefined && (native.id as number) >= maxChannels) {
      throw domError('OperationError', `id ${String(native.id)} is not below sctp.maxChannels`)
    }
    let nativeChannel
    try {
      nativeChannel = this.#native.createDataChannel(labelStr, native)
    } catch (err) {
      throw fromNative(err, 'OperationError')
    }
    return this.#adoptChannel(nativeChannel, true)
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#signalingState = 'closed'
    this.#iceConnectionState = 'closed'
    this.#connectionState = 'closed'
    // Native close first: it is queued before the channels' releases, so libwebrtc ends the SCTP
    // association (the remote sees an abort, as from Chromium), not each channel gracefully.
    this.#native.close()
    for (const ch of this.#channels) ch[INTERNAL]()
    this.#channels.clear()
    for (const t of this.#transceivers) t[INTERNAL]('closed')
    this.#legacy.close()
    for (const n of this.#natives.values()) n.release()
    this.#sctp?.[INTERNAL]('closed')
    if (this.#sctp === null) this.#dtls?.[INTERNAL]('closed')
    this.updateRetention()
  }

  // ------------------------------------------------------------------ stats

  /**
   * webrtc-pc getStats(selector): the whole connection (no selector or null), or the stats
   * selection of the one sender or receiver whose track is `selector`. The legacy callback form
   * (`getStats(callback)`) is gone from Chromium (M117) and from the spec: a TypeError, as there.
   */
  getStats (selector: MediaStreamTrack | null = null): Promise<RTCStatsReport> {
    if (selector !== null && !isTrack(selector)) {
      const hint = typeof selector === 'function' ? ' (the legacy getStats(callback) form is not supported: use the promise)' : ''
      return Promise.reject(new TypeError(
        `Failed to execute 'getStats' on 'RTCPeerConnection': parameter 1 is not of type 'MediaStreamTrack'.${hint}`))
    }
    if (selector === null) {
      if (this.#closed) return Promise.resolve(this.#closedReport())
      return this.#nativeStats(null, undefined)
    }
    const senders = this.getSenders().filter(s => s.track === selector)
    const receivers = this.getReceivers().filter(r => r.track === selector)
    if (senders.length + receivers.length !== 1) {
      return Promise.reject(domError('InvalidAccessError', senders.length + receivers.length === 0
        ? 'The track is not sent or received by this connection'
        : 'The track is used by more than one sender or receiver of this connection'))
    }
    return senders.length === 1 ? senders[0]!.getStats() : receivers[0]!.getStats()
  }

  #nativeStats (transceiver: NativeRtpTransceiver | null, which: 'sender' | 'receiver' | undefined): Promise<RTCStatsReport> {
    if (this.#closed) return Promise.resolve(emptyReport())
    let stats: Promise<RTCStats[]>
    try {
      stats = this.#native.getStats(transceiver, which, monotonicOrigin())
    } catch (err) {
      return Promise.reject(fromNative(err))
    }
    return stats.then(statsReport, err => { throw fromNative(err) })
  }

  /**
   * What libwebrtc reports for a closed connection: its peer-connection stats alone, every
   * channel that opened now closed (libwebrtc's Close() ends them all; the native side is gone).
   */
  #closedReport (): RTCStatsReport {
    return statsReport([{
      id: 'P',
      type: 'peer-connection',
      timestamp: performance.timeOrigin + performance.now(),
      dataChannelsOpened: this.#channelsOpened,
      dataChannelsClosed: this.#channelsOpened
    }])
  }

  // ------------------------------------------------------------------ media

  getTransceivers (): RTCRtpTransceiver[] { return [...this.#transceivers] }
  getSenders (): RTCRtpSender[] { return this.#transceivers.filter(t => t.currentDirection !== 'stopped').map(t => t.sender) }
  getReceivers (): RTCRtpReceiver[] { return this.#transceivers.filter(t => t.currentDirection !== 'stopped').map(t => t.receiver) }

  addTrack (track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'addTrack': 1 argument required, but only 0 present.")
    if (!isTrack(track)) throw new TypeError("Failed to execute 'addTrack': parameter 1 is not of type 'MediaStreamTrack'.")
    const ids = this.#streamIds(streams, 'addTrack')
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (this.getSenders().some(s => s.track === track)) {
      throw domError('InvalidAccessError', 'A sender already exists for the track')
    }
    const t = this.#withTransceivers(() => this.#native.addTrack(nativeTrack(track), ids))
    t.sender[INTERNAL](track)
    setSenderStreams(t.sender, streams)
    return t.sender
  }

  removeTrack (sender: RTCRtpSender): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'removeTrack': 1 argument required, but only 0 present.")
    if (!RTCRtpSender[INTERNAL](sender)) throw new TypeError("Failed to execute 'removeTrack': parameter 1 is not of type 'RTCRtpSender'.")
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    const t = this.#transceivers.find(x => x.sender === sender)
    if (t === undefined) throw domError('InvalidAccessError', 'The sender was not created by this connection')
    if (t.currentDirection === 'stopped' || sender.track === null) return
    this.#withTransceivers(() => this.#native.removeTrack(this.#nativeOf(t)))
    sender[INTERNAL](null)
  }

  addTransceiver (trackOrKind: MediaStreamTrack | string, init: RTCRtpTransceiverInit = {}): RTCRtpTransceiver {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'addTransceiver': 1 argument required, but only 0 present.")
    let kind: 'audio' | 'video'
    if (isTrack(trackOrKind)) {
      kind = trackOrKind.kind as 'audio' | 'video'
    } else {
      const k = domString(trackOrKind, 'trackOrKind')
      if (k !== 'audio' && k !== 'video') throw new TypeError(`Failed to execute 'addTransceiver': '${k}' is not a valid media kind.`)
      kind = k
    }
    if (init === null || init === undefined) init = {}
    if (typeof init !== 'object') throw new TypeError("Failed to execute 'addTransceiver': the init is not an object.")
    const native: Record<string, unknown> = {}
    if (init.direction !== undefined) {
      const d = domString(init.direction, 'direction')
      if (!DIRECTIONS.includes(d) || d === 'stopped') throw new TypeError(`'${d}' is not a valid direction for addTransceiver`)
      native.direction = d
    }
    if (init.streams !== undefined) native.streams = this.#streamIds(init.streams, 'addTransceiver')
    if (init.sendEncodings !== undefined) {
      if (!Array.isArray(init.sendEncodings)) throw new TypeError('sendEncodings must be a sequence')
      const encodings = init.sendEncodings.map((e, i) => checkEncoding(e, `sendEncodings[${i}]`))
      const rids = encodings.filter(e => e.rid !== undefined).map(e => e.rid!)
      if (rids.length > 0 && rids.length !== encodings.length) throw new TypeError('Every encoding needs a rid when one has')
      if (new Set(rids).size !== rids.length) throw new TypeError('rids must be unique')
      if (encodings.length > 1 && rids.length === 0) throw new TypeError('Several encodings need rids')
      // Audio sends one encoding (Chromium keeps the first).
      native.sendEncodings = kind === 'audio' ? encodings.slice(0, 1) : encodings
    }
    if (this.#closed) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    const track = isTrack(trackOrKind) ? trackOrKind : null
    const t = this.#withTransceivers(() => this.#native.addTransceiver(track === null ? kind : nativeTrack(track), native))
    if (track !== null) t.sender[INTERNAL](track)
    if (init.streams !== undefined) setSenderStreams(t.sender, init.streams)
    return t
  }

  // ------------------------------------------------------------------ legacy streams (Chromium)

  /** Legacy: adds each track of `stream` (addTrack), and its tracks added or removed later. */
  addStream (stream: MediaStream): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'addStream': 1 argument required, but only 0 present.")
    if (!(stream instanceof MediaStream)) throw new TypeError("Failed to execute 'addStream': parameter 1 is not of type 'MediaStream'.")
    if (this.#closed) throw domError('InvalidStateError', "The RTCPeerConnection's signalingState is 'closed'.")
    this.#legacy.add(stream)
  }

  /** Legacy: removes the senders of the stream's tracks that were added with it. */
  removeStream (stream: MediaStream): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'removeStream': 1 argument required, but only 0 present.")
    if (!(stream instanceof MediaStream)) throw new TypeError("Failed to execute 'removeStream': parameter 1 is not of type 'MediaStream'.")
    if (this.#closed) throw domError('InvalidStateError', "The RTCPeerConnection's signalingState is 'closed'.")
    this.#legacy.remove(stream)
  }

  /** Legacy: the streams of the senders whose direction sends. */
  getLocalStreams (): MediaStream[] { return this.#legacy.local() }
  /** Legacy: the streams of the receivers whose direction receives. */
  getRemoteStreams (): MediaStream[] { return this.#legacy.remote() }

  /** Legacy: the DTMF sender of the audio sender that sends `track`. */
  createDTMFSender (track: MediaStreamTrack): RTCDTMFSender {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'createDTMFSender': 1 argument required, but only 0 present.")
    if (!isTrack(track)) throw new TypeError("Failed to execute 'createDTMFSender': parameter 1 is not of type 'MediaStreamTrack'.")
    if (this.#closed) throw domError('InvalidStateError', "The RTCPeerConnection's signalingState is 'closed'.")
    if (track.kind !== 'audio') throw domError('SyntaxError', "track.kind is not 'audio'.")
    const sender = this.getSenders().find(s => s.track === track)
    if (sender === undefined) throw domError('SyntaxError', 'No RTCRtpSender is available for the track provided.')
    return sender.dtmf!
  }

  #streamIds (streams: unknown[], method: string): string[] {
    if (!Array.isArray(streams)) throw new TypeError(`Failed to execute '${method}': streams must be a sequence`)
    const ids: string[] = []
    for (const s of streams) {
      if (!(s instanceof MediaStream)) throw new TypeError(`Failed to execute '${method}': a stream is not of type 'MediaStream'.`)
      if (!ids.includes(s.id)) ids.push(s.id)
    }
    return ids
  }

  #nativeOf (t: RTCRtpTransceiver): NativeRtpTransceiver {
    return this.#natives.get(t)!
  }

  readonly #natives = new Map<RTCRtpTransceiver, NativeRtpTransceiver>()

  /** Runs a native call that returns the transceivers, applies them, and gives the one it made or used. */
  #withTransceivers (call: () => TransceiverList): RTCRtpTransceiver {
    let list: TransceiverList
    try {
      list = call()
    } catch (err) {
      throw fromNative(err)
    }
    this.#applyTransceivers(list.transceivers)
    const t = this.#transceiverIds.get(list.id)
    if (list.id >= 0 && t === undefined) throw domError('OperationError', 'libwebrtc did not report the transceiver')
    return t!
  }

  #refreshTransceivers (): void {
    if (this.#closed) return
    this.#applyTransceivers(this.#native.transceivers().transceivers)
  }

  #sharedDtls (): RTCDtlsTransport {
    if (this.#dtls === null) this.#dtls = this.#sctp?.transport ?? new RTCDtlsTransport(INTERNAL)
    return this.#dtls
  }

  /**
   * Reconciles our transceivers with libwebrtc's list, then fires webrtc-pc's track events: the
   * removals (muted, removed from their streams) first, then the additions.
   */
  #applyTransceivers (states: TransceiverState[], added: number[] = [], removed: number[] = []): void {
    if (this.#closed) return
    const streamsBefore = this.#legacy.remote()
    const next: RTCRtpTransceiver[] = []
    const seen = new Set<number>()
    for (const s of states) {
      let t = this.#transceiverIds.get(s.id)
      if (t === undefined) {
        if (s.native === undefined || s.track === undefined) continue
        const track = createTrack(s.track, { remote: true, muted: true })
        t = new RTCRtpTransceiver(INTERNAL, s.native, s.kind, track, this.#hooks)
        this.#transceiverIds.set(s.id, t)
        this.#natives.set(t, s.native)
      }
      seen.add(s.id)
      t[INTERNAL](s)
      next.push(t)
    }
    for (const [id, t] of this.#transceiverIds) {
      if (seen.has(id)) continue
      // Gone from libwebrtc: a rollback undid it, or it was stopped and negotiated away.
      t[INTERNAL]('removed')
      this.#setAssociatedStreams(t, [])
      this.#transceiverIds.delete(id)
      this.#natives.delete(t)
      this.#receivedMedia.delete(id)
    }
    this.#transceivers = next
    for (const id of removed) {
      const t = this.#transceiverIds.get(id)
      if (t === undefined) continue
      setTrackMuted(t.receiver.track, true)
      this.#setAssociatedStreams(t, [])
    }
    const trackEvents: Array<[RTCRtpTransceiver, MediaStream[]]> = []
    for (const id of added) {
      const t = this.#transceiverIds.get(id)
      const s = states.find(x => x.id === id)
      if (t === undefined || s === undefined) continue
      const streams = s.streamIds.map(sid => {
        let stream = this.#remoteStreams.get(sid)
        if (stream === undefined) this.#remoteStreams.set(sid, stream = createStream(sid))
        return stream
      })
      this.#setAssociatedStreams(t, streams)
      // Receiving again after negotiation muted it: unmute when packets arrive.
      if (this.#receivedMedia.has(id) && t.receiver.track.muted) {
        unmuteWhenMediaFlows(this.#natives.get(t)!, t.receiver.track, () => this.#closed)
      }
      trackEvents.push([t, streams])
    }
    // Chromium's order: the streams' addtrack/removetrack (above), the legacy addstream and
    // removestream, then track.
    const streamsAfter = this.#legacy.remote()
    for (const s of streamsAfter) {
      if (!streamsBefore.includes(s)) this.dispatchEvent(new MediaStreamEvent('addstream', { stream: s }))
      if (this.#closed) return
    }
    for (const s of streamsBefore) {
      if (!streamsAfter.includes(s)) this.dispatchEvent(new MediaStreamEvent('removestream', { stream: s }))
      if (this.#closed) return
    }
    for (const [t, streams] of trackEvents) {
      this.dispatchEvent(new RTCTrackEvent('track', { receiver: t.receiver, track: t.receiver.track, streams, transceiver: t }))
      if (this.#closed) return
    }
  }

  #setAssociatedStreams (t: RTCRtpTransceiver, streams: MediaStream[]): void {
    const before = this.#associatedStreams.get(t) ?? []
    const track = t.receiver.track
    for (const s of before) if (!streams.includes(s)) removeRemoteTrack(s, track)
    for (const s of streams) if (!before.includes(s)) addRemoteTrack(s, track)
    if (streams.length === 0) this.#associatedStreams.delete(t)
    else this.#associatedStreams.set(t, streams)
  }

  // ------------------------------------------------------------------ internals

  #maxMessageSize (): number { return this.#sctp?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE }

  #adoptChannel (native: NativeDataChannel, local = false): RTCDataChannel {
    const ch = new RTCDataChannel(INTERNAL, native, {
      maxMessageSize: () => this.#maxMessageSize(),
      channelClosed: c => { this.#channels.delete(c) },
      channelOpened: () => { this.#channelsOpened++ }
    }, local)
    this.#channels.add(ch)
    return ch
  }

  // Runs one operation: rejects at once when closed; after close() its promise never settles
  // (webrtc-pc: "if connection.[[IsClosed]] is true, abort these steps").
  #op<T, R> (start: () => Promise<T>, done: (value: T) => R): Promise<R> {
    if (this.#closed) return Promise.reject(domError('InvalidStateError', 'The RTCPeerConnection is closed'))
    let native: Promise<T>
    try {
      native = start()
    } catch (err) {
      return Promise.reject(fromNative(err))
    }
    this.#lastOp = native
    this.#pendingOps++
    return new Promise<R>((resolve, reject) => {
      native.then(value => {
        this.#opSettled()
        if (this.#closed) return
        try { resolve(done(value)) } catch (err) { reject(err) }
      }, err => {
        this.#opSettled()
        if (!this.#closed) reject(fromNative(err))
      })
    })
  }

  #opSettled (): void {
    if (--this.#pendingOps === 0 && this.#deferredNegotiation !== null) this.#fireDeferredNegotiation()
  }

  // webrtc-pc fires negotiationneeded only in 'stable' with an empty operations chain, in a later task.
  #fireDeferredNegotiation (): void {
    setImmediate(() => {
      const id = this.#deferredNegotiation
      if (id === null || this.#closed || this.#signalingState !== 'stable' || this.#pendingOps > 0) return
      this.#deferredNegotiation = null
      this.#negotiationNeeded(id)
    })
  }

  // libwebrtc has the last word (the event may be stale: a newer one, or an operation queued
  // there); asking is a hop to its signaling thread, which the JS thread does not wait for.
  #negotiationNeeded (id: number): void {
    this.#native.shouldFireNegotiationNeeded(id).then(fire => {
      if (!fire || this.#closed) return
      // An operation started here while libwebrtc was asked: wait for stable again.
      if (this.#signalingState !== 'stable' || this.#pendingOps > 0) {
        this.#deferredNegotiation = id
        return
      }
      this.dispatchEvent(new Event('negotiationneeded'))
    }, () => {})
  }

  #applySnapshot (s: SignalingSnapshot | null): void {
    if (s === null || this.#closed || s.seq <= this.#snapshotSeq) return
    this.#snapshotSeq = s.seq
    this.#snapshot = s
    this.#applyDescriptions()
    if (this.localDescription !== null) this.#appliedLocal = true
    if (s.canTrickleIceCandidates !== null) this.#canTrickle = s.canTrickleIceCandidates
    if (s.hasSctp && this.#sctp === null) this.#sctp = new RTCSctpTransport(INTERNAL, this.#sharedDtls())
    const remote = this.remoteDescription
    if (this.#sctp !== null && remote !== null) this.#sctp[INTERNAL]({ remoteMaxMessageSize: remoteMaxMessageSize(remote.sdp) })
    // SCTP stream ids are known once the DTLS role is: libwebrtc gives them when an answer or
    // pranswer is applied (a channel made once the role is known has its id at once). Reading one is
    // a blocking call to the signaling thread, which waits there behind the operation in progress:
    // not in the offer states, where no id can have been given (most snapshots of a negotiation).
    if (s.signalingState !== 'have-local-offer' && s.signalingState !== 'have-remote-offer') {
      for (const ch of this.#channels) ch[INTERNAL]('refresh-id')
    }
    this.#setSignalingState(s.signalingState as RTCSignalingState)
  }

  /** Description attributes from the last snapshot, with the end-of-candidates lines we know of. */
  #applyDescriptions (): void {
    const s = this.#snapshot
    if (s === null) return
    const update = (current: RTCSessionDescription | null, next: DescriptionInit | null, marks: EndOfCandidates): RTCSessionDescription | null => {
      if (next === null) return null
      const identity = marks === this.#localEnd ? this.#localIdentity : this.#remoteIdentity
      const sdp = withIdentity(withEndOfCandidates(next.sdp, marks), identity)
      return current !== null && current.type === next.type && current.sdp === sdp
        ? current
        : new RTCSessionDescription({ type: next.type as RTCSdpType, sdp })
    }
    this.#currentLocal = update(this.#currentLocal, s.currentLocalDescription, this.#localEnd)
    this.#pendingLocal = update(this.#pendingLocal, s.pendingLocalDescription, this.#localEnd)
    // The offer as it was set, not as #sendAnswerCodecs applied it again.
    const shown = (d: DescriptionInit | null): DescriptionInit | null =>
      d !== null && this.#reorderedOffer !== null && d.sdp === this.#reorderedOffer.applied ? { type: d.type, sdp: this.#reorderedOffer.shown } : d
    this.#currentRemote = update(this.#currentRemote, shown(s.currentRemoteDescription), this.#remoteEnd)
    this.#pendingRemote = update(this.#pendingRemote, shown(s.pendingRemoteDescription), this.#remoteEnd)
  }

  #setSignalingState (state: RTCSignalingState): void {
    if (state === this.#signalingState || state === 'closed') return
    this.#signalingState = state
    this.dispatchEvent(new Event('signalingstatechange'))
    if (state === 'stable' && this.#deferredNegotiation !== null) this.#fireDeferredNegotiation()
  }

  #onNative (event: PeerConnectionEvent): void {
    if (this.#closed) return
    switch (event[0]) {
      case 'signalingstatechange':
        this.#applySnapshot(event[1])
        return
      case 'icegatheringstatechange': {
        this.#applySnapshot(event[2])
        const state = event[1] as RTCIceGatheringState
        if (state === this.#iceGatheringState) return
        if (state === 'complete') {
          const local = this.#rawLocalSdp()
          if (local !== null) {
            markEndOfCandidates(this.#localEnd, local)
            this.#applyDescriptions()
          }
          // The transport's end-of-candidates first (an empty candidate), then the state, then null.
          const mid = /^a=mid:(\S+)/m.exec(this.localDescription?.sdp ?? '')?.[1] ?? null
          this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', {
            candidate: new RTCIceCandidate({ candidate: '', sdpMid: mid, sdpMLineIndex: 0 }), url: null
          }))
          if (this.#closed) return
        }
        this.#iceGatheringState = state
        this.dispatchEvent(new Event('icegatheringstatechange'))
        if (state === 'complete' && !this.#closed) {
          this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate: null }))
        }
        return
      }
      case 'iceconnectionstatechange': {
        const state = event[1] as RTCIceConnectionState
        if (state === this.#iceConnectionState || state === 'closed') return
        this.#iceConnectionState = state
        this.#dtls?.iceTransport[INTERNAL]({ state })
        this.dispatchEvent(new Event('iceconnectionstatechange'))
        return
      }
      case 'connectionstatechange': {
        const state = event[1] as RTCPeerConnectionState
        if (state === this.#connectionState || state === 'closed') return
        this.#connectionState = state
        this.dispatchEvent(new Event('connectionstatechange'))
        this.updateRetention()
        return
      }
      case 'negotiationneeded':
        // libwebrtc may already be stable while the operation that got it there has not resolved
        // here yet: the event waits until this connection is stable too (webrtc-pc fires it only then).
        if (this.#signalingState !== 'stable' || this.#pendingOps > 0) {
          this.#deferredNegotiation = event[1]
          return
        }
        this.#negotiationNeeded(event[1])
        return
      case 'icecandidate': {
        this.#applySnapshot(event[2])
        const c = event[1]
        const candidate = new RTCIceCandidate({
          candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment
        })
        this.dispatchEvent(new RTCPeerConnectionIceEvent('icecandidate', { candidate, url: null }))
        return
      }
      case 'icecandidateerror': {
        const e = event[1]
        this.dispatchEvent(new RTCPeerConnectionIceErrorEvent('icecandidateerror', {
          address: e.address === '' ? null : e.address,
          port: e.port === 0 ? null : e.port,
          url: e.url,
          errorCode: e.errorCode,
          errorText: e.errorText
        }))
        return
      }
      case 'datachannel': {
        const channel = this.#adoptChannel(event[1])
        this.dispatchEvent(new RTCDataChannelEvent('datachannel', { channel }))
        return
      }
      case 'transceivers':
        this.#applyTransceivers(event[1], event[2], event[3])
        return
      case 'dtmftoneend': {
        const t = this.#transceiverIds.get(event[1])
        if (t !== undefined) dtmfToneEnded(t.sender)
        return
      }
      case 'unmute': {
        const t = this.#transceiverIds.get(event[1])
        this.#receivedMedia.add(event[1])
        if (t !== undefined) setTrackMuted(t.receiver.track, false)
        return
      }
      case 'transport': {
        // One DTLS transport under BUNDLE: data channels' (sctp.transport) and media's.
        if (event[1] === 'sctp') {
          if (this.#sctp === null) this.#sctp = new RTCSctpTransport(INTERNAL, this.#sharedDtls())
          this.#sctp[INTERNAL](event[2])
        } else if (event[1] === 'dtls') {
          this.#sharedDtls()[INTERNAL](event[2])
        } else {
          this.#sharedDtls().iceTransport[INTERNAL](event[2])
        }
      }
    }
  }
}
rejectInsteadOfThrow(RTCPeerConnection.prototype,
  ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription', 'addIceCandidate', 'getIdentityAssertion'])
defineEventHandlers(RTCPeerConnection.prototype, [
  'negotiationneeded', 'icecandidate', 'icecandidateerror', 'signalingstatechange',
  'iceconnectionstatechange', 'icegatheringstatechange', 'connectionstatechange', 'datachannel', 'track',
  'peeridentity', 'identityresult', 'idpassertionerror', 'idpvalidationerror',
  'addstream', 'removestream'
])

export interface RTCPeerConnection {
  addEventListener<K extends keyof RTCPeerConnectionEventMap>(type: K,
    listener: (this: RTCPeerConnection, ev: RTCPeerConnectionEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void
  removeEventListener<K extends keyof RTCPeerConnectionEventMap>(type: K,
    listener: (this: RTCPeerConnection, ev: RTCPeerConnectionEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void
}
