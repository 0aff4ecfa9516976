'use strict'
// A headless publisher: a moving test pattern (nonstandard.RTCVideoSource) and a tone
// (nonstandard.RTCAudioSource), published to a relay through a connection of its own, so the
// example runs on a machine with no camera. Used by server.js (in-process) and the fan-out bench.

/** A moving pattern and a 440 Hz tone, pushed from timers. `stop()` ends both. */
function startSyntheticMedia (nonstandard, MediaStream, { width = 640, height = 480, fps = 30, frequency = 440 } = {}) {
  const video = new nonstandard.RTCVideoSource()
  const audio = new nonstandard.RTCAudioSource()
  const videoTrack = video.createTrack()
  const audioTrack = audio.createTrack()
  const stream = new MediaStream([audioTrack, videoTrack])

  // Diagonal stripes that move to the right, a white square that bounces, and a chroma that cycles:
  // every frame differs, as a camera's do, so the encoder has real work.
  const ySize = width * height
  const cSize = (width >> 1) * (height >> 1)
  const frame = new Uint8Array(ySize + 2 * cSize)
  const ramp = new Uint8Array(width * 2)
  for (let x = 0; x < ramp.length; x++) ramp[x] = 40 + Math.round(80 * (1 + Math.sin((x / width) * 6 * Math.PI)))
  const box = Math.max(2, (Math.min(width, height) >> 3) & ~1)
  let n = 0
  let pushed = 0
  const drawFrame = () => {
    const shift = (n * 4) % width
    for (let y = 0; y < height; y++) {
      const start = (shift + y) % width
      frame.set(ramp.subarray(start, start + width), y * width)
    }
    const bx = Math.round((width - box) * (0.5 + 0.5 * Math.sin(n / 23)))
    const by = Math.round((height - box) * (0.5 + 0.5 * Math.cos(n / 31)))
    for (let y = by; y < by + box; y++) frame.fill(235, y * width + bx, y * width + bx + box)
    frame.fill(128 + Math.round(60 * Math.sin(n / 40)), ySize, ySize + cSize)
    frame.fill(128 + Math.round(60 * Math.cos(n / 40)), ySize + cSize)
    video.onFrame({ width, height, data: frame })
    n++
    pushed++
  }
  const videoTimer = setInterval(drawFrame, 1000 / fps)

  // Audio: 10 ms chunks, as many as the clock says are due (timers drift; the tone must not).
  const rate = 48000
  const chunk = rate / 100
  let phase = 0
  let sent = 0
  const started = performance.now()
  const pushAudio = () => {
    const due = Math.floor((performance.now() - started) / 10)
    const count = Math.min(due - sent, 20)
    if (count <= 0) return
    const samples = new Int16Array(chunk * count)
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(8192 * Math.sin(phase))
      phase += 2 * Math.PI * frequency / rate
    }
    phase %= 2 * Math.PI
    sent = due
    audio.onData({ samples, sampleRate: rate, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length })
  }
  const audioTimer = setInterval(pushAudio, 10)

  return {
    stream,
    tracks: [audioTrack, videoTrack],
    framesPushed: () => pushed,
    stop () {
      clearInterval(videoTimer)
      clearInterval(audioTimer)
      audioTrack.stop()
      videoTrack.stop()
    }
  }
}

/**
 * Publishes `media` to `relay` (a Relay in this process) through a connection of its own, speaking
 * the relay's messages as a browser page would. Returns { pc, leave() }.
 */
async function publishInProcess (relay, RTCPeerConnection, media, configuration = {}) {
  const pc = new RTCPeerConnection(configuration)
  const pending = []
  const participant = relay.join(msg => {
    if (msg.type === 'description') {
      pc.setRemoteDescription(msg.description)
        .then(async () => { for (const c of pending.splice(0)) await pc.addIceCandidate(c) })
        .catch(err => relay.log(`synthetic publisher: ${err.message}`))
    } else if (msg.type === 'candidate') {
      if (pc.remoteDescription) pc.addIceCandidate(msg.candidate).catch(() => {})
      else pending.push(msg.candidate)
    } else if (msg.type === 'left' && pc.signalingState !== 'closed') {
      pc.close() // another publisher took over, or the relay closed
    }
  })
  pc.onicecandidate = e => participant.handle({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null })
  participant.handle({ type: 'publish' })
  for (const track of media.tracks) pc.addTransceiver(track, { direction: 'sendonly', streams: [media.stream] })
  await pc.setLocalDescription()
  participant.handle({ type: 'description', description: pc.localDescription.toJSON() })
  return {
    pc,
    leave () {
      participant.handle({ type: 'leave' })
      if (pc.signalingState !== 'closed') pc.close()
    }
  }
}

module.exports = { startSyntheticMedia, publishInProcess }
