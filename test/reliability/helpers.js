'use strict'
// Runs reliability fixtures in child processes and checks how they ended.
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const path = require('node:path')

const fixtures = path.join(__dirname, 'fixtures')
const root = path.join(__dirname, '..', '..')
const CRASH = /Fatal error|FATAL ERROR|Assertion|Check failed|Segmentation|Aborted|core dumped/

/**
 * Runs `node [nodeArgs] fixtures/<name> [args]`. onLine(line, child, t) sees each stdout line
 * (t = performance.now() when it arrived). Resolves {status, signal, stdout, stderr, out, exitAt}.
 */
function runFixture (name, { args = [], nodeArgs = [], timeout = 60000, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(fixtures, name), ...args.map(String)],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let pending = ''
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeout)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stdout.on('data', chunk => {
      const t = performance.now()
      stdout += chunk
      pending += chunk
      let i
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i)
        pending = pending.slice(i + 1)
        if (onLine) onLine(line, child, t)
      }
    })
    child.stderr.on('data', chunk => { stderr += chunk })
    child.on('error', reject)
    // 'exit': the process is gone (its pipes may close later).
    let exitAt = 0
    child.on('exit', () => { exitAt = performance.now() })
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      const out = `${name} ${args.join(' ')}: status=${status} signal=${signal}\nstdout:\n${stdout.slice(-3000)}\nstderr:\n${stderr.slice(-3000)}`
      resolve({ status, signal, stdout, stderr, out, exitAt })
    })
  })
}

/** Asserts that nothing in stderr looks like a crash or an abort. */
function assertNoCrash (r) {
  assert.doesNotMatch(r.stderr, CRASH, r.out)
  assert.notEqual(r.signal, 'SIGABRT', r.out)
  assert.notEqual(r.signal, 'SIGSEGV', r.out)
  assert.notEqual(r.signal, 'SIGKILL', 'timed out: ' + r.out)
}

/** The last stdout line, parsed as JSON. */
function lastJson (r) {
  const lines = r.stdout.trim().split('\n')
  try {
    return JSON.parse(lines[lines.length - 1])
  } catch {
    assert.fail('no JSON result: ' + r.out)
  }
}

module.exports = { runFixture, assertNoCrash, lastJson }
