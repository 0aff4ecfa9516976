// MediaStreamTrack (mediacapture-streams) over a native track (src-native/wrap/media_stream_track.h).
// Local tracks come from mediaDevices.getUserMedia() (synthetic devices) and clone(); remote ones
// from the receivers of a connection, through createTrack(). State is kept here; the native side
// only enables, stops, clones and reconfigures.
import {
  copyConstraints, selectSettings, type ConstrainableSource, type MediaTrackCapabilities, type MediaTrackConstraints,
  type MediaTrackSettings
} from './constraints'
import { OverconstrainedError } from './errors'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { setTrackBrandCheck } from './events'
import { INTERNAL, illegalConstructor } from './internal'
import type { NativeMediaStreamTrack } from './native'
import type { AddEventListenerOptions, EventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { rejectInsteadOfThrow } from './webidl'

export type MediaStreamTrackState = 'live' | 'ended'

export interface MediaStreamTrackEventMap {
  mute: Event
  unmute: Event
  ended: Event
}

/** The synthetic device a local track was opened on (mediaDevices.ts). @internal */
export interface TrackDevice {
  deviceId: string
  groupId: string
  capabilities: MediaTrackCapabilities
}

/** How a track is made (createTrack). */
export interface TrackInit {
  remote: boolean
  label?: string
  muted?: boolean
  /** Local synthetic tracks: the device and the constraints they were opened with. @internal */
  device?: TrackDevice
  constraints?: MediaTrackConstraints
  /** @internal */
  resizeMode?: string
}

const VIDEO_HINTS = new Set(['', 'motion', 'detail', 'text'])
const AUDIO_HINTS = new Set(['', 'speech', 'speech-recognition', 'music'])

const natives = new WeakMap<MediaStreamTrack, NativeMediaStreamTrack>()

// Set by the class's static block: module functions that reach its private state.
// Called once when a track ends, by stop() or by its source (MediaStreamTrackProcessor).
const endHooks = new WeakMap<MediaStreamTrack, Set<() => void>>()

let endTrackImpl: (track: MediaStreamTrack) => void
let setMutedImpl: (track: MediaStreamTrack, muted: boolean) => void

export class MediaStreamTrack extends RTCEventTarget {
  readonly #native: NativeMediaStreamTrack
  readonly #kind: 'audio' | 'video'
  readonly #id: string
  readonly #label: string
  readonly #remote: boolean
  readonly #device: TrackDevice | undefined
  #enabled = true
  #muted: boolean
  #readyState: MediaStreamTrackState = 'live'
  #contentHint = ''
  #constraints: MediaTrackConstraints
  #resizeMode = 'none'  // video: what the constraints chose (the source scales either way)

  declare onmute: ((this: MediaStreamTrack, ev: Event) => unknown) | null
  declare onunmute: ((this: MediaStreamTrack, ev: Event) => unknown) | null
  declare onended: ((this: MediaStreamTrack, ev: Event) => unknown) | null

  /** Not for scripts: `new MediaStreamTrack()` throws TypeError, as in browsers. @internal */
  constructor (token?: unknown, native?: NativeMediaStreamTrack, init?: TrackInit) {
    illegalConstructor(token)
    super()
    this.#native = native!
    natives.set(this, native!)
    this.#kind = native!.kind
    this.#id = native!.id
    this.#remote = init!.remote
    this.#label = init!.label ?? ''
    this.#muted = init!.muted ?? false
    this.#device = init!.device
    this.#constraints = init!.constraints ?? {}
    if (init!.resizeMode !== undefined) this.#resizeMode = init!.resizeMode
  }

  protected get active (): boolean {
    // Only a remote track fires events by itself (mute, unmute, ended).
    return this.#remote && this.#readyState === 'live'
  }

  get kind (): string { return this.#kind }
  get id (): string { return this.#id }
  get label (): string { return this.#label }
  get enabled (): boolean { return this.#enabled }
  set enabled (value: boolean) {
    const v = Boolean(value)
    if (v === this.#enabled) return
    this.#enabled = v
    if (this.#readyState === 'live') this.#native.setEnabled(v)
  }

  get muted (): boolean { return this.#muted }
  get readyState (): MediaStreamTrackState { return this.#readyState }

  get contentHint (): string { return this.#contentHint }
  set contentHint (value: string) {
    if (typeof value === 'symbol') throw new TypeError("Failed to set 'contentHint': a Symbol cannot be converted to a string.")
    const v = String(value)
    // A value that is not a hint for this kind is ignored, as the spec says.
    if (!(this.#kind === 'video' ? VIDEO_HINTS : AUDIO_HINTS).has(v)) return
    this.#contentHint = v
    if (this.#readyState === 'live') this.#native.setContentHint(v)
  }

  /** A new track on the same source, with a new id and the same state. */
  clone (): MediaStreamTrack {
    const init: TrackInit = {
      remote: this.#remote, label: this.#label, muted: this.#muted, constraints: this.#constraints, resizeMode: this.#resizeMode
    }
    if (this.#device !== undefined) init.device = this.#device
    const copy = new MediaStreamTrack(INTERNAL, this.#native.clone(), init)
    copy.#enabled = this.#enabled
    copy.#contentHint = this.#contentHint
    if (this.#readyState === 'ended') {
      copy.#readyState = 'ended'
    }
    return copy
  }

  /** Ends the track. No 'ended' event: the script asked for it. */
  stop (): void {
    if (this.#readyState === 'ended') return
    this.#end()
  }

  getCapabilities (): MediaTrackCapabilities {
    if (this.#device === undefined) return {}
    return structuredClone(this.#device.capabilities)
  }

  getConstraints (): MediaTrackConstraints {
    return structuredClone(this.#constraints)
  }

  getSettings (): MediaTrackSettings {
    if (this.#device === undefined) {
      // A remote track: what its native side knows (nothing, or the size of remote video).
      const s = this.#native.settings()
      const out: MediaTrackSettings = {}
      if (s.width !== undefined && s.height !== undefined) {
        out.width = s.width
        out.height = s.height
        out.aspectRatio = Math.round(s.width / s.height * 1e4) / 1e4
      }
      if (s.frameRate !== undefined) out.frameRate = s.frameRate
      if (s.sampleRate !== undefined) out.sampleRate = s.sampleRate
      if (s.channelCount !== undefined) out.channelCount = s.channelCount
      return out
    }
    return this.#currentSettings()
  }

  /**
   * Resolves once the constraints are in effect; rejects with OverconstrainedError (and changes
   * nothing) when a required constraint cannot hold. The synthetic devices honour width, height,
   * aspectRatio, frameRate (video), sampleRate and channelCount (audio).
   */
  async applyConstraints (constraints?: MediaTrackConstraints): Promise<void> {
    if (constraints !== undefined && constraints !== null && typeof constraints !== 'object') {
      throw new TypeError("Failed to execute 'applyConstraints' on 'MediaStreamTrack': The provided value is not of type 'MediaTrackConstraints'.")
    }
    const given: MediaTrackConstraints = copyConstraints(constraints ?? {}, "Failed to execute 'applyConstraints' on 'MediaStreamTrack'")
    if (this.#readyState === 'ended') return
    const src: ConstrainableSource = this.#device === undefined
      ? { kind: this.#kind, capabilities: {}, settings: this.getSettings() }
      : { kind: this.#kind, capabilities: this.#device.capabilities, settings: this.#currentSettings() }
    const chosen = selectSettings(given, src)
    if (this.#device !== undefined) {
      if (this.#kind === 'video') {
        this.#native.applyConstraints({ width: chosen.width!, height: chosen.height!, frameRate: chosen.frameRate! })
        this.#resizeMode = chosen.resizeMode ?? this.#resizeMode
      } else {
        this.#native.applyConstraints({ sampleRate: chosen.sampleRate!, channelCount: chosen.channelCount! })
      }
    }
    this.#constraints = given
  }

  #currentSettings (): MediaTrackSettings {
    const s = this.#native.settings()
    const d = this.#device!
    if (this.#kind === 'video') {
      return {
        deviceId: d.deviceId,
        groupId: d.groupId,
        width: s.width!,
        height: s.height!,
        aspectRatio: Math.round(s.width! / s.height! * 1e4) / 1e4,
        frameRate: s.frameRate!,
        resizeMode: this.#resizeMode
      }
    }
    return {
      deviceId: d.deviceId,
      groupId: d.groupId,
      sampleRate: s.sampleRate!,
      sampleSize: s.sampleSize ?? 16,
      channelCount: s.channelCount!,
      echoCancellation: false,
      autoGainControl: false,
      noiseSuppression: false,
      latency: 0.01
    }
  }

  #end (): void {
    this.#readyState = 'ended'
    this.#native.stop()
    this.updateRetention()
    const hooks = endHooks.get(this)
    endHooks.delete(this)
    if (hooks !== undefined) for (const hook of hooks) hook()
  }

  static {
    // For endTrack/setTrackMuted below, which reach the private state.
    endTrackImpl = (track: MediaStreamTrack): void => {
      if (track.#readyState === 'ended') return
      track.#end()
      track.dispatchEvent(new Event('ended'))
    }
    setMutedImpl = (track: MediaStreamTrack, muted: boolean): void => {
      if (track.#readyState === 'ended' || track.#muted === muted) return
      track.#muted = muted
      track.dispatchEvent(new Event(muted ? 'mute' : 'unmute'))
    }
  }

  override addEventListener<K extends keyof MediaStreamTrackEventMap> (type: K,
    listener: ((this: MediaStreamTrack, ev: MediaStreamTrackEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options)
  }

  override removeEventListener<K extends keyof MediaStreamTrackEventMap> (type: K,
    listener: ((this: MediaStreamTrack, ev: MediaStreamTrackEventMap[K]) => unknown) | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options)
  }

  get [Symbol.toStringTag] (): string { return 'MediaStreamTrack' }
}

defineEventHandlers(MediaStreamTrack.prototype, ['mute', 'unmute', 'ended'])
setTrackBrandCheck(v => natives.has(v as MediaStreamTrack))
rejectInsteadOfThrow(MediaStreamTrack.prototype, ['applyConstraints'])

/** A new track over a native one: remote tracks of receivers, and local synthetic ones. */
export function createTrack (native: NativeMediaStreamTrack, init: TrackInit): MediaStreamTrack {
  return new MediaStreamTrack(INTERNAL, native, init)
}

/** The native half of one of our tracks; TypeError for anything else. */
export function nativeTrack (track: MediaStreamTrack): NativeMediaStreamTrack {
  const n = typeof track === 'object' && track !== null ? natives.get(track) : undefined
  if (n === undefined) throw new TypeError('The provided value is not of type \'MediaStreamTrack\'.')
  return n
}

/** Sets `muted`, firing mute or unmute on a change (never on an ended track). */
export function setTrackMuted (track: MediaStreamTrack, muted: boolean): void {
  setMutedImpl(track, muted)
}

/** The remote end ended the track: readyState 'ended' and one 'ended' event. */
export function endTrack (track: MediaStreamTrack): void {
  endTrackImpl(track)
}

/** Runs `hook` once when `track` ends (stop(), or its source ended it); returns the unsubscribe. */
export function onTrackEnd (track: MediaStreamTrack, hook: () => void): () => void {
  let hooks = endHooks.get(track)
  if (hooks === undefined) endHooks.set(track, hooks = new Set())
  hooks.add(hook)
  return () => { endHooks.get(track)?.delete(hook) }
}

/** Whether `value` is one of our tracks. */
export function isTrack (value: unknown): value is MediaStreamTrack {
  return typeof value === 'object' && value !== null && natives.has(value as MediaStreamTrack)
}

// Re-exported so that users of this module see the error it rejects with.
export { OverconstrainedError }
