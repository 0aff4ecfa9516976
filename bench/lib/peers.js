'use strict'
// The four WebRTC stacks under test, each behind the same small surface: the W3C
// RTCPeerConnection class, the configuration that makes it gather 127.0.0.1 candidates in a
// loopback-only namespace, and how its data channel reports "the send queue drained".
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const benchModules = path.join(__dirname, '..', 'node_modules')
// Some packages export no ./package.json: read it from bench/node_modules directly.
const installed = name => JSON.parse(require('node:fs').readFileSync(path.join(benchModules, name, 'package.json'), 'utf8')).version

/**
 * flow: how the throughput and small-message senders learn the queue drained.
 *   'event'   bufferedAmountLowThreshold + the 'bufferedamountlow' event (the spec way)
 *   'werift'  bufferedAmountLowThreshold + werift's own `dc.bufferedAmountLow` emitter
 *   'poll'    no such event: poll bufferedAmount every millisecond
 * media: runs the media-* scenarios (a source of raw frames made in the process: ours and
 *   @roamhq/wrtc; node-datachannel and werift send only RTP packets the application makes)
 */
const peers = {
  ours: {
    label: 'node-libwebrtc',
    load: () => require(root).RTCPeerConnection,
    version: () => require(path.join(root, 'package.json')).version,
    config: {},
    flow: 'event',
    // Nothing to do: the addon shuts its threads down when the environment exits.
    worker: true,
    // Has raw media sources for the media-* scenarios (lib/media.js).
    media: true
  },
  // Ours from another build (before/after in one run): NLW_BENCH_BASE=<path to node_libwebrtc.node>,
  // or to a copy of the package (package.json, dist/, build/Release/) to compare JS changes too.
  base: {
    label: 'node-libwebrtc (base build)',
    load: () => {
      if (!process.env.NLW_BENCH_BASE) throw new Error('set NLW_BENCH_BASE to the base build\'s node_libwebrtc.node')
      // A directory: a whole package (its dist/ and build/), for changes on the JS side too.
      if (require('node:fs').statSync(process.env.NLW_BENCH_BASE).isDirectory()) return require(path.resolve(process.env.NLW_BENCH_BASE)).RTCPeerConnection
      process.env.NODE_LIBWEBRTC_BINARY = process.env.NLW_BENCH_BASE
      return require(root).RTCPeerConnection
    },
    version: () => {
      if (!process.env.NLW_BENCH_BASE) throw Object.assign(new Error('NLW_BENCH_BASE not set'), { code: 'NLW_BENCH_BASE not set' })
      return `${require(path.join(root, 'package.json')).version}, ${process.env.NLW_BENCH_BASE}`
    },
    config: {},
    flow: 'event',
    worker: true,
    media: true
  },
  wrtc: {
    label: '@roamhq/wrtc',
    load: () => require('@roamhq/wrtc').RTCPeerConnection,
    version: () => installed('@roamhq/wrtc'),
    // Gathers 127.0.0.1 and ::1 by itself; there is no option to ask for it.
    config: {},
    flow: 'poll',
    worker: true,
    media: true
  },
  ndc: {
    label: 'node-datachannel',
    load: () => require('node-datachannel/polyfill').RTCPeerConnection,
    version: () => installed('node-datachannel'),
    config: { bindAddress: '127.0.0.1' },
    flow: 'event',
    worker: true
  },
  werift: {
    label: 'werift',
    load: () => require('werift').RTCPeerConnection,
    version: () => installed('werift'),
    config: { iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false },
    flow: 'werift',
    worker: true
  }
}

module.exports = { peers, root }
