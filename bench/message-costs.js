'use strict'
// What one received message costs on the JS thread, piece by piece, without any network: the
// continuation between two message tasks (a microtask, then a tick: lib/message_batch.ts), a
// fresh 100-byte ArrayBuffer (and the ways JS could make one from a batch's single buffer, were
// native to hand over one buffer per batch), and a MessageEvent dispatched to one listener
// through Node's EventTarget. CPU time of this process per message (ns), 1,000,000 of each;
// the ArrayBuffer variants alternate over 5 rounds (median and range), as GC makes single loops
// move by 2x.
// Usage: node bench/message-costs.js
const N = 1000000

function cpuNs () { const u = process.cpuUsage(); return (u.user + u.system) * 1000 }

/** Runs `each` N times, one per step of the message chain; resolves with ns per step. */
const settled = Promise.resolve()

function chain (each, viaPromise = true) {
  return new Promise(resolve => {
    let i = 0
    const t0 = cpuNs()
    const step = () => {
      each()
      if (++i >= N) resolve((cpuNs() - t0) / N)
      else if (viaPromise) settled.then(hop)
      else queueMicrotask(hop)
    }
    const hop = () => { process.nextTick(step) }
    step()
  })
}

function loop (each, n = N) {
  for (let i = 0; i < 10000; i++) each(i)
  const t0 = cpuNs()
  for (let i = 0; i < n; i++) each(i)
  return (cpuNs() - t0) / n
}

// The received buffers stay referenced for a while (64 at a time), as a batch's are.
const kept = new Array(64)
const batch = new ArrayBuffer(64 * 100)
const batchBytes = new Uint8Array(batch)
const decoder = new TextDecoder()
const text = new TextEncoder().encode('a'.repeat(100 * 64))
const bufferRows = [
  ['fresh ArrayBuffer: new ArrayBuffer(100)', i => { kept[i & 63] = new ArrayBuffer(100) }],
  ['fresh ArrayBuffer: new ArrayBuffer(100) + Uint8Array.set from a batch buffer', i => {
    const o = (i & 63) * 100
    const ab = new ArrayBuffer(100)
    new Uint8Array(ab).set(batchBytes.subarray(o, o + 100))
    kept[i & 63] = ab
  }],
  ['fresh ArrayBuffer: ArrayBuffer.prototype.slice of a batch buffer', i => {
    const o = (i & 63) * 100
    kept[i & 63] = batch.slice(o, o + 100)
  }],
  ['fresh ArrayBuffer: Uint8Array.prototype.slice of a batch buffer, .buffer', i => {
    const o = (i & 63) * 100
    kept[i & 63] = batchBytes.slice(o, o + 100).buffer
  }],
  ['string: TextDecoder.decode of 100 bytes of a batch buffer', i => {
    const o = (i & 63) * 100
    kept[i & 63] = decoder.decode(text.subarray(o, o + 100))
  }]
]

async function main () {
  const target = new EventTarget()
  let n = 0
  target.addEventListener('message', e => { n += e.data.byteLength })
  const ab = new ArrayBuffer(100)
  const rows = [
    ['new MessageEvent', loop(() => new MessageEvent('message', { data: ab }))],
    ['new MessageEvent + dispatchEvent (one listener)', loop(() => target.dispatchEvent(new MessageEvent('message', { data: ab })))],
    ['chain step (promise reaction + tick, as lib/message_batch.ts), nothing else', await chain(() => {})],
    ['chain step (queueMicrotask + tick), nothing else', await chain(() => {}, false)],
    ['chain step + ArrayBuffer + MessageEvent + dispatchEvent', await chain(() => target.dispatchEvent(new MessageEvent('message', { data: new ArrayBuffer(100) })))]
  ]
  for (const [name, ns] of rows) console.log(`${name}: ${ns.toFixed(0)} ns`)
  const runs = bufferRows.map(() => [])
  for (let r = 0; r < 5; r++) bufferRows.forEach(([, f], k) => runs[k].push(loop(f, N / 2)))
  bufferRows.forEach(([name], k) => {
    const v = runs[k].sort((a, b) => a - b)
    console.log(`${name}: ${v[2].toFixed(0)} ns (${v[0].toFixed(0)}–${v[4].toFixed(0)})`)
  })
  if (n === 0) throw new Error('no message dispatched')
}

main()
