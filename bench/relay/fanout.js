'use strict'
// The fan-out bench (issue 17, part 3): one publisher (ours, 1280x720 30 fps VP8 capped at
// 1.5 Mbps, and Opus) → a relay process (one stack) → N subscriber connections in other
// processes. All subscribers but one only count RTP (node-datachannel, bench/relay/subscriber.js);
// one of ours decodes (RTCVideoSink: frames and their size). Measures the relay process's CPU
// (utime+stime from /proc over a window), every subscriber's frame rate against the source's,
// and the time to a first frame.
//
// Path: `veth` (default): the relay in this namespace on 198.18.0.1, publisher and subscribers
// in a second namespace on 198.18.0.2, joined by a veth pair (MTU 1500), as issue 20 asks;
// `loopback`: everything on 127.0.0.1 in this namespace (an extra row). Needs root (it creates the
// namespace and the veth pair); run inside the bench's loopback-only namespace:
//   npm run bench -- --only relay [--relay-stacks ours,wrtc,werift,ndc] [--relay-n 0,1,10,100]
//                    [--relay-max] [--relay-path veth|loopback] [--relay-window 10] [--json f]
//   (or: node scripts/netns.js node bench/relay/fanout.js [same options without the relay- prefix])
const { spawn, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const WIDTH = 1280
const HEIGHT = 720
const FPS = 30
const BITRATE = 1_500_000
const PER_PROCESS = 50 // counting subscribers per process
const OK_SHARE = 0.95
const WARM_MS = Number(process.env.RELAY_BENCH_WARM_MS || 8000) // a subscriber keeps >= 95 % of the source's frames

const delay = ms => new Promise(resolve => setTimeout(resolve, ms))
const ticks = 100 // USER_HZ on Linux (/proc/<pid>/stat counts in it)

function cpuSeconds (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticks // utime + stime
}

// CPU seconds per thread name of a process (/proc/<pid>/task/*/stat; threads of one name summed).
function threadSeconds (pid) {
  const out = {}
  let dirs = []
  try { dirs = fs.readdirSync(`/proc/${pid}/task`) } catch { return out }
  for (const tid of dirs) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out[name] = (out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks
    } catch {}
  }
  return out
}

// The threads that took >= 1 % of a core over the window, busiest first: "name 12.3 %, ...".
function threadShare (a, b, seconds) {
  return Object.keys(b).map(name => [name, 100 * (b[name] - (a[name] ?? 0)) / seconds])
    .filter(([, pct]) => pct >= 1).sort((x, y) => y[1] - x[1])
    .map(([name, pct]) => `${name} ${pct.toFixed(1)} %`).join(', ')
}

// What the relay saw over the window (the standard stacks; bench/relay/relay.js 'stats').
function relayDelta (a, b) {
  if (!a || !b || a.error || b.error) return null
  const d = (x, y, k) => (y?.[k] ?? 0) - (x?.[k] ?? 0)
  const out = { seconds: (b.at - a.at) / 1000 }
  for (const kind of ['audio', 'video']) {
    if (!b.inbound?.[kind]) continue
    out[`${kind}In`] = { packetsReceived: d(a.inbound[kind], b.inbound[kind], 'packetsReceived'), packetsLost: d(a.inbound[kind], b.inbound[kind], 'packetsLost'), framesReceived: kind === 'video' ? d(a.inbound[kind], b.inbound[kind], 'framesReceived') : undefined, framesDropped: kind === 'video' ? d(a.inbound[kind], b.inbound[kind], 'framesDropped') : undefined }
  }
  if (b.counters) {
    out.counters = {}
    for (const k of ['relayedPictures', 'forwardedFrames', 'recoveredFrames', 'droppedFrames', 'transcodedFrames', 'keyFrameRequests', 'forwardedAudioPackets', 'rtpForwardedPackets', 'rtpResentPackets']) out.counters[k] = d(a.counters, b.counters, k)
  }
  const v0 = a.outbound?.video; const v1 = b.outbound?.video
  if (v1 && v1.senders) {
    out.videoOut = { senders: v1.senders, framesSent: d(v0, v1, 'framesSent'), packetsSent: d(v0, v1, 'packetsSent'), retransmitted: d(v0, v1, 'retransmittedPacketsSent'), nackCount: d(v0, v1, 'nackCount'), pliCount: d(v0, v1, 'pliCount'), meanSendDelayMs: d(v0, v1, 'packetsSent') > 0 ? 1000 * d(v0, v1, 'totalPacketSendDelay') / d(v0, v1, 'packetsSent') : null, targetBitrate: v1.targetBitrate, limitation: v1.limitation, encoders: v1.encoders }
  }
  const a1 = b.outbound?.audio
  if (a1 && a1.senders) out.audioOut = { senders: a1.senders, packetsSent: d(a.outbound?.audio, a1, 'packetsSent') }
  return out
}

