'use strict'
// Tool schemas (JSON Schema and zod) as listed, zod parsing, and argument validation.

const test = require('node:test')
const assert = require('node:assert/strict')
const z = require('zod')
const { McpServer } = require('..')
const { start, legacy, ERAS, bare, text } = require('./helpers')

const newServer = () => new McpServer({ name: 'schemas', version: '1.0.0' })

const ADD_SCHEMA = {
  type: 'object',
  properties: {
    a: { type: 'number', description: 'First addend' },
    b: { type: 'number', description: 'Second addend' },
  },
  required: ['a', 'b'],
}

const listed = async (client, name) => {
  const reply = await client.request('tools/list')
  assert.equal(reply.error, undefined)
  return reply.result.tools.find((t) => t.name === name)
}

for (const [era, open] of ERAS) {
  test(`${era}: a JSON Schema inputSchema, outputSchema and metadata are listed as given`, async () => {
    const server = newServer()
    server.registerTool(
      'add',
      {
        title: 'Add',
        description: 'Adds two numbers',
        inputSchema: ADD_SCHEMA,
        outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      ({ a, b }) => ({ content: [], structuredContent: { sum: a + b } }),
    )
    const client = await open(server)
    const reply = await client.request('tools/list')
    assert.deepEqual(bare(reply.result), {
      tools: [
        {
          name: 'add',
          title: 'Add',
          description: 'Adds two numbers',
          inputSchema: ADD_SCHEMA,
          outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
      ],
    })
    if (era === 'modern') assert.equal(reply.result.resultType, 'complete')
    await client.close()
  })

  test(`${era}: a missing or wrongly typed argument is a tool error naming it; the handler is not called`, async () => {
    const server = newServer()
    let calls = 0
    server.registerTool('add', { inputSchema: ADD_SCHEMA }, ({ a, b }) => {
      calls++
      return text(String(a + b))
    })
    const client = await open(server)
    const missing = await client.call('add', { a: 1 })
    assert.deepEqual(bare(missing.result), {
      content: [{ type: 'text', text: 'Invalid arguments for tool add: missing required argument `b`' }],
      isError: true,
    })
    const wrong = await client.call('add', { a: 'one', b: 2 })
    assert.deepEqual(bare(wrong.result), {
      content: [{ type: 'text', text: 'Invalid arguments for tool add: `a` must be a number, not a string' }],
      isError: true,
    })
    assert.equal(calls, 0)
    const ok = await client.call('add', { a: 1, b: 2 })
    assert.deepEqual(bare(ok.result), text('3'))
    assert.equal(calls, 1)
    await client.close()
  })

  test(`${era}: an unknown tool is JSON-RPC error -32602`, async () => {
    const server = newServer()
    server.registerTool('known', {}, () => text('x'))
    const client = await open(server)
    const reply = await client.call('nope', {})
    assert.equal(reply.result, undefined)
    assert.deepEqual(reply.error, { code: -32602, message: 'Unknown tool: nope' })
    await client.close()
  })
}

test('no inputSchema lists {type: "object"} and the handler gets the arguments as sent', async () => {
  const server = newServer()
  let got
  server.registerTool('free', {}, (args) => {
    got = args
    return text('ok')
  })
  const client = start(server)
  assert.deepEqual((await listed(client, 'free')).inputSchema, { type: 'object' })
  await client.call('free', { x: [1, 'two'], y: { z: null } })
  assert.deepEqual(got, { x: [1, 'two'], y: { z: null } })
  await client.close()
})

test('a zod 4 object schema is converted to JSON Schema in tools/list', async () => {
  const server = newServer()
  server.registerTool(
    'greet',
    {
      inputSchema: z.object({
        name: z.string().describe('Who to greet'),
        times: z.number().int().min(1).default(1),
        loud: z.boolean().optional(),
      }),
    },
    () => text('hi'),
  )
  const client = start(server)
  const tool = await listed(client, 'greet')
  assert.deepEqual(tool.inputSchema, {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Who to greet' },
      times: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 },
      loud: { type: 'boolean' },
    },
    required: ['name'],
  })
  assert.equal('$schema' in tool.inputSchema, false)
  await client.close()
})

test('a zod raw shape ({ a: z.number() }) is converted too', async () => {
  const server = newServer()
  server.registerTool('shape', { inputSchema: { a: z.number(), b: z.string().optional() } }, ({ a }) => text(`a=${a}`))
  const client = start(server)
  const tool = await listed(client, 'shape')
  assert.deepEqual(tool.inputSchema, {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'string' } },
    required: ['a'],
  })
  // The converted schema is enforced by the core, the zod one by the binding.
  const wrong = await client.call('shape', { a: 'x' })
  assert.deepEqual(bare(wrong.result), {
    content: [{ type: 'text', text: 'Invalid arguments for tool shape: `a` must be a number, not a string' }],
    isError: true,
  })
  assert.deepEqual(bare((await client.call('shape', { a: 2 })).result), text('a=2'))
  await client.close()
})

test('zod parsing applies: defaults and transforms reach the handler', async () => {
  const server = newServer()
  let got
  server.registerTool(
    'parsed',
    {
      inputSchema: {
        n: z.number().default(5),
        word: z.string().transform((s) => s.length),
        tags: z.array(z.string()).default([]),
      },
    },
    (args) => {
      got = args
      return text('ok')
    },
  )
  const client = await legacy(server)
  assert.deepEqual((await client.call('parsed', { word: 'abcd' })).result, text('ok'))
  assert.deepEqual(got, { n: 5, word: 4, tags: [] })
  await client.close()
})

test('a zod refinement failure is an isError result naming the field; the handler is not called', async () => {
  const server = newServer()
  let calls = 0
  server.registerTool(
    'refined',
    { inputSchema: z.object({ code: z.string().refine((s) => s.startsWith('A'), 'must start with A') }) },
    () => {
      calls++
      return text('ok')
    },
  )
  const client = await legacy(server)
  const reply = await client.call('refined', { code: 'B12' })
  assert.deepEqual(reply.result, {
    content: [{ type: 'text', text: 'invalid arguments: code: must start with A' }],
    isError: true,
  })
  assert.equal(calls, 0)
  assert.deepEqual((await client.call('refined', { code: 'A12' })).result, text('ok'))
  assert.equal(calls, 1)
  await client.close()
})

test('a zod outputSchema is listed as JSON Schema', async () => {
  const server = newServer()
  server.registerTool('out', { outputSchema: z.object({ sum: z.number() }) }, () => ({
    content: [],
    structuredContent: { sum: 1 },
  }))
  const client = start(server)
  const tool = await listed(client, 'out')
  assert.deepEqual(tool.outputSchema, { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] })
  assert.deepEqual(bare((await client.call('out', {})).result), { content: [], structuredContent: { sum: 1 } })
  await client.close()
})
