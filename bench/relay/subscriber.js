'use strict'
// Subscribers of the fan-out bench, many per process, driven over the IPC channel by
// bench/relay/fanout.js. Two kinds:
//   count   node-datachannel's Track API: RTP packets arrive decrypted and are only counted (a
//           video frame = a packet with the marker bit; a VP8 keyframe = a first partition with
//           the P bit clear). Receiver reports and REMB go back (RtcpReceivingSession). Cheap: no
//           decoding, so a hundred of them fit next to the relay on two cores.
//   decode  ours, with an RTCVideoSink: the frames a user would see, and their size.
// Messages in:  {type:'add', id, kind} | {type:'msg', id, msg} | {type:'stats'} | {type:'remove', id}
// Messages out: {type:'msg', id, msg} (to the relay) | {type:'stats', subs: {id: counters}}
const path = require('node:path')

// On the loopback path libdatachannel must be told to use 127.0.0.1 (it gathers no loopback candidates).
const NDC_CONFIG = { iceServers: [], ...(process.env.RELAY_BENCH_LOOPBACK ? { bindAddress: '127.0.0.1' } : {}) }

const benchModules = path.join(__dirname, '..', 'node_modules')
const subs = new Map()
let ndc = null
let ours = null

function send (m) { if (process.connected) process.send(m) }

function counters () {
  return { videoPackets: 0, frames: 0, keyframes: 0, audioPackets: 0, firstFrameMs: null, firstKeyframeMs: null, width: 0, height: 0, state: 'new' }
}

/**
 * The offer's video sections reduced to VP8: libdatachannel answers with the offer's codecs in an
 * order that makes a libwebrtc sender pick another one (payload type 127), and counting is per VP8.
 * transport-cc is dropped too: libdatachannel sends no transport-wide feedback, so a libwebrtc
 * sender would stay at its 300 kbps start; without it, it follows the REMB this subscriber sends.
 */
function onlyVp8 (sdp, vp8) {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp.split(/^(?=m=)/m).map(section => {
    section = section.split(eol).filter(l => !/^a=rtcp-fb:\S+ transport-cc/.test(l) && !/^a=extmap:\d+ \S*transport-wide-cc/.test(l)).join(eol)
    if (!section.startsWith('m=video')) return section
    const lines = section.split(eol)
    const head = lines[0].split(' ')
    lines[0] = [...head.slice(0, 3), ...head.slice(3).filter(pt => vp8.has(Number(pt)))].join(' ')
    return lines.filter(l => {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l)
      return !m || vp8.has(Number(m[1]))
    }).join(eol)
  }).join('')
}

/** node-datachannel subscriber: answers the relay's offers, counts what arrives. */
function addCounting (id) {
  ndc ??= require(path.join(benchModules, 'node-datachannel'))
  const joined = performance.now()
  const c = counters()
  const pc = new ndc.PeerConnection(`sub${id}`, NDC_CONFIG)
  const tracks = []
  const early = []
  const vp8 = new Set() // the offer's VP8 payload types: RTX and other payloads are not frames
  pc.onLocalDescription((sdp, type) => send({ type: 'msg', id, msg: { type: 'description', description: { type, sdp } } }))
  pc.onLocalCandidate((candidate, mid) => send({ type: 'msg', id, msg: { type: 'candidate', candidate: { candidate, sdpMid: mid } } }))
  pc.onStateChange(state => { c.state = state })
  pc.onTrack(track => {
    tracks.push(track)
    const session = new ndc.RtcpReceivingSession()
    track.setMediaHandler(session)
    track.onOpen(() => { try { track.requestBitrate(4_000_000) } catch {} })
    const video = track.type() === 'video'
    track.onMessage(buf => {
      if (buf.length < 12) return
      const pt = buf[1] & 0x7f
      if (pt >= 72 && pt <= 76) return // RTCP
      if (!video) { c.audioPackets++; return }
      if (!vp8.has(pt)) { c.otherPackets = (c.otherPackets ?? 0) + 1; c.otherPt = pt; return }
      c.videoPackets++
      // VP8 payload descriptor after the RTP header (RFC 7741): X, S bits, optional extensions.
      const cc = buf[0] & 0x0f
      let off = 12 + 4 * cc
      if (buf[0] & 0x10) off += 4 + 4 * buf.readUInt16BE(off + 2)
      if (off < buf.length) {
        const d = buf[off]
        const start = (d & 0x10) !== 0 && (d & 0x07) === 0
        let h = off + 1
        if (d & 0x80) {
          const x = buf[h++]
          if (x & 0x80) h += (buf[h] & 0x80) ? 2 : 1
          if (x & 0x40) h++
          if (x & 0x30) h++
        }
        if (start && h < buf.length && (buf[h] & 0x01) === 0) {
          c.keyframes++
          if (c.firstKeyframeMs === null) c.firstKeyframeMs = performance.now() - joined
        }
      }
      if (buf[1] & 0x80) {
        c.frames++
        if (c.firstFrameMs === null) c.firstFrameMs = performance.now() - joined
      }
    })
  })
  subs.set(id, {
    c,
    remote (msg) {
      if (msg.type === 'description') {
        for (const m of msg.description.sdp.matchAll(/^a=rtpmap:(\d+) VP8\/90000/gim)) vp8.add(Number(m[1]))
        pc.setRemoteDescription(onlyVp8(msg.description.sdp, vp8), msg.description.type)
        for (const cand of early.splice(0)) pc.addRemoteCandidate(cand.candidate, cand.sdpMid ?? '0')
      } else if (msg.type === 'candidate' && msg.candidate && msg.candidate.candidate) {
        // werift sends its candidates before its offer: keep them until the offer is here.
        if (pc.remoteDescription()) pc.addRemoteCandidate(msg.candidate.candidate, msg.candidate.sdpMid ?? '0')
        else early.push(msg.candidate)
      }
    },
    close () { try { pc.close() } catch {} }
  })
}

