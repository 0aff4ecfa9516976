'use strict'
// What a decoded 1280x720 I420 frame costs to get into JS: nonstandard RTCVideoSink (copies the
// planes into a new ArrayBuffer for every frame) against MediaStreamTrackProcessor (lends the
// libwebrtc buffer as an external ArrayBuffer; close() gives it back). Both read the same local
// track fed by an RTCVideoSource, one frame at a time (push, then wait for it in JS), so the
// push (one copy of the JS pixels into a libwebrtc buffer) is the same in both; the CPU besides
// the push is what getting the frame into JS costs (the hop, the wrapping or the copy, the event).
//   node bench/frame-into-js.js [frames=600]
const { nonstandard, MediaStreamTrackProcessor } = require('..')

const W = 1280; const H = 720
const N = Number(process.argv[2] || 600)
const pixels = new Uint8Array(W * H * 3 / 2).fill(100)

function cpuMs (start) { const u = process.cpuUsage(start); return (u.user + u.system) / 1000 }
function cpuUs (start) { const u = process.cpuUsage(start); return u.user + u.system }
let pushUs = 0

async function viaSink () {
  const source = new nonstandard.RTCVideoSource()
  const track = source.createTrack()
  const sink = new nonstandard.RTCVideoSink(track)
  let resolve
  let bytes = 0
  pushUs = 0
  sink.onframe = ({ frame }) => { bytes += frame.data[0]; resolve() }
  const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) {
    const got = new Promise(r => { resolve = r })
    const p = process.cpuUsage()
    source.onFrame({ width: W, height: H, data: pixels, timestamp: i * 33333 })
    pushUs += cpuUs(p)
    await got
  }
  const res = { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: cpuMs(c0), pushMs: pushUs / 1000, bytes }
  sink.stop(); track.stop()
  return res
}

async function viaProcessor () {
  const source = new nonstandard.RTCVideoSource()
  const track = source.createTrack()
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader()
  let bytes = 0
  pushUs = 0
  const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) {
    const p = process.cpuUsage()
    source.onFrame({ width: W, height: H, data: pixels, timestamp: i * 33333 })
    pushUs += cpuUs(p)
    const { value } = await reader.read()
    bytes += value.codedWidth
    value.close()
  }
  const res = { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: cpuMs(c0), pushMs: pushUs / 1000, bytes }
  track.stop()
  return res
}

async function main () {
  const keepAlive = setInterval(() => {}, 1000)  // the addon's dispatcher does not hold the loop open
  const rows = []
  for (let round = 0; round < 3; round++) {
    for (const [name, fn] of [['RTCVideoSink (copy)', viaSink], ['MediaStreamTrackProcessor (lent)', viaProcessor]]) {
      const r = await fn()
      rows.push({ name, round, usPerFrameWall: Math.round(r.wallMs * 1000 / N), usPerFrameCpu: Math.round(r.cpuMs * 1000 / N), usPerFrameCpuBesidesPush: Math.round((r.cpuMs - r.pushMs) * 1000 / N) })
    }
  }
  const med = name => {
    const xs = rows.filter(r => r.name === name)
    const m = k => xs.map(x => x[k]).sort((a, b) => a - b)[1]
    return { name, usPerFrameWall: m('usPerFrameWall'), usPerFrameCpu: m('usPerFrameCpu'), usPerFrameCpuBesidesPush: m('usPerFrameCpuBesidesPush') }
  }
  console.log(`1280x720 I420, ${N} frames x 3 rounds, medians (push one frame, wait for it in JS):`)
  for (const name of ['RTCVideoSink (copy)', 'MediaStreamTrackProcessor (lent)']) console.log(JSON.stringify(med(name)))
  clearInterval(keepAlive)
  nonstandard.shutdown()
}
main()
