'use strict'
// Runs every (stack, scenario, run) in processes of its own and prints one table per network
// path: medians over the runs, and the ratio of ours to each other stack.
// setup, throughput and small run on every path of --net (lib/netpath.js: veth, netem, loopback),
// with the two peers in two processes, each in its own network namespace (side.js; run.js relays
// the signaling). The other scenarios (throughput-worker, scale, media) keep both peers in one
// process (child.js) on loopback: the "in-process" table. Needs root (ip netns).
// Options: --peers ours,wrtc,ndc,werift  --only setup,throughput,small,scale,media (or exact
// scenario names such as throughput-worker, scale-1000, media-video)  --net veth,netem,loopback
// --runs 3  --quick  --json <file>
// The media-* scenarios run only for the stacks with raw media sources (peers.js `media`).
// `relay` is the fan-out bench (bench/relay/fanout.js: one publisher → a relay of each stack → N
// subscribers in other processes, over a veth pair); --relay-n 0,1,10,100 --relay-max
// --relay-path veth|loopback --relay-window 10 go to it; its results go to --json as relay.json.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { peers } = require('./lib/peers')
const { table } = require('./lib/table')
const { PROFILES, createPath, destroyPath } = require('./lib/netpath')
const { runPair } = require('./lib/pair-run')

const SCENARIOS = ['setup', 'throughput', 'throughput-worker', 'small', 'scale-200', 'scale-1000', 'media-video', 'media-audio', 'media-audio-sink', 'media-setup', 'relay']
// The scenarios measured between two processes on the --net paths; the rest run in one process
// (relay: its own processes and namespaces, bench/relay/fanout.js).
const NET_SCENARIOS = ['setup', 'throughput', 'small']
const GROUPS = {
  throughput: ['throughput', 'throughput-worker'],
  scale: ['scale-200', 'scale-1000'],
  media: ['media-video', 'media-audio', 'media-audio-sink', 'media-setup']
}
// Per child process: measuring plus start-up; a child past it is killed and reported as a timeout.
const TIMEOUT_S = {
  setup: 150,
  throughput: 90,
  'throughput-worker': 90,
  small: 60,
  'scale-200': 60,
  'scale-1000': 150,
  'media-video': 90,
  'media-audio': 150,
  'media-audio-sink': 150,
  'media-setup': 150
}
// Scale: how long after "close all" a child may take to exit by itself.
const EXIT_TIMEOUT_S = 30

