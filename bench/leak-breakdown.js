'use strict'
// Where RSS goes over create/connect/close cycles: per 1,000 cycles, V8 heap, malloc's main arena
// ([heap]), other anonymous memory (thread arenas, large mallocs, stacks) and file mappings, from
// /proc/self/smaps. node --expose-gc bench/leak-breakdown.js [cycles] [idle seconds]
const { connectPair, delay, nonstandard } = require('../test/reliability/fixtures/peers')
const fs = require('fs')
function smaps () {
  const out = { heap: 0, anon: 0, file: 0, stack: 0 }
  let cur = null
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (m) { const n = m[1]; cur = n === '[heap]' ? 'heap' : n === '' ? 'anon' : n.startsWith('[stack') ? 'stack' : 'file'; continue }
    const r = /^Rss:\s+(\d+) kB/.exec(line)
    if (r && cur) out[cur] += +r[1] / 1024
  }
  for (const k in out) out[k] = +out[k].toFixed(1)
  return out
}
async function cycle (i) {
  const p = await connectPair()
  const got = new Promise(resolve => { p.remote.onmessage = e => resolve(e.data) })
  p.dc.send(`m${i}`); await got
  p.a.close(); p.b.close()
}
;(async () => {
  const n = +process.argv[2] || 10000
  for (let i = 1; i <= n; i++) {
    await cycle(i)
    if (i % 1000 === 0) {
      for (let j = 0; j < 3; j++) { global.gc(); await delay(20) }
      const m = process.memoryUsage()
      console.log(JSON.stringify({ i, rss: +(m.rss / 1048576).toFixed(1), v8Total: +(m.heapTotal / 1048576).toFixed(1), ext: +(m.external / 1048576).toFixed(1), ...smaps(), lw: nonstandard.liveObjects().libwebrtcPeerConnections }))
    }
  }
  if (process.argv[3]) { await delay(+process.argv[3] * 1000); global.gc(); console.log(JSON.stringify({ idle: process.argv[3], rss: +(process.memoryUsage().rss / 1048576).toFixed(1), ...smaps() })) }
  process.exit(0)
})()
