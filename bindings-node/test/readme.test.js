'use strict'
// The README's Node example (the first ```js block under "Using picomcp from Node") runs as
// written: spawned with `node -e` inside this package (so `require('picomcp')` resolves to
// it), it answers a legacy session over stdio and exits 0 when stdin closes.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const here = path.resolve(__dirname, '..')

function example() {
  const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8')
  const section = readme.split('\n## Using picomcp from Node\n')[1]
  assert.ok(section, 'the README has a "Using picomcp from Node" section')
  const match = /```js\n([\s\S]*?)\n```/.exec(section)
  assert.ok(match, 'the section has a ```js block')
  return match[1]
}

test('the README example serves a session and exits 0 when stdin closes', async () => {
  const child = spawn(process.execPath, ['-e', example()], { cwd: here, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } },
    { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'weather://cities/Oslo' } },
    { jsonrpc: '2.0', id: 4, method: 'prompts/get', params: { name: 'greet', arguments: { name: 'Ada' } } },
    { jsonrpc: '2.0', id: 5, method: 'completion/complete', params: { ref: { type: 'ref/resource', uri: 'weather://cities/{city}' }, argument: { name: 'city', value: 'O' } } },
  ]
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  child.stdin.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
  const deadline = Date.now() + 10000
  while (out.split('\n').filter(Boolean).length < 5 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20))
  }
  child.stdin.end()
  assert.equal(await exited, 0)
  const byId = new Map(out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((m) => [m.id, m]))
  assert.equal(byId.get(1).result.serverInfo.name, 'weather')
  assert.equal(byId.get(1).result.instructions, 'Ask me about the weather.')
  assert.deepEqual(byId.get(2).result, { content: [{ type: 'text', text: '5' }], structuredContent: { sum: 5 } })
  assert.deepEqual(byId.get(3).result, { contents: [{ uri: 'weather://cities/Oslo', text: 'Sunny in Oslo' }] })
  assert.deepEqual(byId.get(4).result.messages, [{ role: 'user', content: { type: 'text', text: 'Please greet Ada warmly.' } }])
  assert.deepEqual(byId.get(5).result.completion.values, ['Oslo'])
})
