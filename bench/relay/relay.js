'use strict'
// The relay process of the fan-out bench: one stack, one publisher, N subscribers, signaling
// over the IPC channel (bench/relay/fanout.js routes it). argv: stack
//   ours-video  ours, the publisher's video only sent on (an extra row: the cost without audio)
//   ours-frames ours without RTP forwarding (NODE_LIBWEBRTC_RTP_FORWARD=0): libwebrtc's send path,
//               pictures and Opus packets passed through its encoders (before session 18)
//   base        ours from another build (NLW_BENCH_BASE, bench/lib/peers.js): before/after in one run
//   ours, wrtc  the relay example's Relay (examples/relay/relay.js): the standard API, a remote
//               track given to addTrack on each subscriber's connection (both re-encode today)
//   werift      the same Relay: werift's addTrack of a remote track forwards its RTP packets (no
//               decoding, in TypeScript); plus a PLI upstream when a subscriber connects (werift
//               does not forward keyframe requests), at most one per 300 ms
//   ndc         node-datachannel's Track API: received RTP packets sent on each subscriber's
//               track, SSRCs and payload types kept (the subscribers' offers announce them)
const path = require('node:path')
const { peers } = require('../lib/peers')

const stack = process.argv[2]
const send = m => { if (process.connected) process.send(m) }
const participants = new Map()
let relay = null
let RTCPeerConnectionModule = null

// What the relay itself saw (the standard stacks): the publisher's inbound-rtp per kind, the
// subscribers' outbound-rtp summed, and, for ours, nonstandard.relayCounters(). A starved relay
// (packets lost on the publisher's leg) or a sender that drops forwarded pictures shows here.
async function relayStats () {
  const out = { at: performance.now(), inbound: {}, outbound: {}, counters: null }
  if (!relay || !relay.subscribers) return out
  const pub = relay.publisher && relay.publisher.pc
  if (pub && typeof pub.getStats === 'function') {
    try {
      for (const r of (await pub.getStats()).values()) {
        if (r.type !== 'inbound-rtp') continue
        out.inbound[r.kind] = { packetsReceived: r.packetsReceived ?? 0, packetsLost: r.packetsLost ?? 0, framesReceived: r.framesReceived, framesDropped: r.framesDropped, nackCount: r.nackCount, pliCount: r.pliCount }
      }
    } catch {}
  }
  // Read right after the publisher's stats arrive, not before asking for them: on a loaded relay
  // getStats waits behind the shard thread's work, so the two snapshots could be frames apart (the
  // likely reason relayedPictures sometimes read above framesReceived).
  if (RTCPeerConnectionModule === 'ours' || RTCPeerConnectionModule === 'base') {
    try {
      const mod = RTCPeerConnectionModule === 'base' && require('node:fs').statSync(process.env.NLW_BENCH_BASE).isDirectory()
        ? require(path.resolve(process.env.NLW_BENCH_BASE))
        : require(path.join(__dirname, '..', '..'))
      out.counters = mod.nonstandard.relayCounters()
    } catch {}
  }
  const v = { senders: 0, framesSent: 0, framesEncoded: 0, packetsSent: 0, retransmittedPacketsSent: 0, nackCount: 0, pliCount: 0, totalPacketSendDelay: 0, targetBitrates: [], limitation: {}, encoders: {} }
  const a = { senders: 0, packetsSent: 0 }
  await Promise.all([...relay.subscribers].map(async s => {
    if (!s.pc || typeof s.pc.getStats !== 'function' || s.pc.signalingState === 'closed') return
    try {
      for (const r of (await s.pc.getStats()).values()) {
        if (r.type !== 'outbound-rtp') continue
        if (r.kind === 'audio') { a.senders++; a.packetsSent += r.packetsSent ?? 0; continue }
        v.senders++
        v.framesSent += r.framesSent ?? 0
        v.framesEncoded += r.framesEncoded ?? 0
        v.packetsSent += r.packetsSent ?? 0
        v.retransmittedPacketsSent += r.retransmittedPacketsSent ?? 0
        v.nackCount += r.nackCount ?? 0
        v.pliCount += r.pliCount ?? 0
        v.totalPacketSendDelay += r.totalPacketSendDelay ?? 0
        if (r.targetBitrate !== undefined) v.targetBitrates.push(r.targetBitrate)
        const why = r.qualityLimitationReason ?? 'unknown'
        v.limitation[why] = (v.limitation[why] ?? 0) + 1
        const impl = r.encoderImplementation ?? 'unknown'
        v.encoders[impl] = (v.encoders[impl] ?? 0) + 1
      }
    } catch {}
  }))
  v.targetBitrates.sort((x, y) => x - y)
  v.targetBitrate = v.targetBitrates.length ? { min: v.targetBitrates[0], median: v.targetBitrates[v.targetBitrates.length >> 1] } : null
  delete v.targetBitrates
  out.outbound = { video: v, audio: a }
  return out
}