function load () { return os.loadavg().map(x => x.toFixed(2)).join(' ') }

// ---------------------------------------------------------------- namespaces

function netnsOf (pid) { return fs.readlinkSync(`/proc/${pid}/ns/net`) }

async function vethNamespace () {
  const holder = spawn('unshare', ['-n', 'sleep', '1000000'], { stdio: 'ignore' })
  const own = netnsOf(process.pid)
  for (let i = 0; i < 200 && (() => { try { return netnsOf(holder.pid) === own } catch { return true } })(); i++) await delay(10)
  const sh = cmd => execFileSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
  sh('ip link del vrelay 2>/dev/null || true')
  sh('ip link add vrelay type veth peer name vsubs')
  sh(`ip link set vsubs netns ${holder.pid}`)
  sh('ip link set lo up && ip addr add 198.18.0.1/24 dev vrelay && ip link set vrelay mtu 1500 up')
  sh(`nsenter -t ${holder.pid} -n sh -c 'ip link set lo up && ip addr add 198.18.0.2/24 dev vsubs && ip link set vsubs mtu 1500 up'`)
  return {
    pid: holder.pid,
    spawn: (args, options) => spawn('nsenter', ['-t', String(holder.pid), '-n', process.execPath, ...args], options),
    close () { holder.kill('SIGKILL'); try { sh('ip link del vrelay 2>/dev/null || true') } catch {} }
  }
}

function loopbackNamespace () {
  return { spawn: (args, options) => spawn(process.execPath, args, options), close () {} }
}

// ---------------------------------------------------------------- one trial

// No bitrate pinning: x-google-min/start-bitrate added to the VP8 fmtp of an answer stops our
// VP8 sender altogether (0 frames; found here, to be looked at), so every sender starts at
// libwebrtc's 300 kbps and ramps up on the feedback it gets (the warm-up below waits for it).
const pinned = msg => msg

function child (spawnIt, script, args) {
  const p = spawnIt([path.join(__dirname, script), ...args], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] })
  let err = ''
  p.stderr.on('data', d => { err += d; if (err.length > 20000) err = err.slice(-10000); if (process.env.RELAY_BENCH_DEBUG) process.stderr.write(d) })
  p.stderrText = () => err
  p.on('error', () => {})
  return p
}

function ask (proc, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.off('message', on); reject(new Error(`no ${type} reply`)) }, 10000)
    const on = m => { if (m.type === type) { clearTimeout(timer); proc.off('message', on); resolve(m) } }
    proc.on('message', on)
    proc.send({ type })
  })
}

async function waitFor (read, ms, what) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)
    await delay(250)
  }
}

