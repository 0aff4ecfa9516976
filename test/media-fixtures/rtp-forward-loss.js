'use strict'
// Run by test/media/rtp-forward.test.js with NODE_LIBWEBRTC_TEST_RTP_LOSS=5: publisher -> relay ->
// subscriber, all ours, in this process; the relay's forwarded stream loses 5 % of its packets on
// the way in and on the way out. Prints what the subscriber got and who asked for what again.
const { mediaDevices, nonstandard } = require('../..')
const { closeAll, negotiate, delay, trickledPeers } = require('../helpers/pair')

async function inbound (pc, kind) {
  return [...(await pc.getStats()).values()].find(s => s.type === 'inbound-rtp' && s.kind === kind)
}

async function main () {
  const pub = trickledPeers()
  const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } })
  pub.a.addTrack(stream.getVideoTracks()[0], stream)
  let relayed
  pub.b.addEventListener('track', e => { relayed = e.track })
  await negotiate(pub.a, pub.b)
  while (!relayed) await delay(10)
  const sub = trickledPeers()
  sub.a.addTrack(relayed)
  let got
  sub.b.addEventListener('track', e => { got = e.track })
  await negotiate(sub.a, sub.b)
  while (!got) await delay(10)
  const sink = new nonstandard.RTCVideoSink(got)
  const before = nonstandard.relayCounters()
  let frames = 0
  let luma = 0
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${frames} frames in 30 s`)), 30000)
    sink.onframe = ({ frame }) => {
      if (frames++ < 20) return  // a start before the first keyframe's recovery settles
      let sum = 0
      const n = frame.width * frame.height
      for (let i = 0; i < n; i++) sum += frame.data[i]
      luma += sum / n
      if (frames === 110) { clearTimeout(timer); resolve() }
    }
  })
  const after = nonstandard.relayCounters()
  const s = await inbound(sub.b, 'video')
  const r = await inbound(pub.b, 'video')
  console.log(JSON.stringify({
    frames: frames - 20,
    meanLuma: luma / (frames - 20),
    resent: after.rtpResentPackets - before.rtpResentPackets,
    subscriberNacks: s.nackCount,
    relayNacks: r.nackCount,
    forwardingSenders: after.rtpForwardingSenders
  }))
  sink.stop()
  closeAll()
  process.exit(0)
}
main().catch(err => { console.error(err); process.exit(1) })