function parseArgs (argv) {
  const opts = { peers: Object.keys(peers).filter(p => p !== 'base' || process.env.NLW_BENCH_BASE), scenarios: SCENARIOS, net: Object.keys(PROFILES), runs: 3, quick: false, json: null, relayArgs: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v }
    if (a === '--peers') opts.peers = value().split(',')
    else if (a === '--only') opts.scenarios = value().split(',').flatMap(s => GROUPS[s] ?? [s])
    else if (a === '--net') opts.net = value().split(',')
    else if (a === '--runs') opts.runs = Number(value())
    else if (a === '--quick') opts.quick = true
    else if (a === '--json') opts.json = value()
    else if (a === '--relay-max') opts.relayArgs.push(a)
    else if (a.startsWith('--relay-')) opts.relayArgs.push(a, value())
    else throw new Error(`unknown option ${a}`)
  }
  for (const p of opts.peers) if (!(p in peers)) throw new Error(`unknown peer ${p} (one of ${Object.keys(peers).join(', ')})`)
  for (const s of opts.scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (one of ${SCENARIOS.join(', ')})`)
  for (const n of opts.net) if (!(n in PROFILES)) throw new Error(`unknown network path ${n} (one of ${Object.keys(PROFILES).join(', ')})`)
  if (!(opts.runs >= 1)) throw new Error('--runs must be at least 1')
  return opts
}

/** One child process; resolves { result } or { error }. Scale children get their exit timed. */
function runChild (peer, scenario, quick, ns) {
  return new Promise(resolve => {
    const args = ['--expose-gc', path.join(__dirname, 'child.js'), peer, scenario]
    if (quick) args.push('--quick')
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let result = null
    let exitTimer = null
    let timedOut = false
    child.stdout.on('data', d => {
      out += d
      const m = /^BENCH_RESULT (.*)$/m.exec(out)
      if (m && result === null) {
        result = JSON.parse(m[1])
        if (result.closeStart !== undefined) {
          exitTimer = setTimeout(() => { child.kill('SIGKILL') }, EXIT_TIMEOUT_S * 1000)
        }
      }
    })
    child.stderr.on('data', d => { err += d })
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, TIMEOUT_S[scenario] * 1000)
    child.on('close', (code, signal) => {
      const exitedAt = Date.now()
      clearTimeout(timer)
      if (exitTimer !== null) clearTimeout(exitTimer)
      if (result !== null && result.error === undefined) {
        if (result.closeStart !== undefined) {
          result.exitMs = signal === null ? exitedAt - result.closeStart : null
          result.exitNote = signal === null ? (code === 0 ? null : `exit code ${code}`) : `no exit within ${EXIT_TIMEOUT_S} s`
        }
        resolve({ result })
        return
      }
      if (result !== null) { resolve({ error: `failed: ${result.error}` }); return }
      if (timedOut) { resolve({ error: `timeout (${TIMEOUT_S[scenario]} s)` }); return }
      // The first line that says what went wrong (a native crash prints its stack after it).
      const lines = err.split('\n').map(l => l.trim()).filter(l => l !== '')
      const last = lines.find(l => /fatal|error|abort|assert|terminate/i.test(l)) ?? lines.slice(-1)[0] ?? ''
      resolve({ error: `failed: ${signal !== null ? `killed by ${signal}` : `exit code ${code}`}${last ? ` (${last.slice(0, 80)})` : ''}` })
    })
  })
}

function versions (names) {
  const v = {}
  for (const n of names) {
    try { v[n] = peers[n].version() } catch (e) { v[n] = `not installed (${e.code ?? e.message})` }
  }
  return v
}

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const cpu = (/model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8')) ?? [])[1] ?? os.cpus()[0]?.model
  const info = {
    date: new Date().toISOString(),
    cpu,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    node: process.version,
    versions: versions(opts.peers),
    loadBefore: os.loadavg().map(x => x.toFixed(2)).join(' '),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    runs: opts.runs,
    quick: opts.quick
  }
  console.error(`bench: ${info.date}, ${info.cpu} x${info.nproc}, node ${info.node}, load ${info.loadBefore}`)
  const results = {} // results[path][scenario][peer] = runs
  const started = Date.now()
  const paths = {}
  const inproc = createPath('loopback', 'inproc') // the one-process scenarios' namespace
  const netScenarios = opts.scenarios.filter(s => NET_SCENARIOS.includes(s))
  const otherScenarios = opts.scenarios.filter(s => !NET_SCENARIOS.includes(s))
  const plan = [
    ...opts.net.flatMap(n => netScenarios.map(scenario => ({ where: n, scenario }))),
    ...otherScenarios.map(scenario => ({ where: 'in-process', scenario }))
  ]
  for (const { where, scenario } of plan) {
    if (where !== 'in-process' && paths[where] === undefined) {
      paths[where] = createPath(where)
      await paths[where].ready
    }
    if (scenario === 'relay') {
      // Its own processes and namespaces, its own table (JSON on stdout, progress on stderr).
      const { spawnSync } = require('node:child_process')
      const args = [path.join(__dirname, 'relay', 'fanout.js'), '--stacks', opts.peers.filter(p => p !== 'base').join(','), ...opts.relayArgs]
      if (opts.json) args.push('--json', opts.json.replace(/(\.json)?$/, '.relay.json'))
      spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
      continue
    }
    for (const peer of opts.peers) {
      const cellOf = (results[where] ??= {})[scenario] ??= {}
      if (scenario.startsWith('media-') && !peers[peer].media) {
        cellOf[peer] = [{ error: 'not measured (no raw media source)' }]
        continue
      }
      const runs = []
      for (let i = 0; i < opts.runs; i++) {
        const t = Date.now()
        const r = where === 'in-process'
          ? await runChild(peer, scenario, opts.quick, inproc.a)
          : await runPair(peer, scenario, opts.quick, where, paths[where], TIMEOUT_S[scenario])
        runs.push(r)
        console.error(`  ${where} ${scenario} ${peer} run ${i + 1}: ${r.error ?? summary(scenario, r.result)} (${((Date.now() - t) / 1000).toFixed(1)} s)`)
        // A run that failed, timed out or hit its deadline will do so again: spend the time
        // budget elsewhere.
        if (r.error !== undefined || r.result.partial) break
      }
      cellOf[peer] = runs
    }
  }
  for (const p of Object.values(paths)) destroyPath(p)
  info.paths = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, p.label]))
  destroyPath(inproc)
  info.loadAfter = os.loadavg().map(x => x.toFixed(2)).join(' ')
  info.seconds = Math.round((Date.now() - started) / 1000)
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ info, results }, null, 2))
  const out = []
  for (const where of Object.keys(results)) {
    const label = where === 'in-process' ? 'both peers in one process, loopback' : paths[where].label
    const scenarios = Object.keys(results[where])
    out.push(`### ${where}: ${label}`, '', table(info, { ...opts, scenarios }, results[where]), '')
  }
  console.log(out.join('\n'))
}

