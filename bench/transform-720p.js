'use strict'
// 1280x720 I420 at 30 fps through source -> VP8 encode -> loopback -> decode -> sink, one stream
// in one process, per stack, each in a fresh child process:
//   ours-transform  VideoTrackGenerator (VideoFrame written) -> MediaStreamTrackProcessor (frames read, closed)
//   ours-nonstd     nonstandard RTCVideoSource.onFrame -> RTCVideoSink (the @roamhq/wrtc shapes)
//   wrtc            @roamhq/wrtc RTCVideoSource.onFrame -> RTCVideoSink
// Frames are painted in JS (bench/lib/media.js patternPainter: the moving bar) from a JS timer.
// After a warm-up, a window counts the frames the sink got (any size; 1280x720 ones apart) and
// the process's CPU (user+sys): frames per CPU second is the figure to compare. The sender is
// set to degradationPreference 'maintain-resolution' where the stack takes it, so that both
// stacks encode 1280x720 (the frame rate may then drop to what the bitrate allows).
//   node scripts/netns.js node bench/transform-720p.js [--runs 3] [--warm 6] [--window 10] [--modes a,b] [--needs-denoising false]
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const W = 1280; const H = 720; const FPS = 30

function threadPct (before, after, seconds) {
  const by = {}
  for (const [tid, { name, ticks }] of Object.entries(after)) by[name] = (by[name] ?? 0) + ticks - (before[tid]?.ticks ?? 0)
  return Object.fromEntries(Object.entries(by).filter(([, d]) => d > 0).sort((x, y) => y[1] - x[1]).map(([n, d]) => [n, Math.round(d / seconds * 10) / 10]))
}
const args = process.argv.slice(2)
// --needs-denoising true|false: given to both stacks' RTCVideoSource (default: not given, so the
// encoder's default, denoising on for a camera-like source)
const denoisingArg = () => { const i = args.indexOf('--needs-denoising'); return i >= 0 ? args[i + 1] === 'true' : undefined }
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : dflt }

// The sender's video outbound-rtp counters (both stacks fill these from libwebrtc's own stats).
async function sent (pc) {
  const report = await pc.getStats()
  for (const s of report.values()) {
    if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
      return { bytesSent: s.bytesSent ?? 0, framesEncoded: s.framesEncoded ?? 0, qpSum: s.qpSum ?? 0, frameSize: `${s.frameWidth}x${s.frameHeight}` }
    }
  }
  return { bytesSent: 0, framesEncoded: 0, qpSum: 0, frameSize: null }
}

function wrtcModule () {
  for (const dir of [path.join(__dirname, 'node_modules'), '/work/main/bench/node_modules']) {
    try { return require(require.resolve('@roamhq/wrtc', { paths: [dir] })) } catch {}
  }
  throw new Error('@roamhq/wrtc is not installed: npm ci --prefix bench')
}

