'use strict'
// One side of a two-process measurement (run.js starts both, each in its network namespace, and
// relays the signaling between them): `offer` creates the channel and sends, `answer` receives.
// Signaling: lines `SIG {json}` on stdout out, JSON lines on stdin in. The side that measured
// prints `BENCH_RESULT {json}`.
// Usage: node --expose-gc bench/side.js <peer> <scenario> <offer|answer> <profile> [--quick]
const readline = require('node:readline')
const { peers } = require('./lib/peers')
const { whenOpen } = require('./lib/connect')
const { pump, receive } = require('./lib/flow')
const { sizes } = require('./lib/sizes')

const [peerName, scenario, role, profile] = process.argv.slice(2)
const quick = process.argv.includes('--quick')
const peer = peers[peerName]
if (peer === undefined) throw new Error(`unknown peer ${peerName}`)
const size = sizes(quick)
// The WAN path moves ~0.5 MB/s whatever the stack (0.5% loss and a 40 ms RTT bound any
// loss-driven congestion control): a smaller transfer ends within the deadline.
if (profile === 'netem') size.throughputBytes = (quick ? 2 : 8) * 1024 * 1024
// On loopback a stack may need an option to gather 127.0.0.1; on the veth paths none gets any.
const config = profile === 'loopback' ? { ...peer.config } : {}
const PC = peer.load()

