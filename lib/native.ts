// Loads the addon (prebuilds/ first, then build/Release, via node-gyp-build) and types its raw
// surface. Nothing outside lib/ sees these types.
import * as path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import type { RTCStats } from './RTCStatsReport'

export interface DescriptionInit { type: string, sdp: string }

export interface SignalingSnapshot {
  signalingState: string
  currentLocalDescription: DescriptionInit | null
  pendingLocalDescription: DescriptionInit | null
  currentRemoteDescription: DescriptionInit | null
  pendingRemoteDescription: DescriptionInit | null
  canTrickleIceCandidates: boolean | null
  hasSctp: boolean
  /** Order in which the signaling thread took the snapshots: an older one must not win. */
  seq: number
}

export interface NativeCandidate {
  candidate: string
  sdpMid: string
  sdpMLineIndex: number
  usernameFragment: string
}

export interface NativeCandidateError {
  address: string
  port: number
  url: string
  errorCode: number
  errorText: string
}

export interface SctpSnapshot { state: string, maxMessageSize: number | null, maxChannels: number | null }
export interface DtlsSnapshot { state: string, remoteCertificates: ArrayBuffer[] }
export interface IceSnapshot {
  role: string
  state: string
  gatheringState: string
  component: string
  sdpMid: string
  selectedCandidatePair: { local: string, remote: string } | null
}

/** Errors thrown or rejected by the addon: libwebrtc's error type name and details. */
export interface NativeError extends Error {
  nativeType: string
  errorDetail?: string
  sctpCauseCode?: number
}

export type PeerConnectionEvent =
  | ['signalingstatechange', SignalingSnapshot]
  | ['icegatheringstatechange', string, SignalingSnapshot | null]
  | ['iceconnectionstatechange', string]
  | ['connectionstatechange', string]
  | ['negotiationneeded', number]
  | ['icecandidate', NativeCandidate, SignalingSnapshot | null]
  | ['icecandidateerror', NativeCandidateError]
  | ['datachannel', NativeDataChannel]
  | ['transport', 'sctp', SctpSnapshot]
  | ['transport', 'dtls', DtlsSnapshot]
  | ['transport', 'ice', IceSnapshot]
  | ['transceivers', TransceiverState[], number[], number[]]
  | ['unmute', number]
  | ['dtmftoneend', number]

export interface NativeConfiguration {
  iceServers: Array<{ urls: string[], username: string, credential: string }>
  iceTransportPolicy: string
  bundlePolicy: string
  rtcpMuxPolicy: string
  iceCandidatePoolSize: number
  certificates?: NativeCertificate[]
  network?: {
    loopback: 'auto' | 'include' | 'exclude'
    interfaces: string[]
    excludeInterfaces: string[]
    minPort?: number
    maxPort?: number
  }
  forwardEncodedVideo?: boolean
}

export interface NativePeerConnection {
  createOffer(options: object): Promise<DescriptionInit>
  createAnswer(): Promise<DescriptionInit>
  setLocalDescription(type?: string, sdp?: string): Promise<SignalingSnapshot>
  setRemoteDescription(type: string, sdp: string): Promise<SignalingSnapshot>
  addIceCandidate(candidate: string, sdpMid: string | null, sdpMLineIndex: number | null,
    usernameFragment: string | null): Promise<SignalingSnapshot>
  createDataChannel(label: string, init: object): NativeDataChannel
  setConfiguration(configuration: NativeConfiguration): void
  shouldFireNegotiationNeeded(eventId: number): Promise<boolean>
  restartIce(): void
  close(): void
  addTrack(track: NativeMediaStreamTrack, streamIds: string[]): TransceiverList
  addTransceiver(trackOrKind: NativeMediaStreamTrack | string, init: object): TransceiverList
  removeTrack(transceiver: NativeRtpTransceiver): TransceiverList
  transceivers(): TransceiverList
  /**
   * The whole report (transceiver null) or the stats selection of the transceiver's sender or
   * receiver; times are `timeOrigin`-based ms (timeOrigin: performance.timeOrigin-based ms at
   * monotonic time 0, see lib/RTCStatsReport.ts).
   */
  getStats(transceiver: NativeRtpTransceiver | null, which: 'sender' | 'receiver' | undefined,
    timeOrigin: number): Promise<RTCStats[]>
}

