'use strict'
// RTCCertificate, RTCPeerConnection.generateCertificate and the `certificates` option (webrtc-pc
// §4.9), and the non-standard PEM export/import.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { RTCPeerConnection, RTCCertificate, nonstandard } = require('..')
const { makePc, closeAll, once, trickle, negotiate, rejectsWith, throwsWith } = require('./helpers/pair')

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' }
const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/

function sdpFingerprints (sdp) {
  return [...sdp.matchAll(/^a=fingerprint:(\S+) (\S+)\r?$/mg)].map(m => ({ algorithm: m[1], value: m[2] }))
}

// Two connected peers with a data channel, each with its own configuration.
async function connect (configA, configB) {
  const a = makePc(configA)
  const b = makePc(configB)
  const errors = []
  trickle(a, b, errors)
  trickle(b, a, errors)
  const dcA = a.createDataChannel('x')
  const remote = once(b, 'datachannel').then(e => e.channel)
  const open = once(dcA, 'open')
  await negotiate(a, b)
  await open
  const dcB = await remote
  if (dcB.readyState !== 'open') await once(dcB, 'open')
  const got = once(dcB, 'message')
  dcA.send('hi')
  assert.equal((await got).data, 'hi')
  return { a, b }
}

describe('certificates', () => {
  afterEach(closeAll)

  describe('generateCertificate', () => {
    it('ECDSA P-256: an RTCCertificate expiring in about 30 days with a SHA-256 fingerprint', async () => {
      const cert = await RTCPeerConnection.generateCertificate(ECDSA)
      assert.ok(cert instanceof RTCCertificate)
      assert.equal(Object.prototype.toString.call(cert), '[object RTCCertificate]')
      const days = (cert.expires - Date.now()) / 86400000
      assert.ok(days > 29 && days <= 30.01, `expires in ${days} days`)
      const fps = cert.getFingerprints()
      assert.equal(fps.length, 1)
      assert.equal(fps[0].algorithm, 'sha-256')
      assert.match(fps[0].value, FINGERPRINT)
      assert.notEqual(cert.getFingerprints(), fps, 'a fresh array each call')
      fps[0].value = 'x'
      assert.notEqual(cert.getFingerprints()[0].value, 'x')
    })

    it('the algorithm name is case-insensitive; a string names an algorithm (WebCrypto)', async () => {
      const cert = await RTCPeerConnection.generateCertificate({ name: 'ecdsa', namedCurve: 'P-256' })
      assert.ok(cert instanceof RTCCertificate)
      // 'ECDSA' alone lacks the required namedCurve: a TypeError, as in Chromium.
      await rejectsWith(RTCPeerConnection.generateCertificate('ECDSA'), 'TypeError')
      await rejectsWith(RTCPeerConnection.generateCertificate('invalid-algo'), 'NotSupportedError')
    })

    it('RSASSA-PKCS1-v1_5 2048 with SHA-256 and exponent 65537', async function () {
      this.timeout(20000)
      const cert = await RTCPeerConnection.generateCertificate(RSA)
      assert.ok(cert instanceof RTCCertificate)
      assert.match(cert.getFingerprints()[0].value, FINGERPRINT)
      const pem = nonstandard.exportCertificate(cert)
      const key = crypto.createPrivateKey(pem.privateKey)
      assert.equal(key.asymmetricKeyType, 'rsa')
      assert.equal(key.asymmetricKeyDetails.modulusLength, 2048)
      // The hash object form, and leading zero bytes in the exponent
      const again = await RTCPeerConnection.generateCertificate({ ...RSA, hash: { name: 'sha-256' }, publicExponent: new Uint8Array([0, 1, 0, 1]) })
      assert.ok(again instanceof RTCCertificate)
    })

    it('other algorithms and parameters: NotSupportedError; missing or mistyped members: TypeError', async () => {
      for (const alg of [{ name: 'invalid-algo' }, { name: 'RSA-PSS' }, { name: 'ECDSA', namedCurve: 'P-384' },
        { ...RSA, hash: 'SHA-1' }, { ...RSA, publicExponent: new Uint8Array([3]) }, { ...RSA, modulusLength: 512 },
        // under 2048 bits OpenSSL (security level 2) refuses the key for DTLS
        { ...RSA, modulusLength: 1024 },
        { ...RSA, modulusLength: 8192 }, { ...RSA, modulusLength: 16384 }]) {
        await rejectsWith(RTCPeerConnection.generateCertificate(alg), 'NotSupportedError')
      }
      for (const alg of [undefined, null, 42, {}, { name: 'ECDSA' }, { ...RSA, publicExponent: [1, 0, 1] },
        { ...RSA, hash: undefined }, { ...RSA, modulusLength: undefined }, { ...ECDSA, expires: -1 },
        { ...ECDSA, expires: NaN }, { ...ECDSA, expires: Symbol('x') }]) {
        await rejectsWith(RTCPeerConnection.generateCertificate(alg), 'TypeError')
      }
    })

    it('expires: ms from now; 0 gives a certificate that has expired', async () => {
      const before = Date.now()
      const hour = await RTCPeerConnection.generateCertificate({ ...ECDSA, expires: 3600000 })
      // X.509 times have one-second resolution
      assert.ok(Math.abs(hour.expires - (before + 3600000)) < 2000, `${hour.expires - before}`)
      const expired = await RTCPeerConnection.generateCertificate({ ...ECDSA, expires: 0 })
      assert.ok(expired.expires <= Date.now())
    })

    it('RTCCertificate is not constructible', () => {
      assert.throws(() => new RTCCertificate(), { name: 'TypeError', message: 'Illegal constructor' })
    })

    it('generates many at once without blocking the event loop, and they are collected', async function () {
      this.timeout(30000)
      let ticks = 0
      const timer = setInterval(() => { ticks++ }, 1)
      const certs = await Promise.all(Array.from({ length: 20 }, () => RTCPeerConnection.generateCertificate(ECDSA)))
      await RTCPeerConnection.generateCertificate(RSA)
      clearInterval(timer)
      assert.ok(ticks > 0, 'timers ran while the keys were made')
      assert.equal(new Set(certs.map(c => c.getFingerprints()[0].value)).size, 20)
      if (typeof global.gc === 'function') {
        certs.length = 0
        for (let i = 0; i < 10 && nonstandard.liveObjects().certificates > 0; i++) {
          await new Promise(resolve => setImmediate(resolve))
          global.gc()
        }
        assert.equal(nonstandard.liveObjects().certificates, 0)
      } else {
        assert.ok(nonstandard.liveObjects().certificates >= 20)
      }
    })
  })

  describe('the certificates option', () => {
    it('the SDP fingerprint is the certificate\'s, on both ends, and the connection works', async () => {
      const [ca, cb] = await Promise.all([RTCPeerConnection.generateCertificate(ECDSA), RTCPeerConnection.generateCertificate(ECDSA)])
      const { a, b } = await connect({ certificates: [ca] }, { certificates: [cb] })
      assert.deepEqual(sdpFingerprints(a.localDescription.sdp), ca.getFingerprints())
      assert.deepEqual(sdpFingerprints(b.remoteDescription.sdp), ca.getFingerprints())
      assert.deepEqual(sdpFingerprints(b.localDescription.sdp), cb.getFingerprints())
      assert.deepEqual(a.getConfiguration().certificates, [ca])
      // The peer's DER certificate is the one we gave it
      const der = Buffer.from(b.sctp.transport.getRemoteCertificates()[0])
      const fp = new crypto.X509Certificate(der).fingerprint256
      assert.equal(fp, ca.getFingerprints()[0].value)
    })

    it('an RSA certificate works for DTLS', async function () {
      this.timeout(20000)
      const cert = await RTCPeerConnection.generateCertificate(RSA)
      const { a } = await connect({ certificates: [cert] }, {})
      assert.deepEqual(sdpFingerprints(a.localDescription.sdp), cert.getFingerprints())
    })

    it('the same certificate on two connections gives the same fingerprint', async () => {
      const cert = await RTCPeerConnection.generateCertificate(ECDSA)
      const one = makePc({ certificates: [cert] })
      const two = makePc({ certificates: [cert] })
      const other = makePc()
      for (const pc of [one, two, other]) pc.createDataChannel('x')
      const [o1, o2, o3] = await Promise.all([one.createOffer(), two.createOffer(), other.createOffer()])
      assert.deepEqual(sdpFingerprints(o1.sdp), cert.getFingerprints())
      assert.deepEqual(sdpFingerprints(o2.sdp), cert.getFingerprints())
      assert.notDeepEqual(sdpFingerprints(o3.sdp), cert.getFingerprints())
    })

    it('an expired certificate is InvalidAccessError', async () => {
      const expired = await RTCPeerConnection.generateCertificate({ ...ECDSA, expires: 0 })
      throwsWith(() => new RTCPeerConnection({ certificates: [expired] }), 'InvalidAccessError')
    })

    it('more than one certificate is NotSupportedError; other values are TypeError', async () => {
      const [c1, c2] = await Promise.all([RTCPeerConnection.generateCertificate(ECDSA), RTCPeerConnection.generateCertificate(ECDSA)])
      throwsWith(() => new RTCPeerConnection({ certificates: [c1, c2] }), 'NotSupportedError')
      throwsWith(() => new RTCPeerConnection({ certificates: [{}] }), 'TypeError')
      throwsWith(() => new RTCPeerConnection({ certificates: [Object.create(RTCCertificate.prototype)] }), 'TypeError')
      throwsWith(() => new RTCPeerConnection({ certificates: c1 }), 'TypeError')
    })

    it('setConfiguration: the same or no certificates are fine, others InvalidModificationError', async () => {
      const [c1, c2] = await Promise.all([RTCPeerConnection.generateCertificate(ECDSA), RTCPeerConnection.generateCertificate(ECDSA)])
      const pc = makePc({ certificates: [c1] })
      pc.setConfiguration({ certificates: [c1] })
      pc.setConfiguration({})
      assert.deepEqual(pc.getConfiguration().certificates, [c1])
      throwsWith(() => pc.setConfiguration({ certificates: [c2] }), 'InvalidModificationError')
      const plain = makePc()
      throwsWith(() => plain.setConfiguration({ certificates: [c2] }), 'InvalidModificationError')
      pc.createDataChannel('x')
      const offer = await pc.createOffer()
      assert.deepEqual(sdpFingerprints(offer.sdp), c1.getFingerprints())
    })
  })

  describe('non-standard export and import', () => {
    it('round-trips through PEM: a connection with the imported certificate shows the same fingerprint', async () => {
      const original = await RTCPeerConnection.generateCertificate(ECDSA)
      const pem = nonstandard.exportCertificate(original)
      assert.match(pem.privateKey, /^-----BEGIN PRIVATE KEY-----\n/)
      assert.match(pem.certificate, /^-----BEGIN CERTIFICATE-----\n/)
      // What a server would store and read back on its next start
      const imported = nonstandard.importCertificate(JSON.parse(JSON.stringify(pem)))
      assert.ok(imported instanceof RTCCertificate)
      assert.notEqual(imported, original)
      assert.deepEqual(imported.getFingerprints(), original.getFingerprints())
      assert.equal(imported.expires, original.expires)
      const { a, b } = await connect({ certificates: [imported] }, {})
      assert.deepEqual(sdpFingerprints(a.localDescription.sdp), original.getFingerprints())
      assert.deepEqual(sdpFingerprints(b.remoteDescription.sdp), original.getFingerprints())
    })

    it('imports a key and certificate made elsewhere (Node crypto key, openssl-style SEC1 PEM)', async () => {
      const made = await RTCPeerConnection.generateCertificate(ECDSA)
      const pem = nonstandard.exportCertificate(made)
      const sec1 = crypto.createPrivateKey(pem.privateKey).export({ type: 'sec1', format: 'pem' })
      const imported = nonstandard.importCertificate({ privateKey: sec1, certificate: pem.certificate })
      assert.deepEqual(imported.getFingerprints(), made.getFingerprints())
      assert.equal(imported.getFingerprints()[0].value, new crypto.X509Certificate(pem.certificate).fingerprint256)
    })

    it('the imported certificate can be used in a Worker (PEM crosses threads)', async function () {
      this.timeout(20000)
      const { Worker } = require('node:worker_threads')
      const cert = await RTCPeerConnection.generateCertificate(ECDSA)
      const worker = new Worker(`
        const { parentPort, workerData } = require('node:worker_threads')
        const { RTCPeerConnection, nonstandard } = require(${JSON.stringify(require.resolve('..'))})
        const cert = nonstandard.importCertificate(workerData)
        const pc = new RTCPeerConnection({ certificates: [cert] })
        pc.createDataChannel('x')
        pc.createOffer().then(o => { parentPort.postMessage(o.sdp); pc.close() })
      `, { eval: true, workerData: nonstandard.exportCertificate(cert) })
      const events = require('node:events')
      const [sdp] = await events.once(worker, 'message')
      await events.once(worker, 'exit')
      assert.deepEqual(sdpFingerprints(sdp), cert.getFingerprints())
    })

    it('bad input: TypeError or DataError, never a crash', async () => {
      const a = nonstandard.exportCertificate(await RTCPeerConnection.generateCertificate(ECDSA))
      const b = nonstandard.exportCertificate(await RTCPeerConnection.generateCertificate(ECDSA))
      throwsWith(() => nonstandard.exportCertificate({}), 'TypeError')
      throwsWith(() => nonstandard.importCertificate(null), 'TypeError')
      throwsWith(() => nonstandard.importCertificate({ privateKey: 1, certificate: a.certificate }), 'TypeError')
      throwsWith(() => nonstandard.importCertificate({ privateKey: '', certificate: a.certificate }), 'DataError')
      throwsWith(() => nonstandard.importCertificate({ privateKey: a.privateKey, certificate: 'garbage' }), 'DataError')
      throwsWith(() => nonstandard.importCertificate({ privateKey: a.privateKey, certificate: a.certificate.slice(0, 200) }), 'DataError')
      throwsWith(() => nonstandard.importCertificate({ privateKey: a.privateKey, certificate: b.certificate }), 'DataError')
      const ed = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })
      throwsWith(() => nonstandard.importCertificate({ privateKey: ed, certificate: a.certificate }), 'NotSupportedError')
      const rsa1024 = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' })
      throwsWith(() => nonstandard.importCertificate({ privateKey: rsa1024, certificate: a.certificate }), 'NotSupportedError')
      const messages = []
      try { nonstandard.importCertificate({ privateKey: a.privateKey, certificate: b.certificate }) } catch (e) { messages.push(e.message) }
      assert.match(messages[0], /does not belong/)
    })
  })
})
