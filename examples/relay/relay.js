'use strict'
// The relay: one publisher sends audio + video to the relay's connection; every subscriber gets
// its own connection from the relay, sending the publisher's remote tracks with the standard API
// (addTrack of a remote track on another connection). Join and leave at any time, in any order.
//
// Transport-agnostic: `relay.join(send)` gives a participant whose `handle(message)` takes the
// client's JSON messages; the relay answers through `send(message)`. Messages:
//   client → relay   {type:'publish'} | {type:'watch'} | {type:'description', description}
//                    | {type:'candidate', candidate} | {type:'leave'}
//   relay → client   {type:'description', description} | {type:'candidate', candidate}
//                    | {type:'publisher', present} | {type:'error', message} | {type:'left', reason}
// The publisher offers (its tracks, sendonly); toward subscribers the relay always offers, one
// offer at a time per subscriber, so there is never glare.

// Plain records, not toJSON(): the relay also runs on other stacks (bench/relay).
const plainDescription = d => ({ type: d.type, sdp: d.sdp })
const plainCandidate = c => c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : null

const ANSWER_TIMEOUT_MS = 10000
const DISCONNECT_TIMEOUT_MS = 5000

class Relay {
  /**
   * @param {object} options
   * @param {typeof RTCPeerConnection} options.RTCPeerConnection  the stack to relay with
   * @param {object} [options.configuration]  RTCConfiguration for every connection
   * @param {(line: string) => void} [options.log]
   * @param {number} [options.answerTimeoutMs]  a subscriber that does not answer an offer in time is dropped
   * @param {number} [options.disconnectTimeoutMs]  so is a participant 'disconnected' that long (its network dropped)
   */
  constructor ({ RTCPeerConnection, configuration = {}, log = () => {}, answerTimeoutMs = ANSWER_TIMEOUT_MS, disconnectTimeoutMs = DISCONNECT_TIMEOUT_MS }) {
    this.disconnectTimeoutMs = disconnectTimeoutMs
    this.RTCPeerConnection = RTCPeerConnection
    this.configuration = configuration
    this.log = log
    this.answerTimeoutMs = answerTimeoutMs
    this.publisher = null
    /** @type {{track: MediaStreamTrack, stream: MediaStream}[]} the publisher's remote tracks */
    this.tracks = []
    this.subscribers = new Set()
    this.nextId = 1
  }

  join (send) {
    const p = new Participant(this, this.nextId++, send)
    return p
  }

  get subscriberCount () { return this.subscribers.size }

  close () {
    if (this.publisher) this.publisher.leave('relay closed')
    for (const s of [...this.subscribers]) s.leave('relay closed')
  }

  // ---- publisher side

  async publisherOffer (p, description) {
    if (this.publisher !== p) return
    const pc = p.pc
    const tracks = []
    pc.ontrack = e => tracks.push({ track: e.track, stream: e.streams[0] })
    await pc.setRemoteDescription(description)
    await pc.setLocalDescription(await pc.createAnswer())
    p.sendDescription()
    if (this.publisher !== p) return
    // Track events fire before setRemoteDescription resolves: all the offer's tracks are here.
    for (const t of tracks) this.tracks.push(t)
    this.log(`publisher ${p.id}: ${tracks.map(t => t.track.kind).join(' + ')} → ${this.subscribers.size} subscriber(s)`)
    for (const s of this.subscribers) s.sendPublisher(true)
    for (const s of this.subscribers) this.attach(s, tracks)
  }

  publisherGone (p) {
    if (this.publisher !== p) return
    this.publisher = null
    const gone = new Set(this.tracks.map(t => t.track))
    this.tracks = []
    for (const s of this.subscribers) {
      s.sendPublisher(false)
      if (s.pc.signalingState === 'closed') continue
      // Stopping the transceivers ends the subscribers' tracks (their m-sections are rejected).
      let stopped = false
      for (const t of s.pc.getTransceivers()) {
        if (!t.stopped && t.sender.track && gone.has(t.sender.track)) {
          t.stop()
          stopped = true
        }
      }
      if (stopped) s.negotiate()
    }
  }

  // ---- subscriber side

  attach (s, tracks) {
    if (s.pc.signalingState === 'closed' || tracks.length === 0) return
    for (const { track, stream } of tracks) {
      const sender = stream ? s.pc.addTrack(track, stream) : s.pc.addTrack(track)
      if (track.kind === 'video' && typeof sender.getParameters === 'function') {
        // Keep the publisher's size: a re-encoding relay would otherwise scale down under CPU load.
        try {
          const params = sender.getParameters()
          params.degradationPreference = 'maintain-resolution'
          Promise.resolve(sender.setParameters(params)).catch(err => this.log(`subscriber ${s.id}: setParameters: ${err.message}`))
        } catch (err) {
          this.log(`subscriber ${s.id}: setParameters: ${err.message}`)
        }
      }
    }
    s.negotiate()
  }
}

