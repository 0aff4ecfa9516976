// The DOM event dictionaries that Node's typings keep module-private. Structural twins of
// lib.dom's, so user code written for browsers type-checks against them.
export interface EventInit { bubbles?: boolean, cancelable?: boolean, composed?: boolean }
export interface EventListenerOptions { capture?: boolean }
export interface AddEventListenerOptions extends EventListenerOptions { once?: boolean, passive?: boolean, signal?: AbortSignal }
export type EventListenerOrEventListenerObject = ((evt: Event) => void) | { handleEvent (object: Event): void }