/** One transceiver as libwebrtc has it; `native` and `track` come the first time an id is seen. */
export interface TransceiverState {
  id: number
  kind: 'audio' | 'video'
  mid: string | null
  direction: string
  currentDirection: string | null
  stopped: boolean
  stopping: boolean
  /** The remote msids of the receiver. */
  streamIds: string[]
  native?: NativeRtpTransceiver
  track?: NativeMediaStreamTrack
}

/** All transceivers, and the id of the one an operation made or used (-1 if none). */
export interface TransceiverList { id: number, transceivers: TransceiverState[] }

export interface NativeRtpCodec {
  payloadType?: number
  mimeType: string
  clockRate?: number
  channels?: number
  sdpFmtpLine?: string
}

export interface NativeRtpParameters {
  codecs: NativeRtpCodec[]
  headerExtensions: Array<{ uri: string, id: number, encrypted: boolean }>
  rtcp: { cname?: string, reducedSize: boolean }
  encodings: Array<Record<string, unknown>>
  degradationPreference?: string
}

export interface NativeRtpSource { source: number, rtpTimestamp: number, ageMs: number, audioLevel?: number }

export interface NativeRtpCapabilities {
  codecs: NativeRtpCodec[]
  headerExtensions: Array<{ uri: string }>
}

export interface NativeRtpTransceiver {
  setDirection(direction: string): void
  stop(): void
  setCodecPreferences(codecs: NativeRtpCodec[]): void
  replaceTrack(track: NativeMediaStreamTrack | null): boolean
  setStreams(ids: string[]): void
  senderStreamIds(): string[]
  senderParameters(): NativeRtpParameters
  setSenderParameters(parameters: object): void
  receiverParameters(): NativeRtpParameters
  sources(kind: 'ssrc' | 'csrc'): NativeRtpSource[]
  /** While on, the receiver's audio is decoded with no consumer (its sources then move). */
  watchAudio(on: boolean): void
  setJitterBufferTarget(ms: number | null): void
  /** libwebrtc's DtmfSender: CanInsertDtmf() (telephone-event negotiated and sending). */
  canInsertDtmf(): boolean
  /** One tone or ',' (JS checked and clamped it); its end comes as the connection's 'dtmftoneend'. */
  insertDtmf(tone: string, duration: number, interToneGap: number): boolean
  /** The connection closed: frees the libwebrtc side now (every other call then throws). */
  release(): void
}

export interface DataChannelInfo {
  label: string
  ordered: boolean
  maxPacketLifeTime: number | null
  maxRetransmits: number | null
  protocol: string
  negotiated: boolean
  id: number | null
  priority: string
  readyState: string
}

export type DataChannelEvent =
  | ['state', string, number]
  /** A batch of messages, in order, after `viaImmediate` and `resume`. The handler dispatches them
   * one per task and calls `resume` once after the last (from a setImmediate if `viaImmediate`),
   * and returns true: the dispatcher runs nothing in between (src-native/bridge/dispatcher.h,
   * lib/message_batch.ts). */
  | ['messages', boolean, () => void, ...Array<string | ArrayBuffer>]
  | ['sent', number]
  | ['error', NativeError]

export interface NativeDataChannel {
  info(): DataChannelInfo | null
  /** The SCTP stream id, -1 while unassigned. */
  id(): number
  /** The id as of the last description applied, without a blocking call; -1 if none yet. */
  knownId(): number
  setEventHandler(handler: ((...event: DataChannelEvent) => boolean | undefined) | null): void
  send(data: string | ArrayBuffer | ArrayBufferView): void
  close(): void
  /** The channel is closed: frees the native side now (info() is null and id() -1 afterwards). */
  release(): void
}

/** Settings of a synthetic source (empty for other tracks). */
export interface NativeTrackSettings {
  width?: number
  height?: number
  frameRate?: number
  sampleRate?: number
  channelCount?: number
  sampleSize?: number
  frequency?: number
}

/** The native half of a MediaStreamTrack (src-native/wrap/media_stream_track.h). */
export interface NativeMediaStreamTrack {
  readonly kind: 'audio' | 'video'
  readonly id: string
  setEnabled(enabled: boolean): void
  /** Ends the track natively: a synthetic source stops once no live track uses it. */
  stop(): void
  /** A new track on the same source, with a new id. */
  clone(): NativeMediaStreamTrack
  settings(): NativeTrackSettings
  /** Synthetic sources: the members given replace the source's settings. */
  applyConstraints(settings: NativeTrackSettings): void
  setContentHint(hint: string): void
}

