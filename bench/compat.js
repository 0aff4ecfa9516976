'use strict'
// Which webrtc-pc members each stack exposes, probed on live objects (`member in object`), and
// whether a few calls work (the last group: each call must resolve as the spec says within 3 s).
// Presence is not behaviour: the test suite checks that ours behaves. One child process per
// stack, so a stack that crashes or keeps the process alive costs only its own column. Prints a
// Markdown table.
//   node scripts/netns.js node bench/compat.js
const { spawnSync } = require('node:child_process')
const { peers } = require('./lib/peers')

const members = {
  'RTCPeerConnection methods': ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription',
    'addIceCandidate', 'restartIce', 'getConfiguration', 'setConfiguration', 'close', 'createDataChannel',
    'getStats', 'addTrack', 'removeTrack', 'addTransceiver', 'getTransceivers', 'getSenders', 'getReceivers',
    'addEventListener'],
  'RTCPeerConnection attributes': ['localDescription', 'currentLocalDescription', 'pendingLocalDescription',
    'remoteDescription', 'currentRemoteDescription', 'pendingRemoteDescription', 'signalingState',
    'iceGatheringState', 'iceConnectionState', 'connectionState', 'canTrickleIceCandidates', 'sctp'],
  'RTCPeerConnection event handlers': ['onnegotiationneeded', 'onicecandidate', 'onicecandidateerror',
    'onsignalingstatechange', 'oniceconnectionstatechange', 'onicegatheringstatechange',
    'onconnectionstatechange', 'ondatachannel', 'ontrack'],
  'RTCDataChannel': ['label', 'ordered', 'maxPacketLifeTime', 'maxRetransmits', 'protocol', 'negotiated', 'id',
    'readyState', 'bufferedAmount', 'bufferedAmountLowThreshold', 'binaryType', 'send', 'close',
    'onopen', 'onbufferedamountlow', 'onerror', 'onclosing', 'onclose', 'onmessage', 'addEventListener']
}

function probe (key) {
  const PC = peers[key].load()
  const out = {}
  const pc = new PC(peers[key].config)
  const dc = pc.createDataChannel('probe')
  const has = (o, m) => m in o
  for (const [group, list] of Object.entries(members)) {
    for (const m of list) out[`${group}|${m}`] = has(group === 'RTCDataChannel' ? dc : pc, m)
  }
  out['static|RTCPeerConnection.generateCertificate'] = typeof PC.generateCertificate === 'function'
  return { PC, pc, out }
}

async function childMain (key) {
  const { PC, pc, out } = probe(key)
  const works = async (name, call, check) => {
    let timer
    try {
      const v = await Promise.race([call(), new Promise((resolve, reject) => { timer = setTimeout(reject, 3000) })])
      out[`works|${name}`] = Boolean(check(v))
    } catch { out[`works|${name}`] = false } finally { clearTimeout(timer) }
  }
  await works('setLocalDescription() with no argument', () => pc.setLocalDescription(), () => pc.localDescription?.type === 'offer')
  await works('getStats() resolves with a report', () => pc.getStats(), r => r && typeof r.forEach === 'function')
  await works('generateCertificate(ECDSA P-256)', () => PC.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' }),
    c => c && typeof c.expires === 'number')
  pc.close()
  process.stdout.write(JSON.stringify(out) + '\n')
  process.exit(0)
}

function main () {
  const keys = Object.keys(peers)
  const results = {}
  for (const k of keys) {
    const r = spawnSync(process.execPath, [__filename, '--child', k], { encoding: 'utf8', timeout: 30000 })
    const line = (r.stdout || '').trim().split('\n').pop()
    try { results[k] = JSON.parse(line) } catch { results[k] = { error: `failed: ${(r.stderr || '').trim().split('\n')[0] || r.signal || r.status}` } }
  }
  const rows = [...new Set(keys.flatMap(k => Object.keys(results[k]).filter(x => x !== 'error')))]
  console.log(`| member | ${keys.map(k => peers[k].label).join(' | ')} |`)
  console.log(`| --- | ${keys.map(() => ':-:').join(' | ')} |`)
  let group = ''
  for (const row of rows) {
    const [g, m] = row.split('|')
    if (g !== group) { group = g; console.log(`| **${g}** | ${keys.map(() => '').join(' | ')} |`) }
    console.log(`| ${m} | ${keys.map(k => results[k].error ? '?' : (results[k][row] ? 'yes' : '—')).join(' | ')} |`)
  }
  const totals = keys.map(k => results[k].error ?? `${Object.values(results[k]).filter(Boolean).length} of ${rows.length}`)
  console.log(`| **total** | ${totals.join(' | ')} |`)
}

if (process.argv[2] === '--child') childMain(process.argv[3])
else main()