function send (m) { process.stdout.write(`SIG ${JSON.stringify(m)}\n`) }
function report (result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ peer: peerName, scenario, profile, ...result })}\n`)
}
const now = () => performance.timeOrigin + performance.now()
const plain = c => JSON.parse(JSON.stringify(typeof c.toJSON === 'function' ? c.toJSON() : c))

// Incoming signaling, by type; a waiter gets the first message of its type (and pair index).
const inbox = []
const waiters = []
function deliver (m) {
  const w = waiters.findIndex(x => x.type === m.type && (x.i === undefined || x.i === m.i))
  if (w >= 0) waiters.splice(w, 1)[0].resolve(m)
  else inbox.push(m)
}
function next (type, i) {
  const k = inbox.findIndex(x => x.type === type && (i === undefined || x.i === i))
  if (k >= 0) return Promise.resolve(inbox.splice(k, 1)[0])
  return new Promise(resolve => waiters.push({ type, i, resolve }))
}
const onMessage = []
readline.createInterface({ input: process.stdin }).on('line', line => {
  if (line.trim() === '') return
  const m = JSON.parse(line)
  for (const f of onMessage) if (f(m)) return
  deliver(m)
}).on('close', () => process.exit(0))

/** Candidates of pc go out as {type:'candidate', i}; remote ones are held until `ready()`. */
function candidates (pc, i) {
  const held = []
  let ready = false
  const add = c => Promise.resolve(pc.addIceCandidate(c)).catch(() => {})
  pc.onicecandidate = e => {
    if (!e.candidate || !e.candidate.candidate) return
    send({ type: 'candidate', i, candidate: plain(e.candidate) })
  }
  onMessage.push(m => {
    if (m.type !== 'candidate' || m.i !== i) return false
    if (ready) add(m.candidate)
    else held.push(m.candidate)
    return true
  })
  return () => { ready = true; for (const c of held.splice(0)) add(c) }
}

/** Offerer: one pair; resolves { pc, dc, ms } once the channel is open on both sides. */
async function offerPair (i) {
  const pc = new PC({ ...config })
  const ready = candidates(pc, i)
  const dc = pc.createDataChannel('bench')
  const t0 = performance.now()
  const open = whenOpen(dc)
  const offer = await pc.createOffer()
  await pc.setLocalDescription(offer)
  // The object createOffer returned, as the one-process bench does: localDescription may already
  // hold candidates, which node-datachannel then refuses with its trickled copies.
  send({ type: 'offer', i, sdp: { type: offer.type, sdp: offer.sdp } })
  const { sdp } = await next('answer', i)
  await pc.setRemoteDescription(sdp)
  ready()
  await Promise.all([open, next('open', i)])
  return { pc, dc, ms: performance.now() - t0 }
}

/** Answerer: one pair; resolves { pc, dc } once its channel is open (and tells the offerer). */
async function answerPair (i) {
  const { sdp } = await next('offer', i)
  const pc = new PC({ ...config })
  const ready = candidates(pc, i)
  const channel = new Promise(resolve => { pc.ondatachannel = e => resolve(e.channel) })
  await pc.setRemoteDescription(sdp)
  ready()
  const answer = await pc.createAnswer()
  await pc.setLocalDescription(answer)
  send({ type: 'answer', i, sdp: { type: answer.type, sdp: answer.sdp } })
  const dc = await whenOpen(await channel)
  return { pc, dc }
}

function close (pc) { try { pc.close() } catch {} }

async function setup () {
  if (role === 'offer') {
    const times = []
    for (let i = 0; i < size.setupPairs; i++) {
      const p = await offerPair(i)
      times.push(p.ms)
      close(p.pc)
      send({ type: 'close', i })
    }
    report({ times })
  } else {
    for (let i = 0; i < size.setupPairs; i++) {
      const p = await answerPair(i)
      send({ type: 'open', i })
      await next('close', i)
      close(p.pc)
    }
    await next('end')
  }
}

// CPU time of this process (all threads, user + system), ms: what a transfer costs, which the
// machine's load moves less than the rate.
function cpuMs () { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

// Per thread of this process, by name: ms on a CPU and ms runnable but waiting for one
// (/proc/self/task/*/schedstat; Linux). What is left of the wall time the thread slept (idle, or
// waiting for another thread). Threads of one name (Node's workers) are summed.
function schedMs () {
  const fs = require('node:fs')
  const out = {}
  let tids = []
  try { tids = fs.readdirSync('/proc/self/task') } catch { return out }
  for (const tid of tids) {
    try {
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()
      const [run, wait] = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number)
      const t = (out[name] ??= { run: 0, wait: 0 })
      t.run += run / 1e6
      t.wait += wait / 1e6
    } catch {}
  }
  return out
}
function schedSince (before) {
  const now = schedMs()
  const d = {}
  for (const [name, t] of Object.entries(now)) {
    const b = before[name] ?? { run: 0, wait: 0 }
    const run = t.run - b.run
    const wait = t.wait - b.wait
    if (run > 1 || wait > 1) d[name] = { run: Math.round(run), wait: Math.round(wait) }
  }
  return d
}

async function stream (count, msgSize, window) {
  if (role === 'offer') {
    const p = await offerPair(0)
    await next('ready')
    const msg = Buffer.alloc(msgSize, 0x61)
    const cpu0 = cpuMs()
    const sched0 = schedMs()
    // The receiver asks for the sender's CPU time once everything has arrived.
    onMessage.push(m => {
      if (m.type !== 'cpu?') return false
      send({ type: 'cpu', ms: cpuMs() - cpu0, sched: schedSince(sched0) })
      return true
    })
    send({ type: 'start', t0: now() })
    pump(p.dc, peer.flow, msg, count, window).catch(() => {})
    await next('end')
    close(p.pc)
  } else {
    const p = await answerPair(0)
    const got = receive(p.dc, count, size.deadlineMs)
    send({ type: 'open', i: 0 })
    send({ type: 'ready' })
    const { t0 } = await next('start')
    const cpu0 = cpuMs()
    const sched0 = schedMs()
    const { abs, bytes, n, partial } = await got
    const receiverCpuMs = cpuMs() - cpu0
    const receiverThreads = schedSince(sched0)
    send({ type: 'cpu?' })
    const { ms: senderCpuMs, sched: senderThreads } = await next('cpu')
    const s = (abs - t0) / 1000
    report({ seconds: s, bytes, messages: n, partial, mbps: bytes / 1e6 / s, msgps: n / s, senderCpuMs, receiverCpuMs, senderThreads, receiverThreads })
    await next('end')
    close(p.pc)
  }
}

async function main () {
  // The answerer says when it has loaded its stack, and the offerer starts only once it
  // has: otherwise the first pair would also time the other process's start (require, its
  // threads) on the same cores, which a peer that is already running (a browser, a server) does
  // not cost. The first pair still pays for this process's own first use of its stack.
  if (role === 'offer') await next('loaded')
  else send({ type: 'loaded' })
  switch (scenario) {
    case 'setup': await setup(); break
    case 'throughput': await stream(size.throughputBytes / size.throughputMsg, size.throughputMsg, size.window); break
    case 'small': await stream(size.smallCount, size.smallMsg, size.smallWindow); break
    default: throw new Error(`scenario ${scenario} has no two-process form`)
  }
  process.exit(0)
}

main().catch(err => {
  report({ error: String(err && err.message ? err.message : err).split('\n')[0] })
  process.exit(1)
})
