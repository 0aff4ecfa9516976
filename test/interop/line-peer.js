'use strict'
// A remote peer in another process (aiortc, pion), signalled by JSON lines on its stdin and stdout.
const { spawn } = require('node:child_process')
const readline = require('node:readline')

/**
 * Starts `command args`. send(obj) writes a line; next() resolves the next line it prints (and
 * rejects if it exits first, or if the line is { type: 'error' }); stop() ends its input and waits
 * up to 3 s for it to exit.
 */
function startLinePeer (name, command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', d => { stderr += d })
  const lines = []
  const waiting = []
  readline.createInterface({ input: child.stdout }).on('line', l => {
    const m = JSON.parse(l)
    const w = waiting.shift()
    if (w) w(m)
    else lines.push(m)
  })
  const exited = new Promise(resolve => child.once('close', resolve))
  return {
    child,
    send: m => child.stdin.write(`${JSON.stringify(m)}\n`),
    next: () => Promise.race([
      lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise(resolve => waiting.push(resolve)),
      exited.then(code => { throw new Error(`${name} peer exited (${code}): ${stderr.slice(-400)}`) })
    ]).then(m => {
      if (m.type === 'error') throw new Error(`${name}: ${m.error}`)
      return m
    }),
    stop: async () => {
      child.stdin.end()
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 3000))])
      child.kill()
    }
  }
}

/** The connection's complete local description (these peers take no trickled candidates). */
async function gathered (pc) {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve()
    }))
  }
  return pc.localDescription
}

module.exports = { startLinePeer, gathered }
