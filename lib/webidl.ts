// WebIDL conversions the spec objects share: a Symbol is never a string, a Symbol or BigInt never
// a number (TypeError, where String()/Number() would quietly accept them), and promise-returning
// operations report argument errors as rejections, never as exceptions.

/** WebIDL DOMString/USVString from any value. */
export function domString (value: unknown, what: string): string {
  if (typeof value === 'symbol') throw new TypeError(`${what}: a Symbol cannot be converted to a string.`)
  return String(value)
}

/** WebIDL ToNumber, the first step of every numeric type. */
export function toNumber (value: unknown, what: string): number {
  if (typeof value === 'symbol' || typeof value === 'bigint') {
    throw new TypeError(`${what}: a ${typeof value === 'symbol' ? 'Symbol' : 'BigInt'} cannot be converted to a number.`)
  }
  return Number(value)
}

/** Replaces the named methods of `proto` so that a synchronous throw becomes a rejected promise. */
export function rejectInsteadOfThrow (proto: object, names: readonly string[]): void {
  const methods = proto as Record<string, (...args: unknown[]) => unknown>
  for (const name of names) {
    const method = methods[name]!
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      try {
        return method.apply(this, args)
      } catch (err) {
        return Promise.reject(err)
      }
    }
    Object.defineProperty(wrapped, 'name', { value: name })
    Object.defineProperty(wrapped, 'length', { value: method.length })
    Object.defineProperty(proto, name, { value: wrapped, writable: true, configurable: true, enumerable: false })
  }
}
