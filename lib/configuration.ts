// RTCConfiguration: WebIDL conversion, the spec's "validate an ICE server" steps, defaults.
import { domError } from './errors'
import { domString, toNumber } from './webidl'
import type { NativeConfiguration } from './native'
import { type RTCCertificate, nativeCertificate } from './RTCCertificate'

export type RTCIceTransportPolicy = 'relay' | 'all'
export type RTCBundlePolicy = 'balanced' | 'max-compat' | 'max-bundle'
export type RTCRtcpMuxPolicy = 'require' | 'negotiate'

export interface RTCIceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

/**
 * Non-standard: which network interfaces ICE may gather candidates on.
 * - `loopback`: 'auto' (default) uses 127.0.0.1/::1 only when no other interface is up;
 *   'include' always offers loopback candidates; 'exclude' never does.
 * - `interfaces`: only these interface names (as in os.networkInterfaces()); default all.
 * - `excludeInterfaces`: never these interface names.
 * - `minPort`/`maxPort`: the UDP/TCP port range for host candidates (inclusive; a missing bound
 *   is 1 or 65535; minPort above maxPort is a TypeError).
 */
export interface RTCNetworkOptions {
  loopback?: 'auto' | 'include' | 'exclude'
  interfaces?: string[]
  excludeInterfaces?: string[]
  minPort?: number
  maxPort?: number
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[]
  iceTransportPolicy?: RTCIceTransportPolicy
  bundlePolicy?: RTCBundlePolicy
  rtcpMuxPolicy?: RTCRtcpMuxPolicy
  iceCandidatePoolSize?: number
  certificates?: RTCCertificate[]
  /** webrtc-identity: the target peer identity (the peer must prove it before anything is applied). */
  peerIdentity?: string
  /** Non-standard, see RTCNetworkOptions. */
  network?: RTCNetworkOptions
  /**
   * Non-standard (the relay, README "Relaying media"): a remote video track this connection sends
   * on (`addTrack`, `addTransceiver`, `replaceTrack`) forwards the publisher's encoded pictures
   * unchanged when the negotiated codec allows, instead of decoding and encoding them again; a
   * remote Opus track likewise goes out as the publisher's Opus packets (despite the name).
   * Default true; false always re-encodes video and audio. Applies to tracks attached after it is set.
   */
  forwardEncodedVideo?: boolean
  /**
   * Non-standard (the relay, docs/nonstandard.md "Simulcast publishers"): this connection's answers
   * accept a remote offer's simulcast (`a=rid:<id> recv`, `a=simulcast:recv`), so a publisher sends
   * every layer; each layer is received on a stream of its own, the track shows the largest, and a
   * relayed track gives each subscriber the layer that fits its estimate. Default false: libwebrtc
   * M108's answer, which declines simulcast (the publisher sends its first encoding only).
   */
  receiveSimulcast?: boolean
}

export interface NormalizedConfiguration {
  iceServers: Array<{ urls: string[], username?: string, credential?: string, original: RTCIceServer }>
  iceTransportPolicy: RTCIceTransportPolicy
  bundlePolicy: RTCBundlePolicy
  rtcpMuxPolicy: RTCRtcpMuxPolicy
  iceCandidatePoolSize: number
  certificates: RTCCertificate[]
  peerIdentity?: string
  network: Required<Pick<RTCNetworkOptions, 'loopback' | 'interfaces' | 'excludeInterfaces'>> &
  Pick<RTCNetworkOptions, 'minPort' | 'maxPort'>
  /** undefined when not given (true). */
  forwardEncodedVideo?: boolean
  /** undefined when not given (false). */
  receiveSimulcast?: boolean
}

function enumValue<T extends string> (value: unknown, allowed: readonly T[], fallback: T, what: string): T {
  if (value === undefined) return fallback
  const s = domString(value, what)
  if (!(allowed as readonly string[]).includes(s)) {
    throw new TypeError(`The provided value '${s}' is not a valid enum value of type ${what}.`)
  }
  return s as T
}

function octet (value: unknown, what: string): number {
  const n = toNumber(value, what)
  if (!Number.isFinite(n) || Math.trunc(n) < 0 || Math.trunc(n) > 255) {
    throw new TypeError(`${what} is outside the range [0, 255].`)
  }
  return Math.trunc(n)
}

