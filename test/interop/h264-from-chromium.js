'use strict'
// Manual end-to-end check until tracks exist (not run by mocha): headless Chromium sends its fake
// camera as H.264 (42e01f, packetization-mode=1, Chromium's OpenH264 encoder) to a recvonly peer of
// ours, whose libwebrtc decodes it with our OpenH264 decoder (src-native/media/h264_decoder.cc).
// Nothing in the JS API shows decoded frames yet, so libwebrtc's log is the witness:
//   NODE_LIBWEBRTC_LOG=info node scripts/netns.js node test/interop/h264-from-chromium.js 2>&1 |
//     grep -E "implementation_name|Frames decoded|chromium sent"
// expect: implementation_name = 'OpenH264', "Frames decoded N" with N close to Chromium's
// framesEncoded (the log line comes when the receive stream ends), and pliCount 0 (no decode
// error made our side ask for a key frame).
const { chromium } = require('playwright-core')
const { RTCPeerConnection } = require('../..')
const http = require('node:http')
;(async () => {
  const server = http.createServer((q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end('<html></html>') })
  await new Promise(res => server.listen(0, '127.0.0.1', res))
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'] })
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  const offer = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
    const peer = new RTCPeerConnection(); window.peer = peer
    const t = peer.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly' })
    const h264 = RTCRtpSender.getCapabilities('video').codecs.filter(c => c.mimeType === 'video/H264' && /42e01f/.test(c.sdpFmtpLine) && /packetization-mode=1/.test(c.sdpFmtpLine))
    t.setCodecPreferences(h264)
    await peer.setLocalDescription()
    while (peer.iceGatheringState !== 'complete') await new Promise(r => setTimeout(r, 50))
    return peer.localDescription.sdp
  })
  console.log('offer codecs:', offer.split('\r\n').filter(l => /^a=(rtpmap|fmtp)/.test(l)).join(' | '))
  const pc = new RTCPeerConnection()
  await pc.setRemoteDescription({ type: 'offer', sdp: offer })
  await pc.setLocalDescription()
  while (pc.iceGatheringState !== 'complete') await new Promise(r => setTimeout(r, 50))
  await page.evaluate(sdp => window.peer.setRemoteDescription({ type: 'answer', sdp }), pc.localDescription.sdp)
  await new Promise(r => setTimeout(r, 8000))
  const stats = await page.evaluate(async () => {
    const out = []; (await window.peer.getStats()).forEach(s => { if (s.type === 'outbound-rtp') out.push({ framesEncoded: s.framesEncoded, encoder: s.encoderImplementation, codec: s.codecId, keyFramesEncoded: s.keyFramesEncoded, pliCount: s.pliCount, firCount: s.firCount, w: s.frameWidth, h: s.frameHeight }) }); return out
  })
  console.log('chromium sent:', JSON.stringify(stats), 'ours:', pc.connectionState)
  pc.close(); await browser.close(); server.close()
})().catch(e => { console.error(e); process.exit(1) })
