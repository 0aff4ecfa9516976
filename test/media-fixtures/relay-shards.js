'use strict'
// The relay across shard threads (run with NODE_LIBWEBRTC_NETWORK_THREADS=3 by test/media/relay):
// a publisher's track sent on by relay connections placed on every shard, pictures forwarded, then
// everything closed and the process left to end. Prints one JSON line.
const { RTCPeerConnection, mediaDevices, nonstandard } = require('../..')

function link (a, b) {
  a.onicecandidate = e => { b.addIceCandidate(e.candidate).catch(() => {}) }
  b.onicecandidate = e => { a.addIceCandidate(e.candidate).catch(() => {}) }
}
async function negotiate (a, b) {
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription)
}

async function main () {
  const pcs = []
  const pair = () => { const a = new RTCPeerConnection(); const b = new RTCPeerConnection(); link(a, b); pcs.push(a, b); return [a, b] }
  const [pub, relayIn] = pair()
  const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
  pub.addTrack(stream.getVideoTracks()[0])
  const track = new Promise(resolve => { relayIn.ontrack = e => resolve(e.track) })
  await negotiate(pub, relayIn)
  const remote = await track
  const counts = []
  for (let i = 0; i < 6; i++) {
    const [out, sub] = pair()
    out.addTrack(remote)
    const got = new Promise(resolve => { sub.ontrack = e => resolve(e.track) })
    await negotiate(out, sub)
    const sink = new nonstandard.RTCVideoSink(await got)
    counts.push(0)
    sink.onframe = ({ frame }) => { if (frame.width === 320) counts[i]++ }
  }
  const before = nonstandard.relayCounters()
  await new Promise(resolve => setTimeout(resolve, 2000))
  const after = nonstandard.relayCounters()
  for (const pc of pcs) pc.close()
  console.log(JSON.stringify({
    frames: counts,
    forwarded: after.forwardedFrames - before.forwardedFrames,
    transcoded: after.transcodedFrames - before.transcodedFrames,
    rtpForwarded: after.rtpForwardedPackets - before.rtpForwardedPackets
  }))
}

main().catch(err => { console.error(err); process.exit(1) })
