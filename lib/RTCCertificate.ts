// RTCCertificate and RTCPeerConnection.generateCertificate (webrtc-pc §4.9): a DTLS certificate
// and its private key, made by libwebrtc on its own thread; plus the non-standard PEM export and
// import (a server keeps one identity, hence one SDP fingerprint, across restarts).
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import { domError } from './errors'
import { INTERNAL } from './internal'
import { binding, type NativeCertificate } from './native'
import { domString, toNumber } from './webidl'

export interface RTCDtlsFingerprint {
  algorithm: string
  value: string
}

/** WebCrypto's AlgorithmIdentifier with webrtc-pc's RTCCertificateExpiration. */
export type AlgorithmIdentifier = string | ({ name: string, expires?: number } & Record<string, unknown>)

/** PEM text of a certificate and its private key (PKCS #8), see nonstandard.exportCertificate. */
export interface RTCCertificatePem {
  privateKey: string
  certificate: string
}

// libwebrtc caps a certificate's lifetime at a year (rtc_certificate_generator.cc).
const MAX_EXPIRES_MS = 365 * 24 * 3600 * 1000
const MIN_RSA_BITS = 2048
// An environment's shutdown waits for the key being made: 8192-bit keys take many seconds.
const MAX_RSA_BITS = 4096

// Set by RTCCertificate's static block: reads the private field of any object that has it.
// eslint-disable-next-line prefer-const
let nativeOf: (c: unknown) => NativeCertificate | undefined = () => undefined

export class RTCCertificate {
  readonly #native: NativeCertificate
  readonly #expires: number
  readonly #fingerprints: readonly RTCDtlsFingerprint[]

  constructor (token?: unknown, native?: NativeCertificate) {
    if (token !== INTERNAL || native === undefined) throw new TypeError('Illegal constructor')
    this.#native = native
    this.#expires = native.expires()
    this.#fingerprints = native.fingerprints()
  }

  /** When the certificate expires, in ms since 1970 (webrtc-pc: an EpochTimeStamp). */
  get expires (): number { return this.#expires }

  getFingerprints (): RTCDtlsFingerprint[] {
    return this.#fingerprints.map(f => ({ algorithm: f.algorithm, value: f.value }))
  }

  get [Symbol.toStringTag] (): string { return 'RTCCertificate' }

  static {
    nativeOf = c => typeof c === 'object' && c !== null && #native in c ? (c as RTCCertificate).#native : undefined
  }
}


/** The native certificate of an RTCCertificate; undefined for anything else. */
export function nativeCertificate (c: unknown): NativeCertificate | undefined { return nativeOf(c) }

type KeyRequest = { type: 'ecdsa' } | { type: 'rsa', modulusLength: number, publicExponent: number }

function member (o: Record<string, unknown>, name: string, algorithm: string): unknown {
  const v = o[name]
  if (v === undefined) {
    throw new TypeError(`Failed to execute 'generateCertificate': ${algorithm}: required member ${name} is undefined.`)
  }
  return v
}

// WebCrypto's "normalize an algorithm" for generateKey, limited to what libwebrtc makes:
// an unknown name or unsupported parameters are NotSupportedError, a missing or mistyped member of
// a known algorithm a TypeError (as Chromium does).
function keyRequest (alg: unknown): KeyRequest {
  if (typeof alg === 'string') alg = { name: alg }
  if (alg === null || typeof alg !== 'object') {
    throw new TypeError("Failed to execute 'generateCertificate': the algorithm is not a string or an object.")
  }
  const o = alg as Record<string, unknown>
  if (o.name === undefined) throw new TypeError("Failed to execute 'generateCertificate': Algorithm: name: Missing or not a string")
  const name = domString(o.name, 'Algorithm.name')
  switch (name.toUpperCase()) {
    case 'ECDSA': {
      const curve = domString(member(o, 'namedCurve', 'EcKeyGenParams'), 'EcKeyGenParams.namedCurve')
      if (curve !== 'P-256') throw domError('NotSupportedError', `generateCertificate: ECDSA curve '${curve}' is not supported (P-256 only)`)
      return { type: 'ecdsa' }
    }
    case 'RSASSA-PKCS1-V1_5': {
      const bits = toNumber(member(o, 'modulusLength', 'RsaHashedKeyGenParams'), 'modulusLength')
      if (!Number.isFinite(bits) || Math.trunc(bits) < 0 || Math.trunc(bits) > 0xffffffff) {
        throw new TypeError('RsaHashedKeyGenParams.modulusLength is outside the range of unsigned long.')
      }
      const e = member(o, 'publicExponent', 'RsaHashedKeyGenParams')
      if (!(e instanceof Uint8Array)) throw new TypeError('RsaHashedKeyGenParams.publicExponent must be a Uint8Array.')
      const hashId = member(o, 'hash', 'RsaHashedKeyGenParams')
      const hash = typeof hashId === 'object' && hashId !== null
        ? domString((hashId as { name?: unknown }).name, 'hash.name')
        : domString(hashId, 'hash')
      let exponent = 0
      for (const byte of e) exponent = exponent * 256 + byte
      if (hash.toUpperCase() !== 'SHA-256') throw domError('NotSupportedError', `generateCertificate: hash '${hash}' is not supported (SHA-256 only)`)
      if (exponent !== 65537) throw domError('NotSupportedError', 'generateCertificate: the public exponent must be 65537')
      const modulusLength = Math.trunc(bits)
      // OpenSSL's default security level (2, Debian's) refuses RSA keys under 2048 bits for TLS
      // and DTLS: such a certificate could never complete a handshake.
      if (modulusLength < MIN_RSA_BITS || modulusLength > MAX_RSA_BITS) {
        throw domError('NotSupportedError', `generateCertificate: modulusLength must be between ${MIN_RSA_BITS} and ${MAX_RSA_BITS}`)
      }
      return { type: 'rsa', modulusLength, publicExponent: exponent }
    }
    default:
      throw domError('NotSupportedError', `generateCertificate: algorithm '${name}' is not supported (ECDSA P-256 or RSASSA-PKCS1-v1_5)`)
  }
}

function expiresOf (alg: unknown): number | undefined {
  if (alg === null || typeof alg !== 'object') return undefined
  const v = (alg as { expires?: unknown }).expires
  if (v === undefined) return undefined
  // [EnforceRange] unsigned long long
  const n = toNumber(v, 'expires')
  if (!Number.isFinite(n) || Math.trunc(n) < 0 || Math.trunc(n) > Number.MAX_SAFE_INTEGER) {
    throw new TypeError('RTCCertificateExpiration.expires is outside the range of unsigned long long.')
  }
  return Math.min(Math.trunc(n), MAX_EXPIRES_MS)
}

export function generateCertificate (keygenAlgorithm: unknown): Promise<RTCCertificate> {
  let request: KeyRequest
  let expires: number | undefined
  try {
    request = keyRequest(keygenAlgorithm)
    expires = expiresOf(keygenAlgorithm)
  } catch (err) {
    return Promise.reject(err)
  }
  return binding.Certificate.generate(request, expires)
    .then(native => new RTCCertificate(INTERNAL, native))
}

export function exportCertificate (certificate: RTCCertificate): RTCCertificatePem {
  const native = nativeCertificate(certificate)
  if (native === undefined) throw new TypeError('exportCertificate: the argument is not an RTCCertificate.')
  return native.toPEM()
}

function dataError (message: string, cause?: unknown): Error {
  const e = domError('DataError', message)
  if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause, configurable: true, writable: true })
  return e
}

