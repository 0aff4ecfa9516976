'use strict'
// Interop with aiortc (Debian's python3-aiortc, a Python stack with its own SCTP) as the remote
// peer, over loopback, with audio + video + a data channel BUNDLEd on one transport: the path on
// which our loopback-only DTLS record joining once lost every reply (issue 20: aiortc reads one
// DTLS record per datagram). Both offer directions; each answers every message on the channel, and
// aiortc counts the DTLS datagrams it got that carried several records (none may).
// Skipped when /usr/bin/python3 cannot import aiortc (scripts/setup.sh installs python3-aiortc).
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { RTCPeerConnection } = require('../..')
const { startLinePeer, gathered } = require('./line-peer')

const PYTHON = '/usr/bin/python3'
const PEER = path.join(__dirname, 'aiortc-peer.py')
const COUNT = 20
// Two connections per direction (the joined records showed in every run; their loss in 1-2 of 10).
const ROUNDS = 2

const hasAiortc = spawnSync(PYTHON, ['-c', 'import aiortc'], { stdio: 'ignore' }).status === 0

const startPeer = role => startLinePeer('aiortc', PYTHON, [PEER, role, String(COUNT)])

describe('interop: aiortc over loopback (audio + video + data channel, BUNDLE)', function () {
  this.timeout(60000)
  before(function () {
    if (!hasAiortc) this.skip() // python3-aiortc is not installed: apt-get install python3-aiortc
  })

  for (let round = 1; round <= ROUNDS; round++) {
    it(`aiortc offers; every reply of ours reaches it (round ${round})`, async () => {
      const peer = startPeer('offer')
      const pc = new RTCPeerConnection()
      try {
        let pings = 0
        pc.ondatachannel = e => {
          const ch = e.channel
          ch.onmessage = m => { pings++; ch.send(String(m.data).replace('ping', 'pong')) }
        }
        const offer = await peer.next()
        assert.equal(offer.type, 'offer')
        await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp })
        await pc.setLocalDescription(await pc.createAnswer())
        peer.send({ type: 'answer', sdp: (await gathered(pc)).sdp })
        const result = await peer.next()
        if (process.env.AIORTC_DEBUG) console.log('replies after', result.seconds, 's')
        assert.equal(pings, COUNT)
        assert.deepEqual(result.replies, Array.from({ length: COUNT }, (_, i) => `pong ${i}`))
        assert.equal(result.joined, 0, 'DTLS datagrams with several records sent to aiortc')
      } finally {
        pc.close()
        await peer.stop()
      }
    })

    it(`we offer; aiortc answers every message (round ${round})`, async () => {
      const peer = startPeer('answer')
      const pc = new RTCPeerConnection()
      try {
        pc.addTransceiver('audio')
        pc.addTransceiver('video')
        const ch = pc.createDataChannel('chat')
        const replies = []
        const all = new Promise(resolve => {
          ch.onmessage = m => { replies.push(String(m.data)); if (replies.length === COUNT) resolve() }
        })
        ch.onopen = () => { for (let i = 0; i < COUNT; i++) ch.send(`ping ${i}`) }
        await pc.setLocalDescription(await pc.createOffer())
        peer.send({ type: 'offer', sdp: (await gathered(pc)).sdp })
        const answer = await peer.next()
        assert.equal(answer.type, 'answer')
        await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp })
        await Promise.race([all, new Promise(resolve => setTimeout(resolve, 10000))])
        assert.deepEqual(replies, Array.from({ length: COUNT }, (_, i) => `pong ${i}`))
        peer.send({ type: 'done' })
        const result = await peer.next()
        assert.equal(result.pings.length, COUNT)
        assert.equal(result.joined, 0, 'DTLS datagrams with several records sent to aiortc')
      } finally {
        pc.close()
        await peer.stop()
      }
    })
  }
})