function stringList (value: unknown, what: string): string[] {
  if (value === undefined) return []
  if (value === null || typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${what} must be a sequence of strings.`)
  }
  return Array.from(value as Iterable<unknown>, v => domString(v, what))
}

// The spec's "validate an ICE server" with url parsing per RFC 7064/7065.
function validateIceServer (server: RTCIceServer): NormalizedConfiguration['iceServers'][number] {
  if (server === null || typeof server !== 'object') throw new TypeError('iceServers entries must be objects.')
  if (server.urls === undefined) throw new TypeError("Failed to read the 'urls' property from 'RTCIceServer': Required member is undefined.")
  const urls = typeof server.urls === 'string' ? [server.urls] : stringList(server.urls, 'urls')
  if (urls.length === 0) throw domError('SyntaxError', 'RTCIceServer.urls is empty.')
  const username = server.username === undefined ? undefined : domString(server.username, 'RTCIceServer.username')
  const credential = server.credential === undefined ? undefined : domString(server.credential, 'RTCIceServer.credential')
  for (const url of urls) {
    const m = /^(stuns?|turns?):([^?]*)(\?(.*))?$/i.exec(url)
    if (m === null) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw domError('SyntaxError', `ICE server URL '${url}' has an unsupported scheme.`)
      throw domError('SyntaxError', `'${url}' is not a valid ICE server URL.`)
    }
    const scheme = m[1]!.toLowerCase()
    const hostport = m[2]!
    const query = m[4]
    if (hostport === '' || hostport.startsWith('/') || /[\s@]/.test(hostport)) {
      throw domError('SyntaxError', `'${url}' is not a valid ICE server URL.`)
    }
    if (!/^(\[[0-9a-f:.]+\]|[^:[\]]+)(:\d{1,5})?$/i.test(hostport)) {
      throw domError('SyntaxError', `'${url}' is not a valid ICE server URL.`)
    }
    if (scheme.startsWith('stun') && query !== undefined) {
      throw domError('SyntaxError', `'${url}': a STUN URL has no query.`)
    }
    if (scheme.startsWith('turn')) {
      if (query !== undefined && !/^transport=(udp|tcp)$/i.test(query)) {
        throw domError('SyntaxError', `'${url}': the only TURN query is transport=udp|tcp.`)
      }
      if (username === undefined || credential === undefined) {
        throw domError('InvalidAccessError', `TURN server '${url}' needs a username and a credential.`)
      }
      if (Buffer.byteLength(username, 'utf8') > 509) {
        throw domError('InvalidAccessError', 'A TURN username is at most 509 bytes (RFC 8489).')
      }
    }
  }
  const out: NormalizedConfiguration['iceServers'][number] = { urls, original: server }
  if (username !== undefined) out.username = username
  if (credential !== undefined) out.credential = credential
  return out
}

// webrtc-pc: RTCCertificate entries, none expired (InvalidAccessError). libwebrtc uses only the
// first one, so more than one is NotSupportedError (as in Firefox) rather than silently ignored.
function certificateList (value: unknown): RTCCertificate[] {
  if (value === undefined) return []
  if (value === null || typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError("Failed to read 'certificates': the value is not a sequence.")
  }
  const list = Array.from(value as Iterable<unknown>, c => {
    if (nativeCertificate(c) === undefined) {
      throw new TypeError("Failed to read 'certificates': the entry is not of type 'RTCCertificate'.")
    }
    return c as RTCCertificate
  })
  const now = Date.now()
  for (const c of list) {
    if (c.expires <= now) throw domError('InvalidAccessError', 'A certificate in the configuration has expired.')
  }
  if (list.length > 1) throw domError('NotSupportedError', 'Only one certificate per connection is supported.')
  return list
}

export function normalizeConfiguration (config: RTCConfiguration | undefined | null): NormalizedConfiguration {
  if (config === undefined || config === null) config = {}
  if (typeof config !== 'object') throw new TypeError('The RTCConfiguration must be an object.')
  const servers = config.iceServers === undefined ? [] : config.iceServers
  if (servers === null || typeof servers !== 'object' || typeof (servers as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('iceServers must be a sequence of RTCIceServer.')
  }
  const net = config.network ?? {}
  if (typeof net !== 'object') throw new TypeError('network must be an RTCNetworkOptions dictionary.')
  const loopback = enumValue(net.loopback, ['auto', 'include', 'exclude'] as const, 'auto', 'RTCNetworkOptions.loopback')
  const network: NormalizedConfiguration['network'] = {
    loopback,
    interfaces: stringList(net.interfaces, 'network.interfaces'),
    excludeInterfaces: stringList(net.excludeInterfaces, 'network.excludeInterfaces')
  }
  for (const key of ['minPort', 'maxPort'] as const) {
    if (net[key] !== undefined) {
      const p = toNumber(net[key], `network.${key}`)
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new TypeError(`network.${key} must be a port number.`)
      network[key] = p
    }
  }
  // A range with one bound given reaches to the end of the port space; port 0 would let the OS
  // pick any port.
  if (network.minPort !== undefined || network.maxPort !== undefined) {
    network.minPort = Math.max(1, network.minPort ?? 1)
    network.maxPort = network.maxPort ?? 65535
    if (network.minPort > network.maxPort) throw new TypeError('network.minPort must not be greater than network.maxPort.')
  }
  const out: NormalizedConfiguration = {
    iceServers: Array.from(servers as Iterable<RTCIceServer>, validateIceServer),
    iceTransportPolicy: enumValue(config.iceTransportPolicy, ['relay', 'all'] as const, 'all', 'RTCIceTransportPolicy'),
    bundlePolicy: enumValue(config.bundlePolicy, ['balanced', 'max-compat', 'max-bundle'] as const, 'balanced', 'RTCBundlePolicy'),
    rtcpMuxPolicy: enumValue(config.rtcpMuxPolicy, ['require', 'negotiate'] as const, 'require', 'RTCRtcpMuxPolicy'),
    iceCandidatePoolSize: config.iceCandidatePoolSize === undefined ? 0 : octet(config.iceCandidatePoolSize, 'iceCandidatePoolSize'),
    certificates: certificateList(config.certificates),
    network,
    ...(config.forwardEncodedVideo === undefined ? {} : { forwardEncodedVideo: Boolean(config.forwardEncodedVideo) }),
    ...(config.receiveSimulcast === undefined ? {} : { receiveSimulcast: Boolean(config.receiveSimulcast) })
  }
  if (config.peerIdentity !== undefined) out.peerIdentity = domString(config.peerIdentity, 'RTCConfiguration.peerIdentity')
  return out
}

export function toNative (c: NormalizedConfiguration): NativeConfiguration {
  return {
    // libwebrtc refuses TURN entries with an empty username or credential, which the spec allows;
    // such a server could not authenticate anyway, so it is left out.
    iceServers: c.iceServers
      .map(s => ({ urls: s.urls, username: s.username ?? '', credential: s.credential ?? '' }))
      .map(s => ({ ...s, urls: s.urls.filter(u => !/^turns?:/i.test(u) || (s.username !== '' && s.credential !== '')) }))
      .filter(s => s.urls.length > 0),
    iceTransportPolicy: c.iceTransportPolicy,
    bundlePolicy: c.bundlePolicy,
    rtcpMuxPolicy: c.rtcpMuxPolicy,
    iceCandidatePoolSize: c.iceCandidatePoolSize,
    certificates: c.certificates.map(x => nativeCertificate(x)!),
    network: { ...c.network },
    forwardEncodedVideo: c.forwardEncodedVideo !== false
  }
}

/** What getConfiguration() returns: a fresh copy, shaped as the user gave it. */
export function toConfigurationObject (c: NormalizedConfiguration): RTCConfiguration {
  return {
    iceServers: c.iceServers.map(s => {
      const out: RTCIceServer = { urls: [...s.urls] }
      if (s.username !== undefined) out.username = s.username
      if (s.credential !== undefined) out.credential = s.credential
      return out
    }),
    iceTransportPolicy: c.iceTransportPolicy,
    bundlePolicy: c.bundlePolicy,
    rtcpMuxPolicy: c.rtcpMuxPolicy,
    iceCandidatePoolSize: c.iceCandidatePoolSize,
    certificates: [...c.certificates],
    ...(c.peerIdentity === undefined ? {} : { peerIdentity: c.peerIdentity }),
    ...(c.forwardEncodedVideo === undefined ? {} : { forwardEncodedVideo: c.forwardEncodedVideo }),
    ...(c.receiveSimulcast === undefined ? {} : { receiveSimulcast: c.receiveSimulcast })
  }
}
