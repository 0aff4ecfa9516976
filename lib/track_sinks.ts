// Non-standard RTCVideoSink and RTCAudioSink, with the shapes @roamhq/wrtc users know: a sink on
// a track (local or remote) that hands its decoded media to JS.
//   new RTCVideoSink(track).onframe = ({ frame: { width, height, data, rotation, timestamp } }) => ...
//     data: I420 in a Uint8ClampedArray. Only the newest frame is delivered when JS falls behind.
//     data is the decoded frame's own memory (no copy) when its planes lie packed, as a decoder's
//     do: the track's other consumers read the same bytes, so copy it before changing it.
//   new RTCAudioSink(track).ondata = ({ samples, sampleRate, bitsPerSample, channelCount, numberOfFrames }) => ...
//     every 10 ms chunk of 16-bit PCM, interleaved.
// stop() ends delivery (and releases the native sink; garbage collection does too).
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { nativeTrack, type MediaStreamTrack } from './MediaStreamTrack'
import { binding, type NativeAudioData, type NativeTrackSink, type NativeVideoFrame } from './native'

export class RTCVideoFrameEvent extends Event {
  readonly frame: NativeVideoFrame
  constructor (frame: NativeVideoFrame) {
    super('frame')
    this.frame = frame
  }
}

export class RTCAudioDataEvent extends Event implements NativeAudioData {
  readonly samples: Int16Array
  readonly sampleRate: number
  readonly bitsPerSample: 16
  readonly channelCount: number
  readonly numberOfFrames: number
  constructor (data: NativeAudioData) {
    super('data')
    this.samples = data.samples
    this.sampleRate = data.sampleRate
    this.bitsPerSample = data.bitsPerSample
    this.channelCount = data.channelCount
    this.numberOfFrames = data.numberOfFrames
  }
}

abstract class TrackSink extends RTCEventTarget {
  #native: NativeTrackSink | null
  readonly #track: MediaStreamTrack

  constructor (track: MediaStreamTrack, kind: 'audio' | 'video', name: string) {
    const native = nativeTrack(track)
    if (native.kind !== kind) throw new TypeError(`${name} needs a ${kind} track, not ${native.kind}`)
    super()
    this.#track = track
    // The handler holds the sink weakly: a dropped sink without listeners can be collected.
    const self = new WeakRef(this)
    this.#native = new binding.TrackSink(native, (type, value) => {
      const sink = self.deref()
      if (sink === undefined) return
      sink.dispatchEvent(type === 'frame' ? new RTCVideoFrameEvent(value as NativeVideoFrame) : new RTCAudioDataEvent(value as NativeAudioData))
    })
  }

  protected get active (): boolean { return this.#native !== null }

  get track (): MediaStreamTrack { return this.#track }
  get stopped (): boolean { return this.#native === null }

  stop (): void {
    if (this.#native === null) return
    this.#native.stop()
    this.#native = null
    this.updateRetention()
  }
}

export class RTCVideoSink extends TrackSink {
  declare onframe: ((this: RTCVideoSink, ev: RTCVideoFrameEvent) => unknown) | null
  constructor (track: MediaStreamTrack) {
    super(track, 'video', 'RTCVideoSink')
  }
}

export class RTCAudioSink extends TrackSink {
  declare ondata: ((this: RTCAudioSink, ev: RTCAudioDataEvent) => unknown) | null
  constructor (track: MediaStreamTrack) {
    super(track, 'audio', 'RTCAudioSink')
  }
}

defineEventHandlers(RTCVideoSink.prototype, ['frame'])
defineEventHandlers(RTCAudioSink.prototype, ['data'])