/** Our subscriber that decodes: frames and their size from an RTCVideoSink. */
function addDecoding (id) {
  ours ??= require(path.join(__dirname, '..', '..'))
  const joined = performance.now()
  const c = counters()
  const pc = new ours.RTCPeerConnection()
  const sinks = []
  const early = []
  let chain = Promise.resolve()
  pc.onicecandidate = e => send({ type: 'msg', id, msg: { type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null } })
  pc.onconnectionstatechange = () => { c.state = pc.connectionState }
  pc.ontrack = e => {
    if (e.track.kind !== 'video') return
    const sink = new ours.nonstandard.RTCVideoSink(e.track)
    sink.onframe = ev => {
      c.frames++
      c.width = ev.frame.width; c.height = ev.frame.height
      if (c.firstFrameMs === null) c.firstFrameMs = performance.now() - joined
    }
    sinks.push(sink)
  }
  subs.set(id, {
    c,
    remote (msg) {
      chain = chain.then(async () => {
        if (pc.signalingState === 'closed') return
        if (msg.type === 'description') {
          await pc.setRemoteDescription(msg.description)
          if (msg.description.type === 'offer') {
            await pc.setLocalDescription()
            send({ type: 'msg', id, msg: { type: 'description', description: pc.localDescription.toJSON() } })
          }
          for (const cand of early.splice(0)) await pc.addIceCandidate(cand)
        } else if (msg.type === 'candidate') {
          if (pc.remoteDescription) await pc.addIceCandidate(msg.candidate)
          else early.push(msg.candidate)
        }
      }).catch(err => { c.error = err.message })
    },
    close () { for (const s of sinks) s.stop(); pc.close() }
  })
}

process.on('message', m => {
  if (m.type === 'add') {
    if (m.kind === 'decode') addDecoding(m.id)
    else addCounting(m.id)
    send({ type: 'msg', id: m.id, msg: { type: 'watch' } })
  } else if (m.type === 'msg') {
    const s = subs.get(m.id)
    // A relay that dropped this subscriber may still send it a candidate: never crash the process.
    if (s) { try { s.remote(m.msg) } catch (err) { s.c.error = err.message } }
  } else if (m.type === 'remove') {
    const s = subs.get(m.id)
    if (s) { s.close(); subs.delete(m.id) }
  } else if (m.type === 'stats') {
    const out = {}
    for (const [id, s] of subs) out[id] = { ...s.c }
    if (process.env.RELAY_BENCH_DEBUG) process.stderr.write(JSON.stringify(out) + '\n')
    send({ type: 'stats', subs: out })
  } else if (m.type === 'exit') {
    for (const s of subs.values()) s.close()
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
