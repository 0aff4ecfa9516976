'use strict'
// What the first connection of a process costs, step by step: require, the first
// `new RTCPeerConnection()` (it starts the runtime: threads, factory), an idle wait,
// then one pair in this process (offer, answer, trickle) until both sides are connected. Prints the
// CPU time of the process (all threads, user + system) and the wall time of each step, in ms.
// Run it in the namespace, once per process (the point is the first pair):
//   node scripts/netns.js node bench/first-pair.js [idle ms, default 300]
const idleMs = +(process.argv[2] ?? 300)
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const steps = []
let c = cpu()
let w = performance.now()
const step = name => {
  const c2 = cpu()
  const w2 = performance.now()
  steps.push(`${name} ${(c2 - c).toFixed(1)}/${(w2 - w).toFixed(1)}`)
  c = c2
  w = w2
}

const { RTCPeerConnection } = require('..')
step('require')

async function main () {
  const a = new RTCPeerConnection()
  step('new PC')
  await new Promise(resolve => setTimeout(resolve, idleMs))
  step(`idle ${idleMs}`)
  const b = new RTCPeerConnection()
  step('second new PC')
  a.createDataChannel('x')
  a.onicecandidate = e => { if (e.candidate) b.addIceCandidate(e.candidate).catch(() => {}) }
  b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate).catch(() => {}) }
  const connected = pc => new Promise(resolve => {
    pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'connected') resolve() })
  })
  const both = Promise.all([connected(a), connected(b)])
  const offer = await a.createOffer()
  step('createOffer')
  await a.setLocalDescription(offer)
  await b.setRemoteDescription(offer)
  const answer = await b.createAnswer()
  await b.setLocalDescription(answer)
  await a.setRemoteDescription(answer)
  step('descriptions')
  await both
  step('connected')
  console.log(`${steps.join(' | ')} (CPU ms / wall ms; load ${require('node:os').loadavg()[0].toFixed(2)})`)
  a.close()
  b.close()
}

main().catch(err => { console.error(err); process.exit(1) })
