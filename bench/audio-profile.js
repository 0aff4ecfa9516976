'use strict'
// One media-audio run in this process, for profilers: N Opus streams (one per pair), remote audio
// consumed by an RTCAudioSink each or not. Prints the process CPU and each thread's share. Run it
// in the namespace, e.g.
//   node scripts/netns.js perf record -F 499 -g node bench/audio-profile.js ours 20 sink
// Usage: node bench/audio-profile.js <ours|wrtc> [streams=20] [sink|nosink] [windowMs=8000]
const media = require('./lib/media')
const { peers } = require('./lib/peers')
const name = process.argv[2] || 'ours'
const streams = +(process.argv[3] || 20)
const consume = process.argv[4] === 'sink'
const windowMs = +(process.argv[5] || 8000)
media.audio(name, peers[name].config, { streams, warmMs: 2000, windowMs }, { consume }).then(r => {
  console.log(JSON.stringify({ stack: name, streams, consume, cpuPct: +r.cpuPct.toFixed(1), perStream: +r.cpuPctPerStream.toFixed(3), remoteChunksPerStream: r.remoteChunksPerStream, threads: r.threads }))
  setTimeout(() => process.exit(0), 200)
}, e => { console.error(e); process.exit(1) })
