'use strict'
// Where one pair's setup goes: connects `pairs` pairs one after the other as the setup scenario
// does (bench/lib/connect.js), timestamping every step and event on both sides, then prints the
// median time of each step since createOffer() was called. Run it in the namespace:
//   node scripts/netns.js node bench/setup-trace.js [ours|wrtc|ndc|werift] [pairs] [--each]
// --each also prints every pair's own timeline.
const { peers } = require('./lib/peers')

const peerName = process.argv[2] || 'ours'
const pairs = +(process.argv[3] || 50)
const each = process.argv.includes('--each')
// --live: write each step to stderr as it happens, to interleave with NODE_LIBWEBRTC_LOG output.
const live = process.argv.includes('--live')
const peer = peers[peerName]

async function tracedPair (PC) {
  const marks = []
  const blocked = []
  let t0 = 0
  const mark = (name, t = performance.now() - t0) => {
    marks.push([name, t])
    if (live) process._rawDebug(`JS ${process.hrtime.bigint() / 1000n} ${(performance.now() - t0).toFixed(2)} ${name}`)
  }
  const a = new PC({ ...peer.config })
  const b = new PC({ ...peer.config })
  for (const [side, pc] of [['A', a], ['B', b]]) {
    pc.addEventListener('iceconnectionstatechange', () => mark(`${side} ice ${pc.iceConnectionState}`))
    pc.addEventListener('connectionstatechange', () => mark(`${side} conn ${pc.connectionState}`))
    pc.addEventListener('icegatheringstatechange', () => mark(`${side} gathering ${pc.iceGatheringState}`))
    pc.addEventListener('signalingstatechange', () => mark(`${side} signaling ${pc.signalingState}`))
  }
  const held = { A: [], B: [] }
  const ready = { A: false, B: false }
  const add = (to, c, side) => {
    mark(`${side} addIceCandidate called`)
    const c0 = performance.now()
    const p = to.addIceCandidate(c.toJSON ? c.toJSON() : c)
    blocked.push([`${side} addIceCandidate`, performance.now() - c0])
    Promise.resolve(p).then(() => mark(`${side} addIceCandidate resolved`), () => {})
  }
  a.onicecandidate = e => {
    mark(`A icecandidate ${e.candidate && e.candidate.candidate ? 'cand' : 'end'}`)
    if (!e.candidate || !e.candidate.candidate) return
    if (ready.B) add(b, e.candidate, 'B'); else held.B.push(e.candidate)
  }
  b.onicecandidate = e => {
    mark(`B icecandidate ${e.candidate && e.candidate.candidate ? 'cand' : 'end'}`)
    if (!e.candidate || !e.candidate.candidate) return
    if (ready.A) add(a, e.candidate, 'A'); else held.A.push(e.candidate)
  }
  const dcA = a.createDataChannel('bench')
  const openA = new Promise(resolve => { dcA.onopen = () => { mark('A dc open'); resolve() } })
  const openB = new Promise(resolve => {
    b.ondatachannel = e => {
      mark('B datachannel')
      if (e.channel.readyState === 'open') { mark('B dc open (already)'); resolve(); return }
      e.channel.onopen = () => { mark('B dc open'); resolve() }
    }
  })
  // How long the call itself holds the JS thread, then when its promise settles.
  const call = (name, fn) => {
    const c0 = performance.now()
    const p = fn()
    blocked.push([name, performance.now() - c0])
    return p.then(v => { mark(name); return v })
  }
  t0 = performance.now()
  mark('start')
  const offer = await call('A createOffer', () => a.createOffer())
  await call('A setLocal(offer)', () => a.setLocalDescription(offer))
  await call('B setRemote(offer)', () => b.setRemoteDescription(offer))
  ready.B = true; for (const c of held.B.splice(0)) add(b, c, 'B')
  const answer = await call('B createAnswer', () => b.createAnswer())
  await call('B setLocal(answer)', () => b.setLocalDescription(answer))
  await call('A setRemote(answer)', () => a.setRemoteDescription(answer))
  ready.A = true; for (const c of held.A.splice(0)) add(a, c, 'A')
  await Promise.all([openA, openB])
  mark('both open')
  a.close(); b.close()
  for (const [n, ms] of blocked) mark(`(sync call) ${n}`, ms)
  return marks
}

;(async () => {
  const PC = peer.load()
  const all = []
  for (let i = 0; i < pairs; i++) {
    const marks = await tracedPair(PC)
    all.push(marks)
    if (each) console.log(`pair ${i}: ` + marks.map(([n, t]) => `${n} ${t.toFixed(1)}`).join(' | '))
  }
  // Median per step name (the n-th occurrence of a name counts as its own step).
  const byStep = new Map()
  for (const marks of all) {
    const seen = new Map()
    for (const [n, t] of marks) {
      const k = seen.get(n) || 0
      seen.set(n, k + 1)
      const key = k === 0 ? n : `${n} #${k + 1}`
      if (!byStep.has(key)) byStep.set(key, [])
      byStep.get(key).push(t)
    }
  }
  const rows = [...byStep].map(([n, ts]) => {
    ts.sort((x, y) => x - y)
    return [n, ts[ts.length >> 1], ts[ts.length - 1], ts.length]
  }).sort((x, y) => x[1] - y[1])
  console.log(`${peer.label}: ${pairs} pairs, median (max) ms since createOffer() was called; load ${require('os').loadavg().map(x => x.toFixed(2)).join(' ')}`)
  for (const [n, med, max, count] of rows) console.log(`${med.toFixed(2).padStart(8)} ${('(' + max.toFixed(1) + ')').padStart(9)}  ${n}${count !== pairs ? `  [${count}/${pairs}]` : ''}`)
  setTimeout(() => process.exit(0), 50)
})()
