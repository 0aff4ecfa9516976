'use strict'
// The media scenarios (media-video, media-audio, media-setup) for the two stacks that can send
// raw media made in the process: ours (synthetic devices from mediaDevices.getUserMedia, driven
// by a native ticker) and @roamhq/wrtc (its nonstandard RTCVideoSource/RTCAudioSource, fed from
// JS timers, as its users feed them). Both run the same W3C steps: addTrack on `a`, VP8 forced
// with setCodecPreferences, offer/answer with trickle ICE inside one process.
const { trickle } = require('./connect')

const W = 640
const H = 480
const FPS = 30

function delay (ms) { return new Promise(resolve => setTimeout(resolve, ms)) }

/** Resolves with the first value of `arm(resolve)`, or rejects after `ms` with `what`. */
function within (ms, what, arm) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not within ${ms / 1000} s`)), ms)
    arm(v => { clearTimeout(timer); resolve(v) })
  })
}

// --- what each stack sends and how it shows received frames -----------------------------------

/**
 * The moving pattern of our synthetic camera, drawn the same way in JS for @roamhq/wrtc: mid-grey
 * luma, a white vertical bar an eighth of the width wide moving 8 pixels a frame (wrapping at the
 * right edge), neutral chroma. I420, one buffer drawn again for every frame.
 */
function patternPainter (w, h) {
  const data = new Uint8ClampedArray(w * h * 3 / 2)
  data.fill(128) // background luma and both chroma planes
  const bar = Math.min(w, Math.max(2, (w >> 3) & ~1))
  let n = 0
  return () => {
    const x0 = ((n++ * 8) % w) & ~1
    const first = Math.min(bar, w - x0)
    for (let y = 0; y < h; y++) {
      const row = y * w
      data.fill(128, row, row + w)
      data.fill(235, row + x0, row + x0 + first)
      if (first < bar) data.fill(235, row, row + bar - first)
    }
    return { width: w, height: h, data }
  }
}

/**
 * Calls `tick(k)` every `periodMs` on average from a JS timer. A late timer is caught up on:
 * k ticks at once when `burst`, else one tick now and the next at once after it; more than
 * `maxLag` ticks behind, the missed ones are dropped (as a camera drops frames). Returns
 * { stop(), count() }: count() is how many ticks were delivered.
 */
function paced (periodMs, tick, { burst = false, maxLag = 5 } = {}) {
  const t0 = performance.now()
  let done = 0 // ticks delivered or dropped
  let delivered = 0
  let timer = null
  const step = () => {
    const due = Math.floor((performance.now() - t0) / periodMs) + 1
    if (due - done > maxLag) done = due - 1
    const k = burst ? due - done : Math.min(1, due - done)
    if (k > 0) { tick(k); done += k; delivered += k }
    const next = t0 + done * periodMs
    timer = setTimeout(step, Math.max(0, next - performance.now()))
  }
  step()
  return { stop: () => clearTimeout(timer), count: () => delivered }
}

/** 10 ms of a 440 Hz tone at 48 kHz mono, amplitude 8192: the frames of one second, cycled. */
function toneFrames () {
  const frames = []
  for (let f = 0; f < 100; f++) {
    const samples = new Int16Array(480)
    for (let i = 0; i < 480; i++) samples[i] = Math.round(8192 * Math.sin(2 * Math.PI * 440 * (f * 480 + i) / 48000))
    frames.push({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 })
  }
  return frames
}

const stacks = {
  ours: {
    load () {
      const m = require(require('./peers').root)
      const Sink = m.nonstandard && m.nonstandard.RTCVideoSink
      return {
        RTCPeerConnection: m.RTCPeerConnection,
        RTCRtpReceiver: m.RTCRtpReceiver,
        sourceNote: 'synthetic camera / microphone (getUserMedia), native ticker',
        async video () {
          const stream = await m.mediaDevices.getUserMedia({ video: { width: W, height: H, frameRate: FPS } })
          const [track] = stream.getVideoTracks()
          return { track, stream, sent: () => null, stop: () => track.stop() }
        },
        async audio () {
          const stream = await m.mediaDevices.getUserMedia({ audio: { sampleRate: 48000, channelCount: 1 } })
          const [track] = stream.getAudioTracks()
          return { track, stream, stop: () => track.stop() }
        },
        // Without nonstandard.RTCVideoSink (builds before it), received frames cannot be seen from JS.
        videoSink: typeof Sink === 'function'
          ? (track, onFrame) => { const s = new Sink(track); s.onframe = e => onFrame(e.frame); return () => s.stop() }
          : null,
        audioSink: typeof m.nonstandard?.RTCAudioSink === 'function'
          ? (track, onData) => { const s = new m.nonstandard.RTCAudioSink(track); s.ondata = onData; return () => s.stop() }
          : null,
        // The first sign of remote media other than a sink: 'unmute' at the first RTP packet.
        unmuted: track => track.muted === false
          ? Promise.resolve()
          : new Promise(resolve => track.addEventListener('unmute', () => resolve(), { once: true }))
      }
    }
  },
  wrtc: {
    load () {
      const m = require('@roamhq/wrtc')
      const { RTCVideoSource, RTCVideoSink, RTCAudioSource, RTCAudioSink } = m.nonstandard
      return {
        RTCPeerConnection: m.RTCPeerConnection,
        RTCRtpReceiver: m.RTCRtpReceiver,
        sourceNote: 'RTCVideoSource.onFrame / RTCAudioSource.onData from JS timers',
        async video () {
          const source = new RTCVideoSource()
          const track = source.createTrack()
          const paint = patternPainter(W, H)
          const pace = paced(1000 / FPS, () => source.onFrame(paint()))
          return { track, stream: new m.MediaStream([track]), sent: pace.count, stop: () => { pace.stop(); track.stop() } }
        },
        async audio () {
          const source = new RTCAudioSource()
          const track = source.createTrack()
          return { track, stream: new m.MediaStream([track]), source, stop: () => track.stop() }
        },
        videoSink: (track, onFrame) => { const s = new RTCVideoSink(track); s.onframe = e => onFrame(e.frame); return () => s.stop() },
        audioSink: (track, onData) => { const s = new RTCAudioSink(track); s.ondata = onData; return () => s.stop() },
        unmuted: null
      }
    }
  }
}

// --- negotiation ----------------------------------------------------------------------------

/** Keeps only VP8 in the offer (setCodecPreferences with the receiver's VP8 entries). */
function forceVp8 (transceiver, RTCRtpReceiver) {
  const caps = RTCRtpReceiver.getCapabilities('video')
  const vp8 = caps.codecs.filter(c => c.mimeType.toLowerCase() === 'video/vp8')
  if (vp8.length === 0) throw new Error('no VP8 in RTCRtpReceiver.getCapabilities')
  transceiver.setCodecPreferences(vp8)
}

/** The codec the answer picked for the first m= section of `kind` (first payload type). */
function negotiatedCodec (sdp, kind) {
  const section = sdp.split(/^(?=m=)/m).find(s => s.startsWith(`m=${kind} `))
  if (!section) return null
  const pt = section.split('\r\n')[0].split(' ')[3]
  const m = new RegExp(`^a=rtpmap:${pt} ([^\\r\\n]+)`, 'm').exec(section)
  return m ? m[1] : null
}

/** Offer/answer between a and b (trickle ICE); resolves with the answer's SDP. */
async function negotiate (a, b) {
  const readyB = trickle(a, b)
  const readyA = trickle(b, a)
  const offer = await a.createOffer()
  await a.setLocalDescription(offer)
  await b.setRemoteDescription(offer)
  readyB()
  const answer = await b.createAnswer()
  await b.setLocalDescription(answer)
  await a.setRemoteDescription(answer)
  readyA()
  return answer.sdp
}

function close (...pcs) { for (const pc of pcs) { try { pc.close() } catch {} } }

/** Builds a pair with `track` added on a (VP8 only for video); resolves { a, b, remote, codec }. */
async function mediaPair (s, config, track, stream) {
  const a = new s.RTCPeerConnection({ ...config })
  const b = new s.RTCPeerConnection({ ...config })
  const sender = a.addTrack(track, stream)
  if (track.kind === 'video') forceVp8(a.getTransceivers().find(t => t.sender === sender), s.RTCRtpReceiver)
  const remote = new Promise(resolve => { b.ontrack = e => resolve(e.track) })
  const answer = await negotiate(a, b)
  return { a, b, remote: await remote, codec: negotiatedCodec(answer, track.kind) }
}

/** CPU ticks (user + system, clock ticks) of each thread of this process, by thread name. */
function threadTicks () {
  const fs = require('node:fs')
  const out = {}
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '#')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out[`${tid}`] = { name, ticks: Number(f[11]) + Number(f[12]) }
    } catch {} // the thread ended meanwhile
  }
  return out
}

/** % of one core per thread name (threads of one name summed) between two threadTicks(). */
function threadPct (before, after, seconds) {
  const hz = 100 // USER_HZ on Linux
  const byName = {}
  for (const [tid, { name, ticks }] of Object.entries(after)) {
    const d = ticks - (before[tid]?.ticks ?? 0)
    byName[name] = (byName[name] ?? 0) + d
  }
  return Object.fromEntries(Object.entries(byName).filter(([, d]) => d > 0).sort((x, y) => y[1] - x[1])
    .map(([name, d]) => [name, Math.round(d / hz / seconds * 1000) / 10]))
}

function cpuSince (c0, t0) {
  const c = process.cpuUsage(c0)
  const us = (performance.now() - t0) * 1000
  return { userPct: c.user / us * 100, sysPct: c.system / us * 100, cpuPct: (c.user + c.system) / us * 100, seconds: us / 1e6 }
}

// --- scenarios ------------------------------------------------------------------------------

/**
 * One 640x480 30 fps VP8 stream a -> b in this process. CPU (user+sys of the whole process) over
 * `windowMs`, `warmMs` after the receiver first got a full-size frame, with no JS sink attached; then, if the stack lets JS see received
 * frames, a sink for `sinkMs` counting them (its own CPU reported apart).
 */
async function video (stackName, config, { warmMs, windowMs, sinkMs, fullSizeWithinMs }) {
  const s = stacks[stackName].load()
  const src = await s.video()
  const { a, b, remote, codec } = await mediaPair(s, config, src.track, src.stream)
  if (!/^VP8\//i.test(codec ?? '')) throw new Error(`negotiated ${codec}, not VP8`)
  // Media flows: the first received frame where a sink exists, else the first packet.
  // libwebrtc often starts below 640x480 (its initial frame drop: the first frames come before
  // the bandwidth estimate allows that size) and its quality scaler steps back up every few
  // seconds: with a sink, the window starts only once the receiver gets full-size frames.
  let fullSizeMs = null
  if (s.videoSink) {
    let stop
    const t = performance.now()
    try {
      await within(fullSizeWithinMs, `${W}x${H} remote frames`, resolve => {
        stop = s.videoSink(remote, frame => { if (frame.width === W && frame.height === H) resolve() })
      })
      fullSizeMs = performance.now() - t
    } catch {} // measured at the size it got to; the sizes below say so
    stop()
  } else {
    await within(15000, 'remote unmute', resolve => s.unmuted(remote).then(resolve))
  }
  await delay(warmMs)
  const sent0 = src.sent()
  const th0 = threadTicks()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await delay(windowMs)
  const cpu = cpuSince(c0, t0)
  cpu.threads = threadPct(th0, threadTicks(), cpu.seconds)
  const sentFps = sent0 === null ? null : (src.sent() - sent0) / cpu.seconds
  let recvFps = null
  let recvSize = null
  let sinkCpuPct = null
  let sourceFps = null
  if (s.videoSink) {
    let n = 0
    const sizes = new Set()
    const stop = s.videoSink(remote, frame => { n++; sizes.add(`${frame.width}x${frame.height}`) })
    await delay(1000) // the sink's first frames arrive after a frame period or so
    n = 0
    const sentBefore = src.sent()
    const c1 = process.cpuUsage()
    const t1 = performance.now()
    await delay(sinkMs)
    const got = n
    const withSink = cpuSince(c1, t1)
    stop()
    recvFps = got / withSink.seconds
    sinkCpuPct = withSink.cpuPct
    recvSize = [...sizes].join(',')
    if (sentBefore !== null) {
      sourceFps = (src.sent() - sentBefore) / withSink.seconds
    } else {
      // Ours: what the synthetic camera makes, through a sink on the local track for 3 s
      // after (its ticker skips frames when it runs late, as a camera would).
      let made = 0
      const stopLocal = s.videoSink(src.track, () => { made++ })
      await delay(500)
      made = 0
      const t2 = performance.now()
      await delay(3000)
      sourceFps = made / ((performance.now() - t2) / 1000)
      stopLocal()
    }
  }
  src.stop()
  close(a, b)
  return { ...cpu, codec, fullSizeMs, sentFps, recvFps, recvSize, sinkCpuPct, sourceFps, source: s.sourceNote }
}

/**
 * `n` Opus 48 kHz mono streams, one per pair (n pairs in this process). CPU per stream over
 * `windowMs` after `warmMs`. wrtc's sources are fed 10 ms frames from one JS timer.
 * `consume`: an RTCAudioSink on every remote track (the remote audio is used, so both stacks
 * decode it); without, nothing reads the remote audio (ours then decodes none of it).
 */
async function audio (stackName, config, { streams, warmMs, windowMs }, { consume = false } = {}) {
  const s = stacks[stackName].load()
  const pairs = []
  const sources = []
  let feeder = null
  if (stackName === 'wrtc') {
    const frames = toneFrames()
    let f = 0
    // All sources get the same 10 ms frame per tick; the ones a late timer missed at once.
    feeder = paced(10, k => {
      for (let i = 0; i < k; i++) {
        const frame = frames[f++ % frames.length]
        for (const src of sources) src.source.onData(frame)
      }
    }, { burst: true, maxLag: 100 })
  }
  try {
    for (let i = 0; i < streams; i++) {
      const src = await s.audio()
      sources.push(src)
      const p = await mediaPair(s, config, src.track, src.stream)
      pairs.push(p)
      if (!/^opus\/48000/i.test(p.codec ?? '')) throw new Error(`negotiated ${p.codec}, not Opus`)
    }
    // Every pair connected and media flowing: ours by 'unmute'; wrtc has no mute events, wait
    // for its ICE connection instead.
    await within(20000, 'all audio flowing', resolve => Promise.all(pairs.map(p => s.unmuted
      ? s.unmuted(p.remote)
      : connected(p.b))).then(resolve))
    // Remote sinks count what they get, to show the audio was decoded (both stacks: 100 chunks/s).
    let remoteChunks = 0
    const remoteSinks = consume ? pairs.map(p => s.audioSink(p.remote, () => { remoteChunks++ })) : []
    await delay(warmMs)
    // Ours: how many 10 ms chunks the synthetic microphone made, through a sink on the first
    // local track (its ticker skips chunks when it runs late); wrtc: what the JS timer fed.
    let chunks = 0
    const stopLocal = !feeder && s.audioSink ? s.audioSink(sources[0].track, () => { chunks++ }) : null
    const sent0 = feeder ? feeder.count() : null
    const remote0 = remoteChunks
    const out0 = await audioOutbound(pairs[0].a)
    const th0 = threadTicks()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await delay(windowMs)
    const cpu = cpuSince(c0, t0)
    cpu.threads = threadPct(th0, threadTicks(), cpu.seconds)
    // The first stream's sent payload rate (outbound-rtp, after the window): the same encoder
    // work in both stacks shows as the same bitrate and packet rate.
    const out1 = await audioOutbound(pairs[0].a)
    const sentKbps = out0 && out1 ? (out1.bytesSent - out0.bytesSent) * 8 / 1000 / cpu.seconds : null
    const sentPacketsPerSecond = out0 && out1 ? (out1.packetsSent - out0.packetsSent) / cpu.seconds : null
    const remoteChunksPerStream = consume ? (remoteChunks - remote0) / cpu.seconds / streams : null
    if (stopLocal) stopLocal()
    for (const stop of remoteSinks) stop()
    const framesPerSecond = feeder ? (feeder.count() - sent0) / cpu.seconds : stopLocal ? chunks / cpu.seconds : null
    return {
      ...cpu,
      streams,
      cpuPctPerStream: cpu.cpuPct / streams,
      codec: pairs[0].codec,
      feedFps: framesPerSecond,
      sentKbps,
      sentPacketsPerSecond,
      consumed: consume,
      remoteChunksPerStream,
      source: s.sourceNote
    }
  } finally {
    if (feeder) feeder.stop()
    for (const src of sources) src.stop()
    for (const p of pairs) close(p.a, p.b)
  }
}

/** The audio outbound-rtp counters of `pc` (bytesSent: RTP payload bytes), or null. */
async function audioOutbound (pc) {
  try {
    const report = await pc.getStats()
    for (const s of report.values()) {
      if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'audio') return { bytesSent: s.bytesSent, packetsSent: s.packetsSent }
    }
  } catch {}
  return null
}

function connected (pc) {
  const ok = () => pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed'
  if (ok()) return Promise.resolve()
  return new Promise(resolve => {
    const on = () => { if (ok()) { pc.removeEventListener('iceconnectionstatechange', on); resolve() } }
    pc.addEventListener('iceconnectionstatechange', on)
  })
}

/**
 * `pairs` pairs one after the other, each sending one 640x480 30 fps VP8 track from a source
 * that runs all along: createOffer -> the first remote video frame (a sink's first frame), and
 * for ours also -> the remote track's 'unmute' (its first RTP packet).
 */
async function setup (stackName, config, { pairs: count }) {
  const s = stacks[stackName].load()
  const src = await s.video()
  const frameMs = []
  const unmuteMs = []
  try {
    for (let i = 0; i < count; i++) {
      const a = new s.RTCPeerConnection({ ...config })
      const b = new s.RTCPeerConnection({ ...config })
      try {
        const sender = a.addTrack(src.track, src.stream)
        forceVp8(a.getTransceivers().find(t => t.sender === sender), s.RTCRtpReceiver)
        let stopSink = null
        const remote = new Promise(resolve => { b.ontrack = e => resolve(e.track) })
        const t0 = performance.now()
        const firstFrame = s.videoSink
          ? remote.then(track => new Promise(resolve => { stopSink = s.videoSink(track, () => resolve(performance.now())) }))
          : null
        const firstPacket = s.unmuted ? remote.then(track => s.unmuted(track)).then(() => performance.now()) : null
        const answer = await negotiate(a, b)
        const codec = negotiatedCodec(answer, 'video')
        if (!/^VP8\//i.test(codec ?? '')) throw new Error(`negotiated ${codec}, not VP8`)
        const [tf, tp] = await within(15000, `pair ${i + 1}: first remote video`, resolve =>
          Promise.all([firstFrame, firstPacket]).then(resolve))
        if (stopSink) stopSink()
        if (tf !== null) frameMs.push(tf - t0)
        if (tp !== null) unmuteMs.push(tp - t0)
      } finally {
        close(a, b)
      }
    }
  } finally {
    src.stop()
  }
  return { frameMs: frameMs.length ? frameMs : null, unmuteMs: unmuteMs.length ? unmuteMs : null }
}

module.exports = { stacks, video, audio, setup, patternPainter, negotiatedCodec, threadTicks }