function summary (scenario, r) {
  if (scenario === 'setup') {
    const s = [...r.times].sort((a, b) => a - b)
    return `median ${s[s.length >> 1].toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`
  }
  if (scenario.startsWith('scale')) return `open ${r.openMs.toFixed(0)} ms, ${r.rssPerPairMB.toFixed(2)} MB/pair, exit ${r.exitMs ?? r.exitNote} ms`
  if (scenario === 'media-video') {
    return `CPU ${r.cpuPct.toFixed(1)} % (${r.codec}${r.fullSizeMs !== null ? `, 640x480 after ${(r.fullSizeMs / 1000).toFixed(1)} s` : r.recvFps !== null ? ', window started before 640x480 arrived' : ''})` +
      (r.sentFps !== null ? `, sent ${r.sentFps.toFixed(1)} fps` : '') +
      (r.recvFps !== null ? `, received ${r.recvFps.toFixed(1)} fps ${r.recvSize} (source ${r.sourceFps.toFixed(1)} fps), CPU with sink ${r.sinkCpuPct.toFixed(1)} %` : ', no sink')
  }
  if (scenario === 'media-audio' || scenario === 'media-audio-sink') {
    return `CPU ${r.cpuPct.toFixed(1)} % for ${r.streams} streams, ${r.cpuPctPerStream.toFixed(2)} % per stream (${r.codec})` +
      (r.remoteChunksPerStream != null ? `, remote sinks got ${r.remoteChunksPerStream.toFixed(1)} chunks/s per stream` : '') +
      (r.feedFps !== null ? `, source made ${r.feedFps.toFixed(1)} chunks/s` : '')
  }
  if (scenario === 'media-setup') {
    const med = xs => xs === null ? 'n/a' : [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(1)
    return `first frame median ${med(r.frameMs)} ms, first packet (unmute) median ${med(r.unmuteMs)} ms`
  }
  if (scenario === 'small') return `${Math.round(r.msgps)} msg/s${r.partial ? ' (partial)' : ''}`
  return `${r.mbps.toFixed(1)} MB/s${r.partial ? ' (partial)' : ''}`
}

main().catch(err => { console.error(err.message); process.exit(2) })
