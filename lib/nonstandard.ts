// Non-standard extras, kept apart from the spec surface.
import { binding } from './native'

export const nonstandard = {
  /** Which libwebrtc this binary carries. */
  versions (): { libwebrtc: string, napi: number } { return binding.versions() },
  /**
   * Stops libwebrtc's threads for this environment now. Every open connection ends. Normally
   * not needed: it happens by itself when the environment (thread or process) exits.
   */
  shutdown (): void { binding.shutdown() }
}
