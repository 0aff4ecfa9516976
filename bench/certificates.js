'use strict'
// generateCertificate: median time per key type, and whether the JS thread stalls while RSA keys
// are made (the longest gap between 1 ms timers, against the same gap with nothing running:
// on a loaded machine the baseline itself is large).
//   node scripts/netns.js node bench/certificates.js
const { performance } = require('node:perf_hooks')
const { RTCPeerConnection } = require('..')

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }

function gapMeter () {
  let last = performance.now()
  let worst = 0
  const timer = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now }, 1)
  return () => { clearInterval(timer); return worst }
}

async function median (alg, n) {
  const times = []
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    await RTCPeerConnection.generateCertificate(alg)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[n >> 1]
}

;(async () => {
  const idle = gapMeter()
  await new Promise(resolve => setTimeout(resolve, 3000))
  const baseline = idle()
  const ecdsa = await median({ name: 'ECDSA', namedCurve: 'P-256' }, 50)
  const during = gapMeter()
  const rsa = await median(RSA, 5)
  const gap = during()
  console.log(`ECDSA P-256: median ${ecdsa.toFixed(2)} ms (50 keys)`)
  console.log(`RSA 2048: median ${rsa.toFixed(0)} ms (5 keys)`)
  console.log(`longest gap between 1 ms timers: ${gap.toFixed(1)} ms while RSA keys were made, ${baseline.toFixed(1)} ms in 3 s with nothing running`)
})()
