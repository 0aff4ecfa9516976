'use strict'
// getStats cost (ours only; not part of run.js's side-by-side table). Run in a loopback-only namespace:
//   node scripts/netns.js node bench/stats.js [--reports 200] [--connections 200] [--seconds 10]
// On Node >= 23.9 it also reads the JS thread's own CPU time (process.threadCpuUsage).
//
// 1. One report of a connection sending 2 media streams (audio + 320x240 video) with a data
//    channel: JS-thread time per report, from the event loop's active time
//    (performance.eventLoopUtilization) over `reports` sequential getStats() calls, less the
//    active time of the same number of equal waits without a call (the media's own JS work).
//    Also the process CPU (all threads: libwebrtc's collection runs on its signaling thread) per
//    report the same way, the report's size, and the call -> resolve latency.
// 2. `connections` connections (pairs with a data channel each) polled once a second for
//    `seconds`: event-loop utilization and process CPU with polling vs the same time without it.
const { RTCPeerConnection, mediaDevices } = require('..')

function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const REPORTS = arg('reports', 200)
const CONNECTIONS = arg('connections', 200)
const SECONDS = arg('seconds', 10)
const GAP_MS = 60 // libwebrtc caches a report for 50 ms: every call here collects a fresh one

const delay = ms => new Promise(resolve => setTimeout(resolve, ms))
const median = list => { const s = [...list].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] }

async function connect (a, b) {
  for (const [from, to] of [[a, b], [b, a]]) {
    from.onicecandidate = e => { if (to.signalingState !== 'closed') to.addIceCandidate(e.candidate).catch(() => {}) }
  }
  await a.setLocalDescription()
  await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription()
  await a.setRemoteDescription(b.localDescription)
}

// The JS thread's own CPU time where Node has it (process.threadCpuUsage, Node >= 23.9); the
// event loop's active time is wall time, which a busy machine inflates (the thread is descheduled).
const threadCpu = typeof process.threadCpuUsage === 'function' ? () => process.threadCpuUsage() : null

/** Event-loop active ms, JS-thread CPU ms (or NaN) and process CPU ms spent while `work()` runs. */
async function measure (work) {
  const elu = performance.eventLoopUtilization()
  const cpu = process.cpuUsage()
  const thread = threadCpu?.()
  const t = performance.now()
  await work()
  const e = performance.eventLoopUtilization(elu)
  const c = process.cpuUsage(cpu)
  const th = threadCpu ? process.threadCpuUsage(thread) : null
  return {
    activeMs: e.active,
    threadMs: th ? (th.user + th.system) / 1000 : NaN,
    cpuMs: (c.user + c.system) / 1000,
    wallMs: performance.now() - t
  }
}

async function oneReport () {
  const a = new RTCPeerConnection()
  const b = new RTCPeerConnection()
  const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 30 } })
  for (const t of stream.getTracks()) a.addTrack(t, stream)
  const dc = a.createDataChannel('bench')
  const unmuted = new Promise(resolve => {
    let n = 0
    b.ontrack = e => e.track.addEventListener('unmute', () => { if (++n === 2) resolve() }, { once: true })
  })
  const open = new Promise(resolve => { dc.onopen = resolve })
  await connect(a, b)
  await Promise.all([open, unmuted])
  await delay(3000) // RTCP reports arrive: the report has its remote-* stats
  const sample = await a.getStats()
  const members = [...sample.values()].reduce((n, s) => n + Object.keys(s).length, 0)
  const types = [...new Set([...sample.values()].map(s => s.type))].sort()
  // Warm-up (JIT, first-call costs), then the control and the measured runs, interleaved in halves.
  for (let i = 0; i < 20; i++) { await a.getStats(); await delay(GAP_MS) }
  const latencies = []
  let withCalls = { activeMs: 0, threadMs: 0, cpuMs: 0 }
  let without = { activeMs: 0, threadMs: 0, cpuMs: 0 }
  const add = (x, y) => ({ activeMs: x.activeMs + y.activeMs, threadMs: x.threadMs + y.threadMs, cpuMs: x.cpuMs + y.cpuMs })
  for (let half = 0; half < 2; half++) {
    without = add(without, await measure(async () => { for (let i = 0; i < REPORTS / 2; i++) await delay(GAP_MS) }))
    withCalls = add(withCalls, await measure(async () => {
      for (let i = 0; i < REPORTS / 2; i++) {
        const t = performance.now()
        await a.getStats()
        latencies.push(performance.now() - t)
        await delay(GAP_MS)
      }
    }))
  }
  for (const t of stream.getTracks()) t.stop()
  a.close(); b.close()
  return {
    stats: sample.size,
    members,
    types,
    jsMsPerReport: (withCalls.activeMs - without.activeMs) / REPORTS,
    jsCpuMsPerReport: (withCalls.threadMs - without.threadMs) / REPORTS,
    cpuMsPerReport: (withCalls.cpuMs - without.cpuMs) / REPORTS,
    latencyMedianMs: median(latencies),
    latencyMaxMs: Math.max(...latencies)
  }
}

