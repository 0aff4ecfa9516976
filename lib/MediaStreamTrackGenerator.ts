// The legacy (Chromium) MediaStreamTrackGenerator: a MediaStreamTrack of `kind` whose frames are
// what is written to its `writable` (VideoFrame for video, AudioData for audio; each is closed
// once written). Closing or aborting the writable ends the track. New code: VideoTrackGenerator.
import { WritableStream } from 'node:stream/web'
import type { AudioData } from './AudioData'
import { INTERNAL } from './internal'
import { MediaStreamTrack, endTrack } from './MediaStreamTrack'
import { binding, type NativeAudioSource, type NativeMediaStreamTrack, type NativeVideoSource } from './native'
import { writeAudioData, writeVideoFrame } from './track_writers'
import type { VideoFrame } from './VideoFrame'

export interface MediaStreamTrackGeneratorInit { kind: 'audio' | 'video' }

type Source = { kind: 'video', native: NativeVideoSource } | { kind: 'audio', native: NativeAudioSource }

function makeSource (init: unknown): Source {
  const kind = init !== null && typeof init === 'object' ? (init as Record<string, unknown>).kind : undefined
  // no denoiser: program-made frames (track_sources.ts)
  if (kind === 'video') return { kind, native: new binding.VideoSource(false, false) }
  if (kind === 'audio') return { kind, native: new binding.AudioSource() }
  throw new TypeError("Failed to construct 'MediaStreamTrackGenerator': kind must be 'audio' or 'video'")
}

let pending: Source | undefined
function trackOf (init: unknown): NativeMediaStreamTrack {
  pending = makeSource(init)
  return pending.native.createTrack()
}

export class MediaStreamTrackGenerator extends MediaStreamTrack {
  readonly #writable: WritableStream<VideoFrame | AudioData>

  constructor (init: MediaStreamTrackGeneratorInit) {
    super(INTERNAL, trackOf(init), { remote: false })
    const source = pending!
    pending = undefined
    const self = new WeakRef<MediaStreamTrack>(this)
    const ended = (): boolean => self.deref()?.readyState !== 'live'
    this.#writable = new WritableStream<VideoFrame | AudioData>({
      write (chunk) {
        if (ended()) {
          ;(chunk as { close?: () => void })?.close?.()
          return
        }
        if (source.kind === 'video') writeVideoFrame(source.native, chunk, false)
        else writeAudioData(source.native, chunk)
      },
      close () { const t = self.deref(); if (t !== undefined) endTrack(t) },
      abort () { const t = self.deref(); if (t !== undefined) endTrack(t) }
    })
  }

  get writable (): WritableStream<VideoFrame | AudioData> { return this.#writable }

  override get [Symbol.toStringTag] (): string { return 'MediaStreamTrackGenerator' }
}
