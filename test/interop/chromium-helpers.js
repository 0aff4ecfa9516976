'use strict'
// Shared pieces of the headless-Chromium interop tests (chromium.test.js, chromium-media.test.js):
// the signaling server, the browser launch, the Node peer that signals through it, and two small
// waiting helpers (withTimeout serves pion.test.js too).
//
// Signaling server on 127.0.0.1 (port chosen by the OS):
//   POST /send?s=SESSION&to=node|browser   (JSON body)   queues one message
//   GET  /recv?s=SESSION&who=node|browser                 long poll, returns a JSON array of messages
//   GET  /<name>                                           a page from `pages` ('/' is the key '')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const assert = require('node:assert/strict')

const CHROMIUM = '/usr/bin/chromium'
const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
]

/** @param {Record<string, string>} pages  URL path without the leading '/' -> file to serve */
function startSignaling (pages) {
  const queues = new Map() // `${session}:${who}` -> { msgs: [], waiters: [] }
  const queue = key => {
    let q = queues.get(key)
    if (!q) queues.set(key, (q = { msgs: [], waiters: [] }))
    return q
  }
  const html = new Map(Object.entries(pages).map(([name, file]) => [`/${name}`, fs.readFileSync(file)]))
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    const s = url.searchParams.get('s') ?? ''
    const reply = (status, body, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (req.method === 'GET' && html.has(url.pathname)) return reply(200, html.get(url.pathname), 'text/html; charset=utf-8')
    if (req.method === 'POST' && url.pathname === '/send') {
      const to = url.searchParams.get('to')
      if (to !== 'node' && to !== 'browser') return reply(400, '"bad to"')
      const chunks = []
      req.on('data', c => chunks.push(c))
      req.on('end', () => {
        let msg
        try { msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch { return reply(400, '"bad json"') }
        const q = queue(`${s}:${to}`)
        q.msgs.push(msg)
        for (const wake of q.waiters.splice(0)) wake()
        reply(200, 'true')
      })
      return
    }
    if (req.method === 'GET' && url.pathname === '/recv') {
      const q = queue(`${s}:${url.searchParams.get('who')}`)
      if (q.msgs.length > 0) return reply(200, JSON.stringify(q.msgs.splice(0)))
      let timer = null
      const flush = () => { clearTimeout(timer); reply(200, JSON.stringify(q.msgs.splice(0))) }
      timer = setTimeout(() => {
        const i = q.waiters.indexOf(flush)
        if (i >= 0) q.waiters.splice(i, 1)
        flush()
      }, 1000)
      q.waiters.push(flush)
      return
    }
    reply(404, '"not found"')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

async function stopSignaling (server) {
  server.closeAllConnections()
  await new Promise(resolve => server.close(() => resolve()))
}

/** `promise`, or a rejection after `ms`; `what` may be a function giving the state for the message. */
function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

/** Polls read() until it returns something truthy; `what` may be a function giving the last state for the message. */
async function waitFor (read, ms, what, interval = 25) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? await what() : what}`)
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}

async function launchChromium (chromium, extraArgs = []) {
  const options = { executablePath: CHROMIUM, headless: true, args: [...LAUNCH_ARGS, ...extraArgs] }
  try {
    const browser = await chromium.launch(options)
    const context = await browser.newContext()
    return { context, close: () => browser.close(), userDataDir: null }
  } catch (err) {
    // Fallback: a persistent context on a fresh profile directory.
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-libwebrtc-chromium-'))
    try {
      const context = await chromium.launchPersistentContext(userDataDir, options)
      return {
        context,
        userDataDir,
        close: async () => {
          await context.close()
          fs.rmSync(userDataDir, { recursive: true, force: true })
        }
      }
    } catch (err2) {
      fs.rmSync(userDataDir, { recursive: true, force: true })
      throw new AggregateError([err, err2], `Chromium failed to launch: ${err.message} / ${err2.message}`)
    }
  }
}

/**
 * One of our RTCPeerConnections, signaling with one named peer of a page through the server: it
 * answers offers (after `beforeAnswer(pc)`, if given), offers when told to, and queues remote
 * candidates until the remote description is set. `start()` begins receiving; `rounds` counts
 * the remote descriptions applied.
 */
class SignalingPeer {
  constructor (base, session, { beforeAnswer = null } = {}) {
    const { RTCPeerConnection } = require('../..')
    this.base = base
    this.session = session
    this.beforeAnswer = beforeAnswer
    this.errors = []
    this.stopped = false
    this.rounds = 0
    this.localCandidates = 0
    this.remoteCandidates = 0
    this.polling = null
    this.pc = new RTCPeerConnection()
    this.pc.onicecandidate = e => {
      if (e.candidate) this.localCandidates++
      this.send({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null }).catch(err => this.errors.push(err))
    }
  }

  async send (msg) {
    const res = await fetch(`${this.base}/send?s=${encodeURIComponent(this.session)}&to=browser`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg)
    })
    assert.equal(res.status, 200)
    await res.arrayBuffer()
  }

  start () { this.polling = this.poll() }

  async poll () {
    const pending = []
    while (!this.stopped) {
      let msgs
      try {
        const res = await fetch(`${this.base}/recv?s=${encodeURIComponent(this.session)}&who=node`)
        msgs = await res.json()
      } catch (err) {
        if (!this.stopped) this.errors.push(err)
        return
      }
      for (const msg of msgs) {
        if (this.stopped) return
        try {
          if (msg.type === 'description') {
            await this.pc.setRemoteDescription(msg.description)
            if (msg.description.type === 'offer') {
              if (this.beforeAnswer) await this.beforeAnswer(this.pc)
              await this.pc.setLocalDescription()
              await this.send({ type: 'description', description: this.pc.localDescription.toJSON() })
            }
            this.rounds++
            for (const c of pending.splice(0)) await this.pc.addIceCandidate(c)
          } else if (msg.type === 'candidate') {
            this.remoteCandidates++
            if (this.pc.remoteDescription) await this.pc.addIceCandidate(msg.candidate)
            else pending.push(msg.candidate)
          }
        } catch (err) {
          this.errors.push(err)
        }
      }
    }
  }

  async offer () {
    await this.pc.setLocalDescription()
    assert.equal(this.pc.localDescription.type, 'offer')
    await this.send({ type: 'description', description: this.pc.localDescription.toJSON() })
  }

  async stop () {
    this.stopped = true
    if (this.pc.signalingState !== 'closed') this.pc.close()
    await this.polling
  }
}

module.exports = { CHROMIUM, LAUNCH_ARGS, SignalingPeer, startSignaling, stopSignaling, withTimeout, waitFor, launchChromium }
