'use strict'
// Relay CPU per subscriber, forwarding vs re-encoding (issue 17, part 1). This process is the relay:
// one connection receives a publisher's video, N connections send it on. The publisher and the
// subscribers live in a child process (bench/relay-peers.js), so that only the relay's own work is
// counted here: process.cpuUsage() (all threads) over a window once everything is connected.
//
//   node scripts/netns.js node bench/relay-cpu.js [--subscribers 0,1,5,10] [--seconds 10]
//     [--width 640 --height 480 --fps 30] [--modes forward,reencode]
const { fork } = require('node:child_process')
const path = require('node:path')
const { RTCPeerConnection, nonstandard } = require('..')

const args = process.argv.slice(2)
const arg = (name, fallback) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
const counts = arg('subscribers', '0,1,5,10').split(',').map(Number)
const seconds = Number(arg('seconds', '10'))
const modes = arg('modes', 'forward,reencode').split(',')
const video = { width: Number(arg('width', '640')), height: Number(arg('height', '480')), frameRate: Number(arg('fps', '30')) }

function gathered (pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() }))
}

async function run (mode, n) {
  const child = fork(path.join(__dirname, 'relay-peers.js'), [JSON.stringify(video)])
  const waiting = new Map()
  child.on('message', m => { const w = waiting.get(m.id); if (w) { waiting.delete(m.id); w(m) } })
  const ask = (msg) => new Promise(resolve => { waiting.set(msg.id, resolve); child.send(msg) })

  const config = { forwardEncodedVideo: mode === 'forward' }
  const inbound = new RTCPeerConnection()
  const track = new Promise(resolve => { inbound.ontrack = e => resolve(e.track) })
  const offer = await ask({ id: 'pub', type: 'publish' })
  await inbound.setRemoteDescription(offer.description)
  await inbound.setLocalDescription()
  await gathered(inbound)
  child.send({ id: 'pub-answer', type: 'answer', description: inbound.localDescription.toJSON() })
  const remote = await track
  const outs = []
  for (let i = 0; i < n; i++) {
    const pc = new RTCPeerConnection(config)
    pc.addTrack(remote)
    await pc.setLocalDescription()
    await gathered(pc)
    const answer = await ask({ id: `sub${i}`, type: 'subscribe', description: pc.localDescription.toJSON() })
    await pc.setRemoteDescription(answer.description)
    outs.push(pc)
  }
  await new Promise(resolve => setTimeout(resolve, 3000)) // ramp-up, first keyframes
  const before = process.cpuUsage(); const c0 = nonstandard.relayCounters(); const t0 = process.hrtime.bigint()
  const f0 = await ask({ id: 'frames0', type: 'frames' })
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const f1 = await ask({ id: 'frames1', type: 'frames' })
  const used = process.cpuUsage(before); const c1 = nonstandard.relayCounters()
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = (used.user + used.system) / 1e6 / wall * 100
  const received = f1.frames.map((x, i) => (x - (f0.frames[i] ?? 0)) / wall)
  for (const pc of outs) pc.close()
  inbound.close()
  child.kill()
  return {
    mode, subscribers: n, cpuPercentOfCore: Number(cpu.toFixed(1)),
    subscriberFps: received.length ? Number((received.reduce((a, b) => a + b, 0) / received.length).toFixed(1)) : null,
    forwardedPerS: Math.round((c1.forwardedFrames - c0.forwardedFrames) / wall),
    encodedPerS: Math.round((c1.encodedFrames - c0.encodedFrames) / wall)
  }
}

async function main () {
  const results = []
  for (const mode of modes) {
    for (const n of counts) {
      const r = await run(mode, n)
      results.push(r)
      console.log(JSON.stringify(r))
    }
  }
  // CPU per subscriber: the slope between the smallest and the largest N of each mode.
  for (const mode of modes) {
    const rs = results.filter(r => r.mode === mode).sort((a, b) => a.subscribers - b.subscribers)
    if (rs.length < 2) continue
    const lo = rs[0]; const hi = rs[rs.length - 1]
    const per = (hi.cpuPercentOfCore - lo.cpuPercentOfCore) / (hi.subscribers - lo.subscribers)
    console.log(`${mode}: ${per.toFixed(2)} % of a core per subscriber (N ${lo.subscribers} -> ${hi.subscribers})`)
  }
  process.exit(0)
}

main().catch(err => { console.error(err); process.exit(1) })