/** One stack at one N: returns the measurements. */
async function trial (stack, n, { ns, here, windowS, log }) {
  const procs = []
  const kill = () => { for (const p of procs) { try { p.kill('SIGKILL') } catch {} } }
  try {
    const relay = child(here.spawn, 'relay.js', [stack])
    procs.push(relay)
    await new Promise((resolve, reject) => {
      relay.once('message', resolve)
      relay.once('exit', code => reject(new Error(`relay exited (${code}): ${relay.stderrText().slice(-300)}`)))
    })
    const publisher = child(ns.spawn, 'publisher.js', [WIDTH, HEIGHT, FPS, BITRATE].map(String))
    procs.push(publisher)
    const route = new Map() // subscriber id -> its process
    publisher.on('message', m => { if (m.type === 'msg') relay.send({ type: 'msg', id: 'pub', msg: m.msg }) })
    relay.on('message', m => {
      if (m.type !== 'msg') return
      if (m.id === 'pub') publisher.send({ type: 'msg', msg: pinned(m.msg) })
      else { const p = route.get(m.id); if (p && p.connected) p.send({ type: 'msg', id: m.id, msg: m.msg }) }
    })
    await waitFor(async () => (await ask(publisher, 'stats')).state === 'connected', 20000, 'publisher connected to the relay')
    await delay(2000)

    // Subscribers: counting ones first, the decoding one last (its first frame: a late joiner's).
    const subProcs = []
    const counting = Math.max(0, n - 1)
    for (let i = 0; i < Math.ceil(counting / PER_PROCESS); i++) subProcs.push(child(ns.spawn, 'subscriber.js', []))
    const decoder = n >= 1 ? child(ns.spawn, 'subscriber.js', []) : null
    for (const p of subProcs) procs.push(p)
    if (decoder) procs.push(decoder)
    const attach = p => p.on('message', m => { if (m.type === 'msg') relay.send({ type: 'msg', id: m.id, msg: pinned(m.msg) }) })
    for (const p of subProcs) attach(p)
    if (decoder) attach(decoder)
    for (let i = 0; i < counting; i++) {
      const p = subProcs[Math.floor(i / PER_PROCESS)]
      route.set(`s${i}`, p)
      p.send({ type: 'add', id: `s${i}`, kind: 'count' })
      if (i % 10 === 9) await delay(200)
    }
    const stats = async () => {
      const all = {}
      for (const p of [...subProcs, ...(decoder ? [decoder] : [])]) Object.assign(all, (await ask(p, 'stats')).subs)
      return all
    }
    if (counting > 0) await waitFor(async () => Object.values(await stats()).every(s => s.frames > 0), 30000, 'every counting subscriber has frames').catch(err => log(`    ${err.message}`))
    if (decoder) {
      route.set('late', decoder)
      decoder.send({ type: 'add', id: 'late', kind: 'decode' })
      await waitFor(async () => (await stats()).late?.frames > 0, 20000, 'the decoding subscriber\'s first frame').catch(err => log(`    ${err.message}`))
    }
    await delay(WARM_MS) // warm-up: bitrate ramp-up, encoders started

    const r0 = await ask(relay, 'stats').catch(() => null)
    const s0 = await stats()
    const p0 = await ask(publisher, 'stats')
    const th0 = threadSeconds(relay.pid)
    const c0 = cpuSeconds(relay.pid)
    const t0 = performance.now()
    const l0 = load()
    await delay(windowS * 1000)
    const c1 = cpuSeconds(relay.pid)
    const th1 = threadSeconds(relay.pid)
    const t1 = performance.now()
    const s1 = await stats()
    const p1 = await ask(publisher, 'stats')
    const r1 = await ask(relay, 'stats').catch(() => null)
    const seconds = (t1 - t0) / 1000
    // Over the same window as the subscribers' rates (frames the pattern pushed in it).
    const sourceFps = (p1.framesPushed - p0.framesPushed) / seconds
    // Frames the publisher's encoder sent over the window: below sourceFps when it was starved.
    const publisherFps = p1.framesEncoded !== null && p0.framesEncoded !== null ? (p1.framesEncoded - p0.framesEncoded) / seconds : null
    const fps = Object.keys(s1).map(id => ({ id, fps: (s1[id].frames - (s0[id]?.frames ?? 0)) / seconds, audio: id === 'late' ? null : (s1[id].audioPackets - (s0[id]?.audioPackets ?? 0)) / seconds }))
    const audio = fps.map(f => f.audio).filter(a => a !== null).sort((a, b) => a - b)
    const sorted = fps.map(f => f.fps).sort((a, b) => a - b)
    const late = s1.late ?? null
    const firstFrames = Object.values(s1).map(s => s.firstFrameMs).filter(x => x !== null).sort((a, b) => a - b)
    return {
      stack,
      n,
      cpuPct: 100 * (c1 - c0) / seconds,
      sourceFps,
      publisherFps,
      publisherState: p1.state,
      minFps: sorted.length ? sorted[0] : null,
      medianFps: sorted.length ? sorted[sorted.length >> 1] : null,
      ok: fps.filter(f => f.fps >= OK_SHARE * sourceFps).length,
      audioPps: audio.length ? audio[audio.length >> 1] : null,
      lateFirstFrameMs: late ? late.firstFrameMs : null,
      lateSize: late ? `${late.width}x${late.height}` : null,
      firstFrameMedianMs: firstFrames.length ? firstFrames[firstFrames.length >> 1] : null,
      firstFrameMaxMs: firstFrames.length ? firstFrames[firstFrames.length - 1] : null,
      load: l0,
      threads: threadShare(th0, th1, seconds),
      relaySaw: relayDelta(r0, r1),
      subs: process.env.RELAY_BENCH_DEBUG ? s1 : undefined,
      allOk: fps.length === n && fps.every(f => f.fps >= OK_SHARE * sourceFps)
    }
  } catch (err) {
    const tails = procs.map(p => p.stderrText().trim().split('\n').slice(-3).join(' | ')).filter(Boolean)
    err.message += tails.length ? ` [stderr: ${tails.join(' || ').slice(0, 300)}]` : ''
    throw err
  } finally {
    kill()
    await delay(1000)
  }
}

