import { domError, fromNative } from './errors'
import { INTERNAL, illegalConstructor } from './internal'
import { endTrack, type MediaStreamTrack } from './MediaStreamTrack'
import type { NativeRtpTransceiver, TransceiverState } from './native'
import type { RTCDtlsTransport } from './RTCDtlsTransport'
import { RTCRtpReceiver } from './RTCRtpReceiver'
import { RTCRtpSender } from './RTCRtpSender'
import type { RTCStatsReport } from './RTCStatsReport'
import { capabilities, codecsMatch, type RTCRtpCodec } from './rtp_capabilities'
import { domString } from './webidl'
import { redTwice, listsRedAfterPrimary } from './red_twice'

export type RTCRtpTransceiverDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped'
export const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive', 'stopped']

/** What a transceiver, its sender and receiver need from their connection. */
export interface TransceiverHost {
  closed(): boolean
  /** connectionState is 'connected'. */
  connected(): boolean
  stopping(): boolean
  currentDirection(): RTCRtpTransceiverDirection | null
  native(): NativeRtpTransceiver
  transport(): RTCDtlsTransport | null
  /** Re-read every transceiver's state from libwebrtc (after a change made here). */
  refresh(): void
  /** Runs `op` in the connection's operations chain. */
  chain(op: () => void): Promise<void>
  /** getStats() of the sender or the receiver (webrtc-pc's stats selection algorithm). */
  stats(which: 'sender' | 'receiver'): Promise<RTCStatsReport>
}

/** The connection's side of a transceiver (RTCPeerConnection keeps one per transceiver). */
export interface ConnectionHooks {
  closed(): boolean
  connected(): boolean
  transport(mid: string | null): RTCDtlsTransport | null
  refresh(): void
  chain(op: () => void): Promise<void>
  stats(native: NativeRtpTransceiver, which: 'sender' | 'receiver'): Promise<RTCStatsReport>
}

// RTX, RED and FEC alone cannot carry media (webrtc-pc setCodecPreferences).
const NON_MEDIA = ['rtx', 'red', 'ulpfec', 'flexfec-03']

export class RTCRtpTransceiver {
  readonly #native: NativeRtpTransceiver
  readonly #kind: 'audio' | 'video'
  readonly #sender: RTCRtpSender
  readonly #receiver: RTCRtpReceiver
  readonly #hooks: ConnectionHooks
  #mid: string | null = null
  #direction: RTCRtpTransceiverDirection = 'sendrecv'
  #currentDirection: RTCRtpTransceiverDirection | null = null
  #stopping = false
  #stopped = false

