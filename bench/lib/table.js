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
  { scenario: 'scale-200', name: '200 pairs: all open (ms)', better: 'lower', pick: r => r.openMs },
  { scenario: 'scale-200', name: '200 pairs: RSS per pair (MB)', better: 'lower', pick: r => r.rssPerPairMB, digits: 2 },
  { scenario: 'scale-200', name: '200 pairs: close all + exit (ms)', better: 'lower', pick: r => r.exitMs },
  { scenario: 'scale-1000', name: '1000 pairs: all open (ms)', better: 'lower', pick: r => r.openMs },
  { scenario: 'scale-1000', name: '1000 pairs: RSS per pair (MB)', better: 'lower', pick: r => r.rssPerPairMB, digits: 2 },
  { scenario: 'scale-1000', name: '1000 pairs: close all + exit (ms)', better: 'lower', pick: r => r.exitMs }
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
    return { value: null, text: note ?? 'n/a' }
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
    const row = [`${m.name} ${m.better === 'higher' ? '↑' : '↓'}`, ...names.map(n => cells[n].text)]
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
  lines.push(`↑ higher is better, ↓ lower is better. Each cell: median of ${opts.runs} run${opts.runs > 1 ? 's' : ''} (each in its own process); ` +
    'a run that fails or times out is not repeated.')
  const flow = names.filter(n => peers[n].flow !== 'event')
  for (const n of flow) {
    lines.push(peers[n].flow === 'poll'
      ? `${peers[n].label} has no bufferedAmountLowThreshold/bufferedamountlow: its sender polls bufferedAmount every 1 ms.`
      : `${peers[n].label} fires no 'bufferedamountlow' DOM event: its sender subscribes to werift's own dc.bufferedAmountLow.`)
  }
  return lines.join('\n')
}

module.exports = { table, METRICS, median, sorted }
