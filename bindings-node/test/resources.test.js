'use strict'
// Resources: fixed ones and templates, what handlers get, not found and errors.

const test = require('node:test')
const assert = require('node:assert/strict')
const { McpServer, ResourceTemplate, McpError, ErrorCode } = require('..')
const { start, legacy, ERAS, bare } = require('./helpers')

function server(seen = []) {
  const s = new McpServer({ name: 'resources', version: '1.0.0' })
  s.registerResource(
    'readme',
    'test://readme',
    { title: 'Readme', description: 'What this is', mimeType: 'text/plain' },
    (uri, ...rest) => {
      seen.push({ kind: 'fixed', uri, rest })
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'hello' }] }
    },
  )
  s.registerResource(
    'post',
    new ResourceTemplate('test://users/{user}/posts/{post}'),
    { description: 'A post', mimeType: 'application/json' },
    async (uri, variables, ...rest) => {
      seen.push({ kind: 'template', uri, variables, rest })
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(variables) }] }
    },
  )
  s.registerResource('missing', 'test://missing', {}, () => null)
  s.registerResource('missing-later', new ResourceTemplate('test://gone/{id}'), {}, async () => undefined)
  s.registerResource('mcp-error', 'test://mcp-error', {}, () => {
    throw new McpError(ErrorCode.InvalidParams, 'nope')
  })
  s.registerResource('mcp-error-async', 'test://mcp-error-async', {}, async () => {
    throw new McpError(-32001, 'custom code')
  })
  s.registerResource('plain-error', 'test://plain-error', {}, () => {
    throw new Error('broken resource')
  })
  s.registerResource('malformed', 'test://malformed', {}, () => ({ contents: 'text' }))
  s.registerResource('blob', 'test://blob', {}, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'application/octet-stream', blob: Buffer.from('hi').toString('base64') }],
  }))
  return s
}

const read = async (client, uri) => client.request('resources/read', { uri })

test('resources/list and resources/templates/list show what was registered', async () => {
  const client = await legacy(server())
  const resources = (await client.request('resources/list')).result.resources
  assert.deepEqual(resources[0], {
    uri: 'test://readme',
    name: 'readme',
    title: 'Readme',
    description: 'What this is',
    mimeType: 'text/plain',
  })
  assert.deepEqual(
    resources.map((r) => r.uri),
    [
      'test://readme',
      'test://missing',
      'test://mcp-error',
      'test://mcp-error-async',
      'test://plain-error',
      'test://malformed',
      'test://blob',
    ],
  )
  assert.deepEqual((await client.request('resources/templates/list')).result, {
    resourceTemplates: [
      {
        uriTemplate: 'test://users/{user}/posts/{post}',
        name: 'post',
        description: 'A post',
        mimeType: 'application/json',
      },
      { uriTemplate: 'test://gone/{id}', name: 'missing-later' },
    ],
  })
  await client.close()
})

for (const [era, open] of ERAS) {
  test(`${era}: a fixed resource is read; the handler gets (uri: URL, ctx)`, async () => {
    const seen = []
    const client = await open(server(seen))
    const reply = await read(client, 'test://readme')
    assert.deepEqual(bare(reply.result), {
      contents: [{ uri: 'test://readme', mimeType: 'text/plain', text: 'hello' }],
    })
    assert.equal(seen.length, 1)
    assert.ok(seen[0].uri instanceof URL)
    assert.equal(seen[0].uri.href, 'test://readme')
    assert.equal(seen[0].rest.length, 1)
    assert.ok(seen[0].rest[0].signal instanceof AbortSignal)
    await client.close()
  })

  test(`${era}: a template is read; the handler gets (uri: URL, variables, ctx)`, async () => {
    const seen = []
    const client = await open(server(seen))
    const reply = await read(client, 'test://users/ada/posts/42')
    assert.deepEqual(bare(reply.result), {
      contents: [{ uri: 'test://users/ada/posts/42', mimeType: 'application/json', text: '{"user":"ada","post":"42"}' }],
    })
    assert.equal(seen[0].kind, 'template')
    assert.ok(seen[0].uri instanceof URL)
    assert.equal(seen[0].uri.pathname, '/ada/posts/42')
    assert.deepEqual(seen[0].variables, { user: 'ada', post: '42' })
    assert.equal(seen[0].rest.length, 1)
    assert.equal(typeof seen[0].rest[0].sendProgress, 'function')
    await client.close()
  })

  test(`${era}: a handler throwing McpError answers with its code; a plain Error is -32603`, async () => {
    const client = await open(server())
    assert.deepEqual((await read(client, 'test://mcp-error')).error, { code: -32602, message: 'nope' })
    assert.deepEqual((await read(client, 'test://mcp-error-async')).error, { code: -32001, message: 'custom code' })
    assert.deepEqual((await read(client, 'test://plain-error')).error, { code: -32603, message: 'broken resource' })
    await client.close()
  })
}

test('legacy: a handler returning null or undefined is "resource not found" (-32002 with data.uri)', async () => {
  const client = await legacy(server())
  assert.deepEqual((await read(client, 'test://missing')).error, {
    code: -32002,
    message: 'Resource not found: test://missing',
    data: { uri: 'test://missing' },
  })
  assert.deepEqual((await read(client, 'test://gone/7')).error, {
    code: -32002,
    message: 'Resource not found: test://gone/7',
    data: { uri: 'test://gone/7' },
  })
  // A URI nothing matches: the same answer, from the core.
  assert.deepEqual((await read(client, 'test://nothing')).error, {
    code: -32002,
    message: 'Resource not found: test://nothing',
    data: { uri: 'test://nothing' },
  })
  await client.close()
})

test('modern: a handler returning null is "resource not found" (-32602 with data.uri)', async () => {
  const client = start(server())
  assert.deepEqual((await read(client, 'test://missing')).error, {
    code: -32602,
    message: 'Resource not found: test://missing',
    data: { uri: 'test://missing' },
  })
  await client.close()
})

test('a malformed read result is -32603 saying what is wrong; a blob is passed as given', async () => {
  const client = await legacy(server())
  assert.deepEqual((await read(client, 'test://malformed')).error, {
    code: -32603,
    message: 'resource result.contents: expected an array, got string',
  })
  assert.deepEqual((await read(client, 'test://blob')).result, {
    contents: [{ uri: 'test://blob', mimeType: 'application/octet-stream', blob: 'aGk=' }],
  })
  await client.close()
})
