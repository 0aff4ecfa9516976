// A token that only this package holds: spec objects that scripts cannot construct check it.
export const INTERNAL: unique symbol = Symbol('node-libwebrtc internal')

export function illegalConstructor (token: unknown): void {
  if (token !== INTERNAL) throw new TypeError('Illegal constructor')
}
