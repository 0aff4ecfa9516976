// webrtc-identity: identity providers (IdPs), identity assertions in the SDP (a=identity), and
// their validation. An IdP proxy is a script loaded from https://<domain>/.well-known/idp-proxy/<protocol>
// into a node:vm context of its own (no Node API in it), where it registers
// { generateAssertion, validateAssertion } with rtcIdentityProvider.register(). Non-standard: an IdP
// registered from code (no fetch), and extra CAs trusted for the IdP's HTTPS.
import * as https from 'node:https'
import * as tls from 'node:tls'
import * as vm from 'node:vm'
import { RTCError, domError, type RTCErrorDetailType } from './errors'
import type { RTCDtlsFingerprint } from './RTCCertificate'
import { domString } from './webidl'

export interface RTCIdentityProviderOptions {
  protocol?: string
  usernameHint?: string
  peerIdentity?: string
}

/** What an IdP's generateAssertion resolves with. */
export interface RTCIdentityAssertionResult {
  idp: { domain: string, protocol: string }
  assertion: string
}

/** What an IdP's validateAssertion resolves with. */
export interface RTCIdentityValidationResult {
  identity: string
  contents: string
}

/** The two functions an IdP registers (webrtc-identity's RTCIdentityProvider). */
export interface RTCIdentityProvider {
  generateAssertion (contents: string, origin: string,
    options: { protocol: string, usernameHint?: string, peerIdentity?: string }): Promise<RTCIdentityAssertionResult> | RTCIdentityAssertionResult
  validateAssertion (assertion: string, origin: string): Promise<RTCIdentityValidationResult> | RTCIdentityValidationResult
}

/** The validated identity of the remote peer: the IdP's domain and the peer's name. */
export class RTCIdentityAssertion {
  idp: string
  name: string
  constructor (idp: string, name: string) {
    if (arguments.length < 2) throw new TypeError("Failed to construct 'RTCIdentityAssertion': 2 arguments required.")
    this.idp = domString(idp, 'idp')
    this.name = domString(name, 'name')
  }
}

/** identityresult (Firefox's and the 2015 draft's event): the assertion this connection made. */
export class RTCIdentityEvent extends Event {
  readonly assertion: string
  constructor (type: string, init: { assertion: string }) {
    super(type)
    this.assertion = String(init.assertion)
  }
}

/** idpassertionerror / idpvalidationerror (2015 draft): which IdP failed, and its login URL. */
export class RTCIdentityErrorEvent extends Event {
  readonly idp: string
  readonly protocol: string
  readonly loginUrl: string | null
  constructor (type: string, init: { idp: string, protocol: string, loginUrl?: string | null }) {
    super(type)
    this.idp = String(init.idp)
    this.protocol = String(init.protocol)
    this.loginUrl = init.loginUrl ?? null
  }
}

// ------------------------------------------------------------------ the environment's settings

const registered = new Map<string, RTCIdentityProvider>()
// IdP hosts whose proxies may be loaded to validate a remote assertion (besides the target's).
const providersUsed = new Set<string>()
let allowedIdps = new Set<string>()
let extraCa: string[] = []
let timeoutMs = 10000

function registryKey (domain: string, protocol: string): string { return `${domain.toLowerCase()}\n${protocol}` }

/** Non-standard: an IdP for (domain, protocol) given by code; no proxy is fetched for it. null removes it. */
export function registerIdentityProvider (domain: string, protocol: string, idp: RTCIdentityProvider | null): void {
  const d = domString(domain, 'domain')
  const p = domString(protocol, 'protocol')
  checkProvider(d, p)
  if (idp === null) {
    registered.delete(registryKey(d, p))
    return
  }
  if (typeof idp !== 'object' || typeof idp.generateAssertion !== 'function' || typeof idp.validateAssertion !== 'function') {
    throw new TypeError('registerIdentityProvider: the IdP needs generateAssertion and validateAssertion functions')
  }
  registered.set(registryKey(d, p), idp)
}

/**
 * Non-standard: certificates (PEM) trusted for loading IdP proxies, in addition to Node's default
 * trust (its CA bundle, NODE_EXTRA_CA_CERTS, --use-system-ca). null clears them. `timeout`: how
 * long a load or an IdP call may take (ms, default 10 s) before it fails with idp-timeout.
 * `allow`: IdP domains whose proxies may be loaded to validate remote assertions, besides those
 * passed to setIdentityProvider in this thread and the domain of a target peer identity.
 */