function standardRelay () {
  const { Relay } = require(path.join(__dirname, '..', '..', 'examples', 'relay', 'relay'))
  // ours-frames: libwebrtc's send path for every sender (media/rtp_forwarder.h is the default).
  if (stack === 'ours-frames') process.env.NODE_LIBWEBRTC_RTP_FORWARD = '0'
  const base = stack === 'ours-video' || stack === 'ours-frames' ? 'ours' : stack
  RTCPeerConnectionModule = base
  const RTCPeerConnection = peers[base].load()
  const relay = new Relay({ RTCPeerConnection, configuration: peers[base].config, log: line => process.stderr.write(`relay: ${line}\n`) })
  if (stack === 'ours-video') {
    // An extra row: the publisher's video only goes on (its audio is received, not sent on), to
    // tell the video forwarding's cost from the per-subscriber Opus encoding's.
    const attach = relay.attach.bind(relay)
    relay.attach = (s, tracks) => attach(s, tracks.filter(t => t.track.kind === 'video'))
  }
  return relay
}

function weriftRelay () {
  const relay = standardRelay()
  let last = 0
  let timer = null
  const keyframe = () => {
    timer = null
    last = Date.now()
    const pub = relay.publisher
    if (!pub || !pub.pc) return
    for (const r of pub.pc.getReceivers()) {
      if (r.track && r.track.kind === 'video' && r.track.ssrc) r.sendRtcpPLI(r.track.ssrc).catch(() => {})
    }
  }
  const join = relay.join.bind(relay)
  relay.join = send => {
    const p = join(send)
    const handle = p.handle.bind(p)
    p.handle = msg => {
      handle(msg)
      if (p.pc && !p.hooked) {
        p.hooked = true
        const was = p.pc.onconnectionstatechange
        p.pc.onconnectionstatechange = () => {
          if (was) was()
          if (p.role === 'subscriber' && p.pc.connectionState === 'connected' && !timer) {
            timer = setTimeout(keyframe, Math.max(0, last + 300 - Date.now()))
          }
        }
      }
    }
    return p
  }
  return relay
}

function makeRelay () {
  if (stack === 'ours' || stack === 'ours-video' || stack === 'ours-frames' || stack === 'base' || stack === 'wrtc') return standardRelay()
  if (stack === 'werift') return weriftRelay()
  if (stack === 'ndc') return require('./relay-ndc').create()
  throw new Error(`unknown stack ${stack}`)
}

process.on('message', m => {
  if (m.type === 'msg') {
    let p = participants.get(m.id)
    if (!p) {
      p = relay.join(msg => send({ type: 'msg', id: m.id, msg }))
      participants.set(m.id, p)
    }
    p.handle(m.msg)
  } else if (m.type === 'stats') {
    relayStats().then(stats => send({ type: 'stats', ...stats }), err => send({ type: 'stats', error: err.message }))
  } else if (m.type === 'exit') {
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
relay = makeRelay()
send({ type: 'ready', pid: process.pid })
