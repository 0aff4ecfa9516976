// mediacapture-transform's MediaStreamTrackProcessor (https://w3c.github.io/mediacapture-transform/):
// `readable` yields a track's frames as VideoFrame (I420, the decoder's memory without a copy) or
// its audio as AudioData (10 ms of s16 per chunk), local or remote tracks alike.
//   Backpressure: frames are taken from the addon only when the stream's reader asks (the stream
//   holds none itself). Until then they wait in the addon's queue of maxBufferSize (default: 1
//   video frame, 10 audio chunks); a newer one drops (and releases) the oldest.
//   The stream closes when the track ends (stop(), or its source or remote side ended it); a
//   cancel() of the stream stops reading at once. Dropped processors are garbage-collected.
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web'
import { AudioData, audioDataFromNative } from './AudioData'
import { nativeTrack, onTrackEnd, type MediaStreamTrack } from './MediaStreamTrack'
import { binding, type NativeAudioItem, type NativeTrackReader, type NativeVideoItem } from './native'
import { VideoFrame, frameFromNative } from './VideoFrame'

export interface MediaStreamTrackProcessorInit {
  track: MediaStreamTrack
  /** Frames (or 10 ms audio chunks) kept while the reader is behind; at least 1. */
  maxBufferSize?: number
}

type Chunk = VideoFrame | AudioData

// What the stream's source holds. The addon's callback and the track's end hook hold it weakly,
// so a dropped stream is collected with its native reader.
class Reader {
  native: NativeTrackReader | null
  controller: ReadableStreamDefaultController<Chunk> | null = null
  waiting: (() => void) | null = null
  readonly video: boolean
  unsubscribe: () => void = () => {}

  constructor (track: MediaStreamTrack, video: boolean, maxBufferSize: number) {
    this.video = video
    const self = new WeakRef(this)
    this.native = new binding.TrackReader(nativeTrack(track), maxBufferSize, () => { self.deref()?.ready() })
    this.unsubscribe = onTrackEnd(track, () => { self.deref()?.finish(true) })
  }

  #take (): boolean {
    const item = this.native?.read()
    if (item === undefined || this.controller === null) return false
    this.controller.enqueue(this.video
      ? frameFromNative(item as NativeVideoItem)
      : audioDataFromNative(item as NativeAudioItem))
    return true
  }

  pull (): Promise<void> | undefined {
    if (this.native === null || this.#take()) return undefined
    return new Promise(resolve => { this.waiting = resolve })
  }

  ready (): void {
    if (this.waiting === null || !this.#take()) return
    const resolve = this.waiting
    this.waiting = null
    resolve()
  }

  finish (closeStream: boolean): void {
    if (this.native === null) return
    this.native.stop()
    this.native = null
    this.unsubscribe()
    if (closeStream) {
      try { this.controller?.close() } catch {}
    }
    const resolve = this.waiting
    this.waiting = null
    resolve?.()
  }

  get dropped (): number { return this.native?.dropped() ?? 0 }
}

const readers = new WeakMap<MediaStreamTrackProcessor, Reader>()

export class MediaStreamTrackProcessor {
  readonly #readable: ReadableStream<Chunk>

  constructor (init: MediaStreamTrackProcessorInit) {
    if (init === null || typeof init !== 'object') {
      throw new TypeError("Failed to construct 'MediaStreamTrackProcessor': 1 argument required, an init with a track")
    }
    const track = init.track
    const native = nativeTrack(track)  // TypeError for anything but one of our tracks
    if (track.readyState === 'ended') throw new TypeError("Failed to construct 'MediaStreamTrackProcessor': the track has ended")
    let max = native.kind === 'video' ? 1 : 10
    if (init.maxBufferSize !== undefined) {
      const n = Number(init.maxBufferSize)
      if (typeof init.maxBufferSize === 'symbol' || !Number.isFinite(n) || n < 0 || n > 65535) {
        throw new TypeError('MediaStreamTrackProcessor: maxBufferSize must be an integer from 1 to 65535')
      }
      max = Math.max(1, Math.trunc(n))
    }
    const reader = new Reader(track, native.kind === 'video', max)
    this.#readable = new ReadableStream<Chunk>({
      start (controller) { reader.controller = controller },
      pull () { return reader.pull() },
      cancel () { reader.finish(false) }
    }, { highWaterMark: 0 })
    readers.set(this, reader)
  }

  get readable (): ReadableStream<Chunk> { return this.#readable }

  get [Symbol.toStringTag] (): string { return 'MediaStreamTrackProcessor' }
}

/** Non-standard: how many frames (or audio chunks) a processor dropped because its reader was behind. */
export function droppedFrames (processor: MediaStreamTrackProcessor): number {
  const r = readers.get(processor)
  if (r === undefined) throw new TypeError('droppedFrames: not a MediaStreamTrackProcessor')
  return r.dropped
}
