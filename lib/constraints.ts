// Constraint resolution (mediacapture-streams, "SelectSettings"), for the synthetic devices: a
// bare value is an ideal in the basic set and exact in an advanced set; exact/min/max are
// required (OverconstrainedError naming the first one that cannot hold), ideal only pulls. Our
// devices can produce any value in their capability ranges, so the settings chosen are the ideal
// (or the current/default value) clamped into what the required constraints allow.
import { OverconstrainedError } from './errors'

export type ConstrainULong = number | ConstrainULongRange
export type ConstrainDouble = number | ConstrainDoubleRange
export type ConstrainBoolean = boolean | ConstrainBooleanParameters
export type ConstrainDOMString = string | string[] | ConstrainDOMStringParameters

export interface ULongRange { max?: number, min?: number }
export interface DoubleRange { max?: number, min?: number }
export interface ConstrainULongRange extends ULongRange { exact?: number, ideal?: number }
export interface ConstrainDoubleRange extends DoubleRange { exact?: number, ideal?: number }
export interface ConstrainBooleanParameters { exact?: boolean, ideal?: boolean }
export interface ConstrainDOMStringParameters { exact?: string | string[], ideal?: string | string[] }

export interface MediaTrackConstraintSet {
  width?: ConstrainULong
  height?: ConstrainULong
  aspectRatio?: ConstrainDouble
  frameRate?: ConstrainDouble
  facingMode?: ConstrainDOMString
  resizeMode?: ConstrainDOMString
  sampleRate?: ConstrainULong
  sampleSize?: ConstrainULong
  echoCancellation?: ConstrainBoolean
  autoGainControl?: ConstrainBoolean
  noiseSuppression?: ConstrainBoolean
  latency?: ConstrainDouble
  channelCount?: ConstrainULong
  deviceId?: ConstrainDOMString
  groupId?: ConstrainDOMString
}

export interface MediaTrackConstraints extends MediaTrackConstraintSet {
  advanced?: MediaTrackConstraintSet[]
}

export interface MediaTrackSettings {
  width?: number
  height?: number
  aspectRatio?: number
  frameRate?: number
  facingMode?: string
  resizeMode?: string
  sampleRate?: number
  sampleSize?: number
  echoCancellation?: boolean
  autoGainControl?: boolean
  noiseSuppression?: boolean
  latency?: number
  channelCount?: number
  deviceId?: string
  groupId?: string
}

export interface MediaTrackCapabilities {
  width?: ULongRange
  height?: ULongRange
  aspectRatio?: DoubleRange
  frameRate?: DoubleRange
  facingMode?: string[]
  resizeMode?: string[]
  sampleRate?: ULongRange
  sampleSize?: ULongRange
  echoCancellation?: boolean[]
  autoGainControl?: boolean[]
  noiseSuppression?: boolean[]
  latency?: DoubleRange
  channelCount?: ULongRange
  deviceId?: string
  groupId?: string
}

export interface MediaTrackSupportedConstraints {
  width: boolean, height: boolean, aspectRatio: boolean, frameRate: boolean, facingMode: boolean,
  resizeMode: boolean, sampleRate: boolean, sampleSize: boolean, echoCancellation: boolean,
  autoGainControl: boolean, noiseSuppression: boolean, latency: boolean, channelCount: boolean,
  deviceId: boolean, groupId: boolean
}

const SUPPORTED: readonly string[] = [
  'width', 'height', 'aspectRatio', 'frameRate', 'facingMode', 'resizeMode', 'sampleRate',
  'sampleSize', 'echoCancellation', 'autoGainControl', 'noiseSuppression', 'latency',
  'channelCount', 'deviceId', 'groupId'
]

export function supportedConstraints (): MediaTrackSupportedConstraints {
  const o: Record<string, boolean> = {}
  for (const name of SUPPORTED) o[name] = true
  return o as unknown as MediaTrackSupportedConstraints
}

