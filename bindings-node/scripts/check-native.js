#!/usr/bin/env node
// The drift gate for the generated files: builds the native module with @napi-rs/cli into
// a scratch folder and compares the loader (native.js) and the typings (native.d.ts) it
// generates with the committed ones. On a difference it prints both names and exits 1:
// run `npm run build` and commit the result.
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'picomcp-native-'))
const napi = path.join(here, 'node_modules', '.bin', process.platform === 'win32' ? 'napi.cmd' : 'napi')
const args = ['build', '--platform', '--release', '--js', 'native.js', '--dts', 'native.d.ts', '-o', scratch]
const built = spawnSync(napi, args, { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] })
if (built.error || built.status !== 0) {
  console.error(`check-native: napi build failed: ${built.error ? built.error.message : `exit status ${built.status}`}`)
  process.exit(1)
}
let drift = 0
for (const file of ['native.js', 'native.d.ts']) {
  const committed = fs.readFileSync(path.join(here, file), 'utf8')
  const generated = fs.readFileSync(path.join(scratch, file), 'utf8')
  if (committed !== generated) {
    console.error(`check-native: ${file} differs from what @napi-rs/cli generates (${path.join(scratch, file)})`)
    drift += 1
  }
}
if (drift > 0) {
  console.error('check-native: run `npm run build` in bindings-node and commit native.js and native.d.ts')
  process.exit(1)
}
fs.rmSync(scratch, { recursive: true, force: true })
console.log('check-native: native.js and native.d.ts match what @napi-rs/cli generates')
