'use strict'
// The ES module entry (index.mjs) exposes the same objects as the CommonJS one.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const cjs = require('..')
const { legacy, text } = require('./helpers')

const NAMES = ['ErrorCode', 'InsufficientScopeError', 'McpError', 'McpServer', 'PicomcpError', 'ResourceTemplate']

test('import() of index.mjs by its path exposes the same McpServer and friends', async () => {
  const esm = await import(pathToFileURL(path.join(__dirname, '..', 'index.mjs')).href)
  assert.deepEqual(Object.keys(esm).sort(), [...NAMES, 'default'].sort())
  for (const name of NAMES) assert.equal(esm[name], cjs[name], name)
  assert.equal(esm.default, cjs)
})

test("import('picomcp') (the package's own name) resolves to the ES module entry", async () => {
  const esm = await import('picomcp')
  assert.equal(esm.McpServer, cjs.McpServer)
  // And the class it gives serves.
  const server = new esm.McpServer({ name: 'esm', version: '1.0.0' })
  server.registerTool('hi', {}, () => text('from esm'))
  const client = await legacy(server)
  assert.deepEqual((await client.call('hi')).result, text('from esm'))
  await client.close()
})
