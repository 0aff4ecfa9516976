'use strict'
// webrtc-identity: setIdentityProvider, getIdentityAssertion, peerIdentity, idpLoginUrl,
// idpErrorInfo and the identity events, with an IdP proxy served over HTTPS on loopback by a server
// whose certificate a CA made here signed (openssl CLI); plus an IdP registered from code.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const https = require('node:https')
const os = require('node:os')
const path = require('node:path')
const { RTCPeerConnection, RTCIdentityAssertion, RTCError, nonstandard } = require('..')
const { makePc, closeAll, once, trickle, negotiate, rejectsWith, throwsWith } = require('./helpers/pair')

// The test IdP proxy. The "assertion" is the identity and contents in JSON (a real IdP signs it);
// the query of the protocol picks a misbehaviour.
const PROXY = `
const q = new URLSearchParams(location.search)
const action = q.get('action')
if (action === 'throw-at-load') throw new Error('broken proxy')
if (action !== 'do-not-register') {
  rtcIdentityProvider.register({
    async generateAssertion (contents, origin, options) {
      if (action === 'throw') { const e = new Error('no'); e.idpErrorInfo = 'generator says no'; throw e }
      if (action === 'login') throw new RTCError({ errorDetail: 'idp-need-login', idpLoginUrl: 'https://' + location.host + '/login', idpErrorInfo: 'login required' })
      if (action === 'invalid-result') return { assertion: 42 }
      if (action === 'hang') return new Promise(() => {})
      if (action === 'escape') {
        // What a hostile proxy would try: reach the host realm's Function, hence process/require.
        const found = []
        try { if (typeof process !== 'undefined' || typeof require !== 'undefined') found.push('globals') } catch {}
        try { if (globalThis.constructor.constructor('return typeof process')() !== 'undefined') found.push('global constructor') } catch {}
        try { if (this.constructor.constructor('return typeof process')() !== 'undefined') found.push('this') } catch {}
        return {
          then (resolve) {
            try { if (resolve.constructor('return typeof process')() !== 'undefined') found.push('then') } catch {}
            resolve({ idp: { domain: location.host, protocol: 'idp.js' }, assertion: JSON.stringify({ identity: 'x@localhost', contents, found }) })
          }
        }
      }
      const identity = q.get('name') || options.usernameHint
      return { idp: { domain: location.host, protocol: location.pathname.split('/').pop() + location.search },
        assertion: JSON.stringify({ identity, contents, origin, peerIdentity: options.peerIdentity || null }) }
    },
    async validateAssertion (assertion, origin) {
      if (action === 'throw-validate') { const e = new Error('bad token'); e.idpErrorInfo = 'validator says no'; throw e }
      const a = JSON.parse(assertion)
      if (action === 'other-contents') return { identity: a.identity, contents: JSON.stringify({ fingerprint: [{ algorithm: 'sha-256', digest: '00:11' }] }) }
      return { identity: a.identity, contents: a.contents }
    }
  })
}
`

function makeCa (dir) {
  const run = args => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
    '-out', 'ca.pem', '-days', '2', '-subj', '/CN=node-libwebrtc test CA'])
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key',
    '-out', 'server.csr', '-subj', '/CN=localhost'])
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n')
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
    '-days', '2', '-extfile', 'ext.cnf'])
  const read = f => fs.readFileSync(path.join(dir, f), 'utf8')
  return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') }
}

function fingerprintsOf (sdp) {
  return [...sdp.matchAll(/^a=fingerprint:(\S+) (\S+)\r?$/mg)].map(m => `${m[1]} ${m[2]}`)
}

async function rtcError (promise, detail) {
  let caught
  await assert.rejects(promise, err => { caught = err; return true })
  assert.ok(caught instanceof RTCError, `expected an RTCError (${detail}), got ${caught?.name}: ${caught?.message}`)
  assert.equal(caught.errorDetail, detail, caught.message)
  return caught
}

