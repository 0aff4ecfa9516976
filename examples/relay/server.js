'use strict'
// The relay example: an http server with one page (index.html) and WebSocket signaling (/ws).
// A visitor publishes their camera and microphone, every other visitor watches (1 → N); when no
// visitor publishes, a headless publisher in this process sends a moving pattern and a tone.
//
//   npm run example:relay [-- --browser]      (inside a network namespace with loopback only;
//                                             --browser opens Chromium in that namespace)
//   node examples/relay/server.js --port 8080 --host 127.0.0.1 [--no-synthetic] [--size 1280x720]
// then open http://127.0.0.1:8080/ in a browser on the same machine (see README, "The relay example").
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { RTCPeerConnection, MediaStream, nonstandard } = require('../..')
const { acceptWebSockets } = require('./websocket')
const { Relay } = require('./relay')
const { startSyntheticMedia, publishInProcess } = require('./publisher')

const PAGE = path.join(__dirname, 'index.html')

/**
 * Starts the example. Resolves to { server, relay, url, close() }.
 * @param {{port?: number, host?: string, synthetic?: boolean, width?: number, height?: number, log?: (line: string) => void}} options
 */
async function startRelayServer ({ port = 8080, host = '127.0.0.1', synthetic = true, width = 640, height = 480, log = () => {} } = {}) {
  const page = fs.readFileSync(PAGE)
  const relay = new Relay({ RTCPeerConnection, log })
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(page)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found\n')
  })
  const sockets = new Set()
  acceptWebSockets(server, '/ws', socket => {
    sockets.add(socket)
    const participant = relay.join(msg => socket.send(JSON.stringify(msg)))
    socket.onmessage = text => {
      let msg
      try { msg = JSON.parse(text) } catch { return socket.send(JSON.stringify({ type: 'error', message: 'not JSON' })) }
      participant.handle(msg)
    }
    socket.onclose = () => {
      sockets.delete(socket)
      participant.leave('disconnected')
    }
  })

  // The headless publisher: publishes whenever nobody else does (at start, and 1 s after a
  // visitor's publishing ends).
  let media = null
  let headless = null
  let closed = false
  let timer = null
  const publishSynthetic = async () => {
    timer = null
    if (closed || relay.publisher) return
    media ??= startSyntheticMedia(nonstandard, MediaStream, { width, height })
    headless = await publishInProcess(relay, RTCPeerConnection, media)
    log(`headless publisher: ${width}x${height} pattern + 440 Hz tone`)
  }
  const watch = setInterval(() => {
    if (synthetic && !closed && !relay.publisher && !timer) timer = setTimeout(() => publishSynthetic().catch(err => log(err.message)), 1000)
  }, 250)

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  if (synthetic) await publishSynthetic()
  const address = server.address()
  return {
    server,
    relay,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`,
    async close () {
      closed = true
      clearInterval(watch)
      clearTimeout(timer)
      if (headless) headless.leave()
      if (media) media.stop()
      relay.close()
      for (const socket of [...sockets]) socket.close()
      server.closeAllConnections()
      await new Promise(resolve => server.close(() => resolve()))
    }
  }
}

module.exports = { startRelayServer }

if (require.main === module) {
  const args = process.argv.slice(2)
  const option = (name, fallback) => {
    const i = args.indexOf(name)
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
  }
  const [width, height] = option('--size', '640x480').split('x').map(Number)
  startRelayServer({
    port: Number(option('--port', process.env.PORT || 8080)),
    host: option('--host', '127.0.0.1'),
    synthetic: !args.includes('--no-synthetic'),
    width,
    height,
    log: line => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`)
  }).then(({ url, close }) => {
    console.log(`relay example: open ${url} (publish: ${url}?role=publish, watch: ${url}?role=watch)`)
    let browser = null
    if (args.includes('--browser')) {
      // A browser in this (loopback-only) namespace: Chromium gathers no loopback candidates
      // unless told to. Its own profile directory, removed at the end.
      const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'relay-example-'))
      const exe = process.env.CHROMIUM || '/usr/bin/chromium'
      browser = require('node:child_process').spawn(exe, [`--user-data-dir=${dir}`, '--no-first-run', '--allow-loopback-in-peer-connection',
        ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []), `${url}?role=watch`], { stdio: 'ignore' })
      browser.on('error', err => console.error(`could not start ${exe}: ${err.message}`))
      browser.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
    }
    const stop = () => {
      if (browser) browser.kill()
      close().then(() => process.exit(0))
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  }).catch(err => { console.error(err); process.exit(1) })
}