  /** @internal */
  constructor (token: unknown, native: NativeRtpTransceiver, kind: 'audio' | 'video', track: MediaStreamTrack,
    hooks: ConnectionHooks, senderTrack: MediaStreamTrack | null = null) {
    illegalConstructor(token)
    this.#native = native
    this.#kind = kind
    this.#hooks = hooks
    const host: TransceiverHost = {
      closed: () => hooks.closed(),
      connected: () => hooks.connected(),
      stopping: () => this.#stopping || this.#stopped,
      currentDirection: () => this.currentDirection,
      native: () => this.#native,
      transport: () => hooks.transport(this.#mid),
      refresh: () => { hooks.refresh() },
      chain: op => hooks.chain(op),
      stats: which => hooks.stats(this.#native, which)
    }
    this.#sender = new RTCRtpSender(INTERNAL, host, kind, senderTrack)
    this.#receiver = new RTCRtpReceiver(INTERNAL, host, track)
  }

  get mid (): string | null { return this.#mid }
  get sender (): RTCRtpSender { return this.#sender }
  get receiver (): RTCRtpReceiver { return this.#receiver }
  get currentDirection (): RTCRtpTransceiverDirection | null { return this.#stopped ? 'stopped' : this.#currentDirection }
  get direction (): RTCRtpTransceiverDirection { return this.#stopping || this.#stopped ? 'stopped' : this.#direction }
  set direction (value: RTCRtpTransceiverDirection) {
    const d = domString(value, 'direction')
    if (!DIRECTIONS.includes(d)) throw new TypeError(`'${d}' is not a valid enum value of type RTCRtpTransceiverDirection.`)
    if (this.#hooks.closed()) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (this.#stopping || this.#stopped) throw domError('InvalidStateError', 'The transceiver is stopped')
    if (d === 'stopped') throw new TypeError("direction cannot be set to 'stopped': use stop()")
    if (d === this.#direction) return
    try {
      this.#native.setDirection(d)
    } catch (err) {
      throw fromNative(err)
    }
    this.#direction = d as RTCRtpTransceiverDirection
  }

  stop (): void {
    if (this.#hooks.closed()) throw domError('InvalidStateError', 'The RTCPeerConnection is closed')
    if (this.#stopping || this.#stopped) return
    try {
      this.#native.stop()
    } catch (err) {
      throw fromNative(err)
    }
    this.#stopping = true
    this.#hooks.refresh()
    // webrtc-pc: stopping ends the receiver's track at once.
    this[INTERNAL]('end-track')
  }

  setCodecPreferences (codecs: RTCRtpCodec[]): void {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'setCodecPreferences': 1 argument required")
    if (codecs === null || typeof codecs !== 'object' || typeof (codecs as unknown as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError("Failed to execute 'setCodecPreferences': the argument is not a sequence")
    }
    const list = [...codecs]
    if (list.length > 0) {
      const known = capabilities(this.#kind, 'receiver')?.codecs ?? []
      for (const c of list) {
        if (c === null || typeof c !== 'object' || typeof c.mimeType !== 'string' || typeof c.clockRate !== 'number') {
          throw new TypeError('RTCRtpCodec needs mimeType and clockRate')
        }
        if (!known.some(k => codecsMatch(k, c))) {
          throw domError('InvalidModificationError', `setCodecPreferences: ${c.mimeType} is not a codec this receiver supports`)
        }
      }
      if (list.every(c => NON_MEDIA.includes(c.mimeType.split('/')[1]!.toLowerCase()))) {
        throw domError('InvalidModificationError', 'setCodecPreferences: only RTX, RED or FEC codecs')
      }
    }
    try {
      this.#native.setCodecPreferences(list.map(c => ({ mimeType: c.mimeType, clockRate: c.clockRate, channels: c.channels, sdpFmtpLine: c.sdpFmtpLine })))
    } catch (err) {
      throw fromNative(err, 'InvalidModificationError')
    }
    if (listsRedAfterPrimary(list.map(c => c.mimeType))) redTwice.add(this)
    else redTwice.delete(this)
  }

  /** @internal */
  [INTERNAL] (update: TransceiverState | 'closed' | 'end-track' | 'removed'): void {
    if (update === 'end-track' || update === 'closed' || update === 'removed') {
      // close() ends remote tracks without an event (webrtc-pc: "disappear"); stop() and a
      // transceiver that a rollback or the remote removed fire 'ended'.
      if (update === 'closed') {
        this.#receiver.track.stop()
        this.#sender[INTERNAL]('closed')
        this.#receiver[INTERNAL]('closed')
      }
      else endTrack(this.#receiver.track)
      if (update !== 'end-track') {
        this.#stopped = true
        this.#stopping = false
        if (update === 'removed') this.#mid = null
      }
      return
    }
    this.#mid = update.mid
    this.#direction = (update.direction === 'stopped' ? this.#direction : update.direction) as RTCRtpTransceiverDirection
    this.#currentDirection = update.currentDirection as RTCRtpTransceiverDirection | null
    if (update.stopped) {
      if (!this.#stopped) endTrack(this.#receiver.track)
      this.#stopped = true
      this.#stopping = false
    } else if (update.stopping) {
      this.#stopping = true
    }
  }
}
