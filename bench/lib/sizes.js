'use strict'
// The sizes of every scenario (child.js in one process, side.js in two); --quick makes them smaller.
const MiB = 1024 * 1024

function sizes (quick) {
  return {
    setupPairs: quick ? 10 : 50,
    // NLW_BENCH_THROUGHPUT_MIB: a longer transfer, for profiling.
    throughputBytes: (Number(process.env.NLW_BENCH_THROUGHPUT_MIB) || (quick ? 16 : 64)) * MiB,
    throughputMsg: 64 * 1024,
    // NLW_BENCH_SMALL_COUNT: a longer stream, for profiling (perf) past the processes' start.
    smallCount: Number(process.env.NLW_BENCH_SMALL_COUNT) || (quick ? 20000 : 100000),
    smallMsg: 100,
    // The same send window for every stack: refill below `low`, stop above `high`. Small
    // messages use a smaller one (2,560 messages in flight): werift's send() slows down with
    // its queue length, and a 4 MiB queue of 100-byte messages stalls it for minutes.
    window: { low: 1 * MiB, high: 4 * MiB },
    smallWindow: { low: 64 * 1024, high: 256 * 1024 },
    // A stack that has not received everything by then is reported with the rate so far.
    deadlineMs: quick ? 15000 : 40000,
    // Scale: give up on all-open after this long per pair (wrtc sometimes never gets there).
    scaleMsPerPair: 100,
    // Media: CPU windows after a warm-up (bitrate ramp-up, encoder start); see lib/media.js.
    video: quick ? { warmMs: 2000, windowMs: 5000, sinkMs: 3000, fullSizeWithinMs: 20000 } : { warmMs: 3000, windowMs: 10000, sinkMs: 5000, fullSizeWithinMs: 40000 },
    audio: quick ? { streams: 10, warmMs: 2000, windowMs: 5000 } : { streams: 50, warmMs: 3000, windowMs: 10000 },
    mediaSetup: { pairs: quick ? 5 : 20 }
  }
}

module.exports = { sizes, MiB }
