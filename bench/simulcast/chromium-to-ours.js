'use strict'
// Facts about libwebrtc M108 receiving simulcast (docs/nonstandard.md, "Simulcast publishers").
// Headless Chromium publishes its fake camera (1280x720) with sendEncodings h, m (/2), l (/4) to
// our peer; prints Chromium's outbound-rtp per rid and our inbound-rtp every 2 s.
//   node scripts/netns.js node bench/simulcast/chromium-to-ours.js          # our answer as it is
//   node scripts/netns.js node bench/simulcast/chromium-to-ours.js munge    # + a=rid recv, a=simulcast:recv
//   node scripts/netns.js node bench/simulcast/chromium-to-ours.js receive  # our receiveSimulcast option
const { chromium } = require('playwright-core')
const { launchChromium } = require('../../test/interop/chromium-helpers')
const { RTCPeerConnection } = require('../..')
const { delay } = require('../../test/helpers/pair')
const MUNGE = process.argv[2] === 'munge'
const RECEIVE = process.argv[2] === 'receive'
;(async () => {
  const launched = await launchChromium(chromium)
  const page = await launched.context.newPage()
  const srv = require('node:http').createServer((q, r) => r.end('<html></html>')); await new Promise(r => srv.listen(0, '127.0.0.1', r))
  await page.goto(`http://127.0.0.1:${srv.address().port}/`)
  const offer = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } })
    const pc = window.pc = new RTCPeerConnection()
    pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', sendEncodings: [{ rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'l', scaleResolutionDownBy: 4 }] })
    await pc.setLocalDescription()
    await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r() })
    return pc.localDescription.sdp
  })
  console.log('offer:', offer.split('\r\n').filter(l => /a=rid|simulcast|rtp-stream-id|a=ssrc-group/.test(l)).join(' / '))
  const pc = new RTCPeerConnection({ receiveSimulcast: RECEIVE })
  const sizes = {}
  pc.ontrack = e => {
    console.log('track', e.track.kind)
    const sink = new (require('../..').nonstandard.RTCVideoSink)(e.track)
    sink.onframe = ({ frame }) => { const k = `${frame.width}x${frame.height}`; sizes[k] = (sizes[k] ?? 0) + 1 }
    pc.sink = sink
  }
  await pc.setRemoteDescription({ type: 'offer', sdp: offer })
  await pc.setLocalDescription()
  await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r() })
  let answer = pc.localDescription.sdp
  console.log('our answer:', answer.split('\r\n').filter(l => /a=rid|simulcast/.test(l)).join(' / ') || '(no rid/simulcast lines)')
  if (MUNGE) answer = answer.replace(/(m=video[\s\S]*?)(\r\na=rtpmap)/, (all, head, tail) => head + '\r\na=rid:h recv\r\na=rid:m recv\r\na=rid:l recv\r\na=simulcast:recv h;m;l' + tail)
  await page.evaluate(async sdp => { await window.pc.setRemoteDescription({ type: 'answer', sdp }) }, answer)
  for (let i = 0; i < 5; i++) {
    await delay(2000)
    const out = await page.evaluate(async () => [...(await window.pc.getStats()).values()].filter(s => s.type === 'outbound-rtp').map(s => `${s.rid} ssrc=${s.ssrc} enc=${s.framesEncoded} ${s.frameWidth}x${s.frameHeight} lim=${s.qualityLimitationReason}`).join(' | '))
    const rr = await pc.getStats()
    const inn = [...rr.values()].filter(s => s.type === 'inbound-rtp' && s.kind === 'video').map(s => `ssrc=${s.ssrc} pkts=${s.packetsReceived} recv=${s.framesReceived} dec=${s.framesDecoded} ${s.frameWidth}x${s.frameHeight}`)
    console.log('t', i, 'chromium out:', out, '\n    ours in:', inn.join(' | '), '\n    our track\'s pictures:', JSON.stringify(sizes))
    for (const k of Object.keys(sizes)) sizes[k] = 0
  }
  pc.sink?.stop(); pc.close(); await launched.close(); srv.close(); process.exit(0)
})().catch(e => { console.error(e); process.exit(1) })