export function importCertificate (pem: RTCCertificatePem): RTCCertificate {
  if (pem === null || typeof pem !== 'object') throw new TypeError('importCertificate: expected { privateKey, certificate }.')
  const { privateKey, certificate } = pem
  if (typeof privateKey !== 'string' || typeof certificate !== 'string') {
    throw new TypeError('importCertificate: privateKey and certificate must be PEM strings.')
  }
  let key: KeyObject
  let x509: X509Certificate
  try {
    key = createPrivateKey({ key: privateKey, format: 'pem' })
  } catch (err) {
    throw dataError(`importCertificate: the private key is not a readable PEM key (${(err as Error).message})`, err)
  }
  try {
    x509 = new X509Certificate(certificate)
  } catch (err) {
    throw dataError(`importCertificate: the certificate is not a readable PEM certificate (${(err as Error).message})`, err)
  }
  const ecP256 = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
  if (!ecP256 && key.asymmetricKeyType !== 'rsa') {
    throw domError('NotSupportedError', `importCertificate: a ${key.asymmetricKeyType ?? 'secret'} key; ECDSA P-256 or RSA keys only`)
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (!ecP256 && (bits < MIN_RSA_BITS || bits > 8192)) {
    throw domError('NotSupportedError', `importCertificate: an RSA key of ${bits} bits; ${MIN_RSA_BITS} to 8192 bits only`)
  }
  if (!x509.checkPrivateKey(key)) throw dataError('importCertificate: the private key does not belong to the certificate')
  const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }) as string
  // libwebrtc aborts the process when OpenSSL refuses its certificate as the DTLS handshake
  // starts: try it here first, at the security level OpenSSL applies there (2 on Debian).
  try {
    createSecureContext({ key: pkcs8, cert: certificate, ciphers: 'DEFAULT@SECLEVEL=2' })
  } catch (err) {
    throw domError('NotSupportedError', `importCertificate: OpenSSL refuses this certificate for DTLS (${(err as Error).message})`)
  }
  const native = binding.Certificate.fromPEM(pkcs8, x509.toString())
  return new RTCCertificate(INTERNAL, native)
}
