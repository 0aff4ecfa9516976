'use strict'
// Whether this process runs under the sanitizers: scripts/sanitize.sh preloads libasan into the
// test processes (and the node processes they spawn inherit it).
const underAsan = /libasan/.test(process.env.LD_PRELOAD ?? '')

module.exports = { underAsan }
