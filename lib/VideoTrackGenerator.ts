// mediacapture-transform's VideoTrackGenerator: VideoFrames written to `writable` become the
// frames of `track`, a local video track (addTrack, replaceTrack, processors, sinks all take it),
// with the frames' timestamps as their capture times. Each written frame is closed. While
// `muted` is true, written frames are dropped and the track is muted. Closing or aborting the
// writable ends the track; frames written to an ended track are closed and dropped.
import { WritableStream } from 'node:stream/web'
import { createTrack, endTrack, setTrackMuted, type MediaStreamTrack } from './MediaStreamTrack'
import { binding } from './native'
import { writeVideoFrame } from './track_writers'
import type { VideoFrame } from './VideoFrame'

export class VideoTrackGenerator {
  readonly #track: MediaStreamTrack
  readonly #writable: WritableStream<VideoFrame>
  readonly #state = { muted: false }  // read by the writable's sink

  constructor () {
    const source = new binding.VideoSource(false, false)  // no denoiser: program-made frames (track_sources.ts)
    const track = this.#track = createTrack(source.createTrack(), { remote: false })
    const state = this.#state
    this.#writable = new WritableStream<VideoFrame>({
      write (chunk) {
        if (track.readyState === 'ended') {
          ;(chunk as { close?: () => void } | null)?.close?.()
          return
        }
        writeVideoFrame(source, chunk, state.muted)
      },
      close () { endTrack(track) },
      abort () { endTrack(track) }
    })
  }

  get writable (): WritableStream<VideoFrame> { return this.#writable }
  get track (): MediaStreamTrack { return this.#track }
  get muted (): boolean { return this.#state.muted }
  set muted (value: boolean) {
    this.#state.muted = Boolean(value)
    setTrackMuted(this.#track, this.#state.muted)
  }

  get [Symbol.toStringTag] (): string { return 'VideoTrackGenerator' }
}
