'use strict'
// A sink attached later to the relay's remote video track (issue 17, part 2): the relay decodes the
// publisher only while something takes pictures, so a sink attached later waits for the keyframe the
// decoder asks for. Prints, per attach, the time to its first picture, and the relay's counters and
// inbound-rtp stats while no sink is on.
//   node scripts/netns.js node bench/relay-late-sink.js [--cycles 5] [--width 1280 --height 720]
const path = require('node:path')
const { mediaDevices, nonstandard } = require('..')
const { makePc, closeAll, once, trickle, negotiate, delay } = require(path.join(__dirname, '..', 'test', 'helpers', 'pair'))

const args = process.argv.slice(2)
const arg = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
const cycles = Number(arg('cycles', '5'))
const width = Number(arg('width', '1280'))
const height = Number(arg('height', '720'))

function pair () { const a = makePc(); const b = makePc(); trickle(a, b, []); trickle(b, a, []); return { a, b } }

async function inbound (pc) {
  for (const s of (await pc.getStats()).values()) if (s.type === 'inbound-rtp' && s.kind === 'video') return s
  return {}
}

;(async () => {
  const pub = pair()
  const stream = await mediaDevices.getUserMedia({ video: { width, height, frameRate: 30 } })
  pub.a.addTrack(stream.getVideoTracks()[0], stream)
  const remote = once(pub.b, 'track').then(e => e.track)
  await negotiate(pub.a, pub.b)
  const track = await remote
  const sub = pair()
  sub.a.addTrack(track)
  const subTrack = once(sub.b, 'track').then(e => e.track)
  await negotiate(sub.a, sub.b)
  const keep = new nonstandard.RTCVideoSink(await subTrack)
  let subFrames = 0
  keep.onframe = () => { subFrames++ }
  await delay(3000)
  const out = []
  for (let i = 0; i < cycles; i++) {
    const c0 = nonstandard.relayCounters(); const s0 = await inbound(pub.b)
    await delay(2000)
    const c1 = nonstandard.relayCounters(); const s1 = await inbound(pub.b)
    const sink = new nonstandard.RTCVideoSink(track)
    const t0 = performance.now()
    const first = await new Promise(resolve => { sink.onframe = ({ frame }) => { resolve({ ms: performance.now() - t0, size: `${frame.width}x${frame.height}` }); sink.onframe = null } })
    await delay(1000)
    sink.stop()
    out.push({
      firstPictureMs: Math.round(first.ms),
      size: first.size,
      noSink2s: { decoded: c1.decodedFrames - c0.decodedFrames, undecoded: c1.undecodedFrames - c0.undecodedFrames, relayFramesDecoded: s1.framesDecoded - s0.framesDecoded, relayFramesDropped: s1.framesDropped - s0.framesDropped, relayFramesReceived: s1.framesReceived - s0.framesReceived }
    })
    console.log(JSON.stringify(out[out.length - 1]))
  }
  console.log(JSON.stringify({ subscriberFps: subFrames / ((cycles * 3000 + 3000) / 1000) }))
  keep.stop()
  closeAll()
  process.exit(0)
})().catch(err => { console.error(err); process.exit(1) })