class Participant {
  constructor (relay, id, send) {
    this.relay = relay
    this.id = id
    this.send = msg => { try { send(msg) } catch {} }
    this.role = null
    this.pc = null
    this.left = false
    this.pendingCandidates = []
    this.negotiating = false
    this.again = false
    this.answered = null
    this.abandon = null
    this.disconnectTimer = null
  }

  /** A message from the client (already JSON-parsed). Never throws: bad input gets {type:'error'}. */
  handle (msg) {
    this.dispatch(msg).catch(err => {
      this.relay.log(`participant ${this.id}: ${err && err.message}`)
      this.send({ type: 'error', message: String(err && err.message) })
    })
  }

  async dispatch (msg) {
    if (this.left || !msg || typeof msg !== 'object') return
    const relay = this.relay
    switch (msg.type) {
      case 'publish': {
        if (this.role) throw new Error(`already a ${this.role}`)
        this.role = 'publisher'
        if (relay.publisher) relay.publisher.leave('another publisher took over')
        relay.publisher = this
        this.createConnection()
        return
      }
      case 'watch': {
        if (this.role) throw new Error(`already a ${this.role}`)
        this.role = 'subscriber'
        relay.subscribers.add(this)
        this.createConnection()
        this.sendPublisher(relay.publisher !== null && relay.tracks.length > 0)
        relay.attach(this, relay.tracks)
        return
      }
      case 'description': {
        if (!this.pc || !msg.description) throw new Error('unexpected description')
        if (this.role === 'publisher') {
          if (msg.description.type !== 'offer') throw new Error('the publisher offers')
          await relay.publisherOffer(this, msg.description)
        } else {
          if (msg.description.type !== 'answer' || !this.answered) throw new Error('subscribers answer the relay\'s offers')
          await this.pc.setRemoteDescription(msg.description)
          const done = this.answered
          this.answered = null
          done()
        }
        for (const c of this.pendingCandidates.splice(0)) await this.pc.addIceCandidate(c)
        return
      }
      case 'candidate': {
        if (!this.pc) throw new Error('unexpected candidate')
        if (!this.pc.remoteDescription) this.pendingCandidates.push(msg.candidate)
        else await this.pc.addIceCandidate(msg.candidate)
        return
      }
      case 'leave':
        this.leave('left')
        return
      default:
        throw new Error(`unknown message type ${JSON.stringify(msg.type)}`)
    }
  }

  createConnection () {
    const pc = new this.relay.RTCPeerConnection(this.relay.configuration)
    this.pc = pc
    pc.onicecandidate = e => this.send({ type: 'candidate', candidate: plainCandidate(e.candidate) })
    pc.onconnectionstatechange = () => {
      // A participant whose network went away: drop it, the others go on. ICE says 'disconnected'
      // after a few seconds without answers and 'failed' only much later: do not wait for that.
      clearTimeout(this.disconnectTimer)
      if (pc.connectionState === 'failed') this.leave('connection failed')
      else if (pc.connectionState === 'disconnected') {
        this.disconnectTimer = setTimeout(() => this.leave('connection lost'), this.relay.disconnectTimeoutMs)
      }
    }
  }

  sendDescription () {
    this.send({ type: 'description', description: plainDescription(this.pc.localDescription) })
  }

  sendPublisher (present) { this.send({ type: 'publisher', present }) }

  /** Offers to the subscriber, one offer at a time; changes made meanwhile go in one more round. */
  async negotiate () {
    if (this.left) return
    if (this.negotiating) { this.again = true; return }
    this.negotiating = true
    try {
      do {
        this.again = false
        const answered = new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no answer')), this.relay.answerTimeoutMs)
          this.answered = () => { clearTimeout(timer); resolve() }
          this.abandon = () => { clearTimeout(timer); resolve() }
        })
        await this.pc.setLocalDescription(await this.pc.createOffer())
        this.sendDescription()
        await answered
      } while (this.again && !this.left)
    } catch (err) {
      if (!this.left) {
        this.relay.log(`subscriber ${this.id}: ${err.message}; dropped`)
        this.leave(err.message)
      }
    } finally {
      this.negotiating = false
    }
  }

  leave (reason = 'left') {
    if (this.left) return
    this.left = true
    const relay = this.relay
    clearTimeout(this.disconnectTimer)
    if (this.abandon) this.abandon()
    if (this.role === 'subscriber') relay.subscribers.delete(this)
    if (this.pc && this.pc.signalingState !== 'closed') this.pc.close()
    if (this.role === 'publisher') relay.publisherGone(this)
    this.send({ type: 'left', reason })
    relay.log(`${this.role || 'participant'} ${this.id} left (${reason}); ${relay.subscribers.size} subscriber(s)`)
  }
}

module.exports = { Relay }