export interface NativeVideoFrame {
  width: number
  height: number
  /** I420: the Y plane, then U, then V, without padding. */
  data: Uint8ClampedArray
  rotation: number
  /** Capture time, microseconds (libwebrtc's clock). */
  timestamp: number
}

export interface NativeAudioData {
  samples: Int16Array
  sampleRate: number
  bitsPerSample: 16
  channelCount: number
  numberOfFrames: number
}

export type TrackSinkEvent = ['frame', NativeVideoFrame] | ['data', NativeAudioData]

/** A sink on a track's media (src-native/wrap/track_sinks.h). */
export interface NativeTrackSink {
  stop(): void
}

/** Items of a NativeTrackReader (wrap/track_reader.h); `data` is memory lent by the addon (detach it to give it back). */
export interface NativeVideoItem {
  data: ArrayBuffer, offsets: number[], strides: number[], codedWidth: number, codedHeight: number, timestamp: number, rotation: number
}
export interface NativeAudioItem {
  data: ArrayBuffer, sampleRate: number, numberOfChannels: number, numberOfFrames: number, timestamp: number
}
export type NativeTrackReaderItem = NativeVideoItem | NativeAudioItem

/** The queue of a MediaStreamTrackProcessor (src-native/wrap/track_reader.h). */
export interface NativeTrackReader {
  read(): NativeTrackReaderItem | undefined
  dropped(): number
  stop(): void
}

/** A source fed from JS (src-native/wrap/track_sources.h); arguments are checked in lib/track_sources.ts. */
export interface NativeVideoSource {
  createTrack(): NativeMediaStreamTrack
  /** false once the source has been released (shutdown). */
  onFrame(width: number, height: number, format: string, data: ArrayBufferView, rotation: number,
    timestamp: number | undefined): boolean
}

export interface NativeAudioSource {
  createTrack(): NativeMediaStreamTrack
  onData(samples: Int16Array, sampleRate: number, channelCount: number, numberOfFrames: number,
    timestamp: number | undefined): boolean
}

/** What an encoded frame carries (src-native/wrap/encoded_streams.cc FrameInfo). */
export interface NativeEncodedFrameInfo {
  kind: 'audio' | 'video'
  direction: 'sender' | 'receiver'
  ssrc: number
  payloadType: number
  rtpTimestamp: number
  size: number
  type?: 'empty' | 'key' | 'delta'
  width?: number
  height?: number
  frameId?: number
  dependencies?: number[]
  spatialIndex?: number
  temporalIndex?: number
  /** Sent video: the simulcast layer (index in the sender's encodings), -1 when not known. */
  layer?: number
  sequenceNumber?: number
  contributingSources?: number[]
}

/** This thread's end of an encoded-frame bridge (src-native/wrap/encoded_streams.h). */
export interface NativeEncodedStreams {
  close(): void
}

export interface NativeEncodedStreamsClass {
  new (bridgeId: number, onFrames: (frames: unknown[]) => void): NativeEncodedStreams
  createBridge(): number
  releaseBridge(id: number): void
  bridgeInfo(id: number): { kind: 'audio' | 'video', side: 'sender' | 'receiver' } | null
  install(transceiver: NativeRtpTransceiver, side: 'sender' | 'receiver', id: number): void
  passThrough(id: number): void
  requestKeyFrame(id: number): boolean
  /** A video sender's transformer: the layer asked for (-1: every layer), or why not. */
  generateKeyFrame(id: number, rid?: string): number | 'not-sending' | 'unknown-rid'
  offer(threadId: number, id: number, options: Uint8Array): void
  frameData(frame: unknown): ArrayBuffer
  setFrameData(frame: unknown, data: Uint8Array): void
  frameInfo(frame: unknown): NativeEncodedFrameInfo
  returnFrame(frame: unknown): boolean
}

export interface NativeTransformListener {
  close(): void
  keepAlive(on: boolean): void
}

/** rtc::RTCCertificate (src-native/wrap/certificate.h). */
export interface NativeCertificate {
  expires(): number
  fingerprints(): Array<{ algorithm: string, value: string }>
  toPEM(): { privateKey: string, certificate: string }
}

