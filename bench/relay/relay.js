'use strict'
// The relay process of the fan-out bench: one stack, one publisher, N subscribers, signaling
// over the IPC channel (bench/relay/fanout.js routes it). argv: stack
//   ours-video  ours, the publisher's video only sent on (an extra row: the cost without audio)
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

function standardRelay () {
  const { Relay } = require(path.join(__dirname, '..', '..', 'examples', 'relay', 'relay'))
  const base = stack === 'ours-video' ? 'ours' : stack
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
  if (stack === 'ours' || stack === 'ours-video' || stack === 'wrtc') return standardRelay()
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
  } else if (m.type === 'exit') {
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
relay = makeRelay()
send({ type: 'ready', pid: process.pid })
