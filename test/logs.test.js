'use strict'
// libwebrtc's own log: off by default, NODE_LIBWEBRTC_LOG to stderr, nonstandard.setLogSink to JS.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { nonstandard } = require('..')
const { makePc, closeAll, pair } = require('./helpers/pair')

const example = path.join(__dirname, '..', 'examples', 'pair.js')

describe('libwebrtc logs', function () {
  this.timeout(30000)
  afterEach(() => { nonstandard.setLogSink(null); closeAll() })

  it('stderr is quiet by default and carries libwebrtc lines with NODE_LIBWEBRTC_LOG=info', () => {
    const quiet = spawnSync(process.execPath, [example], { encoding: 'utf8', timeout: 20000 })
    assert.equal(quiet.status, 0, quiet.stderr)
    assert.equal(quiet.stderr, '')
    const loud = spawnSync(process.execPath, [example], { encoding: 'utf8', timeout: 20000, env: { ...process.env, NODE_LIBWEBRTC_LOG: 'info' } })
    assert.equal(loud.status, 0)
    assert.match(loud.stderr, /\(\w+\.cc:\d+\):/, 'libwebrtc lines name their source file')
  })

  it('setLogSink hands lines to JS with their severity, in batches, and stops on setLogSink(null)', async () => {
    const lines = []
    nonstandard.setLogSink('info', (severity, line) => { lines.push({ severity, line }) })
    await pair()
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.ok(lines.length > 10, `${lines.length} lines`)
    assert.ok(lines.every(l => ['info', 'warning', 'error'].includes(l.severity)), 'nothing below info')
    assert.ok(lines.some(l => /Connection|DTLS|Sctp|ICE|Port/i.test(l.line)))
    nonstandard.setLogSink(null)
    const n = lines.length
    closeAll()
    await pair()
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.equal(lines.length, n, 'no line after setLogSink(null)')
  })

  it('warning level filters out info; bad arguments are TypeErrors', async () => {
    const seen = new Set()
    nonstandard.setLogSink('warning', severity => { seen.add(severity) })
    makePc().createDataChannel('x')
    await pair()
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.ok(!seen.has('info') && !seen.has('verbose'), [...seen].join())
    assert.throws(() => nonstandard.setLogSink('loud', () => {}), TypeError)
    assert.throws(() => nonstandard.setLogSink('info', 42), TypeError)
  })
})
