'use strict'
// A simulcast publisher of ours (640x360, rids l (/2) and h; a picture whose bands change, so each
// layer has a rate of its own) -> our relay -> two subscribers, one of which the relay sees with
// b=AS:250 in its answer. Runs the relay's publisher connection without and with receiveSimulcast,
// one after the other, and prints per mode: each subscriber's pictures (size: frames/s), the
// relay's received bytes per layer (kbit/s), its decoded / undecoded pictures, and the process's
// CPU (publisher, relay and subscribers together: one process).
// `extra`: that many more subscribers without a sink (their pictures are not decoded: they cost the
// process the relay's forwarding and their packets' reception), for CPU per subscriber.
//   node scripts/netns.js node bench/simulcast/layers.js [seconds per mode, default 10] [extra, default 0]
const crypto = require('node:crypto')
const { nonstandard } = require('../..')
const { trickledPeers, once, delay, closeAll, negotiate } = require('../../test/helpers/pair')
const { subscribe } = require('../../test/helpers/relay-subscriber')
const SECONDS = Number(process.argv[2] ?? 10)
const EXTRA = Number(process.argv[3] ?? 0)
const W = 640
const H = 360

async function run (receiveSimulcast) {
  const source = new nonstandard.RTCVideoSource()
  const data = new Uint8ClampedArray(W * H * 3 / 2).fill(128)
  let n = 0
  const timer = setInterval(() => {
    crypto.randomFillSync(data, (n++ % 8) * W * (H / 8), W * H / 64)
    source.onFrame({ width: W, height: H, data })
  }, 50)
  const pub = trickledPeers({}, { receiveSimulcast })
  pub.a.addTransceiver(source.createTrack(), { direction: 'sendonly', sendEncodings: [{ rid: 'l', scaleResolutionDownBy: 2 }, { rid: 'h' }] })
  const remote = once(pub.b, 'track').then(e => e.track)
  await negotiate(pub.a, pub.b)
  const track = await remote
  const subs = []
  for (const kbps of [null, 250, ...new Array(EXTRA).fill(undefined)]) {
    const { track: subTrack } = await subscribe(track, kbps)
    if (kbps === undefined) continue
    const sink = new nonstandard.RTCVideoSink(subTrack)
    const sizes = {}
    sink.onframe = ({ frame }) => { const k = `${frame.width}x${frame.height}`; sizes[k] = (sizes[k] ?? 0) + 1 }
    subs.push({ sink, sizes, label: kbps === null ? 'subscriber' : `subscriber b=AS:${kbps}` })
  }
  await delay(4000) // settle: layers' streams, rates, switches
  const inbound = async () => new Map([...(await pub.b.getStats()).values()]
    .filter(s => s.type === 'inbound-rtp' && s.kind === 'video').map(s => [s.ssrc, s]))
  for (const s of subs) for (const k of Object.keys(s.sizes)) delete s.sizes[k]
  const in0 = await inbound()
  const c0 = nonstandard.relayCounters()
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await delay(SECONDS * 1000)
  const sec = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const c1 = nonstandard.relayCounters()
  const in1 = await inbound()
  console.log(`receiveSimulcast: ${receiveSimulcast}${EXTRA > 0 ? `, ${EXTRA} more subscribers without a sink` : ''}`)
  for (const s of subs) console.log(`  ${s.label}: ${Object.entries(s.sizes).map(([k, v]) => `${k} ${(v / sec).toFixed(1)}/s`).join(', ')}`)
  let total = 0
  for (const [ssrc, s] of in1) {
    const kbps = 8 * (s.bytesReceived - (in0.get(ssrc)?.bytesReceived ?? 0)) / sec / 1000
    total += kbps
    console.log(`  relay inbound ssrc ${ssrc} ${s.frameWidth}x${s.frameHeight}: ${kbps.toFixed(0)} kbit/s`)
  }
  console.log(`  relay inbound total: ${total.toFixed(0)} kbit/s; decoded ${((c1.decodedFrames - c0.decodedFrames) / sec).toFixed(1)}/s, undecoded ${((c1.undecodedFrames - c0.undecodedFrames) / sec).toFixed(1)}/s (all remote video of the process)`)
  console.log(`  process CPU: ${((cpu.user + cpu.system) / 1e6 / sec * 100).toFixed(1)} % of a core; layer switches ${c1.layerSwitches - c0.layerSwitches}`)
  for (const s of subs) s.sink.stop()
  clearInterval(timer)
  closeAll()
  await delay(500)
}

;(async () => {
  await run(false)
  await run(true)
  process.exit(0)
})().catch(e => { console.error(e); process.exit(1) })
