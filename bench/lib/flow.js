'use strict'
// Sending a stream with flow control, and counting it on the other side. The same code drives
// every stack; only how "the queue drained" is learned differs (see peers.js `flow`).

/**
 * Sends `count` copies of `msg` on `dc`, keeping bufferedAmount between `low` and `high`.
 * Resolves once the last message is queued.
 */
function pump (dc, flow, msg, count, { low, high }) {
  return new Promise((resolve, reject) => {
    let sent = 0
    let timer = null
    let unsubscribe = () => {}
    const finish = err => {
      if (timer !== null) clearInterval(timer)
      unsubscribe()
      dc.onbufferedamountlow = null
      if (err) reject(err)
      else resolve()
    }
    const fill = () => {
      try {
        while (sent < count && dc.bufferedAmount <= high) {
          dc.send(msg)
          sent++
        }
      } catch (err) {
        finish(err)
        return
      }
      if (sent >= count) finish()
    }
    dc.bufferedAmountLowThreshold = low
    if (flow === 'event') {
      dc.onbufferedamountlow = fill
    } else if (flow === 'werift') {
      const sub = dc.bufferedAmountLow.subscribe(fill)
      unsubscribe = () => sub.unSubscribe()
    } else {
      timer = setInterval(() => { if (dc.bufferedAmount <= low) fill() }, 1)
    }
    fill()
  })
}

/**
 * Resolves when `count` messages arrived, or at `deadlineMs` with what arrived so far
 * (partial: a stack too slow to finish still gets a rate). t is performance.now(), abs the
 * absolute time (for a receiver in another thread).
 */
function receive (dc, count, deadlineMs = Infinity) {
  return new Promise(resolve => {
    let n = 0
    let bytes = 0
    let timer = null
    const end = partial => {
      dc.onmessage = null
      if (timer !== null) clearTimeout(timer)
      const t = performance.now()
      resolve({ t, abs: performance.timeOrigin + t, bytes, n, partial })
    }
    dc.binaryType = 'arraybuffer'
    dc.onmessage = e => {
      const d = e.data
      bytes += typeof d === 'string' ? d.length : d.byteLength
      if (++n === count) end(false)
    }
    if (Number.isFinite(deadlineMs)) timer = setTimeout(() => end(true), deadlineMs)
  })
}

module.exports = { pump, receive }
