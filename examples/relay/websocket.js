'use strict'
// A small WebSocket server (RFC 6455) on Node's http 'upgrade' event: text messages only, which
// is all the relay's JSON signaling needs. No dependency, so the example runs from `npm ci`.
//   const wss = acceptWebSockets(server, '/ws', socket => { socket.onmessage = text => ...; socket.send(text) })
const crypto = require('node:crypto')

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const MAX_MESSAGE = 1 << 20 // signaling messages are a few KB; refuse anything above 1 MiB

class WebSocketConnection {
  constructor (socket) {
    this.socket = socket
    this.onmessage = null
    this.onclose = null
    this.closed = false
    this.buffer = Buffer.alloc(0)
    this.fragments = []
    socket.setNoDelay(true)
    socket.on('data', chunk => this.receive(chunk))
    socket.on('close', () => this.finish())
    socket.on('error', () => this.finish())
  }

  send (text) {
    if (this.closed) return
    const payload = Buffer.from(text, 'utf8')
    let header
    if (payload.length < 126) {
      header = Buffer.from([0x81, payload.length])
    } else if (payload.length < 65536) {
      header = Buffer.alloc(4)
      header[0] = 0x81; header[1] = 126; header.writeUInt16BE(payload.length, 2)
    } else {
      header = Buffer.alloc(10)
      header[0] = 0x81; header[1] = 127; header.writeBigUInt64BE(BigInt(payload.length), 2)
    }
    this.socket.write(Buffer.concat([header, payload]))
  }

  close () {
    if (this.closed) return
    try { this.socket.end(Buffer.from([0x88, 0])) } catch {}
    this.finish()
  }

  finish () {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
    if (this.onclose) this.onclose()
  }

  receive (chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    for (;;) {
      const b = this.buffer
      if (b.length < 2) return
      const fin = (b[0] & 0x80) !== 0
      const opcode = b[0] & 0x0f
      const masked = (b[1] & 0x80) !== 0
      let length = b[1] & 0x7f
      let offset = 2
      if (length === 126) {
        if (b.length < 4) return
        length = b.readUInt16BE(2); offset = 4
      } else if (length === 127) {
        if (b.length < 10) return
        const big = b.readBigUInt64BE(2)
        if (big > BigInt(MAX_MESSAGE)) return this.close()
        length = Number(big); offset = 10
      }
      if (!masked || length > MAX_MESSAGE) return this.close() // clients must mask (RFC 6455 5.1)
      if (b.length < offset + 4 + length) return
      const mask = b.subarray(offset, offset + 4)
      const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length))
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3]
      this.buffer = b.subarray(offset + 4 + length)
      if (opcode === 0x8) return this.close()
      if (opcode === 0x9) { // ping → pong
        const pong = Buffer.concat([Buffer.from([0x8a, payload.length]), payload])
        if (payload.length < 126) this.socket.write(pong)
        continue
      }
      if (opcode === 0xa) continue
      if (opcode === 0x1 || opcode === 0x0) {
        this.fragments.push(payload)
        const total = this.fragments.reduce((n, f) => n + f.length, 0)
        if (total > MAX_MESSAGE) return this.close()
        if (!fin) continue
        const text = Buffer.concat(this.fragments).toString('utf8')
        this.fragments = []
        if (this.onmessage) this.onmessage(text)
        continue
      }
      return this.close() // binary or unknown opcodes: not spoken here
    }
  }
}

function acceptWebSockets (server, path, onConnection) {
  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url, 'http://localhost')
    const key = req.headers['sec-websocket-key']
    if (url.pathname !== path || !key || (req.headers.upgrade || '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
      return
    }
    const accept = crypto.createHash('sha1').update(key + GUID).digest('base64')
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`)
    onConnection(new WebSocketConnection(socket), req)
  })
}

module.exports = { acceptWebSockets }
