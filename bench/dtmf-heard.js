// How often a receiver of ours hears a whole DTMF sequence: N calls between two of our peers, each
// sending '159#0*D' once (after WARM 20 ms blocks of the call are heard), read with an RTCAudioSink
// and the Goertzel detector of test/helpers/dtmf.js. Not part of `npm run bench`.
//   node scripts/netns.js node bench/dtmf-heard.js        (env: N=10, DUR=160 ms, WARM=5, JB=<ms>)
const { RTCPeerConnection, mediaDevices, nonstandard } = require('..')
const { DtmfDetector } = require('../test/helpers/dtmf')

;(async () => {
  const N = Number(process.env.N || 10); const results = []
  for (let run = 0; run < N; run++) {
    const a = new RTCPeerConnection(); const b = new RTCPeerConnection()
    a.onicecandidate = e => b.addIceCandidate(e.candidate).catch(() => {})
    b.onicecandidate = e => a.addIceCandidate(e.candidate).catch(() => {})
    const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    track.enabled = false
    const sender = a.addTrack(track)
    const remote = new Promise(r => { b.ontrack = e => { if (process.env.JB) e.receiver.jitterBufferTarget = Number(process.env.JB); r(e.track) } })
    await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription)
    const t = await remote
    while (a.connectionState !== 'connected') await new Promise(r => setTimeout(r, 50))
    const sink = new nonstandard.RTCAudioSink(t)
    const d = new DtmfDetector()
    await new Promise(resolve => { sink.ondata = x => { d.push(x); if (d.blocks >= Number(process.env.WARM || 5)) resolve() } })
    await new Promise(r => { sender.dtmf.ontonechange = e => { if (e.tone === '') r() }; sender.dtmf.insertDTMF('159#0*D', Number(process.env.DUR || 160), 100) })
    await new Promise(r => setTimeout(r, 500))
    results.push(d.heard)
    a.close(); b.close(); track.stop(); sink.stop()
  }
  console.log(results.join(' '), '| exact:', results.filter(h => h === '159#0*D').length, 'of', N)
})()
