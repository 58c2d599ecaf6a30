#!/usr/bin/env node
// Builds the native module when the package is installed from source
// (`npm install ./bindings-node`, or `npm install` inside it): `cargo build --release`, then
// the library is copied to the name the loader (native.js, made by `npm run build` with
// @napi-rs/cli) looks for, e.g. picomcp.linux-x64-gnu.node. Skipped when that file is
// newer than every Rust source it is built from. Needs Rust (rustup) on the PATH.
'use strict'

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const repo = path.resolve(here, '..')

/** The platform part of the file name, as napi-rs names it. */
function triple() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const report = process.report && process.report.getReport ? process.report.getReport() : null
    const glibc = report && report.header && report.header.glibcVersionRuntime
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  if (platform === 'darwin') return `darwin-${arch}`
  return `${platform}-${arch}`
}

/** The library cargo builds for this platform. */
function libraryName() {
  if (process.platform === 'win32') return 'picomcp_node.dll'
  if (process.platform === 'darwin') return 'libpicomcp_node.dylib'
  return 'libpicomcp_node.so'
}

/** The newest modification time under `dir` among files cargo reads. */
function newest(dir) {
  let latest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'target' || entry.name === 'node_modules') continue
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) latest = Math.max(latest, newest(p))
    else if (/\.(rs|toml|lock)$/.test(entry.name)) latest = Math.max(latest, fs.statSync(p).mtimeMs)
  }
  return latest
}

const target = path.join(here, `picomcp.${triple()}.node`)
const sources = ['bindings-node', 'bindings-engine', 'core'].map((d) => path.join(repo, d))
const upToDate =
  fs.existsSync(target) && fs.statSync(target).mtimeMs >= Math.max(...sources.filter(fs.existsSync).map(newest))
if (upToDate && !process.env.PICOMCP_REBUILD) {
  process.exit(0)
}

console.error('picomcp: building the native module (cargo build --release; the first build takes a minute)')
const cargo = process.env.CARGO || 'cargo'
const built = spawnSync(cargo, ['build', '--release', '--locked', '--manifest-path', path.join(here, 'Cargo.toml')], {
  stdio: 'inherit',
})
if (built.error || built.status !== 0) {
  const why = built.error ? `${built.error.message} (is Rust installed? see rustup)` : `exit status ${built.status}`
  console.error(`picomcp: building the native module failed: ${why}`)
  process.exit(1)
}
fs.copyFileSync(path.join(here, 'target', 'release', libraryName()), target)
console.error(`picomcp: built ${path.basename(target)}`)
