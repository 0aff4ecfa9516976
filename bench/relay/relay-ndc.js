'use strict'
// The node-datachannel relay of the fan-out bench: its Track API, no W3C layer. The publisher's
// offer is answered by a libdatachannel connection whose incoming tracks hand over RTP packets;
// each packet is sent unchanged on every subscriber's outgoing track. Each subscriber gets an offer
// that announces the publisher's SSRCs and payload types (VP8, Opus), so nothing is rewritten.
// A keyframe is requested upstream (PLI) when a subscriber's video track opens, at most one per
// 300 ms. Speaks the same messages as examples/relay/relay.js (`join(send)` → `handle(msg)`).
const path = require('node:path')

// On the loopback path libdatachannel must be told to use 127.0.0.1 (it gathers no loopback candidates).
const NDC_CONFIG = { iceServers: [], ...(process.env.RELAY_BENCH_LOOPBACK ? { bindAddress: '127.0.0.1' } : {}) }

function create () {
  const ndc = require(path.join(__dirname, '..', 'node_modules', 'node-datachannel'))
  const subscribers = new Set()
  let upstream = null // { pc, video, audio, media: { video: {pt, ssrc}, audio: {pt, ssrc} } }
  let lastKeyframe = 0
  let keyframeTimer = null

  const requestKeyframe = () => {
    if (keyframeTimer) return
    keyframeTimer = setTimeout(() => {
      keyframeTimer = null
      lastKeyframe = Date.now()
      if (upstream && upstream.video) { try { upstream.video.requestKeyframe() } catch {} }
    }, Math.max(0, lastKeyframe + 300 - Date.now()))
  }

  /** Payload type and primary SSRC of the first `kind` section whose codec is `codec`. */
  function sectionInfo (sdp, kind, codec) {
    const section = sdp.split(/^m=/m).find(s => s.startsWith(kind))
    if (!section) return null
    const pt = new RegExp(`^a=rtpmap:(\\d+) ${codec}/`, 'mi').exec(section)
    const ssrc = /^a=ssrc:(\d+) /m.exec(section)
    return pt && ssrc ? { pt: Number(pt[1]), ssrc: Number(ssrc[1]) } : null
  }

  function attach (s) {
    if (!upstream || s.pc) return
    const pc = new ndc.PeerConnection(`relay-sub${s.id}`, NDC_CONFIG)
    s.pc = pc
    pc.onLocalDescription((sdp, type) => s.send({ type: 'description', description: { type, sdp } }))
    pc.onLocalCandidate((candidate, mid) => s.send({ type: 'candidate', candidate: { candidate, sdpMid: mid } }))
    pc.onStateChange(state => { if (state === 'failed' || state === 'disconnected') s.leave() })
    const { video, audio } = upstream.media
    if (audio) {
      const a = new ndc.Audio('0', 'SendOnly')
      a.addOpusCodec(audio.pt)
      a.addSSRC(audio.ssrc, 'relay', 'relay-stream', 'relay-audio')
      s.audio = pc.addTrack(a)
    }
    if (video) {
      const v = new ndc.Video('1', 'SendOnly')
      v.addVP8Codec(video.pt)
      v.addSSRC(video.ssrc, 'relay', 'relay-stream', 'relay-video')
      s.video = pc.addTrack(v)
      s.video.onOpen(requestKeyframe)
    }
    pc.setLocalDescription()
  }

  function publish (p, sdp) {
    const pc = new ndc.PeerConnection('relay-pub', NDC_CONFIG)
    const up = { pc, video: null, audio: null, media: { video: sectionInfo(sdp, 'video', 'VP8'), audio: sectionInfo(sdp, 'audio', 'opus') } }
    upstream = up
    p.pc = pc
    pc.onLocalDescription((answer, type) => p.send({ type: 'description', description: { type, sdp: answer } }))
    pc.onLocalCandidate((candidate, mid) => p.send({ type: 'candidate', candidate: { candidate, sdpMid: mid } }))
    pc.onTrack(track => {
      const kind = track.type()
      track.setMediaHandler(new ndc.RtcpReceivingSession())
      // REMB: libdatachannel sends no transport-cc feedback; tell the publisher what it may send.
      track.onOpen(() => { try { track.requestBitrate(3_000_000) } catch {} })
      if (kind === 'video') up.video = track
      else up.audio = track
      track.onMessage(buf => {
        for (const s of subscribers) {
          const out = kind === 'video' ? s.video : s.audio
          if (out && out.isOpen()) { try { out.sendMessageBinary(buf) } catch {} }
        }
      })
    })
    // libdatachannel sends no transport-wide feedback: answer without transport-cc so the
    // publisher's libwebrtc follows the REMB below instead of staying at its 300 kbps start.
    const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
    pc.setRemoteDescription(sdp.split(eol).filter(l => !/^a=rtcp-fb:\S+ transport-cc/.test(l) && !/^a=extmap:\d+ \S*transport-wide-cc/.test(l)).join(eol), 'offer')
    for (const s of subscribers) attach(s)
  }

  let nextId = 1
  return {
    join (send) {
      const p = {
        id: nextId++,
        send: msg => { try { send(msg) } catch {} },
        role: null,
        pc: null,
        left: false,
        leave () {
          if (p.left) return
          p.left = true
          subscribers.delete(p)
          if (p.pc) { try { p.pc.close() } catch {} }
          if (upstream && upstream.pc === p.pc) upstream = null
          p.send({ type: 'left', reason: 'left' })
        },
        handle (msg) {
          try {
            if (p.left) return
            if (msg.type === 'publish') p.role = 'publisher'
            else if (msg.type === 'watch') { p.role = 'subscriber'; subscribers.add(p); attach(p) } else if (msg.type === 'description') {
              if (p.role === 'publisher') publish(p, msg.description.sdp)
              else if (p.pc) p.pc.setRemoteDescription(msg.description.sdp, msg.description.type)
            } else if (msg.type === 'candidate') {
              if (p.pc && msg.candidate && msg.candidate.candidate) p.pc.addRemoteCandidate(msg.candidate.candidate, msg.candidate.sdpMid ?? '0')
            } else if (msg.type === 'leave') p.leave()
          } catch (err) {
            p.send({ type: 'error', message: err.message })
          }
        }
      }
      return p
    }
  }
}

module.exports = { create }
