'use strict'
// Reading what arrives: the luma of video frames and the pitch and level of audio, from
// nonstandard.RTCVideoSink / RTCAudioSink.

function lumaMean (frame) {
  let sum = 0
  const n = frame.width * frame.height
  for (let i = 0; i < n; i++) sum += frame.data[i]
  return sum / n
}

/** Frames (after `skip`) until `count` match `ok`, or rejects after `ms`. */
function frames (sink, count, ok = () => true, ms = 8000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`${got.length} of ${count} frames in ${ms} ms`)) }, ms)
    sink.onframe = ({ frame }) => {
      if (!ok(frame)) return
      got.push({ width: frame.width, height: frame.height, mean: lumaMean(frame) })
      if (got.length === count) { clearTimeout(timer); sink.onframe = null; resolve(got) }
    }
  })
}

/** Upward zero crossings per second and RMS of the first channel over `count` chunks. */
function tone (sink, count = 50, ms = 8000) {
  return new Promise((resolve, reject) => {
    const chunks = []
    const timer = setTimeout(() => { sink.ondata = null; reject(new Error(`${chunks.length} of ${count} audio chunks in ${ms} ms`)) }, ms)
    sink.ondata = d => {
      chunks.push(d)
      if (chunks.length < count) return
      clearTimeout(timer)
      sink.ondata = null
      let crossings = 0; let prev = 0; let sq = 0; let n = 0; let seconds = 0
      for (const c of chunks) {
        for (let i = 0; i < c.numberOfFrames; i++) {
          const v = c.samples[i * c.channelCount]
          if (prev < 0 && v >= 0) crossings++
          prev = v; sq += v * v; n++
        }
        seconds += c.numberOfFrames / c.sampleRate
      }
      resolve({ hz: crossings / seconds, rms: Math.sqrt(sq / n), sampleRate: chunks[0].sampleRate })
    }
  })
}

module.exports = { lumaMean, frames, tone }