interface Binding {
  EncodedStreams: NativeEncodedStreamsClass
  TransformListener: new (threadId: number, onOffer: (bridgeId: number, options: Uint8Array) => void) => NativeTransformListener
  Certificate: {
    generate(request: { type: 'ecdsa' } | { type: 'rsa', modulusLength: number, publicExponent: number },
      expiresMs: number | undefined): Promise<NativeCertificate>
    /** Throws OperationError when libwebrtc cannot read them. */
    fromPEM(privateKey: string, certificate: string): NativeCertificate
  }
  MediaStreamTrack: abstract new (...args: never[]) => NativeMediaStreamTrack
  VideoSource: new (isScreencast: boolean, needsDenoising: boolean | undefined) => NativeVideoSource
  AudioSource: new () => NativeAudioSource
  /** I420 (no padding) to RGBA bytes and back, width x height; libyuv, BT.601 limited range. */
  i420ToRgba(i420: ArrayBufferView, rgba: ArrayBufferView, width: number, height: number): void
  rgbaToI420(rgba: ArrayBufferView, i420: ArrayBufferView, width: number, height: number): void
  TrackReader: new (track: NativeMediaStreamTrack, maxBufferSize: number, onReady: () => void) => NativeTrackReader
  /** VideoFrame.copyTo's conversion to RGBA/RGBX/BGRA/BGRX (src-native/wrap/frame_convert.h). */
  convertFrame(src: ArrayBuffer, srcFormat: string, offsets: number[], strides: number[], width: number, height: number,
    dst: ArrayBufferView, dstOffset: number, dstStride: number, dstFormat: string): void
  /** Detaches an ArrayBuffer (a lent one is then given back to the addon). */
  detachArrayBuffer(buffer: ArrayBuffer): void
  /** A pooled packed I420 buffer lent to JS (a VideoFrame's memory); undefined when none is free. */
  i420Memory(width: number, height: number): ArrayBuffer | undefined
  TrackSink: new (track: NativeMediaStreamTrack, onEvent: (...event: TrackSinkEvent) => void) => NativeTrackSink
  createSyntheticVideoTrack(options: { width?: number, height?: number, frameRate?: number }): NativeMediaStreamTrack
  createSyntheticAudioTrack(options: { sampleRate?: number, channelCount?: number, frequency?: number }): NativeMediaStreamTrack
  PeerConnection: new (configuration: NativeConfiguration,
    onEvent: (...event: PeerConnectionEvent) => void) => NativePeerConnection
  /** processExiting: the process is ending, closes may be cut short (runtime.cc). */
  shutdown(processExiting?: boolean): void
  versions(): { libwebrtc: string, napi: number }
  liveObjects(): LiveObjects
  relayCounters(): RelayCounters
  /** Tests: "" when libwebrtc's waits inside a post batch end (src-native/runtime/post_batch_check.h). */
  checkPostBatchWaits(): string
  /** Tests: "" when the SCTP checksum's fast path agrees with a bytewise table (src-native/shims/crc32c_hw.h). */
  checkCrc32c(): string
  rtpCapabilities(kind: string, which: 'sender' | 'receiver'): NativeRtpCapabilities | null
  setLogSink(level: string, sink: ((severity: 'verbose' | 'info' | 'warning' | 'error' | 'none', line: string) => void) | null): void
  /**
   * Tests only: encodes 30 synthetic 320x240 frames with our encoder factory, decodes them with
   * our decoder factory (all but the key frame with skipKeyFrame).
   */
  codecRoundTrip(codec: string, skipKeyFrame?: boolean): CodecRoundTrip
}

/** What codecRoundTrip() saw; `error` is set when a step failed. minPsnr: luma dB, worst frame. */
export interface CodecRoundTrip {
  error?: string, format: string, encoder: string, decoder: string, framesEncoded: number,
  keyFrames: number, framesDecoded: number, decodeErrors: number, width: number, height: number,
  minPsnr: number
}

/**
 * Native objects of this environment that still hold libwebrtc resources, and libwebrtc
 * connections of the whole process not yet destroyed (they go on the signaling thread after close()).
 */
