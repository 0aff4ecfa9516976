// RTCStatsReport (webrtc-pc 8.3): a read-only maplike<DOMString, object> of the stats objects
// one getStats() call gathered, keyed by their ids. Each value is a plain object, as in browsers:
// { id, type, timestamp, ...the members webrtc-stats defines for its type }.
import { INTERNAL, illegalConstructor } from './internal'

export type RTCStatsType =
  | 'codec' | 'inbound-rtp' | 'outbound-rtp' | 'remote-inbound-rtp' | 'remote-outbound-rtp' | 'media-source'
  | 'media-playout' | 'peer-connection' | 'data-channel' | 'transport' | 'candidate-pair' | 'local-candidate'
  | 'remote-candidate' | 'certificate'

/** webrtc-stats RTCStats: every stats object; the other members depend on `type`. */
export interface RTCStats {
  id: string
  type: RTCStatsType
  /** Milliseconds on the performance.timeOrigin clock (performance.timeOrigin + performance.now()). */
  timestamp: number
  [member: string]: unknown
}

export class RTCStatsReport {
  readonly #map: Map<string, RTCStats>

  /** @internal */
  constructor (token: unknown, stats: RTCStats[] = []) {
    illegalConstructor(token)
    this.#map = new Map()
    for (const s of stats) this.#map.set(s.id, s)
  }

  get size (): number { return this.#map.size }
  get (id: string): RTCStats | undefined { return this.#map.get(String(id)) }
  has (id: string): boolean { return this.#map.has(String(id)) }
  keys (): IterableIterator<string> { return this.#map.keys() }
  values (): IterableIterator<RTCStats> { return this.#map.values() }
  entries (): IterableIterator<[string, RTCStats]> { return this.#map.entries() }
  forEach (callback: (value: RTCStats, key: string, report: RTCStatsReport) => void, thisArg?: unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'forEach' on 'RTCStatsReport': The callback provided as parameter 1 is not a function.")
    }
    for (const [key, value] of this.#map) callback.call(thisArg, value, key, this)
  }

  [Symbol.iterator] (): IterableIterator<[string, RTCStats]> { return this.#map.entries() }
  get [Symbol.toStringTag] (): string { return 'RTCStatsReport' }
}

/** An empty report (a sender or receiver of a closed connection). @internal */
export function emptyReport (): RTCStatsReport { return new RTCStatsReport(INTERNAL) }

/** A report of native stats objects. @internal */
export function statsReport (stats: RTCStats[]): RTCStatsReport { return new RTCStatsReport(INTERNAL, stats) }

/**
 * performance.timeOrigin-based milliseconds at time 0 of the monotonic clock that libwebrtc's
 * rtc::TimeMicros and Node's process.hrtime both read: native stats times (monotonic us) become
 * what browsers report, performance.timeOrigin + performance.now() at that moment. @internal
 */
export function monotonicOrigin (): number {
  return performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6
}