async function manyConnections () {
  const peers = []
  const opened = []
  for (let i = 0; i < CONNECTIONS / 2; i++) {
    const a = new RTCPeerConnection()
    const b = new RTCPeerConnection()
    const dc = a.createDataChannel('poll')
    opened.push(new Promise(resolve => { dc.onopen = resolve }))
    peers.push(a, b)
    await connect(a, b)
  }
  await Promise.all(opened)
  await delay(2000)
  const latencies = []
  const idle = await measure(() => delay(SECONDS * 1000))
  const polled = await measure(async () => {
    for (let s = 0; s < SECONDS; s++) {
      const tick = delay(1000)
      await Promise.all(peers.map(async pc => {
        const t = performance.now()
        await pc.getStats()
        latencies.push(performance.now() - t)
      }))
      await tick
    }
  })
  for (const pc of peers) pc.close()
  return {
    connections: peers.length,
    idle: { eluPct: 100 * idle.activeMs / idle.wallMs, cpuPct: 100 * idle.cpuMs / idle.wallMs },
    polled: { eluPct: 100 * polled.activeMs / polled.wallMs, cpuPct: 100 * polled.cpuMs / polled.wallMs },
    jsMsPerRound: (polled.activeMs - idle.activeMs) / SECONDS,
    jsCpuMsPerRound: (polled.threadMs - idle.threadMs) / SECONDS,
    latencyMedianMs: median(latencies),
    latencyMaxMs: Math.max(...latencies)
  }
}

async function main () {
  const one = await oneReport()
  console.log(`one report (audio + video + data channel): ${one.stats} stats objects, ${one.members} members, types ${one.types.join(', ')}`)
  console.log(`  JS thread per report: event loop active ${one.jsMsPerReport.toFixed(3)} ms, its CPU ${one.jsCpuMsPerReport.toFixed(3)} ms` +
    `${threadCpu ? '' : ' (no process.threadCpuUsage in this Node)'}; process CPU per report (all threads): ${one.cpuMsPerReport.toFixed(3)} ms`)
  console.log(`  getStats() -> resolved: median ${one.latencyMedianMs.toFixed(2)} ms, max ${one.latencyMaxMs.toFixed(2)} ms (${REPORTS} calls)`)
  const many = await manyConnections()
  console.log(`${many.connections} connections polled once a second for ${SECONDS} s:`)
  console.log(`  event loop busy ${many.idle.eluPct.toFixed(1)} % idle -> ${many.polled.eluPct.toFixed(1)} % polled; ` +
    `process CPU ${many.idle.cpuPct.toFixed(1)} % -> ${many.polled.cpuPct.toFixed(1)} % of one core`)
  console.log(`  JS thread per polling round: event loop active ${many.jsMsPerRound.toFixed(1)} ms, its CPU ${many.jsCpuMsPerRound.toFixed(1)} ms; ` +
    `getStats() -> resolved: median ${many.latencyMedianMs.toFixed(1)} ms, max ${many.latencyMaxMs.toFixed(1)} ms`)
  if (process.argv.includes('--json')) console.log(JSON.stringify({ one, many }))
}

main().then(() => process.exit(0), err => { console.error(err); process.exit(1) })
