'use strict'
// ours against another stack in one process over loopback, both offer directions: 20 messages
// answered, then 4 MiB back. Usage: node scripts/netns.js node bench/cross.js wrtc ndc
const bench = __dirname
const { peers } = require(bench + '/lib/peers')
const { whenOpen, trickle } = require(bench + '/lib/connect')
const ours = peers.ours
async function run (offerer, answerer) {
  const A = peers[offerer], B = peers[answerer]
  const a = new (A.load())({ ...A.config }), b = new (B.load())({ ...B.config })
  const ra = trickle(a, b), rb = trickle(b, a)
  const dc = a.createDataChannel('x')
  const remote = new Promise(r => { b.ondatachannel = e => r(e.channel) })
  const o = await a.createOffer(); await a.setLocalDescription(o); await b.setRemoteDescription(o); ra()
  const an = await b.createAnswer(); await b.setLocalDescription(an); await a.setRemoteDescription(an); rb()
  const dcB = await whenOpen(await remote); await whenOpen(dc)
  dcB.onmessage = e => { if (typeof e.data === 'string') dcB.send(e.data.replace('ping', 'pong')) }
  const replies = []
  const all = new Promise(r => { dc.onmessage = e => { replies.push(e.data); if (replies.length === 20) r() } })
  for (let i = 0; i < 20; i++) dc.send(`ping ${i}`)
  const t = await Promise.race([all.then(() => 'ok'), new Promise(r => setTimeout(r, 10000, 'timeout'))])
  // bulk the other way: b -> a (so both directions of ours get exercised)
  let got = 0
  const N = 64
  const bulk = new Promise(r => { dc.binaryType = 'arraybuffer'; dc.onmessage = e => { if (++got === N) r() } })
  const buf = Buffer.alloc(65536, 1)
  for (let i = 0; i < N; i++) dcB.send(buf)
  const t2 = await Promise.race([bulk.then(() => 'ok'), new Promise(r => setTimeout(r, 20000, 'timeout'))])
  console.log(`${offerer} offers, ${answerer} answers: 20 replies ${t} (${replies.length}), 4 MiB back ${t2} (${got}/${N})`)
  try { a.close() } catch {} ; try { b.close() } catch {}
}
;(async () => {
  for (const other of process.argv.slice(2)) { await run('ours', other); await run(other, 'ours') }
  process.exit(0)
})().catch(e => { console.error(e); process.exit(1) })