function describe (r) {
  if (r.error) return `${r.stack} N=${r.n}: ${r.error}`
  const f = x => x === null ? '-' : x.toFixed(1)
  return `${r.stack} N=${r.n}: relay CPU ${f(r.cpuPct)} % (${r.n ? f(r.cpuPct / Math.max(1, r.n)) : '-'} %/sub), source ${f(r.sourceFps)} fps (encoded ${f(r.publisherFps ?? null)}), ` +
    `subscribers min/median ${f(r.minFps)}/${f(r.medianFps)} fps, ${r.ok}/${r.n} ≥ 95 %, audio ${f(r.audioPps)} pkt/s, ` +
    `late joiner first frame ${r.lateFirstFrameMs === null ? '-' : r.lateFirstFrameMs.toFixed(0)} ms ${r.lateSize ?? ''}, load ${r.load}`
}

function table (info, results) {
  const f = (x, d = 1) => x === null || x === undefined ? '–' : x.toFixed(d)
  const rows = [
    `relay fan-out, ${info.path}, ${info.width}x${info.height} ${info.fps} fps VP8 (≤ ${info.bitrate / 1e6} Mbps) + Opus, ${info.date}, load before ${info.loadBefore}, after ${info.loadAfter}`,
    '',
    '| relay | N | relay CPU (% of a core) | CPU per subscriber (%) | source fps | subscriber fps min / median | subscribers ≥ 95 % | decoding subscriber: first frame (ms), size | load (1/5/15 min) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|'
  ]
  const zero = {}
  for (const r of results) if (r.n === 0 && !r.error) zero[r.stack] = r.cpuPct
  for (const r of results) {
    if (r.maxN !== undefined) { rows.push(`| ${r.stack} | largest N with all ≥ 95 %: **${r.maxN}**${r.firstFailing !== null ? ` (fails at ${r.firstFailing})` : ''} | | | | | | | |`); continue }
    if (r.error) { rows.push(`| ${r.stack} | ${r.n} | ${r.error.slice(0, 120).replace(/\|/g, '/')} | | | | | | |`); continue }
    const per = r.n > 0 && zero[r.stack] !== undefined ? (r.cpuPct - zero[r.stack]) / r.n : null
    rows.push(`| ${r.stack} | ${r.n} | ${f(r.cpuPct)} | ${f(per, 2)} | ${f(r.sourceFps)} | ${f(r.minFps)} / ${f(r.medianFps)} | ${r.ok}/${r.n} | ${r.lateFirstFrameMs === null ? '–' : r.lateFirstFrameMs.toFixed(0)} ${r.lateSize ?? ''} | ${r.load} |`)
  }
  return rows.join('\n')
}

