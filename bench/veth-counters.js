'use strict'
// One two-process run per scenario on a fresh veth path, then each namespace's UDP counters
// (/proc/net/snmp: a segmented send counts once; RcvbufErrors are datagrams a full receive buffer
// dropped). Needs root. Usage: node bench/veth-counters.js [throughput,small] [peer]
// Profile both sides: NLW_BENCH_WRAP='perf record -g -o /tmp/{role}.data --' node bench/veth-counters.js
const { execFileSync } = require('node:child_process')
const { createPath, destroyPath } = require('./lib/netpath')
const { runPair } = require('./lib/pair-run')

const udp = ns => execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp']).toString()
  .split('\n').filter(l => l.startsWith('Udp:')).map(l => l.split(/\s+/))

async function main () {
  const p = createPath('veth')
  try {
    for (const scenario of (process.argv[2] || 'throughput').split(',')) {
      const r = await runPair(process.argv[3] || 'ours', scenario, true, 'veth', p, 100)
      console.log(scenario, JSON.stringify(r.result ? { mbps: r.result.mbps, msgps: r.result.msgps, seconds: r.result.seconds } : r))
      for (const ns of [p.a, p.b]) {
        const [h, v] = udp(ns)
        console.log(`  ${ns}: ${h.map((k, i) => `${k}=${v[i]}`).filter(x => /InDatagrams|OutDatagrams|RcvbufErrors|SndbufErrors|InErrors/.test(x)).join(' ')}`)
      }
    }
  } finally {
    destroyPath(p)
  }
}

main().catch(err => { console.error(err); process.exit(1) })