async function connected (a, b) {
  const errors = []
  trickle(a, b, errors)
  trickle(b, a, errors)
  const dcA = a.createDataChannel('x')
  const remote = once(b, 'datachannel', e => e.channel.label === 'x').then(e => e.channel)
  await negotiate(a, b)
  const dcB = await remote
  if (dcB.readyState !== 'open') await once(dcB, 'open')
  const got = once(dcB, 'message')
  if (dcA.readyState !== 'open') await once(dcA, 'open')
  dcA.send('who')
  assert.equal((await got).data, 'who')
}

describe('identity (webrtc-identity)', function () {
  this.timeout(20000)
  let server, host, tmp, pki
  const requests = []
  const stalled = []

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-idp-'))
    pki = makeCa(tmp)
    server = https.createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      requests.push(req.url)
      const url = new URL(req.url, 'https://x')
      if (url.pathname === '/.well-known/idp-proxy/idp.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' })
        res.end(PROXY)
      } else if (url.pathname === '/.well-known/idp-proxy/stall.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' })
        res.write('// more to come')
        stalled.push(res)
      } else if (url.pathname === '/.well-known/idp-proxy/syntax.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' })
        res.end('rtcIdentityProvider.register({')
      } else {
        res.writeHead(404)
        res.end()
      }
    })
    // where a client connecting to "localhost" goes first
    const { address } = await require('node:dns').promises.lookup('localhost')
    await new Promise(resolve => server.listen(0, address, resolve))
    host = `localhost:${server.address().port}`
  })

  beforeEach(() => { nonstandard.setIdentityProviderOptions({ ca: pki.ca, timeout: 10000 }) })
  afterEach(closeAll)

  after(() => {
    nonstandard.setIdentityProviderOptions({ ca: null, timeout: 10000 })
    for (const res of stalled) res.destroy()
    server.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  function alice (protocol = 'idp.js', config) {
    const pc = makePc(config)
    pc.createDataChannel('alice')
    pc.setIdentityProvider(host, { protocol, usernameHint: 'alice@localhost' })
    return pc
  }

  it('getIdentityAssertion loads the proxy over HTTPS and covers the certificate fingerprint', async () => {
    // libwebrtc's own certificate shows once there is something to negotiate
    const empty = makePc()
    empty.setIdentityProvider(host, { protocol: 'idp.js', usernameHint: 'alice@localhost' })
    await rejectsWith(empty.getIdentityAssertion(), 'InvalidStateError')
    const pc = alice()
    const results = []
    pc.onidentityresult = e => results.push(e.assertion)
    const before = requests.length
    const assertion = await pc.getIdentityAssertion()
    assert.ok(requests.slice(before).includes('/.well-known/idp-proxy/idp.js'))
    const parsed = JSON.parse(Buffer.from(assertion, 'base64').toString())
    assert.deepEqual(parsed.idp, { domain: host, protocol: 'idp.js' })
    const inner = JSON.parse(parsed.assertion)
    assert.equal(inner.identity, 'alice@localhost')
    assert.equal(inner.origin, 'null')
    assert.deepEqual(results, [assertion])
    // The offer carries the same assertion, and its fingerprint is the one asserted
    const offer = await pc.createOffer()
    assert.ok(offer.sdp.includes(`\r\na=identity:${assertion}\r\n`))
    const contents = JSON.parse(inner.contents)
    assert.deepEqual(contents.fingerprint.map(f => `${f.algorithm} ${f.digest}`), fingerprintsOf(offer.sdp))
    await pc.setLocalDescription(offer)
    assert.ok(pc.localDescription.sdp.includes(`a=identity:${assertion}`))
  })

  it('peerIdentity resolves on the other side; peeridentity fires; data flows', async () => {
    const a = alice()
    const b = makePc()
    const fired = []
    b.onpeeridentity = () => fired.push('peeridentity')
    await connected(a, b)
    const who = await b.peerIdentity
    assert.ok(who instanceof RTCIdentityAssertion)
    assert.equal(who.idp, host)
    assert.equal(who.name, 'alice@localhost')
    assert.deepEqual(fired, ['peeridentity'])
    assert.match(b.remoteDescription.sdp, /^a=identity:/m)
  })

  it('the answerer asserts too (implicit setLocalDescription)', async () => {
    const a = makePc()
    const b = alice()
    await connected(a, b)
    assert.equal((await a.peerIdentity).name, 'alice@localhost')
  })

  it('a target peer identity that matches: setRemoteDescription waits for validation, then succeeds', async () => {
    const a = alice()
    const b = makePc({ peerIdentity: 'alice@localhost' })
    assert.equal(b.getConfiguration().peerIdentity, 'alice@localhost')
    await connected(a, b)
    assert.equal((await b.peerIdentity).name, 'alice@localhost')
  })

  it('a target peer identity that differs: InvalidModificationError, the connection is closed', async () => {
    const a = alice()
    const b = makePc({ peerIdentity: 'bob@localhost' })
    a.createDataChannel('x')
    await rejectsWith(b.setRemoteDescription(await a.createOffer()), 'InvalidModificationError')
    assert.equal(b.signalingState, 'closed')
  })

  it('an assertion copied into another peer\'s description does not validate: nothing is applied', async () => {
    const a = alice()
    a.createDataChannel('x')
    const genuine = await a.createOffer()
    const line = /^a=identity:.*$/m.exec(genuine.sdp)[0]
    const mallory = makePc()
    mallory.createDataChannel('x')
    const forged = (await mallory.createOffer()).sdp.replace(/^m=/m, `${line}\r\nm=`)
    const b = makePc({ peerIdentity: 'alice@localhost' })
    const errors = []
    b.onidpvalidationerror = e => errors.push([e.idp, e.protocol])
    const identity = b.peerIdentity
    await rejectsWith(b.setRemoteDescription({ type: 'offer', sdp: forged }), 'OperationError')
    await rejectsWith(identity, 'OperationError')
    assert.equal(b.remoteDescription, null, 'the forged offer was not applied')
    assert.equal(b.signalingState, 'stable')
    assert.deepEqual(errors, [[host, 'idp.js']])
  })

  it('without a target, a failed validation rejects peerIdentity and replaces it; a later offer can succeed', async () => {
    const a = alice('idp.js?action=other-contents')
    const b = makePc()
    a.createDataChannel('x')
    const first = b.peerIdentity
    const failed = new Promise(resolve => { b.onidpvalidationerror = resolve })
    await b.setRemoteDescription(await a.createOffer())
    await rejectsWith(first, 'OperationError')
    await failed
    const second = b.peerIdentity
    assert.notEqual(second, first)
    await b.setRemoteDescription({ type: 'rollback' })
    a.setIdentityProvider(host, { protocol: 'idp.js', usernameHint: 'alice@localhost' })
    await b.setRemoteDescription(await a.createOffer())
    assert.equal((await second).name, 'alice@localhost')
    assert.equal(b.peerIdentity, second, 'fixed once validated')
  })

  it('an identity outside the IdP\'s domain does not validate', async () => {
    const a = makePc()
    a.setIdentityProvider(host, { protocol: 'idp.js?name=alice@example.org' })
    const b = makePc({ peerIdentity: 'alice@example.org' })
    a.createDataChannel('x')
    const offer = await a.createOffer()
    await Promise.all([
      rejectsWith(b.setRemoteDescription(offer), 'OperationError'),
      rejectsWith(b.peerIdentity, 'OperationError')
    ])
  })

  it('the validator throws: idp-execution-failure, idpErrorInfo', async () => {
    const a = alice('idp.js?action=throw-validate')
    const b = makePc({ peerIdentity: 'alice@localhost' })
    a.createDataChannel('x')
    const offer = await a.createOffer()
    await Promise.all([rtcError(b.setRemoteDescription(offer), 'idp-execution-failure'), rtcError(b.peerIdentity, 'idp-execution-failure')])
    assert.equal(b.idpErrorInfo, 'validator says no')
  })

  it('the generator throws: idp-execution-failure, idpErrorInfo, idpassertionerror; createOffer and createAnswer: NotReadableError', async () => {
    const pc = alice('idp.js?action=throw')
    assert.equal(pc.idpErrorInfo, null)
    const events = []
    pc.onidpassertionerror = e => events.push([e.type, e.idp, e.protocol, e.loginUrl])
    await rtcError(pc.getIdentityAssertion(), 'idp-execution-failure')
    assert.equal(pc.idpErrorInfo, 'generator says no')
    assert.deepEqual(events, [['idpassertionerror', host, 'idp.js?action=throw', null]])
    await rejectsWith(pc.createOffer(), 'NotReadableError')
    const other = makePc()
    other.createDataChannel('x')
    await pc.setRemoteDescription(await other.createOffer())
    await rejectsWith(pc.createAnswer(), 'NotReadableError')
  })

  it('login required: idp-need-login, idpLoginUrl', async () => {
    const pc = alice('idp.js?action=login')
    assert.equal(pc.idpLoginUrl, null)
    const urls = []
    pc.onidpassertionerror = e => urls.push(e.loginUrl)
    await rtcError(pc.getIdentityAssertion(), 'idp-need-login')
    assert.equal(pc.idpLoginUrl, `https://${host}/login`)
    assert.equal(pc.idpErrorInfo, 'login required')
    assert.deepEqual(urls, [`https://${host}/login`])
  })

  it('a proxy that does not register, throws while loading, or does not parse: idp-bad-script-failure', async () => {
    await rtcError(alice('idp.js?action=do-not-register').getIdentityAssertion(), 'idp-bad-script-failure')
    await rtcError(alice('idp.js?action=throw-at-load').getIdentityAssertion(), 'idp-bad-script-failure')
    await rtcError(alice('syntax.js').getIdentityAssertion(), 'idp-bad-script-failure')
  })

  it('no proxy there: idp-load-failure with the HTTP status', async () => {
    const err = await rtcError(alice('missing.js').getIdentityAssertion(), 'idp-load-failure')
    assert.equal(err.httpRequestStatusCode, 404)
    // nothing listening
    const pc = makePc()
    pc.createDataChannel('x')
    pc.setIdentityProvider('localhost:1', { protocol: 'idp.js' })
    await rtcError(pc.getIdentityAssertion(), 'idp-load-failure')
  })

  it('a server certificate not trusted: idp-tls-failure (verification is never skipped)', async () => {
    nonstandard.setIdentityProviderOptions({ ca: null })
    const pc = alice()
    await rtcError(pc.getIdentityAssertion(), 'idp-tls-failure')
    await rejectsWith(pc.createOffer(), 'NotReadableError')
  })

  it('an invalid result: OperationError; an IdP that never answers: idp-timeout', async () => {
    await rejectsWith(alice('idp.js?action=invalid-result').getIdentityAssertion(), 'OperationError')
    nonstandard.setIdentityProviderOptions({ timeout: 300 })
    await rtcError(alice('idp.js?action=hang').getIdentityAssertion(), 'idp-timeout')
    // a server that sends part of the proxy and stalls: the request is dropped
    await rtcError(alice('stall.js').getIdentityAssertion(), 'idp-timeout')
    assert.equal(stalled.length, 1)
    await new Promise(resolve => stalled[0].on('close', resolve))
  })

  it('setIdentityProvider again discards the stored assertion', async () => {
    const pc = alice()
    const first = JSON.parse(JSON.parse(Buffer.from(await pc.getIdentityAssertion(), 'base64')).assertion)
    assert.equal(await pc.getIdentityAssertion(), await pc.getIdentityAssertion(), 'stored')
    pc.setIdentityProvider(host, { protocol: 'idp.js', usernameHint: 'carol@localhost', peerIdentity: 'bob@localhost' })
    const second = JSON.parse(JSON.parse(Buffer.from(await pc.getIdentityAssertion(), 'base64')).assertion)
    assert.equal(first.identity, 'alice@localhost')
    assert.equal(second.identity, 'carol@localhost')
    assert.equal(second.peerIdentity, 'bob@localhost')
  })

  it('the proxy\'s realm does not reach the host (no process, no require)', async () => {
    const token = await alice('idp.js?action=escape').getIdentityAssertion()
    const inner = JSON.parse(JSON.parse(Buffer.from(token, 'base64')).assertion)
    assert.deepEqual(inner.found, [])
  })

  it('a remote assertion naming an IdP the program did not name is not fetched; allow names it', async () => {
    const port = server.address().port
    const a = makePc()
    a.createDataChannel('x')
    const offer = await a.createOffer()
    const contents = JSON.stringify({ fingerprint: fingerprintsOf(offer.sdp).map(f => ({ algorithm: f.split(' ')[0], digest: f.split(' ')[1] })) })
    const token = Buffer.from(JSON.stringify({
      idp: { domain: `127.0.0.1:${port}`, protocol: 'idp.js' },
      assertion: JSON.stringify({ identity: 'alice@127.0.0.1', contents })
    })).toString('base64')
    const sdp = offer.sdp.replace(/^m=/m, `a=identity:${token}\r\nm=`)
    const before = requests.length
    const b = makePc()
    const first = b.peerIdentity
    await b.setRemoteDescription({ type: 'offer', sdp })
    await rtcError(first, 'idp-load-failure')
    assert.equal(requests.length, before, 'nothing fetched')
    nonstandard.setIdentityProviderOptions({ allow: ['127.0.0.1'] })
    try {
      const c = makePc()
      await c.setRemoteDescription({ type: 'offer', sdp })
      assert.deepEqual({ ...(await c.peerIdentity) }, { idp: `127.0.0.1:${port}`, name: 'alice@127.0.0.1' })
      assert.equal(requests.length, before + 1)
    } finally {
      nonstandard.setIdentityProviderOptions({ allow: null })
    }
  })

  it('argument checks', async () => {
    const pc = makePc()
    await rejectsWith(pc.getIdentityAssertion(), 'OperationError')
    throwsWith(() => pc.setIdentityProvider(), 'TypeError')
    throwsWith(() => pc.setIdentityProvider('a/b'), 'SyntaxError')
    throwsWith(() => pc.setIdentityProvider(host, { protocol: '../x' }), 'SyntaxError')
    throwsWith(() => pc.setIdentityProvider(host, 42), 'TypeError')
    throwsWith(() => makePc({ peerIdentity: 'a@b' }).setConfiguration({ peerIdentity: 'c@d' }), 'InvalidModificationError')
    assert.throws(() => new RTCIdentityAssertion('x'), TypeError)
    pc.close()
    throwsWith(() => pc.setIdentityProvider(host), 'InvalidStateError')
    await rejectsWith(pc.getIdentityAssertion(), 'InvalidStateError')
  })

  it('non-standard: an IdP registered from code, no fetch', async () => {
    const seen = []
    nonstandard.registerIdentityProvider('idp.example', 'code', {
      generateAssertion (contents, origin, options) {
        seen.push('generate')
        return { idp: { domain: 'idp.example', protocol: 'code' }, assertion: JSON.stringify({ who: options.usernameHint, contents }) }
      },
      async validateAssertion (assertion) {
        seen.push('validate')
        const a = JSON.parse(assertion)
        return { identity: a.who, contents: a.contents }
      }
    })
    try {
      const before = requests.length
      const a = makePc()
      a.setIdentityProvider('idp.example', { protocol: 'code', usernameHint: 'dave@idp.example' })
      const b = makePc({ peerIdentity: 'dave@idp.example' })
      await connected(a, b)
      assert.equal((await b.peerIdentity).name, 'dave@idp.example')
      assert.deepEqual(seen, ['generate', 'validate'])
      assert.equal(requests.length, before)
    } finally {
      nonstandard.registerIdentityProvider('idp.example', 'code', null)
    }
    throwsWith(() => nonstandard.registerIdentityProvider('idp.example', 'code', {}), 'TypeError')
  })
})
