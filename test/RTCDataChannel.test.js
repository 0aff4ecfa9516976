'use strict'
const assert = require('node:assert/strict')
const { RTCDataChannel, nonstandard } = require('..')
const { makePc, closeAll, once, until, delay, trickledPeers, negotiate, pair, throwsWith, record } = require('./helpers/pair')

function nextMessage (dc) { return once(dc, 'message').then(e => e.data) }

describe('RTCDataChannel', () => {
  afterEach(closeAll)

  describe('createDataChannel()', () => {
    it('has the spec defaults', () => {
      const pc = makePc()
      assert.equal(pc.createDataChannel.length, 1)
      const dc = pc.createDataChannel('')
      assert.ok(dc instanceof RTCDataChannel)
      assert.equal(dc.label, '')
      assert.equal(dc.ordered, true)
      assert.equal(dc.maxPacketLifeTime, null)
      assert.equal(dc.maxRetransmits, null)
      assert.equal(dc.protocol, '')
      assert.equal(dc.negotiated, false)
      assert.equal(dc.id, null)
      assert.equal(dc.readyState, 'connecting')
      assert.equal(dc.bufferedAmount, 0)
      assert.equal(dc.bufferedAmountLowThreshold, 0)
      assert.equal(dc.binaryType, 'arraybuffer')
    })

    it('reflects the given options', () => {
      const pc = makePc()
      const dc = pc.createDataChannel('opts', { ordered: false, maxRetransmits: 1, protocol: 'custom', negotiated: true, id: 3 })
      assert.equal(dc.label, 'opts')
      assert.equal(dc.ordered, false)
      assert.equal(dc.maxRetransmits, 1)
      assert.equal(dc.maxPacketLifeTime, null)
      assert.equal(dc.protocol, 'custom')
      assert.equal(dc.negotiated, true)
      assert.equal(dc.id, 3)
      const life = pc.createDataChannel('life', { maxPacketLifeTime: 42 })
      assert.equal(life.maxPacketLifeTime, 42)
      assert.equal(life.maxRetransmits, null)
      assert.equal(pc.createDataChannel('zero', { maxPacketLifeTime: 0 }).maxPacketLifeTime, 0)
      assert.equal(pc.createDataChannel('zero', { maxRetransmits: 0 }).maxRetransmits, 0)
    })

    it('converts label, protocol and ordered like WebIDL', () => {
      const pc = makePc()
      assert.equal(pc.createDataChannel(null).label, 'null')
      assert.equal(pc.createDataChannel(undefined).label, 'undefined')
      assert.equal(pc.createDataChannel('x', { protocol: null }).protocol, 'null')
      assert.equal(pc.createDataChannel('x', { ordered: null }).ordered, false)
      assert.equal(pc.createDataChannel('x', { ordered: undefined }).ordered, true)
    })

    it('throws TypeError for bad arguments', () => {
      const pc = makePc()
      throwsWith(() => pc.createDataChannel(), 'TypeError')
      throwsWith(() => pc.createDataChannel('l'.repeat(65536)), 'TypeError')
      throwsWith(() => pc.createDataChannel('\u00b5'.repeat(32768)), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { protocol: 'p'.repeat(65536) }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { protocol: 'p'.repeat(65536), negotiated: true, id: 7 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { maxPacketLifeTime: 0, maxRetransmits: 0 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { maxPacketLifeTime: 42, maxRetransmits: 42 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { negotiated: true }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { negotiated: true, id: 65535 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { negotiated: true, id: -1 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { negotiated: true, id: 65536 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { id: -1 }), 'TypeError')
      throwsWith(() => pc.createDataChannel('x', { id: 65536 }), 'TypeError')
    })

    it('accepts 65535-byte labels and protocols', () => {
      const pc = makePc()
      assert.equal(pc.createDataChannel('l'.repeat(65535)).label.length, 65535)
      assert.equal(pc.createDataChannel('x', { protocol: 'p'.repeat(65535) }).protocol.length, 65535)
      pc.createDataChannel('x', { maxPacketLifeTime: undefined, maxRetransmits: undefined })
    })

    it('ignores id for non-negotiated channels', () => {
      const pc = makePc()
      for (const id of [0, 1, 65534, 65535]) assert.equal(pc.createDataChannel('x', { id }).id, null, `id ${id}`)
    })

    it('uses the id of negotiated channels at once and rejects duplicates with OperationError', () => {
      const pc = makePc()
      for (const id of [0, 1, 1023]) assert.equal(pc.createDataChannel('n', { negotiated: true, id }).id, id)
      throwsWith(() => pc.createDataChannel('dup', { negotiated: true, id: 1 }), 'OperationError')
    })

    it('throws InvalidStateError on a closed connection', () => {
      const pc = makePc()
      pc.close()
      throwsWith(() => pc.createDataChannel('x'), 'InvalidStateError')
    })
  })

  describe('opening', () => {
    /** a offers with channel `dc` and b answers; a has not applied the answer yet. */
    async function answeredNotApplied () {
      const a = makePc()
      const b = makePc()
      const dc = a.createDataChannel('x')
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      return { a, b, dc }
    }

    it('the remote end mirrors the options and id; datachannel fires with an open channel', async () => {
      const { a, b } = trickledPeers()
      const dcA = a.createDataChannel('mirror', { ordered: false, maxRetransmits: 3, protocol: 'proto' })
      let stateInHandler
      let events = 0
      const remote = new Promise(resolve => {
        b.ondatachannel = e => {
          events++
          stateInHandler = e.channel.readyState
          e.channel.send('sent from the handler')
          resolve(e.channel)
        }
      })
      const firstMessage = nextMessage(dcA)
      await negotiate(a, b)
      const dcB = await remote
      assert.equal(stateInHandler, 'open')
      assert.equal(await firstMessage, 'sent from the handler')
      assert.equal(dcB.label, 'mirror')
      assert.equal(dcB.ordered, false)
      assert.equal(dcB.maxRetransmits, 3)
      assert.equal(dcB.maxPacketLifeTime, null)
      assert.equal(dcB.protocol, 'proto')
      assert.equal(dcB.negotiated, false)
      assert.equal(typeof dcA.id, 'number')
      assert.equal(dcB.id, dcA.id)
      assert.equal(dcA.readyState, 'open')
      await delay(50)
      assert.equal(events, 1)
    })

    it('gets an id of the DTLS role parity once the answer is applied', async () => {
      const { a, b, dc } = await answeredNotApplied()
      assert.equal(dc.id, null, 'no id before the DTLS role is known')
      await a.setRemoteDescription(b.localDescription)
      assert.equal(typeof dc.id, 'number')
      const setup = /^a=setup:(\w+)/m.exec(b.localDescription.sdp)[1]
      // The answerer is DTLS client (active) -> the offerer is server -> odd ids.
      assert.equal(dc.id % 2, setup === 'active' ? 1 : 0)
      const later = a.createDataChannel('later')
      assert.equal(typeof later.id, 'number')
      assert.notEqual(later.id, dc.id)
      assert.equal(later.id % 2, dc.id % 2)
    })

    it('has its id in the signalingstatechange event of the answer (before the promise resolves)', async () => {
      const { a, b, dc } = await answeredNotApplied()
      const seen = []
      a.onsignalingstatechange = () => { seen.push([a.signalingState, dc.id]) }
      await a.setRemoteDescription(b.localDescription)
      assert.equal(seen.length, 1)
      assert.equal(seen[0][0], 'stable')
      assert.equal(typeof seen[0][1], 'number')
      assert.equal(seen[0][1], dc.id)
    })

    it('negotiated channels with the same id pair up without a datachannel event', async () => {
      const { a, b } = await pair()
      let dcEvents = 0
      b.ondatachannel = () => { dcEvents++ }
      const x = a.createDataChannel('neg', { negotiated: true, id: 100 })
      const y = b.createDataChannel('neg', { negotiated: true, id: 100 })
      assert.equal(x.readyState, 'connecting')
      await Promise.all([until(x, 'open', () => x.readyState === 'open'), until(y, 'open', () => y.readyState === 'open')])
      const got = nextMessage(y)
      x.send('over negotiated')
      assert.equal(await got, 'over negotiated')
      const back = nextMessage(x)
      y.send('and back')
      assert.equal(await back, 'and back')
      assert.equal(x.id, 100)
      assert.equal(y.id, 100)
      assert.equal(dcEvents, 0)
    })

    it('send() on a connecting channel throws InvalidStateError', () => {
      const dc = makePc().createDataChannel('x')
      throwsWith(() => dc.send('too early'), 'InvalidStateError')
    })
  })

  describe('messages', () => {
    it('each message event is its own task: microtasks queued by a handler run before the next message', async () => {
      const { dcA, dcB } = await pair()
      const log = []
      const done = new Promise(resolve => {
        dcB.onmessage = e => {
          log.push('message ' + e.data)
          // Two awaits: the whole microtask queue must drain, not just its first entry.
          ;(async () => { await null; await null; log.push('after ' + e.data) })()
          if (e.data === '4') setTimeout(resolve, 50)
        }
      })
      for (let i = 0; i < 5; i++) dcA.send(String(i))
      await done
      assert.deepEqual(log, ['0', '1', '2', '3', '4'].flatMap(i => ['message ' + i, 'after ' + i]))
    })

    let p
    beforeEach(async () => { p = await pair() })

    it('strings both ways', async () => {
      const { dcA, dcB } = p
      let got = nextMessage(dcB)
      dcA.send('hello \u00e9\u{1F600}')
      assert.equal(await got, 'hello \u00e9\u{1F600}')
      got = nextMessage(dcA)
      dcB.send('world')
      assert.equal(await got, 'world')
    })

    it('binary both ways as ArrayBuffer by default, views send only their bytes', async () => {
      const { dcA, dcB } = p
      assert.equal(dcB.binaryType, 'arraybuffer')
      let got = nextMessage(dcB)
      dcA.send(new Uint8Array([1, 2, 3, 255]).buffer)
      let data = await got
      assert.ok(data instanceof ArrayBuffer)
      assert.deepEqual([...new Uint8Array(data)], [1, 2, 3, 255])
      got = nextMessage(dcA)
      const big = new Uint8Array([9, 8, 7, 6, 5, 4])
      dcB.send(new DataView(big.buffer, 1, 3))
      data = await got
      assert.ok(data instanceof ArrayBuffer)
      assert.deepEqual([...new Uint8Array(data)], [8, 7, 6])
      got = nextMessage(dcA)
      dcB.send(new Uint16Array([0x0102]))
      assert.equal((await got).byteLength, 2)
    })

    it('large binary messages arrive as whole ArrayBuffers of their own, byte for byte', async () => {
      const { dcA, dcB } = p
      for (const size of [4095, 4096, 65536]) {
        const sent = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff)
        const got = nextMessage(dcB)
        dcA.send(sent)
        const data = await got
        assert.ok(data instanceof ArrayBuffer)
        assert.equal(data.byteLength, size)
        assert.deepEqual(new Uint8Array(data), sent)
        assert.equal(new Uint8Array(data)[size - 1], sent[size - 1])
      }
    })

    it("binaryType 'blob' delivers Blobs; strings stay strings", async () => {
      const { dcA, dcB } = p
      dcB.binaryType = 'blob'
      assert.equal(dcB.binaryType, 'blob')
      let got = nextMessage(dcB)
      dcA.send(new Uint8Array([4, 5, 6]))
      const blob = await got
      assert.ok(blob instanceof Blob)
      assert.equal(blob.size, 3)
      assert.deepEqual([...new Uint8Array(await blob.arrayBuffer())], [4, 5, 6])
      got = nextMessage(dcB)
      dcA.send('text')
      assert.equal(await got, 'text')
      got = nextMessage(dcA)
      dcB.send(new Blob([new Uint8Array([7, 7])]))
      const ab = await got
      assert.ok(ab instanceof ArrayBuffer)
      assert.deepEqual([...new Uint8Array(ab)], [7, 7])
    })

    it('ignores invalid binaryType values', () => {
      const { dcA } = p
      for (const v of ['jellyfish', 'arraybuffer ', '', null, undefined, 234]) {
        dcA.binaryType = v
        assert.equal(dcA.binaryType, 'arraybuffer')
      }
      dcA.binaryType = 'blob'
      dcA.binaryType = 'jellyfish'
      assert.equal(dcA.binaryType, 'blob')
    })

    it('delivers empty strings and empty buffers', async () => {
      const { dcA, dcB } = p
      const msgs = []
      const done = new Promise(resolve => { dcB.onmessage = e => { msgs.push(e.data); if (msgs.length === 3) resolve() } })
      dcA.send('')
      dcA.send(new ArrayBuffer(0))
      dcA.send('end')
      await done
      assert.equal(msgs[0], '')
      assert.ok(msgs[1] instanceof ArrayBuffer)
      assert.equal(msgs[1].byteLength, 0)
      assert.equal(msgs[2], 'end')
    })

    it('keeps the order of mixed Blob and ArrayBuffer sends', async () => {
      const { dcA, dcB } = p
      const msgs = []
      const done = new Promise(resolve => { dcB.onmessage = e => { msgs.push(e.data); if (msgs.length === 3) resolve() } })
      dcA.send(new Blob(['first']))
      dcA.send(new TextEncoder().encode('second'))
      dcA.send('third')
      await done
      assert.deepEqual(msgs.map(m => typeof m === 'string' ? m : Buffer.from(m).toString()), ['first', 'second', 'third'])
    })

    it('carries a 256 KiB message intact', async () => {
      const { a, dcA, dcB } = p
      const size = 256 * 1024
      assert.ok(a.sctp.maxMessageSize >= size)
      const data = new Uint8Array(size)
      for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff
      const got = nextMessage(dcB)
      dcA.send(data)
      const back = new Uint8Array(await got)
      assert.equal(back.length, size)
      assert.ok(Buffer.from(back).equals(Buffer.from(data)))
    })

    it('throws TypeError for a message larger than sctp.maxMessageSize', () => {
      const { a, dcA } = p
      const max = a.sctp.maxMessageSize
      assert.ok(Number.isFinite(max))
      throwsWith(() => dcA.send(new Uint8Array(max + 1)), 'TypeError')
      assert.equal(dcA.bufferedAmount, 0)
      assert.equal(dcA.readyState, 'open')
    })

    it('onmessage can be replaced and cleared', async () => {
      const { dcA, dcB } = p
      const first = []
      const second = []
      dcB.onmessage = e => first.push(e.data)
      dcB.onmessage = e => second.push(e.data)
      let got = nextMessage(dcB)
      dcA.send('one')
      await got
      dcB.onmessage = null
      got = nextMessage(dcB)
      dcA.send('two')
      await got
      assert.deepEqual(first, [])
      assert.deepEqual(second, ['one'])
    })
  })

  // A burst reaches JS in batches (lib/message_batch.ts); each message is still its own event,
  // dispatched through the channel's EventTarget as a lone message is.
  describe('message events of a burst', () => {
    const N = 200  // more than one batch (64)
    let p
    beforeEach(async () => { p = await pair() })
    const burst = dc => { for (let i = 0; i < N; i++) dc.send(String(i)) }
    // Resolves after the last message's listeners ran (and a little more, to see stray calls).
    const last = dc => new Promise(resolve => {
      dc.addEventListener('message', function end (e) {
        if (e.data === String(N - 1)) { dc.removeEventListener('message', end); setTimeout(resolve, 30) }
      })
    })

    it('are MessageEvents of the spec shape, every listener in registration order for each message', async () => {
      const { dcA, dcB } = p
      const log = []
      const shapes = []
      dcB.addEventListener('message', e => {
        log.push('a' + e.data)
        if (e.data === '0' || e.data === String(N - 1)) {
          shapes.push([e instanceof MessageEvent, e.type, e.target === dcB, e.currentTarget === dcB, e.eventPhase,
            e.bubbles, e.cancelable, e.origin, e.lastEventId, e.source, e.ports.length])
        }
      })
      dcB.onmessage = function (e) { log.push('on' + e.data + (this === dcB ? '' : ' wrong this')) }
      dcB.addEventListener('message', { handleEvent (e) { log.push('b' + e.data) } })
      const done = last(dcB)
      burst(dcA)
      await done
      assert.deepEqual(log, Array.from({ length: N }, (_, i) => ['a' + i, 'on' + i, 'b' + i]).flat())
      const shape = [true, 'message', true, true, 2, false, false, '', '', null, 0]
      assert.deepEqual(shapes, [shape, shape])
    })

    // (Not asserted: a listener added during a dispatch is called in that same dispatch by Node's
    // EventTarget, where the DOM's clones the list first; both for lone messages and bursts.)
    it('a listener removed during a dispatch is not called from then on; one added is called for the next messages', async () => {
      const { dcA, dcB } = p
      const log = []
      const b = e => log.push('b' + e.data)
      const c = e => log.push('c' + e.data)
      dcB.addEventListener('message', e => {
        log.push('a' + e.data)
        if (e.data === '5') dcB.removeEventListener('message', b)
        if (e.data === '70') dcB.addEventListener('message', c)
      })
      dcB.addEventListener('message', b)
      const done = last(dcB)
      burst(dcA)
      await done
      const want = []
      for (let i = 0; i < N; i++) {
        want.push('a' + i)
        if (i < 5) want.push('b' + i)
        if (i > 70) want.push('c' + i)
        else if (i === 70 && log.includes('c70')) want.push('c70')  // Node's EventTarget (above)
      }
      assert.deepEqual(log, want)
    })

    it('a once listener gets the first message only; stopImmediatePropagation stops the later listeners of that event only', async () => {
      const { dcA, dcB } = p
      const log = []
      const done = last(dcB)
      dcB.addEventListener('message', e => log.push('once' + e.data), { once: true })
      dcB.addEventListener('message', e => { if (Number(e.data) % 2 === 1) e.stopImmediatePropagation() })
      dcB.addEventListener('message', e => log.push('even' + e.data))
      burst(dcA)
      await done
      const want = ['once0']
      for (let i = 0; i < N; i += 2) want.push('even' + i)
      assert.deepEqual(log, want)
    })

    it('a listener that throws is reported as an uncaught exception; the other listeners and messages go on', async () => {
      const { dcA, dcB } = p
      const errors = []
      const saved = process.listeners('uncaughtException')
      process.removeAllListeners('uncaughtException')
      process.on('uncaughtException', err => errors.push(err.message))
      try {
        const log = []
        dcB.addEventListener('message', e => { if (Number(e.data) % 50 === 0) throw new Error('boom ' + e.data) })
        dcB.onmessage = e => { log.push(e.data); if (e.data === '100') throw new Error('onmessage ' + e.data) }
        const done = last(dcB)
        burst(dcA)
        await done
        assert.deepEqual(log, Array.from({ length: N }, (_, i) => String(i)))
        assert.deepEqual(errors, ['boom 0', 'boom 50', 'boom 100', 'onmessage 100', 'boom 150'])
      } finally {
        process.removeAllListeners('uncaughtException')
        for (const l of saved) process.on('uncaughtException', l)
      }
    })

    it('a channel closed by a listener in the middle of a burst fires no more message events', async () => {
      const { dcA, dcB } = p
      const log = []
      const closed = once(dcB, 'close')
      dcB.onmessage = e => { log.push(e.data); if (e.data === '10') dcB.close() }
      burst(dcA)
      await closed
      await delay(30)
      assert.deepEqual(log, Array.from({ length: 11 }, (_, i) => String(i)))
    })
  })

  describe('many messages on channels with different reliability', () => {
    it('1000 messages each way on 4 channels arrive; in order on ordered reliable channels', async () => {
      const { a, b } = await pair()
      const N = 1000
      const configs = [
        { label: 'reliable-ordered', init: {}, reliable: true, ordered: true },
        { label: 'reliable-unordered', init: { ordered: false }, reliable: true, ordered: false },
        { label: 'rexmit-0', init: { maxRetransmits: 0 }, reliable: false, ordered: true },
        { label: 'lifetime', init: { ordered: false, maxPacketLifeTime: 2000 }, reliable: false, ordered: false }
      ]
      const incoming = new Map()
      b.ondatachannel = e => incoming.set(e.channel.label, e.channel)
      const locals = configs.map(c => a.createDataChannel(c.label, c.init))
      await Promise.all(locals.map(dc => until(dc, 'open', () => dc.readyState === 'open')))
      await until(b, 'datachannel', () => incoming.size === configs.length)
      const remotes = configs.map(c => incoming.get(c.label))
      for (const dc of remotes) if (dc.readyState !== 'open') await once(dc, 'open')

      const collect = dc => {
        const got = []
        dc.onmessage = e => got.push(e.data)
        return got
      }
      const atB = remotes.map(collect)
      const atA = locals.map(collect)
      for (let i = 0; i < N; i++) {
        for (let c = 0; c < configs.length; c++) {
          locals[c].send(`a${i}`)
          remotes[c].send(`b${i}`)
        }
      }
      const reliableDone = () => configs.every((c, k) => !c.reliable || (atB[k].length === N && atA[k].length === N))
      while (!reliableDone()) await delay(20)
      // Give partially reliable channels until their senders drained.
      const drained = () => [...locals, ...remotes].every(dc => dc.bufferedAmount === 0)
      while (!drained()) await delay(20)
      await delay(100)

      const expectA = Array.from({ length: N }, (_, i) => `a${i}`)
      const expectB = Array.from({ length: N }, (_, i) => `b${i}`)
      configs.forEach((c, k) => {
        for (const [got, expect] of [[atB[k], expectA], [atA[k], expectB]]) {
          if (c.reliable && c.ordered) assert.deepEqual(got, expect, c.label)
          else if (c.reliable) assert.deepEqual([...got].sort(), [...expect].sort(), c.label)
          else {
            assert.equal(new Set(got).size, got.length, `${c.label}: no duplicates`)
            assert.ok(got.every(m => expect.includes(m)), `${c.label}: only sent messages`)
            assert.ok(got.length > 0, `${c.label}: something arrived`)
            if (c.ordered) {
              const idx = got.map(m => Number(m.slice(1)))
              assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]), `${c.label}: in order`)
            }
          }
        }
      })
    })

    // Sends are handed to SCTP a burst at a time; once its send buffer is full, the rest waits in
    // libwebrtc's channel queue. Nothing may overtake across that boundary.
    it('a burst far larger than the SCTP send buffer arrives complete and in order, strings and binary mixed', async () => {
      const { dcA, dcB } = await pair()
      const N = 2000
      const got = []
      dcB.onmessage = e => got.push(typeof e.data === 'string' ? Number(e.data.slice(1)) : new DataView(e.data).getUint32(0))
      const buf = new Uint8Array(4096)
      for (let i = 0; i < N; i++) {
        if (i % 100 === 50) dcA.send(`s${i}`)
        else {
          new DataView(buf.buffer).setUint32(0, i)
          dcA.send(buf)
        }
      }
      assert.ok(dcA.bufferedAmount > 8e6, String(dcA.bufferedAmount))
      while (got.length < N) await delay(10)
      assert.deepEqual(got, Array.from({ length: N }, (_, i) => i))
      while (dcA.bufferedAmount > 0) await delay(10)
    })

    // A sender paced by bufferedamountlow with a window bigger than dcsctp's 2 MB send buffer: the
    // messages the buffer refuses wait in the channel (still counted in bufferedAmount) until it
    // has room.
    it('a sender paced by bufferedamountlow past the SCTP send buffer: all arrive in order, all counted', async () => {
      const { a, b, dcA, dcB } = await pair()
      const N = 6000
      const got = []
      dcB.onmessage = e => got.push(new DataView(e.data).getUint32(0))
      const buf = new Uint8Array(1000)
      let sent = 0
      let lows = 0
      dcA.bufferedAmountLowThreshold = 1024 * 1024
      const fill = () => {
        while (sent < N && dcA.bufferedAmount <= 3 * 1024 * 1024) {
          new DataView(buf.buffer).setUint32(0, sent++)
          dcA.send(buf)
        }
      }
      dcA.onbufferedamountlow = () => { lows++; fill() }
      fill()
      while (got.length < N) await delay(10)
      assert.deepEqual(got, Array.from({ length: N }, (_, i) => i))
      while (dcA.bufferedAmount > 0) await delay(10)
      assert.ok(lows >= 1, String(lows))
      const stat = async (pc, key) => [...(await pc.getStats()).values()].find(s => s.type === 'data-channel')[key]
      assert.equal(await stat(a, 'messagesSent'), N)
      assert.equal(await stat(b, 'messagesReceived'), N)
    })

    // Messages sent as the channel opens reach the remote before its 'datachannel' event: libwebrtc
    // holds them for the channel, the later ones come past its per-message task
    // (runtime/direct_receive.h); empty messages always take libwebrtc's way. One order, one count.
    it('a burst sent on open, empty messages mixed in: the remote gets every message in order, and getStats counts them all', async () => {
      const { a, b } = trickledPeers()
      const N = 3000
      const dcA = a.createDataChannel('burst')
      const expected = []
      let bytes = 0
      for (let i = 0; i < N; i++) {
        const kind = i % 97 === 5 ? 'empty-string' : i % 89 === 7 ? 'empty-binary' : i % 2 ? 'string' : 'binary'
        const text = kind === 'string' ? `m${i}` : ''
        expected.push(kind.endsWith('binary') ? `bin:${kind === 'binary' ? 4 : 0}` : text)
        bytes += kind === 'binary' ? 4 : Buffer.byteLength(text)
      }
      dcA.onopen = () => {
        for (let i = 0; i < N; i++) {
          const e = expected[i]
          if (e === 'bin:4') dcA.send(new Uint32Array([i]))
          else if (e === 'bin:0') dcA.send(new ArrayBuffer(0))
          else dcA.send(e)
        }
      }
      const got = []
      b.ondatachannel = ({ channel }) => {
        channel.onmessage = e => got.push(typeof e.data === 'string' ? e.data : `bin:${e.data.byteLength}`)
      }
      await negotiate(a, b)
      while (got.length < N) await delay(10)
      assert.deepEqual(got, expected)
      const stat = async (pc) => [...(await pc.getStats()).values()].find(s => s.type === 'data-channel')
      const [sa, sb] = [await stat(a), await stat(b)]
      assert.equal(sb.messagesReceived, N)
      assert.equal(sb.bytesReceived, bytes)
      assert.equal(sa.messagesSent, N)
      assert.equal(sa.bytesSent, bytes)
    })

    // webrtc-pc's closing procedure finishes sending the pending messages before the reset.
    // libwebrtc M110's dcsctp discarded those still in its send buffer (runtime/sctp_factory.h).
    it('close() right after a burst still delivers every message before the remote closes', async () => {
      const { dcA, dcB } = await pair()
      const N = 2000
      const got = []
      dcB.onmessage = e => got.push(new DataView(e.data).getUint32(0))
      const closedB = once(dcB, 'close')
      const buf = new Uint8Array(4096)
      for (let i = 0; i < N; i++) {
        new DataView(buf.buffer).setUint32(0, i)
        dcA.send(buf)
      }
      dcA.close()
      assert.equal(dcA.readyState, 'closing')
      await closedB
      assert.equal(got.length, N)
      assert.deepEqual(got, Array.from({ length: N }, (_, i) => i))
      await until(dcA, 'close', () => dcA.readyState === 'closed')
    })

    // The reset held for a burst must not outlive its connection or keep a channel from closing.
    it('a connection closed while a channel reset waits for its burst ends both channels', async () => {
      for (const closer of ['a', 'b']) {
        const p = await pair()
        const buf = new Uint8Array(4096)
        for (let i = 0; i < 2000; i++) p.dcA.send(buf)
        p.dcA.close()
        // pc.close() ends its own channels at once, without events; the other end hears of it.
        const [local, remote] = closer === 'a' ? [p.dcA, p.dcB] : [p.dcB, p.dcA]
        p[closer].close()
        assert.equal(local.readyState, 'closed')
        await until(remote, 'close', () => remote.readyState === 'closed')
      }
    })
  })

  describe('bufferedAmount', () => {
    it('grows synchronously by the byte size and bufferedamountlow fires once when it drains', async () => {
      const { dcA, dcB } = await pair()
      assert.equal(dcA.bufferedAmount, 0)
      assert.equal(dcB.bufferedAmount, 0)
      let lows = 0
      let amountInHandler = -1
      dcA.onbufferedamountlow = () => { lows++; amountInHandler = dcA.bufferedAmount }
      const received = []
      const allArrived = new Promise(resolve => { dcB.onmessage = e => { received.push(e.data); if (received.length === 4) resolve() } })
      dcA.send('hello')
      assert.equal(dcA.bufferedAmount, 5)
      assert.equal(dcA.bufferedAmount, 5, 'reading twice gives the same value')
      dcA.send(new Uint8Array(10))
      assert.equal(dcA.bufferedAmount, 15)
      dcA.send('\u00b5')
      assert.equal(dcA.bufferedAmount, 17, 'strings count UTF-8 bytes')
      dcA.send('')
      assert.equal(dcA.bufferedAmount, 17, 'empty messages add nothing')
      await allArrived
      await until(dcA, 'bufferedamountlow', () => dcA.bufferedAmount === 0)
      await delay(50)
      assert.equal(lows, 1)
      assert.equal(amountInHandler, 0)
      // Another send and drain fires again.
      dcA.send('again')
      assert.equal(dcA.bufferedAmount, 5)
      await once(dcA, 'bufferedamountlow')
      assert.equal(lows, 2)
    })

    it('honours bufferedAmountLowThreshold', async () => {
      const { dcA } = await pair()
      dcA.bufferedAmountLowThreshold = 1000
      assert.equal(dcA.bufferedAmountLowThreshold, 1000)
      let lows = 0
      dcA.onbufferedamountlow = () => { lows++ }
      dcA.send('small') // never above the threshold: no event
      while (dcA.bufferedAmount > 0) await delay(10)
      await delay(50)
      assert.equal(lows, 0)
      dcA.send(new Uint8Array(5000))
      assert.equal(dcA.bufferedAmount, 5000)
      await once(dcA, 'bufferedamountlow')
      assert.ok(dcA.bufferedAmount <= 1000)
    })
  })

  describe('close()', () => {
    // Without this, closed channels a program still holds kept libwebrtc's channel objects until a
    // major GC (V8 does not see that memory).
    it('a closed channel releases its native side at once, while the program still holds it', async () => {
      const live = () => nonstandard.liveObjects().dataChannels
      const { a, b, dcA, dcB } = await pair()
      const extra = a.createDataChannel('extra')
      // Both ends of `extra` exist before counting: b's arrives with its 'datachannel' event.
      await Promise.all([until(extra, 'open', () => extra.readyState === 'open'), once(b, 'datachannel')])
      const before = live()
      await Promise.all([once(dcA, 'close'), once(dcB, 'close'), Promise.resolve(dcA.close())])
      assert.equal(live(), before - 2, 'both ends of the closed channel')
      b.close() // ends b's channels without events; a's channel closes remotely
      assert.ok(live() <= before - 3)
      await until(extra, 'close', () => extra.readyState === 'closed')
      assert.ok(live() <= before - 4)
      // The objects keep their last state.
      assert.deepEqual([dcA.readyState, dcA.label, dcA.id !== null, extra.readyState], ['closed', 'data', true, 'closed'])
      throwsWith(() => dcA.send('x'), 'InvalidStateError')
      dcA.close()
    })

    for (const side of ['offerer', 'answerer']) {
      it(`from the ${side} fires closing+close on the remote and close on the local end`, async () => {
        const { dcA, dcB } = await pair()
        const [local, remote] = side === 'offerer' ? [dcA, dcB] : [dcB, dcA]
        const localEvents = record(local, 'closing', 'close', 'error')
        const remoteEvents = []
        let remoteStateInClosing
        remote.onclosing = () => { remoteEvents.push('closing'); remoteStateInClosing = remote.readyState }
        remote.onclose = () => remoteEvents.push('close')
        remote.onerror = () => remoteEvents.push('error')
        const closed = Promise.all([once(local, 'close'), once(remote, 'close')])
        local.close()
        assert.equal(local.readyState, 'closing')
        local.close() // idempotent
        throwsWith(() => local.send('x'), 'InvalidStateError')
        await closed
        assert.equal(local.readyState, 'closed')
        assert.equal(remote.readyState, 'closed')
        assert.deepEqual(localEvents, ['close'])
        assert.deepEqual(remoteEvents, ['closing', 'close'])
        assert.equal(remoteStateInClosing, 'closing')
        throwsWith(() => remote.send('x'), 'InvalidStateError')
      })
    }

    it('pc.close() closes its channels synchronously without resetting bufferedAmount', async () => {
      const { a, dcA } = await pair()
      const other = a.createDataChannel('second')
      dcA.send('pending')
      const amount = dcA.bufferedAmount
      a.close()
      assert.equal(dcA.readyState, 'closed')
      assert.equal(other.readyState, 'closed')
      assert.equal(dcA.bufferedAmount, amount)
      throwsWith(() => dcA.send('x'), 'InvalidStateError')
    })
  })
})
