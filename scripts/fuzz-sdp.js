'use strict'
// Feeds mutated SDP and ICE candidates through the public API, for the sanitizer build:
//   bash scripts/sanitize.sh --exec node scripts/fuzz-sdp.js [seed] [rounds]
// Rejections are expected; what it looks for is a crash, an ASan/UBSan report or a failed
// libwebrtc check. Deterministic for a given seed. See docs/sanitizers.md.
// Half of the rounds send media: audio and video both ways (getUserMedia's synthetic tracks) and
// a simulcast video section, answered with a=rid/a=simulcast recv lines as an SFU would.
const { RTCPeerConnection, mediaDevices } = require('..')

let seed = Number(process.argv[2] ?? 1)
const rounds = Number(process.argv[3] ?? 200)
const rnd = n => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }

// Lines that stress the parser's section and attribute handling.
const LINES = [
  'm=foo 9 UDP/DTLS/SCTP webrtc-datachannel', 'm=foo 9 RTP/AVP 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000', 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel',
  'a=candidate:1 1 udp 1 127.0.0.1 9 typ host', 'a=sctp-port:0', 'a=sctp-port:99999', 'a=max-message-size:0',
  'a=sctpmap:5000 webrtc-datachannel 1024', 'a=setup:active', 'a=setup:passive', 'a=group:BUNDLE 0 1 2',
  'a=mid:', 'a=ice-lite', 'a=fingerprint:sha-1 00', 'a=rtcp-mux', 'a=ssrc:1 cname:x', 'a=msid:a b',
  'a=extmap:1 urn:x', 'a=simulcast:send 1;2', 'a=rid:1 send', 'a=end-of-candidates',
  'a=simulcast:recv lo;mid;hi', 'a=rid:lo recv', 'a=rid:hi send', 'a=ssrc-group:FID 1 2', 'a=ssrc-group:SIM 1 2 3',
  'a=ssrc:2 cname:y', 'a=fmtp:96 apt=0', 'a=rtcp-fb:96 nack pli', 'a=rtpmap:111 opus/48000/2', 'a=sendonly', 'a=inactive'
]

const MEDIA = ['audio', 'video', 'application', 'foo', 'text', 'message', '']
const PROTOCOLS = ['UDP/DTLS/SCTP', 'TCP/DTLS/SCTP', 'DTLS/SCTP', 'SCTP', 'UDP/TLS/RTP/SAVPF', 'RTP/AVP', 'bogus']

// Another media type or protocol on an existing m= line: its section keeps its attributes.
function retype (parts) {
  const at = parts.findIndex(l => l.startsWith('m='))
  if (at < 0) return
  const fields = parts[at].slice(2).split(' ')
  if (rnd(2)) fields[0] = MEDIA[rnd(MEDIA.length)]
  else fields[2] = PROTOCOLS[rnd(PROTOCOLS.length)]
  parts[at] = 'm=' + fields.join(' ')
}

function mutate (text, sep) {
  const parts = text.split(sep)
  if (sep === '\r\n' && rnd(3) === 0) retype(parts)
  for (let ops = rnd(6); ops > 0; ops--) {
    const at = rnd(parts.length)
    switch (rnd(5)) {
      case 0: parts.splice(at, 1); break
      case 1: parts.splice(at, 0, LINES[rnd(LINES.length)]); break
      case 2: parts.splice(at, 0, parts[rnd(parts.length)]); break
      case 3: { // digits into a line
        const l = parts[at] ?? ''
        const q = rnd(l.length + 1)
        parts[at] = l.slice(0, q) + String(rnd(70000)) + l.slice(q + rnd(4))
        break
      }
      case 4: { // one byte
        const l = parts[at] ?? ''
        const q = rnd(l.length + 1)
        parts[at] = l.slice(0, q) + String.fromCharCode(rnd(256)) + l.slice(q)
        break
      }
    }
  }
  return parts.join(sep)
}

const settle = p => p.then(() => true, () => false)

let stream = null

async function round () {
  const a = new RTCPeerConnection()
  const b = new RTCPeerConnection()
  const candidates = []
  const media = rnd(2) === 0
  b.onicecandidate = e => { if (e.candidate) candidates.push(e.candidate.candidate) }
  a.createDataChannel('fuzz')
  if (media) {
    stream ??= await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
    for (const t of stream.getTracks()) a.addTrack(t, stream)
    a.addTransceiver(stream.getVideoTracks()[0], { streams: [stream], sendEncodings: [{ rid: 'lo', scaleResolutionDownBy: 4 }, { rid: 'mid', scaleResolutionDownBy: 2 }, { rid: 'hi' }] })
  }
  await a.setLocalDescription()
  // A mutated offer into a fresh peer, answered if accepted.
  const c = new RTCPeerConnection()
  if (await settle(c.setRemoteDescription({ type: 'offer', sdp: mutate(a.localDescription.sdp, '\r\n') }))) {
    await settle(c.setLocalDescription())
  }
  c.close()
  // A real answer from b, mutated, back into a; then mutated candidates.
  await b.setRemoteDescription(a.localDescription)
  if (media) for (const t of stream.getTracks()) b.addTrack(t, stream)
  await b.setLocalDescription()
  await new Promise(resolve => setTimeout(resolve, 20))
  let answer = b.localDescription.sdp
  if (media) {
    // libwebrtc does not receive simulcast: answer that section as an SFU would.
    const mid = a.getTransceivers()[2].mid
    answer = answer.replace(`a=mid:${mid}\r\n`, `a=mid:${mid}\r\na=rid:lo recv\r\na=rid:mid recv\r\na=rid:hi recv\r\na=simulcast:recv lo;mid;hi\r\n`)
  }
  await settle(a.setRemoteDescription({ type: rnd(4) ? 'answer' : 'pranswer', sdp: mutate(answer, '\r\n') }))
  for (const line of [...candidates, 'candidate:1 1 udp 1 127.0.0.1 1 typ host']) {
    await settle(a.addIceCandidate({
      candidate: mutate(line, ' '), sdpMid: String(rnd(3)), sdpMLineIndex: rnd(2) ? null : rnd(3), usernameFragment: rnd(2) ? null : 'x'
    }))
  }
  if (rnd(3) === 0) { a.restartIce(); await settle(a.setLocalDescription()) }
  a.close()
  b.close()
}

async function main () {
  const started = Date.now()
  for (let i = 0; i < rounds; i++) await round()
  if (stream) for (const t of stream.getTracks()) t.stop()
  console.log(`fuzz-sdp: ${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s, no crash`)
}
main()
