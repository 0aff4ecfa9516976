// mediacapture-transform's VideoTrackGenerator: VideoFrames written to `writable` become the
// frames of `track`, a local video track (addTrack, replaceTrack, processors, sinks all take it),
// with the frames' timestamps as their capture times. Each written frame is closed. While
// `muted` is true, written frames are dropped and the track is muted. Closing or aborting the
// writable ends the track.
import { WritableStream } from 'node:stream/web'
import { createTrack, endTrack, setTrackMuted, type MediaStreamTrack } from './MediaStreamTrack'
import { binding, type NativeVideoSource } from './native'
import { writeVideoFrame } from './track_writers'
import type { VideoFrame } from './VideoFrame'

export class VideoTrackGenerator {
  readonly #source: NativeVideoSource
  readonly #track: MediaStreamTrack
  readonly #writable: WritableStream<VideoFrame>
  #muted = false

  constructor () {
    this.#source = new binding.VideoSource(false, undefined)
    const track = this.#track = createTrack(this.#source.createTrack(), { remote: false })
    const source = this.#source
    const state = { muted: false }
    this.#mutedState = state
    this.#writable = new WritableStream<VideoFrame>({
      write (chunk) {
        if (track.readyState === 'ended') {
          ;(chunk as { close?: () => void })?.close?.()
          return
        }
        writeVideoFrame(source, chunk, state.muted)
      },
      close () { endTrack(track) },
      abort () { endTrack(track) }
    })
  }

  readonly #mutedState: { muted: boolean }

  get writable (): WritableStream<VideoFrame> { return this.#writable }
  get track (): MediaStreamTrack { return this.#track }
  get muted (): boolean { return this.#muted }
  set muted (value: boolean) {
    this.#muted = Boolean(value)
    this.#mutedState.muted = this.#muted
    setTrackMuted(this.#track, this.#muted)
  }

  get [Symbol.toStringTag] (): string { return 'VideoTrackGenerator' }
}
