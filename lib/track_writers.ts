// What VideoTrackGenerator and MediaStreamTrackGenerator do with a written frame: hand it to the
// pushed source of their track (src-native/media/pushed_*), then close it, as the spec says.
import { AudioData, interleavedS16, isAudioData } from './AudioData'
import type { NativeAudioSource, NativeVideoSource } from './native'
import { VideoFrame, isVideoFrame, packedPixels } from './VideoFrame'

export function writeVideoFrame (source: NativeVideoSource, chunk: unknown, muted: boolean): void {
  if (!isVideoFrame(chunk)) throw new TypeError('The chunk written must be a VideoFrame')
  const frame = chunk as VideoFrame
  try {
    if (frame.format === null) throw new DOMException('The VideoFrame written is closed', 'InvalidStateError')
    if (muted) return
    const p = packedPixels(frame)
    source.onFrame(p.width, p.height, p.format, p.data, p.rotation, p.timestamp >= 0 ? p.timestamp : undefined)
  } finally {
    frame.close()
  }
}

export function writeAudioData (source: NativeAudioSource, chunk: unknown): void {
  if (!isAudioData(chunk)) throw new TypeError('The chunk written must be an AudioData')
  const data = chunk as AudioData
  try {
    if (data.format === null) throw new DOMException('The AudioData written is closed', 'InvalidStateError')
    const a = interleavedS16(data)
    if (!Number.isInteger(a.sampleRate) || a.sampleRate % 100 !== 0 || a.sampleRate < 8000 || a.sampleRate > 96000) {
      throw new DOMException(`A sampleRate of ${a.sampleRate} cannot be sent (multiples of 100 from 8000 to 96000 can)`, 'NotSupportedError')
    }
    if (a.channels > 8) throw new DOMException(`${a.channels} channels cannot be sent (up to 8 can)`, 'NotSupportedError')
    source.onData(a.samples, a.sampleRate, a.channels, a.frames, a.timestamp >= 0 ? a.timestamp : undefined)
  } finally {
    data.close()
  }
}