async function main (argv = process.argv.slice(2)) {
  const opts = { stacks: ['ours', 'wrtc', 'werift', 'ndc'], ns: [0, 1, 10, 100], max: false, path: 'veth', window: 10, json: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].replace(/^--relay-/, '--')
    const v = () => argv[++i]
    if (a === '--stacks') opts.stacks = v().split(',')
    else if (a === '--n') opts.ns = v().split(',').map(Number)
    else if (a === '--max') opts.max = true
    else if (a === '--path') opts.path = v()
    else if (a === '--window') opts.window = Number(v())
    else if (a === '--json') opts.json = v()
    else if (a === '--only' || a === '--runs' || a === '--peers') v()
    else if (a !== '--quick') throw new Error(`unknown option ${argv[i]}`)
  }
  const log = line => console.error(line)
  const info = { date: new Date().toISOString(), nproc: os.availableParallelism?.() ?? os.cpus().length, node: process.version, loadBefore: load(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, path: opts.path, width: WIDTH, height: HEIGHT, fps: FPS, bitrate: BITRATE }
  log(`relay fan-out: ${info.date}, ${opts.path}, load ${info.loadBefore}`)
  if (opts.path === 'loopback') process.env.RELAY_BENCH_LOOPBACK = '1' // children inherit it
  const ns = opts.path === 'veth' ? await vethNamespace() : loopbackNamespace()
  const here = loopbackNamespace()
  const results = []
  const run = async (stack, n) => {
    let r
    // One retry: werift's ICE sometimes never connects the publisher on the first try.
    for (let attempt = 0; attempt < 2; attempt++) {
      try { r = await trial(stack, n, { ns, here, windowS: opts.window, log }); break } catch (err) { r = { stack, n, error: err.message.slice(0, 300) }; log(`  ${describe(r)}${attempt === 0 ? ' (retrying)' : ''}`) }
    }
    log(`  ${describe(r)}`)
    if (r.threads) log(`    relay threads: ${r.threads}`)
    if (r.relaySaw) log(`    relay saw: ${JSON.stringify(r.relaySaw)}`)
    if (process.env.RELAY_BENCH_DEBUG && r.subs) log(JSON.stringify(r.subs).slice(0, 1500))
    results.push(r)
    return r
  }
  try {
    for (const stack of opts.stacks) {
      for (const n of opts.ns) await run(stack, n)
      if (opts.max) {
        // The largest N with every subscriber at >= 95 % of the source's frames: double, then bisect.
        let good = 0; let bad = null; let n = 1
        const known = results.filter(r => r.stack === stack && !r.error)
        for (const r of known) { if (r.n > 0 && r.allOk && r.n > good) good = r.n; if (r.n > 0 && !r.allOk && (bad === null || r.n < bad)) bad = r.n }
        n = bad === null ? Math.max(1, good * 2) : Math.floor((good + bad) / 2)
        for (let step = 0; step < 5 && n <= 400 && (bad === null || bad - good > Math.max(1, good >> 3)); step++) {
          const r = await run(stack, n)
          if (!r.error && r.allOk) good = n; else bad = n
          n = bad === null ? n * 2 : Math.floor((good + bad) / 2)
          if (n <= good) break
        }
        results.push({ stack, maxN: good, firstFailing: bad })
        log(`  ${stack}: largest N with every subscriber ≥ 95 % of the frames: ${good}${bad !== null ? ` (fails at ${bad})` : ''}`)
      }
    }
  } finally {
    ns.close()
  }
  info.loadAfter = load()
  log(table(info, results))
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ info, results }, null, 2))
  console.log(JSON.stringify({ info, results }))
}

module.exports = { main }
if (require.main === module) {
  if (process.env.NODE_LIBWEBRTC_NETNS !== '1') {
    const r = require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'netns.js'), process.execPath, __filename, ...process.argv.slice(2)], { stdio: 'inherit' })
    process.exit(r.status ?? 1)
  }
  main().catch(err => { console.error(err); process.exit(2) })
}
