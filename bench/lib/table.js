'use strict'
// The results as a Markdown table: per metric, the median over the runs of each stack, then
// ours ÷ each other stack.
const { peers } = require('./peers')

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

const sorted = xs => [...xs].sort((a, b) => a - b)

// pick(result) -> number for one run; how(values) combines the runs (median unless said).
const METRICS = [
  { scenario: 'setup', name: 'setup: median (ms)', better: 'lower', pick: r => median(r.times) },
  { scenario: 'setup', name: 'setup: max (ms)', better: 'lower', pick: r => Math.max(...r.times) },
  { scenario: 'setup', name: 'setup: worst pair of all runs (ms)', better: 'lower', pick: r => Math.max(...r.times), how: xs => Math.max(...xs) },
  { scenario: 'throughput', name: 'throughput (MB/s)', better: 'higher', pick: r => r.mbps },
  { scenario: 'throughput-worker', name: 'throughput, receiver in a worker (MB/s)', better: 'higher', pick: r => r.mbps },
  { scenario: 'small', name: 'small messages (msg/s)', better: 'higher', pick: r => r.msgps },
  // Two-process runs (side.js): CPU time of both processes (all threads) over the transfer.
  { scenario: 'throughput', name: 'throughput: CPU per MB, sender + receiver (ms)', better: 'lower', pick: r => r.senderCpuMs === undefined ? null : (r.senderCpuMs + r.receiverCpuMs) / (r.bytes / 1e6), digits: 2, na: 'not measured' },
  { scenario: 'small', name: 'small messages: CPU per 1,000 messages, sender + receiver (ms)', better: 'lower', pick: r => r.senderCpuMs === undefined ? null : (r.senderCpuMs + r.receiverCpuMs) / (r.messages / 1000), digits: 2, na: 'not measured' },
  { scenario: 'scale-200', name: '200 pairs: all open (ms)', better: 'lower', pick: r => r.openMs },
  { scenario: 'scale-200', name: '200 pairs: RSS per pair (MB)', better: 'lower', pick: r => r.rssPerPairMB, digits: 2 },
  { scenario: 'scale-200', name: '200 pairs: close all + exit (ms)', better: 'lower', pick: r => r.exitMs },
  { scenario: 'scale-1000', name: '1000 pairs: all open (ms)', better: 'lower', pick: r => r.openMs },
  { scenario: 'scale-1000', name: '1000 pairs: RSS per pair (MB)', better: 'lower', pick: r => r.rssPerPairMB, digits: 2 },
  { scenario: 'scale-1000', name: '1000 pairs: close all + exit (ms)', better: 'lower', pick: r => r.exitMs },
  { scenario: 'media-video', name: 'video 640x480 30 fps VP8, send + receive: CPU (% of one core)', better: 'lower', pick: r => r.cpuPct, digits: 1 },
  { scenario: 'media-video', name: 'video: frames the source made per second (wrtc: in the CPU window; ours: a local RTCVideoSink after)', better: 'higher', pick: r => r.sentFps ?? r.sourceFps, digits: 1, na: 'n/a' },
  { scenario: 'media-video', name: 'video: frames received per second (RTCVideoSink)', better: 'higher', pick: r => r.recvFps, digits: 1, na: 'no RTCVideoSink yet' },
  { scenario: 'media-video', name: 'video: CPU with the RTCVideoSink attached (% of one core)', better: 'lower', pick: r => r.sinkCpuPct, digits: 1, na: 'no RTCVideoSink yet' },
  { scenario: 'media-video', name: 'video: CPU per received frame, same window (ms)', better: 'lower', pick: r => r.recvFps ? r.sinkCpuPct * 10 / r.recvFps : null, digits: 2, na: 'no RTCVideoSink yet' },
  { scenario: 'media-audio', name: 'audio, Opus 48 kHz, one stream per pair: streams', better: 'higher', pick: r => r.streams, digits: 0 },
  { scenario: 'media-audio', name: 'audio: CPU, all streams (% of one core)', better: 'lower', pick: r => r.cpuPct, digits: 1 },
  { scenario: 'media-audio', name: 'audio: CPU per stream (% of one core)', better: 'lower', pick: r => r.cpuPctPerStream, digits: 2 },
  { scenario: 'media-audio', name: 'audio: 10 ms chunks made per second per source', better: 'higher', pick: r => r.feedFps, digits: 1 },
  { scenario: 'media-audio', name: 'audio: CPU per 10 ms chunk the sources made (µs; evens out sources that fell behind)', better: 'lower', pick: r => r.feedFps ? r.cpuPct * 1e4 / (r.feedFps * r.streams) : null, digits: 1, na: 'n/a' },
  { scenario: 'media-audio', name: 'audio: first stream, RTP payload sent (kbit/s)', better: 'same', pick: r => r.sentKbps, digits: 1, na: 'n/a' },
  { scenario: 'media-audio', name: 'audio: first stream, RTP packets sent per second', better: 'same', pick: r => r.sentPacketsPerSecond, digits: 1, na: 'n/a' },
  { scenario: 'media-audio-sink', name: 'audio, remote consumed (RTCAudioSink each): CPU per stream (% of one core)', better: 'lower', pick: r => r.cpuPctPerStream, digits: 2 },
  { scenario: 'media-audio-sink', name: 'audio, remote consumed: CPU per 10 ms chunk the sources made (µs)', better: 'lower', pick: r => r.feedFps ? r.cpuPct * 1e4 / (r.feedFps * r.streams) : null, digits: 1, na: 'n/a' },
  { scenario: 'media-audio-sink', name: 'audio, remote consumed: 10 ms chunks made per second per source', better: 'higher', pick: r => r.feedFps, digits: 1 },
  { scenario: 'media-audio-sink', name: 'audio, remote consumed: 10 ms chunks per second per remote sink', better: 'higher', pick: r => r.remoteChunksPerStream, digits: 1 },
  { scenario: 'media-setup', name: 'media setup: createOffer → first remote video frame (RTCVideoSink), median (ms)', better: 'lower', pick: r => r.frameMs && median(r.frameMs), na: 'no RTCVideoSink yet' },
  { scenario: 'media-setup', name: 'media setup: createOffer → first RTP packet (remote track unmute), median (ms)', better: 'lower', pick: r => r.unmuteMs && median(r.unmuteMs), na: 'no mute events' },
  { scenario: 'media-setup', name: 'media setup: worst pair of all runs, first frame or else first packet (ms)', better: 'lower', pick: r => Math.max(...(r.frameMs ?? r.unmuteMs)), how: xs => Math.max(...xs) }
]

