'use strict'
// Runs one measurement between two processes (bench/side.js), each in its network namespace,
// relaying their signaling line by line. Used by run.js and by test/veth-path.test.js.
const { spawn } = require('node:child_process')
const path = require('node:path')

/**
 * Two processes, the offerer in namespace path.a and the answerer in path.b, with their signaling
 * relayed line by line; resolves { result } or { error } like runChild.
 */
function runPair (peer, scenario, quick, profile, path_, timeoutS) {
  return new Promise(resolve => {
    const side = (role, ns) => {
      const args = ['--expose-gc', path.join(__dirname, '..', 'side.js'), peer, scenario, role, profile]
      if (quick) args.push('--quick')
      // NLW_BENCH_WRAP: a command put before node in both sides, {role} replaced (profiling:
      // NLW_BENCH_WRAP='perf record -g -o /tmp/{role}.data --').
      const wrap = (process.env.NLW_BENCH_WRAP ?? '').split(' ').filter(Boolean).map(w => w.replace('{role}', role))
      return spawn('ip', ['netns', 'exec', ns, ...wrap, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    }
    const kids = { offer: side('offer', path_.a), answer: side('answer', path_.b) }
    const other = { offer: 'answer', answer: 'offer' }
    let result = null
    let done = false
    let timedOut = false
    const errs = { offer: '', answer: '' }
    const exited = { offer: null, answer: null }
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const k of Object.values(kids)) { try { k.stdin.end(`${JSON.stringify({ type: 'end' })}\n`) } catch {} }
      // Both sides leave once told; a side that does not is killed.
      setTimeout(() => { for (const k of Object.values(kids)) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL') }, 5000).unref()
      if (result !== null && result.error === undefined) { resolve({ result }); return }
      if (result !== null) { resolve({ error: `failed: ${result.error}` }); return }
      if (timedOut) { resolve({ error: `timeout (${timeoutS} s)` }); return }
      const role = exited.offer !== null && exited.offer.code !== 0 ? 'offer' : 'answer'
      const lines = errs[role].split('\n').map(l => l.trim()).filter(l => l !== '')
      const last = lines.find(l => /fatal|error|abort|assert|terminate/i.test(l)) ?? lines.slice(-1)[0] ?? ''
      const e = exited[role]
      resolve({ error: `failed: ${role}r ${e?.signal ? `killed by ${e.signal}` : `exit code ${e?.code}`}${last ? ` (${last.slice(0, 80)})` : ''}` })
    }
    for (const role of ['offer', 'answer']) {
      const k = kids[role]
      let buf = ''
      k.stdout.on('data', d => {
        buf += d
        let nl
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          if (line.startsWith('SIG ')) {
            try { kids[other[role]].stdin.write(`${line.slice(4)}\n`) } catch {}
          } else if (line.startsWith('BENCH_RESULT ') && result === null) {
            result = JSON.parse(line.slice(13))
            finish()
          }
        }
      })
      k.stderr.on('data', d => { errs[role] += d })
      k.stdin.on('error', () => {})
      k.on('close', (code, signal) => {
        exited[role] = { code, signal }
        if (!done && (code !== 0 || signal !== null)) finish()
      })
    }
    const timer = setTimeout(() => { timedOut = true; for (const k of Object.values(kids)) k.kill('SIGKILL'); finish() }, timeoutS * 1000)
  })
}

module.exports = { runPair }