async function child (mode, warmS, windowS, needsDenoising) {
  const { patternPainter, negotiatedCodec, threadTicks } = require('./lib/media')
  const { trickle } = require('./lib/connect')
  const m = mode === 'wrtc' ? wrtcModule() : require('..')
  const paint = patternPainter(W, H)
  let track; let push; let sinkStart; let stopAll
  let got = 0; let full = 0
  const sizes = {}
  const seen = (w, h) => { got++; if (w === W && h === H) full++; sizes[`${w}x${h}`] = (sizes[`${w}x${h}`] ?? 0) + 1 }
  if (mode === 'ours-transform') {
    const gen = new m.VideoTrackGenerator()
    const writer = gen.writable.getWriter()
    track = gen.track
    let t = 0
    push = () => {
      const { data } = paint()
      writer.write(new m.VideoFrame(data, { format: 'I420', codedWidth: W, codedHeight: H, timestamp: t += 33333 }))
    }
    sinkStart = remote => {
      const reader = new m.MediaStreamTrackProcessor({ track: remote }).readable.getReader()
      ;(async () => {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          seen(value.codedWidth, value.codedHeight)
          value.close()
        }
      })()
      return () => reader.cancel()
    }
  } else {
    const { RTCVideoSource, RTCVideoSink } = m.nonstandard
    const source = new RTCVideoSource(needsDenoising === undefined ? undefined : { needsDenoising })
    track = source.createTrack()
    push = () => source.onFrame(paint())
    sinkStart = remote => {
      const sink = new RTCVideoSink(remote)
      sink.onframe = ({ frame }) => seen(frame.width, frame.height)
      return () => sink.stop()
    }
  }
  const a = new m.RTCPeerConnection(); const b = new m.RTCPeerConnection()
  const sender = a.addTrack(track, new m.MediaStream([track]))
  const tr = a.getTransceivers().find(t => t.sender === sender)
  tr.setCodecPreferences(m.RTCRtpReceiver.getCapabilities('video').codecs.filter(c => /vp8/i.test(c.mimeType)))
  // Both stacks at 1280x720: ours otherwise lets libwebrtc's balanced adaptation send 480x270 on
  // this loaded 2-core machine (measured); @roamhq/wrtc stays at 720p (it ignores or refuses this).
  let degradation = 'default'
  try {
    const p = sender.getParameters(); p.degradationPreference = 'maintain-resolution'; await sender.setParameters(p)
    degradation = sender.getParameters().degradationPreference ?? 'not reported'
  } catch (err) { degradation = `refused: ${err.name}` }
  const remote = new Promise(resolve => { b.ontrack = e => resolve(e.track) })
  const readyB = trickle(a, b); const readyA = trickle(b, a)
  const offer = await a.createOffer(); await a.setLocalDescription(offer); await b.setRemoteDescription(offer); readyB()
  const answer = await b.createAnswer(); await b.setLocalDescription(answer); await a.setRemoteDescription(answer); readyA()
  const codec = negotiatedCodec(answer.sdp, 'video')
  // Paced pushes: one frame per 1/30 s on average (late timers catch up by at most 3 frames).
  const t0 = performance.now(); let pushed = 0
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - t0) * FPS / 1000)
    if (due - pushed > 3) pushed = due - 3
    while (pushed < due) { push(); pushed++ }
  }, 5)
  const stopSink = sinkStart(await remote)
  await new Promise(resolve => setTimeout(resolve, warmS * 1000))
  got = 0; full = 0
  for (const k of Object.keys(sizes)) delete sizes[k]
  const s0 = await sent(a)
  const p0 = pushed; const c0 = process.cpuUsage(); const w0 = performance.now(); const th0 = threadTicks()
  await new Promise(resolve => setTimeout(resolve, windowS * 1000))
  const c = process.cpuUsage(c0); const secs = (performance.now() - w0) / 1000
  const cpuS = (c.user + c.system) / 1e6
  const th1 = threadTicks(); const s1 = await sent(a)
  // What the encoder gave for it: bitrate and mean QP (VP8 0–127) over the window, so that a
  // faster-because-worse encoder shows.
  const encoded = s1.framesEncoded - s0.framesEncoded
  const quality = { kbps: Math.round((s1.bytesSent - s0.bytesSent) * 8 / secs / 1000), encodedFps: encoded / secs, meanQp: encoded > 0 ? (s1.qpSum - s0.qpSum) / encoded : null, frameSize: s1.frameSize }
  const res = { mode, codec, degradation, pushedFps: (pushed - p0) / secs, recvFps: got / secs, fullSizeFps: full / secs, cpuPct: cpuS / secs * 100, framesPerCpuS: got / cpuS, ...quality, rssMB: Math.round(process.memoryUsage().rss / 1e6), sizes, threadsPct: threadPct(th0, th1, secs) }
  clearInterval(timer); stopSink(); a.close(); b.close(); track.stop()
  process.stdout.write(JSON.stringify(res) + '\n')
  process.exit(0)
}

function main () {
  const runs = opt('runs', 3); const warm = opt('warm', 6); const win = opt('window', 10)
  const modes = (args.includes('--modes') ? args[args.indexOf('--modes') + 1] : 'ours-transform,ours-nonstd,wrtc').split(',')
  const results = {}
  for (let r = 0; r < runs; r++) {
    for (const mode of modes) {
      // mode@path: that mode with another build of our addon (NODE_LIBWEBRTC_BINARY), for A/B runs
      const [base, binary] = mode.split('@')
      const env = binary ? { ...process.env, NODE_LIBWEBRTC_BINARY: binary } : process.env
      const out = spawnSync(process.execPath, [__filename, '--child', base, '--warm', String(warm), '--window', String(win), ...(denoisingArg() === undefined ? [] : ['--needs-denoising', String(denoisingArg())])],
        { encoding: 'utf8', env, timeout: (warm + win + 30) * 1000 })
      const line = (out.stdout || '').trim().split('\n').pop()
      let res
      try { res = { ...JSON.parse(line), mode } } catch { res = { mode, error: (out.stderr || out.error || 'no output').toString().slice(-300) } }
      console.log(`run ${r + 1} ${JSON.stringify(res)}`)
      ;(results[mode] ??= []).push(res)
    }
  }
  const med = xs => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  console.log('\nmedians:')
  for (const mode of modes) {
    const ok = results[mode].filter(x => !x.error)
    if (ok.length === 0) { console.log(mode, 'failed'); continue }
    const f = k => Math.round(med(ok.map(x => x[k])) * 10) / 10
    console.log(JSON.stringify({ mode, pushedFps: f('pushedFps'), recvFps: f('recvFps'), fullSizeFps: f('fullSizeFps'), cpuPct: f('cpuPct'), framesPerCpuS: f('framesPerCpuS'), kbps: f('kbps'), meanQp: f('meanQp') }))
  }
}

if (args[0] === '--child') child(args[1], opt('warm', 6), opt('window', 10), denoisingArg()).catch(err => { console.error(err); process.exit(1) })
else main()