function fmt (x, digits) {
  if (digits !== undefined) return x.toFixed(digits)
  if (x >= 100) return Math.round(x).toLocaleString('en-US')
  if (x >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

/** { value, text } for one stack and metric. */
function cell (metric, runs, wanted) {
  if (runs === undefined) return { value: null, text: 'not run' }
  const ok = runs.filter(r => r.result !== undefined)
  const failed = runs.find(r => r.error !== undefined)
  if (ok.length === 0) return { value: null, text: failed ? failed.error : 'no result' }
  const picked = ok.map(r => metric.pick(r.result))
  if (picked.some(v => v === null || v === undefined)) {
    const note = ok.map(r => r.result.exitNote).find(n => n)
    return { value: null, text: note ?? metric.na ?? 'n/a' }
  }
  const value = (metric.how ?? median)(picked)
  const notes = []
  if (ok.some(r => r.result.partial)) notes.push('partial')
  if (failed) notes.push(`${ok.length} of ${runs.length} runs; then ${failed.error}`)
  else if (ok.length < wanted && metric.how === undefined) notes.push(`${ok.length} run${ok.length > 1 ? 's' : ''}`)
  return { value, text: fmt(value, metric.digits) + (notes.length ? ` (${notes.join('; ')})` : '') }
}

function table (info, opts, results) {
  const names = opts.peers
  const others = names.filter(n => n !== 'ours')
  const lines = []
  lines.push(`date: ${info.date}; machine: ${info.cpu}, ${info.nproc} cores; node ${info.node}; load average before ${info.loadBefore}, after ${info.loadAfter}; ${info.seconds} s`)
  lines.push(`versions: ${names.map(n => `${peers[n].label} ${info.versions[n]}`).join(', ')}`)
  lines.push(`command: ${info.command}${info.quick ? ' (quick: smaller sizes, not the issue\'s figures)' : ''}`)
  lines.push('')
  const head = ['metric', ...names.map(n => peers[n].label)]
  if (names.includes('ours')) head.push(...others.map(n => `ours ÷ ${peers[n].label}`))
  lines.push(`| ${head.join(' | ')} |`)
  lines.push(`|${head.map((_, i) => i === 0 ? ' --- ' : ' ---: ').join('|')}|`)
  for (const m of METRICS) {
    if (!opts.scenarios.includes(m.scenario)) continue
    const cells = Object.fromEntries(names.map(n => [n, cell(m, results[m.scenario]?.[n], opts.runs)]))
    const row = [`${m.name} ${m.better === 'higher' ? '↑' : m.better === 'lower' ? '↓' : '='}`, ...names.map(n => cells[n].text)]
    if (names.includes('ours')) {
      for (const n of others) {
        const a = cells.ours.value
        const b = cells[n].value
        row.push(a !== null && b !== null && b !== 0 ? `${(a / b).toFixed(2)}×` : '–')
      }
    }
    lines.push(`| ${row.join(' | ')} |`)
  }
  lines.push('')
  lines.push(`↑ higher is better, ↓ lower is better, = should match (the same work). Each cell: median of ${opts.runs} run${opts.runs > 1 ? 's' : ''} (each in its own process); ` +
    'a run that fails or times out is not repeated.')
  // The flow-control notes concern the data channel scenarios only.
  const flow = opts.scenarios.some(s => !s.startsWith('media-')) ? names.filter(n => peers[n].flow !== 'event') : []
  for (const n of flow) {
    lines.push(peers[n].flow === 'poll'
      ? `${peers[n].label} has no bufferedAmountLowThreshold/bufferedamountlow: its sender polls bufferedAmount every 1 ms.`
      : `${peers[n].label} fires no 'bufferedamountlow' DOM event: its sender subscribes to werift's own dc.bufferedAmountLow.`)
  }
  if (opts.scenarios.some(s => s.startsWith('media-'))) {
    lines.push('Media: CPU is process.cpuUsage() (user + system, all threads) over the window, in % of one core; ' +
      'VP8 forced with setCodecPreferences (VP8 only) on the sending transceiver, checked in the answer. ' +
      'Ours sends from the synthetic devices of mediaDevices.getUserMedia (native ticker); ' +
      '@roamhq/wrtc from RTCVideoSource.onFrame / RTCAudioSource.onData fed by JS timers (the same moving pattern and 440 Hz tone). See bench/README.md.')
  }
  return lines.join('\n')
}

module.exports = { table, METRICS, median, sorted }
