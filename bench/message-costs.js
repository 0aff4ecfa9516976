'use strict'
// What one received message costs on the JS thread, piece by piece, without any network: the
// continuation between two message tasks (a microtask, then a tick: lib/message_batch.ts), a
// fresh 100-byte ArrayBuffer, and a MessageEvent dispatched to one listener through Node's
// EventTarget. CPU time of this process per message (ns), 1,000,000 of each.
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

function loop (each) {
  for (let i = 0; i < 10000; i++) each()
  const t0 = cpuNs()
  for (let i = 0; i < N; i++) each()
  return (cpuNs() - t0) / N
}

async function main () {
  const target = new EventTarget()
  let n = 0
  target.addEventListener('message', e => { n += e.data.byteLength })
  const ab = new ArrayBuffer(100)
  const rows = [
    ['new ArrayBuffer(100)', loop(() => new ArrayBuffer(100))],
    ['new MessageEvent', loop(() => new MessageEvent('message', { data: ab }))],
    ['new MessageEvent + dispatchEvent (one listener)', loop(() => target.dispatchEvent(new MessageEvent('message', { data: ab })))],
    ['chain step (promise reaction + tick, as lib/message_batch.ts), nothing else', await chain(() => {})],
    ['chain step (queueMicrotask + tick), nothing else', await chain(() => {}, false)],
    ['chain step + ArrayBuffer + MessageEvent + dispatchEvent', await chain(() => target.dispatchEvent(new MessageEvent('message', { data: new ArrayBuffer(100) })))]
  ]
  for (const [name, ns] of rows) console.log(`${name}: ${ns.toFixed(0)} ns`)
  if (n === 0) throw new Error('no message dispatched')
}

main()
