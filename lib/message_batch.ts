// Delivers a batch of messages the dispatcher handed over in one call (src-native/bridge/
// dispatcher.h): one message per task, as separate native tasks would be. Between two messages,
// and before the dispatcher's next task, the microtask queue drains completely (a tick queued from
// a microtask runs only once no microtask is left, nested ones included), the same continuation
// the dispatcher itself uses; the whole chain costs a microtask and a tick per message and no
// native call. The microtask is a reaction to a settled promise: the same queue as
// queueMicrotask's, without the AsyncResource Node makes for each of those (~0.1 µs less per
// message: bench/message-costs.js).

const settled = Promise.resolve()

/**
 * Calls `each` for every value from `values[first]` on, the first now and each next one after a full microtask checkpoint,
 * then `resume` once (after a checkpoint too, or from a setImmediate if `viaImmediate`, to let
 * timers and I/O in). `each` throwing does not stop the batch: the error is reported as an
 * uncaught exception, and the rest still comes. Returns true: the caller (native) relies on
 * `resume` being called.
 */
export function deliverBatch<T> (values: readonly T[], first: number, each: (value: T) => void,
  viaImmediate: boolean, resume: () => void): true {
  let i = first
  const step = (): void => {
    try {
      if (i < values.length) each(values[i++]!)
    } finally {
      if (i < values.length) void settled.then(hop)
      else if (viaImmediate) setImmediate(resume)
      else void settled.then(hopResume)
    }
  }
  const hop = (): void => { process.nextTick(step) }
  const hopResume = (): void => { process.nextTick(resume) }
  try {
    step()
  } catch (err) {
    // Thrown into the native call, this would look as if JS never took the batch.
    process.nextTick(() => { throw err })
  }
  return true
}