const VIDEO_NUMERIC = ['width', 'height', 'aspectRatio', 'frameRate'] as const
const AUDIO_NUMERIC = ['sampleRate', 'sampleSize', 'latency', 'channelCount'] as const
const INTEGER = new Set(['width', 'height', 'sampleRate', 'sampleSize', 'channelCount'])

interface Bounds { lo: number, hi: number, ideal: number | undefined, required: boolean }

function isObject (v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function num (v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (typeof v === 'symbol' || typeof v === 'bigint' || !Number.isFinite(n)) {
    throw new TypeError(`The constraint '${name}' must be a finite number or a range of numbers.`)
  }
  return n
}

/** The range a numeric constraint allows within `cap`, and its ideal. */
function bounds (name: string, c: unknown, cap: DoubleRange | undefined, advanced: boolean): Bounds {
  let lo = cap?.min ?? -Infinity
  let hi = cap?.max ?? Infinity
  if (c === undefined) return { lo, hi, ideal: undefined, required: false }
  if (!isObject(c)) {
    const v = num(c, name)!
    if (!advanced) return { lo, hi, ideal: v, required: false }
    return { lo: Math.max(lo, v), hi: Math.min(hi, v), ideal: v, required: true }
  }
  const exact = num(c.exact, name)
  const min = num(c.min, name)
  const max = num(c.max, name)
  const ideal = num(c.ideal, name)
  if (exact !== undefined) { lo = Math.max(lo, exact); hi = Math.min(hi, exact) }
  if (min !== undefined) lo = Math.max(lo, min)
  if (max !== undefined) hi = Math.min(hi, max)
  const required = exact !== undefined || min !== undefined || max !== undefined
  if (required && cap === undefined) throw new OverconstrainedError(name, `The constraint '${name}' cannot be satisfied.`)
  if (lo > hi) throw new OverconstrainedError(name, `The constraint '${name}' cannot be satisfied.`)
  return { lo, hi, ideal, required }
}

function pick (name: string, b: Bounds, fallback: number): number {
  let v = Math.min(Math.max(b.ideal ?? fallback, b.lo), b.hi)
  if (INTEGER.has(name)) {
    v = Math.round(v)
    if (v < b.lo) v = Math.ceil(b.lo)
    if (v > b.hi) v = Math.floor(b.hi)
    if (v < b.lo) throw new OverconstrainedError(name, `The constraint '${name}' cannot be satisfied.`)
  }
  return v
}

function strings (v: unknown, name: string): string[] {
  if (Array.isArray(v)) return v.map(x => String(x))
  if (typeof v === 'symbol') throw new TypeError(`The constraint '${name}' must be a string or a list of strings.`)
  return [String(v)]
}

/** A string constraint against the values the source has: the value chosen. */
function pickString (name: string, c: unknown, allowed: readonly string[], fallback: string | undefined,
  advanced: boolean): string | undefined {
  if (c === undefined) return fallback
  let exact: string[] | undefined
  let ideal: string[] | undefined
  if (isObject(c)) {
    if (c.exact !== undefined) exact = strings(c.exact, name)
    if (c.ideal !== undefined) ideal = strings(c.ideal, name)
  } else if (advanced) {
    exact = strings(c, name)
  } else {
    ideal = strings(c, name)
  }
  if (exact !== undefined) {
    const hit = exact.find(v => allowed.includes(v))
    if (hit === undefined) throw new OverconstrainedError(name, `The constraint '${name}' cannot be satisfied.`)
    return hit
  }
  return ideal?.find(v => allowed.includes(v)) ?? fallback
}

function pickBoolean (name: string, c: unknown, allowed: readonly boolean[], fallback: boolean,
  advanced: boolean): boolean {
  if (c === undefined) return fallback
  let exact: boolean | undefined
  let ideal: boolean | undefined
  if (isObject(c)) {
    if (c.exact !== undefined) exact = Boolean(c.exact)
    if (c.ideal !== undefined) ideal = Boolean(c.ideal)
  } else if (advanced) {
    exact = Boolean(c)
  } else {
    ideal = Boolean(c)
  }
  if (exact !== undefined) {
    if (!allowed.includes(exact)) throw new OverconstrainedError(name, `The constraint '${name}' cannot be satisfied.`)
    return exact
  }
  return ideal !== undefined && allowed.includes(ideal) ? ideal : fallback
}

/** A device the constraints are resolved against: its capabilities and its current settings. */
export interface ConstrainableSource {
  kind: 'audio' | 'video'
  capabilities: MediaTrackCapabilities
  settings: MediaTrackSettings
}

function selectOne (set: MediaTrackConstraintSet, src: ConstrainableSource, advanced: boolean): MediaTrackSettings {
  const caps = src.capabilities
  const base = src.settings
  const c = set as Record<string, unknown>
  const out: MediaTrackSettings = { ...base }
  if (caps.deviceId !== undefined) out.deviceId = pickString('deviceId', c.deviceId, [caps.deviceId], base.deviceId, advanced)
  if (caps.groupId !== undefined) out.groupId = pickString('groupId', c.groupId, [caps.groupId], base.groupId, advanced)
  if (src.kind === 'video') {
    const wb = bounds('width', c.width, caps.width, advanced)
    const hb = bounds('height', c.height, caps.height, advanced)
    const ab = bounds('aspectRatio', c.aspectRatio, caps.aspectRatio, advanced)
    const fb = bounds('frameRate', c.frameRate, caps.frameRate, advanced)
    const baseRatio = (base.width ?? 640) / (base.height ?? 480)
    const ratio = pick('aspectRatio', ab, baseRatio)
    const wGiven = c.width !== undefined
    const hGiven = c.height !== undefined
    let w: number, h: number
    if (hGiven && !wGiven) {
      h = pick('height', hb, base.height ?? 480)
      w = pick('width', wb, h * ratio)
    } else {
      w = pick('width', wb, base.width ?? 640)
      h = pick('height', hb, wGiven || c.aspectRatio !== undefined ? w / ratio : (base.height ?? 480))
    }
    // The size chosen must meet a required aspect ratio (to a rounding pixel).
    if (ab.required) {
      const r = w / h
      if (r < ab.lo * (1 - 5e-3) || r > ab.hi * (1 + 5e-3)) {
        throw new OverconstrainedError('aspectRatio', "The constraint 'aspectRatio' cannot be satisfied.")
      }
    }
    out.width = w
    out.height = h
    out.aspectRatio = Math.round(w / h * 1e4) / 1e4
    out.frameRate = pick('frameRate', fb, base.frameRate ?? 30)
    out.facingMode = pickString('facingMode', c.facingMode, caps.facingMode ?? [], base.facingMode, advanced)
    out.resizeMode = pickString('resizeMode', c.resizeMode, caps.resizeMode ?? [], base.resizeMode, advanced)
    for (const name of AUDIO_NUMERIC) bounds(name, c[name], caps[name], advanced)
    for (const name of ['echoCancellation', 'autoGainControl', 'noiseSuppression'] as const) {
      pickBoolean(name, c[name], caps[name] ?? [], false, advanced)
    }
  } else {
    for (const name of AUDIO_NUMERIC) {
      const b = bounds(name, c[name], caps[name], advanced)
      let v = pick(name, b, (base[name] ?? 0))
      // Audio flows in 10 ms frames: a whole number of samples, so the rate is a multiple of 100.
      if (name === 'sampleRate' && v % 100 !== 0) {
        v = Math.round(v / 100) * 100
        if (v < b.lo) v += 100
        if (v > b.hi) v -= 100
        if (v < b.lo || v > b.hi) throw new OverconstrainedError(name, "The constraint 'sampleRate' cannot be satisfied.")
      }
      if (caps[name] !== undefined) out[name] = v
    }
    for (const name of ['echoCancellation', 'autoGainControl', 'noiseSuppression'] as const) {
      const v = pickBoolean(name, c[name], caps[name] ?? [], base[name] ?? false, advanced)
      if (caps[name] !== undefined) out[name] = v
    }
    for (const name of VIDEO_NUMERIC) bounds(name, c[name], caps[name], advanced)
    pickString('facingMode', c.facingMode, caps.facingMode ?? [], undefined, advanced)
    pickString('resizeMode', c.resizeMode, caps.resizeMode ?? [], undefined, advanced)
  }
  if (out.facingMode === undefined) delete out.facingMode
  if (out.resizeMode === undefined) delete out.resizeMode
  return out
}

/**
 * The settings `constraints` select on `src`; throws OverconstrainedError (its `constraint`
 * naming the property) when the basic set cannot be met, TypeError for malformed values.
 * Advanced sets that cannot be met are skipped, as the spec says.
 */
export function selectSettings (constraints: MediaTrackConstraints | undefined, src: ConstrainableSource): MediaTrackSettings {
  if (constraints === undefined || constraints === null) return { ...src.settings }
  if (typeof constraints !== 'object') throw new TypeError('The constraints must be an object.')
  let result = selectOne(constraints, src, false)
  const advanced = constraints.advanced
  if (advanced !== undefined) {
    if (!Array.isArray(advanced)) throw new TypeError("The constraint 'advanced' must be a sequence.")
    for (const set of advanced) {
      if (set === null || typeof set !== 'object') continue
      try {
        const next = selectOne(set, { ...src, settings: result }, true)
        // The basic set's required constraints must still hold.
        if (satisfies(constraints, next)) result = next
      } catch (err) {
        if (!(err instanceof OverconstrainedError)) throw err
      }
    }
  }
  return result
}

/** Whether `settings` meet the required (exact/min/max) members of `set`. */
function satisfies (set: MediaTrackConstraintSet, settings: MediaTrackSettings): boolean {
  for (const [k, v] of Object.entries(set)) {
    if (k === 'advanced' || !isObject(v)) continue
    const have = (settings as Record<string, unknown>)[k]
    if (have === undefined) continue
    if (typeof have === 'number') {
      const tol = k === 'aspectRatio' ? 5e-3 * have : 0
      if (typeof v.exact === 'number' && Math.abs(have - v.exact) > tol) return false
      if (typeof v.min === 'number' && have < v.min - tol) return false
      if (typeof v.max === 'number' && have > v.max + tol) return false
    } else if (v.exact !== undefined) {
      if (typeof have === 'boolean' ? have !== Boolean(v.exact) : !strings(v.exact, k).includes(String(have))) return false
    }
  }
  return true
}

/**
 * A copy of `value` (MediaTrackConstraints, or getUserMedia's member) as WebIDL's dictionary
 * conversion would make it, for getConstraints(): a Symbol or BigInt value is a TypeError, a
 * function member is dropped, a cycle is a TypeError. (structuredClone threw DataCloneError, a
 * DOMException, for each of those.)
 */
export function copyConstraints (value: unknown, where: string): MediaTrackConstraints {
  const seen = new Set<object>()
  const copy = (v: unknown, path: string): unknown => {
    if (typeof v === 'symbol' || typeof v === 'bigint') {
      throw new TypeError(`${where}: the constraint '${path}' cannot be converted (a ${typeof v}).`)
    }
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v)) throw new TypeError(`${where}: the constraint '${path}' is cyclic.`)
    seen.add(v)
    let out: unknown
    if (Array.isArray(v)) {
      out = v.map((x, i) => copy(x, `${path}[${i}]`))
    } else {
      const o: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'function' || x === undefined) continue
        o[k] = copy(x, path === '' ? k : `${path}.${k}`)
      }
      out = o
    }
    seen.delete(v)
    return out
  }
  return copy(value, '') as MediaTrackConstraints
}