export interface LiveObjects {
  peerConnections: number
  dataChannels: number
  /** Native tracks not yet released (a stopped track is released by GC or shutdown). */
  mediaStreamTracks: number
  /** Native transceivers (sender and receiver with them) not yet released: close() or GC. */
  rtpTransceivers: number
  /** Non-standard RTCVideoSource / RTCAudioSource not yet released (GC or shutdown). */
  trackSources: number
  /** RTCVideoSink / RTCAudioSink and MediaStreamTrackProcessor queues not yet released. */
  trackSinks: number
  /** Process-wide: frames and samples lent to VideoFrame/AudioData objects not yet given back. */
  lentMediaBuffers: number
  /** RTCCertificate objects not yet garbage-collected. */
  certificates: number
  libwebrtcPeerConnections: number
  longTimers: number
  /** Process-wide: relay sources of remote video tracks sent on with forwarding. */
  relaySources: number
  /** Process-wide: relay sources of remote audio tracks sent on with forwarding (Opus passed through). */
  relayAudioSources: number
  /** Process-wide: forwarding routes of audio senders (one per sender that sent a relayed track, until the sender goes). */
  audioForwardRoutes: number
  /** Process-wide: decode gates of remote video tracks (one per track, until released). */
  decodeGates: number
  /** Process-wide: watchers of a simulcast publisher's layers (receiveSimulcast; one per receiving video transceiver whose answer accepted simulcast, until it stops or its track ends). */
  simulcastLayers: number
  /** Process-wide: decode demands of remote audio tracks (one per wrapped or read track's source). */
  audioDemands: number
  /** Process-wide: senders and receivers whose frame transformer slot is held (ours or an
   * application's transform), until libwebrtc drops the transformer. */
  transformerSlots: number
}

/** Process-wide counts of the relay's video encoders (nonstandard.relayCounters()). */
export interface RelayCounters {
  /** Pictures sent on unchanged (no decode, no encode). */
  forwardedFrames: number
  /** Pictures encoded by a real encoder, by any sender of the process (publishers too). */
  encodedFrames: number
  /** Of those, relayed pictures that could not be forwarded (codec mismatch, scaling, forwarding off is not counted here). */
  transcodedFrames: number
  /** Relayed pictures dropped while a sender waited for a keyframe. */
  droppedFrames: number
  /** Of forwardedFrames, pictures a sender had skipped (its encoder queue was late by more than a frame) and sent before the next one, instead of waiting for a keyframe. */
  recoveredFrames: number
  /** Switches of senders from one simulcast layer of a relayed publisher to another (receiveSimulcast; each at the new layer's keyframe). */
  layerSwitches: number
  /** Pictures of simulcast layers the relay's sources took (every layer of every relayed publisher received with receiveSimulcast). */
  layerPictures: number
  /** Keyframe requests sent to publishers (coalesced: at most one per 300 ms per track). */
  keyFrameRequests: number
  /** Pictures the relay's sources emitted (once per picture of a relayed track, whatever the number of its senders). */
  relayedPictures: number
  /** Times a relay source subscribed again to its publisher's encoded pictures: the publisher's stream is unsignaled (no SSRC in its SDP, as with rid-based simulcast offers) and libwebrtc made its receive stream anew. */
  resubscribes: number
  /** RTP packets the relay forwarded beside libwebrtc's send path, each counted once per subscriber (docs/nonstandard.md, RTP forwarding). */
  rtpForwardedPackets: number
  /** Of those, packets sent again to answer a subscriber's NACK. */
  rtpResentPackets: number
  /** Senders whose packets the relay forwards by RTP now. */
  rtpForwardingSenders: number
  /** Opus packets of publishers sent on unchanged by relaying audio senders (no decode, no encode). */
  forwardedAudioPackets: number
  /** Remote video pictures decoded (any track of the process). */
  decodedFrames: number
  /** Remote video pictures not decoded: their track had no consumer of pictures (no sink, processor or transcoding sender). */
  undecodedFrames: number
}

function load (): Binding {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) {
    throw new Error(`node-libwebrtc: no binary for ${process.platform}-${process.arch}; ` +
      'this version supports linux-x64 and linux-arm64 (glibc >= 2.35) only')
  }
  const override = process.env.NODE_LIBWEBRTC_BINARY
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (override) return require(path.resolve(override)) as Binding
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node-gyp-build')(path.join(__dirname, '..')) as Binding
  } catch (err) {
    const e = new Error('node-libwebrtc: the native addon could not be loaded. Reinstall the package ' +
      'so its prebuilt binary is used, or build it from source: apt-get install -y libtgowt-dev cmake ' +
      `g++ && npm run build:native (cause: ${(err as Error).message})`)
    ;(e as Error & { cause: unknown }).cause = err
    throw e
  }
}

export const binding: Binding = load()

// process.exit() skips Node's environment cleanup hooks: stop libwebrtc's threads from the 'exit'
// event, before libc runs atexit handlers that would race them. In a Worker the environment
// ends, not the process: its cleanup hook does a full shutdown.
process.once('exit', () => { binding.shutdown(isMainThread) })
