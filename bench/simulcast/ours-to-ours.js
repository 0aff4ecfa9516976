'use strict'
// Facts about libwebrtc M108 receiving simulcast (docs/nonstandard.md, "Simulcast publishers").
// Our publisher (3 rids, 1280x720) -> our receiver; the answer handed to the publisher gets
// a=rid:... recv and a=simulcast:recv added, so it sends every layer. Prints the publisher's
// outbound-rtp per rid and the receiver's inbound-rtp every 1.5 s.
//   node scripts/netns.js node bench/simulcast/ours-to-ours.js
//   NODE_LIBWEBRTC_LOG=info node scripts/netns.js node bench/simulcast/ours-to-ours.js 2>&1 | grep 'default receive stream'
// `local`: set the munged answer locally instead (refused: webrtc-pc forbids munging).
const { mediaDevices } = require('../..')
const { trickledPeers, once, delay, closeAll } = require('../../test/helpers/pair')
const MUNGE_LOCAL = process.argv[2] === 'local'
;(async () => {
  const pub = trickledPeers()
  const stream = await mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } })
  pub.a.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings: [{ rid: 'l', scaleResolutionDownBy: 4 }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'h' }] })
  const remote = once(pub.b, 'track').then(e => e.track)
  await pub.a.setLocalDescription()
  await pub.b.setRemoteDescription(pub.a.localDescription)
  const answer = await pub.b.createAnswer()
  const munged = answer.sdp.replace(/(m=video[\s\S]*?)(\r\na=rtpmap)/, (all, head, tail) => head + '\r\na=rid:h recv\r\na=rid:m recv\r\na=rid:l recv\r\na=simulcast:recv l;m;h' + tail)
  if (MUNGE_LOCAL) { await pub.b.setLocalDescription({ type: 'answer', sdp: munged }); await pub.a.setRemoteDescription(pub.b.localDescription); console.log('local answer has simulcast:', /simulcast:recv/.test(pub.b.localDescription.sdp)) }
  else { await pub.b.setLocalDescription(answer); await pub.a.setRemoteDescription({ type: 'answer', sdp: munged }) }
  const track = await remote
  const frames = {}
  for (let i = 0; i < 6; i++) {
    await delay(1500)
    const sr = await pub.a.getStats(); const rr = await pub.b.getStats()
    const out = [...sr.values()].filter(s => s.type === 'outbound-rtp' && s.kind === 'video').map(s => `${s.rid} ssrc=${s.ssrc} enc=${s.framesEncoded} ${s.frameWidth}x${s.frameHeight} pkts=${s.packetsSent}`)
    const inn = [...rr.values()].filter(s => s.type === 'inbound-rtp' && s.kind === 'video').map(s => `ssrc=${s.ssrc} pkts=${s.packetsReceived} recv=${s.framesReceived} dec=${s.framesDecoded} ${s.frameWidth}x${s.frameHeight}`)
    console.log('t', i, 'out', out.join(' | '), '\n   in', inn.join(' | '))
  }
  closeAll(); process.exit(0)
})().catch(e => { console.error(e); process.exit(1) })
