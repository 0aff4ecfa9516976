// The EventTarget base of every spec object: on<event> attributes as browsers have them, and
// "pending activity" as Chromium defines it: an object that is not closed and has listeners stays
// reachable (so a connection whose only reference is its own handlers keeps working), anything
// else is left to the garbage collector.
import type { AddEventListenerOptions, EventListenerOptions, EventListenerOrEventListenerObject } from './dom_types'

const retained = new Set<object>()

type Listener = EventListenerOrEventListenerObject

export abstract class RTCEventTarget extends EventTarget {
  #listeners = new Map<string, Set<Listener>>()
  #handlers = new Map<string, { fn: (this: unknown, ev: Event) => unknown, wrapper: (ev: Event) => void }>()

  /** True while the object can still fire events (not closed). */
  protected abstract get active (): boolean

  override addEventListener (type: string, listener: Listener | null,
    options?: boolean | AddEventListenerOptions): void {
    if (listener === null || listener === undefined) return
    super.addEventListener(type, listener, options)
    let set = this.#listeners.get(type)
    if (set === undefined) this.#listeners.set(type, set = new Set())
    set.add(listener)
    this.updateRetention()
  }

  override removeEventListener (type: string, listener: Listener | null,
    options?: boolean | EventListenerOptions): void {
    if (listener === null || listener === undefined) return
    super.removeEventListener(type, listener, options)
    this.#listeners.get(type)?.delete(listener)
    this.updateRetention()
  }

  /** Call when `active` may have changed. */
  protected updateRetention (): void {
    let any = false
    for (const set of this.#listeners.values()) if (set.size > 0) { any = true; break }
    if (this.active && any) retained.add(this)
    else retained.delete(this)
  }

  protected getHandler (type: string): ((ev: Event) => unknown) | null {
    return this.#handlers.get(type)?.fn ?? null
  }

  protected setHandler (type: string, fn: unknown): void {
    const old = this.#handlers.get(type)
    if (old !== undefined) {
      this.removeEventListener(type, old.wrapper)
      this.#handlers.delete(type)
    }
    if (typeof fn !== 'function') return
    const handler = fn as (this: unknown, ev: Event) => unknown
    const wrapper = (ev: Event): void => { handler.call(this, ev) }
    this.#handlers.set(type, { fn: handler, wrapper })
    this.addEventListener(type, wrapper)
  }
}

/** Defines `on<type>` accessors on a class prototype. */
export function defineEventHandlers (proto: RTCEventTarget, types: readonly string[]): void {
  for (const type of types) {
    Object.defineProperty(proto, 'on' + type, {
      configurable: true,
      enumerable: true,
      get (this: RTCEventTarget) { return (this as unknown as { getHandler: RTCEventTarget['getHandler'] }).getHandler(type) },
      set (this: RTCEventTarget, fn: unknown) { (this as unknown as { setHandler: RTCEventTarget['setHandler'] }).setHandler(type, fn) }
    })
  }
}