export function setIdentityProviderOptions (options: { ca?: string | string[] | null, timeout?: number, allow?: string[] | null }): void {
  if (options === null || typeof options !== 'object') throw new TypeError('setIdentityProviderOptions: an object expected')
  if (options.allow !== undefined) {
    const allow = options.allow === null ? [] : options.allow
    if (!Array.isArray(allow) || !allow.every(d => typeof d === 'string')) throw new TypeError('setIdentityProviderOptions: allow must be domain strings')
    allowedIdps = new Set(allow.map(hostOf))
  }
  if (options.ca !== undefined) {
    const ca = options.ca === null ? [] : Array.isArray(options.ca) ? options.ca : [options.ca]
    if (!ca.every(c => typeof c === 'string')) throw new TypeError('setIdentityProviderOptions: ca must be PEM strings')
    extraCa = ca
  }
  if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'number' || !(options.timeout > 0)) throw new TypeError('setIdentityProviderOptions: timeout must be a positive number')
    timeoutMs = options.timeout
  }
}

// RFC 8827 §7.5: the domain is a host (and port), the protocol a path segment.
export function checkProvider (domain: string, protocol: string): void {
  if (domain === '' || /[/\\?#@\s]/.test(domain)) throw domError('SyntaxError', `'${domain}' is not an IdP domain`)
  if (protocol === '' || /[/\\#\s]/.test(protocol)) throw domError('SyntaxError', `'${protocol}' is not an IdP protocol`)
}

// ------------------------------------------------------------------ loading a proxy

function idpError (detail: RTCErrorDetailType, message: string, extra: { httpRequestStatusCode?: number } = {}): RTCError {
  return new RTCError({ errorDetail: detail, ...extra }, message)
}

function withTimeout<T> (p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { reject(idpError('idp-timeout', `${what} took more than ${timeoutMs} ms`)) }, timeoutMs)
    p.then(v => { clearTimeout(timer); resolve(v) }, e => { clearTimeout(timer); reject(e) })
  })
}

const TLS_CODES = /CERT|SSL|TLS|ALTNAME|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME/i

function fetchProxy (url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/javascript, text/javascript, */*' } }
    if (extraCa.length > 0) {
      const defaults = typeof (tls as { getCACertificates?: (which: string) => string[] }).getCACertificates === 'function'
        ? (tls as unknown as { getCACertificates: (which: string) => string[] }).getCACertificates('default')
        : tls.rootCertificates
      options.ca = [...defaults, ...extraCa]
      options.agent = false
    }
    let req: ReturnType<typeof https.request>
    try {
      req = https.request(url, options, res => {
        const status = res.statusCode ?? 0
        if (status !== 200) {
          res.resume()
          reject(idpError('idp-load-failure', `loading ${url}: HTTP ${status}`, { httpRequestStatusCode: status }))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > 1 << 20) {
            req.destroy()
            reject(idpError('idp-load-failure', `loading ${url}: the proxy is larger than 1 MiB`))
            return
          }
          chunks.push(c)
        })
        res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')) })
        res.on('error', err => { reject(idpError('idp-load-failure', `loading ${url}: ${err.message}`)) })
      })
    } catch (err) {
      reject(idpError('idp-load-failure', `loading ${url}: ${(err as Error).message}`))
      return
    }
    // A server that stalls is dropped, not left holding a socket (and the event loop).
    req.setTimeout(timeoutMs, () => {
      req.destroy()
      reject(idpError('idp-timeout', `loading ${url} took more than ${timeoutMs} ms`))
    })
    req.on('error', (err: Error & { code?: string }) => {
      const detail = TLS_CODES.test(err.code ?? '') || TLS_CODES.test(err.message) ? 'idp-tls-failure' : 'idp-load-failure'
      reject(idpError(detail, `loading ${url}: ${err.message}`))
    })
    req.end()
  })
}

// What runs first in the proxy's realm: the registrar and an RTCError the IdP can reject with
// (idp-need-login with idpLoginUrl). Everything the IdP can reach is made inside its own realm.
const REALM_SETUP = String.raw`(function (href) {
  'use strict'
  let idp = null
  const registrar = Object.freeze({
    register (provider) {
      if (idp !== null) throw new Error('an IdP is already registered')
      idp = provider
    }
  })
  class RTCError extends Error {
    constructor (init, message) {
      super(message === undefined ? '' : String(message))
      this.name = 'OperationError'
      init = init || {}
      this.errorDetail = init.errorDetail
      if (init.idpLoginUrl !== undefined) this.idpLoginUrl = String(init.idpLoginUrl)
      if (init.idpErrorInfo !== undefined) this.idpErrorInfo = String(init.idpErrorInfo)
    }
  }
  // Node's URL classes belong to the outer realm: the proxy gets realm-local equivalents.
  const m = /^([a-z]+:)\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(href)
  const host = m[2]
  const hostname = host.replace(/:\d+$/, '')
  const port = host.length > hostname.length ? host.slice(hostname.length + 1) : ''
  const location = Object.freeze({ href, origin: m[1] + '//' + host, protocol: m[1], host, hostname, port,
    pathname: m[3] || '/', search: m[4] || '', hash: m[5] || '', toString () { return href } })
  const decode = s => { try { return decodeURIComponent(s.replace(/\+/g, ' ')) } catch { return s } }
  class URLSearchParams {
    #list = []
    constructor (init) {
      const text = init === undefined || init === null ? '' : String(init).replace(/^\?/, '')
      for (const part of text.split('&')) {
        if (part === '') continue
        const eq = part.indexOf('=')
        this.#list.push(eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))])
      }
    }
    get (name) { const e = this.#list.find(x => x[0] === String(name)); return e === undefined ? null : e[1] }
    getAll (name) { return this.#list.filter(x => x[0] === String(name)).map(x => x[1]) }
    has (name) { return this.#list.some(x => x[0] === String(name)) }
    forEach (fn, self) { for (const [k, v] of this.#list) fn.call(self, v, k, this) }
    entries () { return this.#list.map(x => [x[0], x[1]])[Symbol.iterator]() }
    keys () { return this.#list.map(x => x[0])[Symbol.iterator]() }
    values () { return this.#list.map(x => x[1])[Symbol.iterator]() }
    [Symbol.iterator] () { return this.entries() }
    toString () { return this.#list.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&') }
  }
  Object.defineProperties(globalThis, {
    rtcIdentityProvider: { value: registrar },
    RTCError: { value: RTCError, writable: true, configurable: true },
    URLSearchParams: { value: URLSearchParams, writable: true, configurable: true },
    location: { value: location },
    self: { value: globalThis }
  })
  return {
    registered () { return idp },
    // Runs an IdP call here and records how it ends in a box the host polls: the host never
    // awaits a value of this realm (that would hand the realm the host's resolve functions).
    call (which, a, b, protocol, usernameHint, peerIdentity) {
      const box = { done: false, ok: false, value: undefined }
      const end = (ok, value) => { box.ok = ok; box.value = value; box.done = true }
      try {
        let r
        if (which === 'generate') {
          const o = { protocol }
          if (usernameHint !== undefined) o.usernameHint = usernameHint
          if (peerIdentity !== undefined) o.peerIdentity = peerIdentity
          r = idp.generateAssertion(a, b, o)
        } else {
          r = idp.validateAssertion(a, b)
        }
        Promise.resolve(r).then(v => end(true, v), e => end(false, e))
      } catch (e) {
        end(false, e)
      }
      return box
    }
  }
})`

interface Box { done: boolean, ok: boolean, value: unknown }
interface Realm {
  registered: () => unknown
  call: (which: 'generate' | 'validate', a: string, b: string, protocol?: string, usernameHint?: string, peerIdentity?: string) => Box
}

// Polls a realm call's box until it ends or the IdP timeout passes. The realm has no timers or
// I/O, so a call ends within its microtasks or waits on nothing: a few quick looks, then slower
// ones (a timer each, never a busy loop).
async function settled (box: Box): Promise<unknown> {
  const deadline = Date.now() + timeoutMs
  for (let look = 0; box.done !== true; look++) {
    if (Date.now() > deadline) throw idpError('idp-timeout', `the IdP did not answer within ${timeoutMs} ms`)
    await new Promise(resolve => look < 4 ? setImmediate(resolve) : setTimeout(resolve, Math.min(50, 2 ** (look - 4))))
  }
  if (box.ok !== true) throw box.value
  return box.value
}

// A loaded or registered IdP, called with plain values; results are read member by member.
interface LoadedIdp {
  generate (contents: string, origin: string, protocol: string, usernameHint?: string, peerIdentity?: string): Promise<unknown>
  validate (assertion: string, origin: string): Promise<unknown>
}

function fromCode (idp: RTCIdentityProvider): LoadedIdp {
  return {
    generate: async (contents, origin, protocol, usernameHint, peerIdentity) => {
      const options: { protocol: string, usernameHint?: string, peerIdentity?: string } = { protocol }
      if (usernameHint !== undefined) options.usernameHint = usernameHint
      if (peerIdentity !== undefined) options.peerIdentity = peerIdentity
      return await idp.generateAssertion(contents, origin, options)
    },
    validate: async (assertion, origin) => await idp.validateAssertion(assertion, origin)
  }
}

async function fromScript (url: string, source: string): Promise<LoadedIdp> {
  // A sandbox object without a prototype: nothing of the host realm is reachable from the
  // proxy's global (with {} its constructor would lead to the host's Function).
  const context = vm.createContext(Object.create(null), { name: `IdP proxy ${url}`, codeGeneration: { strings: true, wasm: false } })
  let realm: Realm
  try {
    realm = (vm.runInContext(REALM_SETUP, context) as (href: string) => Realm)(url)
    vm.runInContext(source, context, { filename: url, timeout: 2000 })
  } catch (err) {
    throw idpError('idp-bad-script-failure', `the IdP proxy ${url} failed to run: ${String((err as Error)?.message ?? err)}`)
  }
  // An IdP may register after its first turn of microtasks (an async module-style setup).
  if (realm.registered() === null) await new Promise(resolve => setImmediate(resolve))
  const idp = realm.registered() as Partial<RTCIdentityProvider> | null
  if (idp === null || typeof idp !== 'object' || typeof idp.generateAssertion !== 'function' ||
    typeof idp.validateAssertion !== 'function') {
    throw idpError('idp-bad-script-failure', `the IdP proxy ${url} did not register generateAssertion and validateAssertion`)
  }
  return {
    generate: async (contents, origin, protocol, usernameHint, peerIdentity) =>
      await settled(realm.call('generate', contents, origin, protocol, usernameHint, peerIdentity)),
    validate: async (assertion, origin) => await settled(realm.call('validate', assertion, origin))
  }
}

/**
 * The IdP for (domain, protocol): one registered from code, else its proxy over HTTPS. For
 * validation (`target`: the connection's target peer identity) only from a domain the program
 * named: a remote description must not make this process fetch and run a script of the peer's
 * choosing.
 */
export async function loadIdp (domain: string, protocol: string, validation?: { target: string | null }): Promise<LoadedIdp> {
  const own = registered.get(registryKey(domain, protocol)) ?? registered.get(registryKey(domain, protocol.replace(/\?.*$/, '')))
  if (own !== undefined) return fromCode(own)
  if (validation !== undefined) {
    const host = hostOf(domain)
    const target = validation.target
    const named = providersUsed.has(host) || allowedIdps.has(host) ||
      (target !== null && target.lastIndexOf('@') > 0 && hostOf(target.slice(target.lastIndexOf('@') + 1)) === host)
    if (!named) {
      throw idpError('idp-load-failure', `the assertion names the IdP '${domain}', which this program did not name ` +
        '(setIdentityProvider, a target peerIdentity, registerIdentityProvider or setIdentityProviderOptions({ allow }))')
    }
  }
  const url = `https://${domain}/.well-known/idp-proxy/${protocol}`
  const source = await withTimeout(fetchProxy(url), `loading ${url}`)
  return await fromScript(url, source)
}

// ------------------------------------------------------------------ one connection's identity

/** What the application learns from a failed IdP call (webrtc-identity §9.5). */
export interface IdpFailure { error: Error, loginUrl: string | null, errorInfo: string | null }

function str (v: unknown): string | undefined { return typeof v === 'string' ? v : undefined }

/** Turns what an IdP threw or rejected with into the spec's RTCError. */
function idpFailure (err: unknown): IdpFailure {
  if (err instanceof DOMException) { // ours (RTCError included), not the IdP's realm's
    return { error: err, loginUrl: null, errorInfo: null }
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
  let errorInfo: string | null = null
  let loginUrl: string | null = null
  let detail: RTCErrorDetailType = 'idp-execution-failure'
  try {
    errorInfo = str(e.idpErrorInfo) ?? null
    if (e.errorDetail === 'idp-need-login' || e.name === 'IdpLoginError') {
      detail = 'idp-need-login'
      loginUrl = str(e.idpLoginUrl) ?? str(e.loginUrl) ?? null
    } else if (e.errorDetail === 'idp-token-expired' || e.errorDetail === 'idp-token-invalid') {
      detail = e.errorDetail
    }
  } catch {}
  let message = 'the identity provider failed'
  try { if (typeof e.message === 'string') message = `the identity provider failed: ${e.message}` } catch {}
  return { error: idpError(detail, message), loginUrl, errorInfo }
}

/** RFC 8827 §7.4: the contents an assertion covers, the connection's certificate fingerprints. */
export function assertionContents (fingerprints: RTCDtlsFingerprint[]): string {
  return JSON.stringify({ fingerprint: fingerprints.map(f => ({ algorithm: f.algorithm, digest: f.value })) })
}

/** The a=fingerprint lines of a description (session and media level, deduplicated). */
export function sdpFingerprints (sdp: string): RTCDtlsFingerprint[] {
  const seen = new Map<string, RTCDtlsFingerprint>()
  for (const m of sdp.matchAll(/^a=fingerprint:(\S+) (\S+)\r?$/mg)) {
    const f = { algorithm: m[1]!.toLowerCase(), value: m[2]!.toUpperCase() }
    seen.set(`${f.algorithm} ${f.value}`, f)
  }
  return [...seen.values()]
}

/** The first a=identity value of a description, or null. */
export function sdpIdentity (sdp: string): string | null {
  return /^a=identity:(\S+)\r?$/m.exec(sdp)?.[1] ?? null
}

/** The description with our a=identity line at session level (before the first m= line). */
export function withIdentity (sdp: string, assertion: string | null): string {
  if (assertion === null || sdpIdentity(sdp) !== null) return sdp
  const line = `a=identity:${assertion}\r\n`
  const at = sdp.search(/^m=/m)
  return at < 0 ? sdp + (sdp.endsWith('\n') || sdp === '' ? '' : '\r\n') + line : sdp.slice(0, at) + line + sdp.slice(at)
}

/** The description without its a=identity lines (libwebrtc does not know the attribute). */
export function withoutIdentity (sdp: string): string {
  return sdp.replace(/^a=identity:[^\r\n]*\r?\n/mg, '')
}

function hostOf (domain: string): string {
  return domain.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase()
}

const ORIGIN = 'null' // a Node program has no web origin: the serialization of an opaque one

export interface IdentityHooks {
  fire: (event: Event) => void
  close: () => void
  closed: () => boolean
}

interface Provider { domain: string, protocol: string, usernameHint?: string, peerIdentity?: string }

/** setIdentityProvider / getIdentityAssertion / peerIdentity of one RTCPeerConnection. */
export class ConnectionIdentity {
  #provider: Provider | null = null
  #assertion: Promise<string> | null = null
  #assertionContents = '' // what the stored assertion covers
  #loginUrl: string | null = null
  #errorInfo: string | null = null
  #target: string | null
  #peer!: Promise<RTCIdentityAssertion>
  #settlePeer!: { resolve: (a: RTCIdentityAssertion) => void, reject: (e: Error) => void }
  #peerSettled = false
  #validated: RTCIdentityAssertion | null = null
  readonly #hooks: IdentityHooks

  constructor (targetPeerIdentity: string | null, hooks: IdentityHooks) {
    this.#target = targetPeerIdentity
    this.#hooks = hooks
    this.#freshPeerPromise()
  }

  get idpLoginUrl (): string | null { return this.#loginUrl }
  get idpErrorInfo (): string | null { return this.#errorInfo }
  get peerIdentity (): Promise<RTCIdentityAssertion> { return this.#peer }
  get hasProvider (): boolean { return this.#provider !== null }
  /** A target peer identity: configured, or the one validated before (it cannot change). */
  get target (): string | null { return this.#target }

  #freshPeerPromise (): void {
    this.#peerSettled = false
    this.#peer = new Promise((resolve, reject) => { this.#settlePeer = { resolve, reject } })
    // Rejections are for the application to see, never an unhandled rejection of the process.
    this.#peer.catch(() => {})
  }

  setIdentityProvider (provider: unknown, options: unknown): void {
    const domain = domString(provider, 'provider')
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw new TypeError('RTCIdentityProviderOptions must be an object')
    }
    const o = (options ?? {}) as RTCIdentityProviderOptions
    const protocol = o.protocol === undefined ? 'default' : domString(o.protocol, 'protocol')
    checkProvider(domain, protocol)
    providersUsed.add(hostOf(domain))
    const next: Provider = { domain, protocol }
    if (o.usernameHint !== undefined) next.usernameHint = domString(o.usernameHint, 'usernameHint')
    if (o.peerIdentity !== undefined) next.peerIdentity = domString(o.peerIdentity, 'peerIdentity')
    const before = this.#provider
    this.#provider = next
    if (before === null || before.domain !== next.domain || before.protocol !== next.protocol ||
      before.usernameHint !== next.usernameHint || before.peerIdentity !== next.peerIdentity) {
      this.#assertion = null // any provider value changed: the stored assertion is discarded
    }
  }

  /** The assertion (base64 JSON of { idp, assertion }) for these fingerprints; cached per provider. */
  async assertion (fingerprints: () => Promise<RTCDtlsFingerprint[]>): Promise<string> {
    const provider = this.#provider
    if (provider === null) throw domError('OperationError', 'No identity provider is set (setIdentityProvider)')
    const contents = assertionContents(await fingerprints())
    if (this.#provider !== provider) return await this.assertion(fingerprints)
    if (this.#assertion !== null && this.#assertionContents === contents) return await this.#assertion
    const made = (async () => {
      const idp = await loadIdp(provider.domain, provider.protocol)
      let result: unknown
      try {
        result = await withTimeout(idp.generate(contents, ORIGIN, provider.protocol, provider.usernameHint,
          provider.peerIdentity ?? this.#target ?? undefined), 'generateAssertion')
      } catch (err) {
        throw err instanceof RTCError && err.errorDetail === 'idp-timeout' ? err : Object.assign(idpFailure(err), { wrapped: true })
      }
      const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>
      const idpInfo = (typeof r.idp === 'object' && r.idp !== null ? r.idp : {}) as Record<string, unknown>
      const domain = str(idpInfo.domain)
      const protocol = str(idpInfo.protocol)
      const assertion = str(r.assertion)
      if (domain === undefined || protocol === undefined || assertion === undefined) {
        throw domError('OperationError', 'generateAssertion did not resolve with an RTCIdentityAssertionResult')
      }
      return Buffer.from(JSON.stringify({ idp: { domain, protocol }, assertion }), 'utf8').toString('base64')
    })()
    const settled = made.then(value => {
      if (this.#provider === provider) {
        this.#loginUrl = null
        this.#hooks.fire(new RTCIdentityEvent('identityresult', { assertion: value }))
      }
      return value
    }, (err: unknown) => {
      const failure = (err as { wrapped?: boolean }).wrapped === true ? err as IdpFailure : idpFailure(err)
      if (this.#assertion === settled) this.#assertion = null // a later call tries again
      this.#errorInfo = failure.errorInfo ?? this.#errorInfo
      if (failure.loginUrl !== null) this.#loginUrl = failure.loginUrl
      if (!this.#hooks.closed()) {
        this.#hooks.fire(new RTCIdentityErrorEvent('idpassertionerror', {
          idp: provider.domain, protocol: provider.protocol, loginUrl: failure.loginUrl
        }))
      }
      throw failure.error
    })
    settled.catch(() => {})
    this.#assertion = settled
    this.#assertionContents = contents
    return await settled
  }

  /**
   * Validates a remote description's a=identity (webrtc-identity §9.4). Resolves with the
   * validated identity; rejects with the spec's error. Settles peerIdentity and fires the events.
   */
  async validate (sdp: string): Promise<RTCIdentityAssertion> {
    try {
      const identity = await this.#validate(sdp)
      if (!this.#hooks.closed()) {
        this.#validated = identity
        this.#target = identity.name
        if (!this.#peerSettled) {
          this.#peerSettled = true
          this.#settlePeer.resolve(identity)
          this.#hooks.fire(new Event('peeridentity'))
        }
      }
      return identity
    } catch (err) {
      const e = err as Error & { idp?: { domain: string, protocol: string } }
      if (!this.#hooks.closed() && this.#validated === null) {
        if (!this.#peerSettled) {
          this.#peerSettled = true
          this.#settlePeer.reject(e)
        }
        // Without a target peer identity a later description may still succeed: a new promise.
        if (this.#target === null) this.#freshPeerPromise()
        this.#hooks.fire(new RTCIdentityErrorEvent('idpvalidationerror', {
          idp: e.idp?.domain ?? '', protocol: e.idp?.protocol ?? '', loginUrl: null
        }))
      }
      throw err
    }
  }

  async #validate (sdp: string): Promise<RTCIdentityAssertion> {
    const token = sdpIdentity(sdp)
    if (token === null) throw idpError('idp-token-invalid', 'the remote description carries no a=identity')
    let idp: { domain: string, protocol: string }
    let assertion: string
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, unknown>
      const i = parsed.idp as Record<string, unknown>
      if (typeof i?.domain !== 'string' || typeof i.protocol !== 'string' || typeof parsed.assertion !== 'string') throw new Error('shape')
      idp = { domain: i.domain, protocol: i.protocol }
      assertion = parsed.assertion
      checkProvider(idp.domain, idp.protocol)
    } catch {
      throw idpError('idp-token-invalid', 'a=identity is not an identity assertion')
    }
    const tag = (err: Error): Error => Object.assign(err, { idp })
    let result: unknown
    try {
      const loaded = await loadIdp(idp.domain, idp.protocol, { target: this.#target })
      result = await withTimeout(loaded.validate(assertion, ORIGIN), 'validateAssertion')
    } catch (err) {
      if (err instanceof RTCError && err.errorDetail.startsWith('idp-') && err.errorDetail !== 'idp-execution-failure') throw tag(err)
      const failure = idpFailure(err)
      this.#errorInfo = failure.errorInfo ?? this.#errorInfo
      throw tag(failure.error)
    }
    const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>
    const name = str(r.identity)
    const contents = str(r.contents)
    if (name === undefined || contents === undefined) throw tag(domError('OperationError', 'validateAssertion did not resolve with an RTCIdentityValidationResult'))
    // The assertion must cover every certificate fingerprint of the description.
    let covered: RTCDtlsFingerprint[]
    try {
      const c = JSON.parse(contents) as { fingerprint?: Array<{ algorithm?: unknown, digest?: unknown }> }
      covered = (Array.isArray(c.fingerprint) ? c.fingerprint : []).map(f => ({
        algorithm: String(f.algorithm).toLowerCase(), value: String(f.digest).toUpperCase()
      }))
    } catch {
      covered = []
    }
    const fingerprints = sdpFingerprints(sdp)
    if (fingerprints.length === 0 || !fingerprints.every(f => covered.some(c => c.algorithm === f.algorithm && c.value === f.value))) {
      throw tag(domError('OperationError', 'the identity assertion does not cover the description\'s certificate fingerprints'))
    }
    // The identity's domain must be the IdP's (RFC 8827 §7.6).
    const at = name.lastIndexOf('@')
    if (at <= 0 || hostOf(name.slice(at + 1)) !== hostOf(idp.domain)) {
      throw tag(domError('OperationError', `the identity '${name}' is not of the IdP's domain '${idp.domain}'`))
    }
    const identity = new RTCIdentityAssertion(idp.domain, name)
    if (this.#target !== null && this.#target !== name) {
      this.#hooks.close()
      throw tag(domError('InvalidModificationError', `the peer identity '${name}' is not the target peer identity '${this.#target}'`))
    }
    return identity
  }
}
