// MediaStream (mediacapture-streams): an ordered set of tracks. Local streams come from
// getUserMedia() or the constructor; remote ones from a connection's receivers (createStream,
// addRemoteTrack, removeRemoteTrack), which fire addtrack/removetrack as the spec says. A
// script's own addTrack/removeTrack fire nothing.
import { randomUUID } from 'node:crypto'
import type { AddEventListenerOptions, EventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { MediaStreamTrackEvent } from './events'
import { isTrack, type MediaStreamTrack } from './MediaStreamTrack'
import { domString } from './webidl'

export interface MediaStreamEventMap {
  addtrack: MediaStreamTrackEvent
  removetrack: MediaStreamTrackEvent
}

function checkTrack (track: unknown, method: string): MediaStreamTrack {
  if (!isTrack(track)) {
    throw new TypeError(`Failed to execute '${method}' on 'MediaStream': parameter 1 is not of type 'MediaStreamTrack'.`)
  }
  return track
}

let remoteIdToken: string | undefined

/** Told of every track added to or removed from a stream, by script or by a connection. */
export interface StreamObserver {
  streamTrackAdded(stream: MediaStream, track: MediaStreamTrack): void
  streamTrackRemoved(stream: MediaStream, track: MediaStreamTrack): void
}
const observers = new WeakMap<MediaStream, Set<StreamObserver>>()

/** Chromium's MediaStream observers, for the legacy pc.addStream(). */
export function observeStream (stream: MediaStream, observer: StreamObserver): void {
  let set = observers.get(stream)
  if (set === undefined) observers.set(stream, set = new Set())
  set.add(observer)
}
export function unobserveStream (stream: MediaStream, observer: StreamObserver): void {
  observers.get(stream)?.delete(observer)
}
function notify (stream: MediaStream, track: MediaStreamTrack, added: boolean): void {
  const set = observers.get(stream)
  if (set === undefined) return
  for (const o of [...set]) {
    if (added) o.streamTrackAdded(stream, track)
    else o.streamTrackRemoved(stream, track)
  }
}

// Set by the class's static block: module functions that reach its private state.
let addImpl: (stream: MediaStream, track: MediaStreamTrack) => void
let removeImpl: (stream: MediaStream, track: MediaStreamTrack) => void

export class MediaStream extends RTCEventTarget {
  readonly #id: string
  readonly #tracks = new Set<MediaStreamTrack>()  // insertion order

  declare onaddtrack: ((this: MediaStream, ev: MediaStreamTrackEvent) => unknown) | null
  declare onremovetrack: ((this: MediaStream, ev: MediaStreamTrackEvent) => unknown) | null

  /** new MediaStream(), new MediaStream(stream) (its tracks, not clones), new MediaStream(tracks). */
  constructor (streamOrTracks?: MediaStream | MediaStreamTrack[]) {
    super()
    if (remoteIdToken !== undefined) {
      this.#id = remoteIdToken
      remoteIdToken = undefined
    } else {
      this.#id = randomUUID()
    }
    if (streamOrTracks === undefined) return
    let tracks: Iterable<unknown>
    if (streamOrTracks instanceof MediaStream) {
      tracks = streamOrTracks.getTracks()
    } else if (streamOrTracks !== null && typeof streamOrTracks === 'object' &&
        typeof (streamOrTracks as Iterable<unknown>)[Symbol.iterator] === 'function') {
      tracks = Array.from(streamOrTracks as Iterable<unknown>)
    } else {
      throw new TypeError("Failed to construct 'MediaStream': The provided value cannot be converted to a sequence.")
    }
    const checked: MediaStreamTrack[] = []
    for (const t of tracks) {
      if (!isTrack(t)) {
        throw new TypeError("Failed to construct 'MediaStream': Failed to convert value to 'MediaStreamTrack'.")
      }
      checked.push(t)
    }
    for (const t of checked) this.#tracks.add(t)
  }

  get id (): string { return this.#id }

  /**
   * True while any of its tracks is live. (Also what keeps a stream with listeners reachable,
   * event_target.ts: a remote stream can gain and lose tracks by itself.)
   */
  override get active (): boolean { return this.#isActive() }

  getTracks (): MediaStreamTrack[] { return [...this.#tracks] }
  getAudioTracks (): MediaStreamTrack[] { return [...this.#tracks].filter(t => t.kind === 'audio') }
  getVideoTracks (): MediaStreamTrack[] { return [...this.#tracks].filter(t => t.kind === 'video') }

  getTrackById (trackId: string): MediaStreamTrack | null {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'getTrackById' on 'MediaStream': 1 argument required, but only 0 present.")
    }
    const id = domString(trackId, 'trackId')
    for (const t of this.#tracks) if (t.id === id) return t
    return null
  }

  addTrack (track: MediaStreamTrack): void {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'addTrack' on 'MediaStream': 1 argument required, but only 0 present.")
    }
    const t = checkTrack(track, 'addTrack')
    if (this.#tracks.has(t)) return
    this.#tracks.add(t)
    notify(this, t, true)
  }

  removeTrack (track: MediaStreamTrack): void {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'removeTrack' on 'MediaStream': 1 argument required, but only 0 present.")
    }
    const t = checkTrack(track, 'removeTrack')
    if (this.#tracks.delete(t)) notify(this, t, false)
  }

  /** A new stream (new id) with clones of every track. */
  clone (): MediaStream {
    return new MediaStream(this.getTracks().map(t => t.clone()))
  }

  #isActive (): boolean {
    for (const t of this.#tracks) if (t.readyState === 'live') return true
    return false
  }

  static {
    addImpl = (stream, track) => {
      if (stream.#tracks.has(track)) return
      stream.#tracks.add(track)
      stream.updateRetention()
      stream.dispatchEvent(new MediaStreamTrackEvent('addtrack', { track }))
      notify(stream, track, true)
    }
    removeImpl = (stream, track) => {
      if (!stream.#tracks.delete(track)) return
      stream.updateRetention()
      stream.dispatchEvent(new MediaStreamTrackEvent('removetrack', { track }))
      notify(stream, track, false)
    }
  }

  override addEventListener<K extends keyof MediaStreamEventMap> (type: K,
    listener: ((this: MediaStream, ev: MediaStreamEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void
  override addEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options)
  }

  override removeEventListener<K extends keyof MediaStreamEventMap> (type: K,
    listener: ((this: MediaStream, ev: MediaStreamEventMap[K]) => unknown) | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void
  override removeEventListener (type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options)
  }

  get [Symbol.toStringTag] (): string { return 'MediaStream' }
}

defineEventHandlers(MediaStream.prototype, ['addtrack', 'removetrack'])

/** A stream with a given id (a remote msid). */
export function createStream (id: string): MediaStream {
  remoteIdToken = String(id)
  try {
    return new MediaStream()
  } finally {
    remoteIdToken = undefined
  }
}

/** Adds `track` to a remote stream and fires 'addtrack', if it was not there. */
export function addRemoteTrack (stream: MediaStream, track: MediaStreamTrack): void {
  addImpl(stream, track)
}

/** Removes `track` from a remote stream and fires 'removetrack', if it was there. */
export function removeRemoteTrack (stream: MediaStream, track: MediaStreamTrack): void {
  removeImpl(stream, track)
}
