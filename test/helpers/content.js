'use strict'
// Reading what arrives: the luma of video frames and the pitch and level of audio, from
// nonstandard.RTCVideoSink / RTCAudioSink; and feeding an RTCAudioSource in real time.

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

/** The largest absolute sample of the first channel of an RTCAudioSink chunk. */
function peak (chunk) {
  let m = 0
  for (let i = 0; i < chunk.numberOfFrames; i++) m = Math.max(m, Math.abs(chunk.samples[i * chunk.channelCount]))
  return m
}

/**
 * Feeds `source` (nonstandard.RTCAudioSource) 10 ms of 48 kHz mono in real time: silence until
 * `loud()`, then a 440 Hz tone (peak 8000). `stop()` ends the feed.
 */
function feedSilenceThenTone (source) {
  let loud = false; let n = 0; let sent = 0
  const start = Date.now()
  const timer = setInterval(() => {
    while (sent * 10 <= Date.now() - start) {
      const samples = new Int16Array(480)
      if (loud) for (let i = 0; i < 480; i++, n++) samples[i] = Math.round(8000 * Math.sin(2 * Math.PI * 440 * n / 48000))
      source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 })
      sent++
    }
  }, 5)
  return { loud () { loud = true }, stop () { clearInterval(timer) } }
}

module.exports = { lumaMean, frames, tone, peak, feedSilenceThenTone }
