'use strict'
// One throughput or small-message run in this process, for profilers: prints the rate and the CPU
// seconds of each thread. Run it in the namespace, e.g.
//   node scripts/netns.js perf record -F 499 --call-graph dwarf,8192 node bench/profile.js ours small 50000
// Usage: node bench/profile.js <ours|wrtc|ndc|werift> <small|throughput|scale> [count]
// (scale: `count` pairs, default 1000, connected at once; prints the time until all are open)
const { peers } = require('./lib/peers')
const { connectPair, closePair } = require('./lib/connect')
const { pump, receive } = require('./lib/flow')
const peer = peers[process.argv[2]]
const kind = process.argv[3]
const count = +(process.argv[4] || (kind === 'small' ? 100000 : kind === 'scale' ? 1000 : 1024))
const size = kind === 'small' ? 100 : 65536
const win = kind === 'small' ? { low: 65536, high: 262144 } : { low: 1 << 20, high: 4 << 20 }
;(async () => {
  const PC = peer.load()
  if (kind === 'scale') return scale(PC)
  const p = await connectPair(PC, peer.config)
  const got = receive(p.dcB, count)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  await pump(p.dcA, peer.flow, Buffer.alloc(size, 0x61), count, win)
  const r = await got
  const cpu = process.cpuUsage(cpu0)
  const s = (r.t - t0) / 1000
  console.log(`${peer.label} ${kind}: ${(count / s).toFixed(0)} msg/s, ${(r.bytes / 1e6 / s).toFixed(1)} MB/s, wall ${s.toFixed(2)} s, cpu user ${(cpu.user / 1e6).toFixed(2)} s sys ${(cpu.system / 1e6).toFixed(2)} s`)
  printThreadCpu()
  closePair(p)
  setTimeout(() => process.exit(0), 100)
})()

async function scale (PC) {
  closePair(await connectPair(PC, peer.config))  // warm up, as bench/child.js does
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const pairs = await Promise.all(Array.from({ length: count }, () => connectPair(PC, peer.config)))
  const cpu = process.cpuUsage(cpu0)
  const ms = pairs.map(p => p.ms).sort((x, y) => x - y)
  console.log(`${peer.label} scale: ${count} pairs open in ${(performance.now() - t0).toFixed(0)} ms (pair median ${ms[ms.length >> 1].toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms), cpu user ${(cpu.user / 1e6).toFixed(2)} s sys ${(cpu.system / 1e6).toFixed(2)} s`)
  printThreadCpu()
  for (const p of pairs) closePair(p)
  setTimeout(() => process.exit(0), 100)
}

function printThreadCpu () {
  const fs = require('fs')
  const per = {}
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const st = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8')
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
      per[comm] = (per[comm] || 0) + (+f[11] + +f[12]) / 100
    } catch {}
  }
  console.log('thread cpu s:', JSON.stringify(Object.fromEntries(Object.entries(per).filter(([, v]) => v > 0.05).map(([k, v]) => [k, +v.toFixed(2)]))))
}
