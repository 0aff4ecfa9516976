'use strict'
// One measurement: one stack, one scenario, one run, in a process of its own (fresh RSS, clean
// exit timing). Prints one line `BENCH_RESULT {json}` on stdout; run.js collects it.
// Usage: node --expose-gc bench/child.js <peer> <scenario> [--quick]
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { peers } = require('./lib/peers')
const { connectPair, closePair } = require('./lib/connect')
const { pump, receive } = require('./lib/flow')
const media = require('./lib/media')

const [peerName, scenario] = process.argv.slice(2)
const quick = process.argv.includes('--quick')
const peer = peers[peerName]
if (peer === undefined) throw new Error(`unknown peer ${peerName}`)

const MiB = 1024 * 1024
const sizes = require('./lib/sizes').sizes(quick)

function report (result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ peer: peerName, scenario, ...result })}\n`)
}

function gc () { if (typeof global.gc === 'function') { global.gc(); global.gc() } }
function delay (ms) { return new Promise(resolve => setTimeout(resolve, ms)) }

async function setup (PC) {
  const times = []
  for (let i = 0; i < sizes.setupPairs; i++) {
    const p = await connectPair(PC, peer.config)
    times.push(p.ms)
    closePair(p)
  }
  return { times }
}

/** Sends `count` messages of `size` bytes a -> b; returns the rate seen by the receiver. */
async function stream (PC, count, size, window) {
  const p = await connectPair(PC, peer.config)
  const msg = Buffer.alloc(size, 0x61)
  const got = receive(p.dcB, count, sizes.deadlineMs)
  const t0 = performance.now()
  // Not awaited alone: a stack that stops draining would keep it pending past the deadline.
  const sending = pump(p.dcA, peer.flow, msg, count, window)
  await Promise.race([sending, got])
  const { t, bytes, n, partial } = await got
  closePair(p)
  const s = (t - t0) / 1000
  return { seconds: s, bytes, messages: n, partial, mbps: bytes / 1e6 / s, msgps: n / s }
}

/** As stream(), with the receiving peer connection in a worker thread (signaling by postMessage). */
async function streamToWorker (PC, count, size) {
  const worker = new Worker(path.join(__dirname, 'lib', 'worker.js'), { workerData: { peer: peerName, count, deadlineMs: sizes.deadlineMs } })
  const failed = new Promise((resolve, reject) => {
    worker.once('error', reject)
    worker.once('exit', code => reject(new Error(`worker exited (${code}) before the end`)))
  })
  const fromWorker = type => Promise.race([failed, new Promise(resolve => {
    const on = m => { if (m.type === type) { worker.off('message', on); resolve(m) } }
    worker.on('message', on)
  })])
  const a = new PC({ ...peer.config })
  const held = []
  let ready = false
  const addRemote = c => Promise.resolve(a.addIceCandidate(c)).catch(() => {})
  worker.on('message', m => { if (m.type === 'candidate') { if (ready) addRemote(m.candidate); else held.push(m.candidate) } })
  a.onicecandidate = e => {
    if (!e.candidate || !e.candidate.candidate) return
    const c = e.candidate
    worker.postMessage({ type: 'candidate', candidate: JSON.parse(JSON.stringify(typeof c.toJSON === 'function' ? c.toJSON() : c)) })
  }
  const dc = a.createDataChannel('bench')
  const opened = new Promise(resolve => { dc.onopen = resolve })
  const offer = await a.createOffer()
  await a.setLocalDescription(offer)
  const local = a.localDescription ?? offer
  worker.postMessage({ type: 'offer', sdp: { type: local.type, sdp: local.sdp } })
  const { sdp } = await fromWorker('answer')
  await a.setRemoteDescription(sdp)
  ready = true
  for (const c of held.splice(0)) addRemote(c)
  await Promise.race([failed, Promise.all([opened, fromWorker('open')])])
  const done = fromWorker('done')
  const t0 = performance.timeOrigin + performance.now()
  const sending = pump(dc, peer.flow, Buffer.alloc(size, 0x61), count, sizes.window)
  await Promise.race([sending, done])
  const { abs, bytes, n, partial } = await done
  const s = (abs - t0) / 1000
  try { a.close() } catch {}
  worker.postMessage({ type: 'close' })
  await Promise.race([new Promise(resolve => worker.once('exit', resolve)), delay(5000)])
  return { seconds: s, bytes, messages: n, partial, mbps: bytes / 1e6 / s, msgps: n / s }
}

/** n pairs connected at once; RSS per idle pair; then close all (run.js times the exit). */
async function scale (PC, n) {
  // Warm up (threads, factory, certificates) so that the baseline holds the fixed costs.
  closePair(await connectPair(PC, peer.config))
  await delay(500)
  gc()
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  let open = 0
  const all = Promise.all(Array.from({ length: n }, () => connectPair(PC, peer.config).then(p => { open++; return p })))
  const limit = n * sizes.scaleMsPerPair
  let giveUp
  const pairs = await Promise.race([all, new Promise(resolve => { giveUp = setTimeout(resolve, limit, null) })])
  clearTimeout(giveUp) // a pending timer would hold the exit that run.js times
  if (pairs === null) {
    report({ error: `${open} of ${n} pairs open after ${limit / 1000} s` })
    process.exit(1)
  }
  const openMs = performance.now() - t0
  const setupMs = pairs.map(p => p.ms).sort((x, y) => x - y)
  await delay(1000) // idle
  gc()
  const rss1 = process.memoryUsage().rss
  const closeStart = Date.now()
  report({
    openMs,
    pairMedianMs: setupMs[setupMs.length >> 1],
    pairMaxMs: setupMs[setupMs.length - 1],
    rssBase: rss0,
    rssOpen: rss1,
    rssPerPairMB: (rss1 - rss0) / n / MiB,
    closeStart
  })
  for (const p of pairs) closePair(p)
  // Nothing else: run.js measures from closeStart until this process has exited by itself.
}

const MEDIA = {
  'media-video': () => media.video(peerName, peer.config, sizes.video),
  'media-audio': () => media.audio(peerName, peer.config, sizes.audio),
  'media-audio-sink': () => media.audio(peerName, peer.config, sizes.audio, { consume: true }),
  'media-setup': () => media.setup(peerName, peer.config, sizes.mediaSetup)
}

async function main () {
  if (scenario in MEDIA) {
    report(await MEDIA[scenario]())
    process.exit(0)
  }
  const PC = peer.load()
  switch (scenario) {
    case 'setup': report(await setup(PC)); break
    case 'throughput': report(await stream(PC, sizes.throughputBytes / sizes.throughputMsg, sizes.throughputMsg, sizes.window)); break
    case 'throughput-worker': report(await streamToWorker(PC, sizes.throughputBytes / sizes.throughputMsg, sizes.throughputMsg)); break
    case 'small': report(await stream(PC, sizes.smallCount, sizes.smallMsg, sizes.smallWindow)); break
    case 'scale-200': await scale(PC, quick ? 50 : 200); return
    case 'scale-1000': await scale(PC, quick ? 100 : 1000); return
    default: throw new Error(`unknown scenario ${scenario}`)
  }
  // Measured and reported: leave now, whatever the stack's exit behaviour (scale measures that).
  process.exit(0)
}

main().catch(err => {
  report({ error: String(err && err.message ? err.message : err).split('\n')[0] })
  process.exit(1)
})
