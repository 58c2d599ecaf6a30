'use strict'
// Prompts (arguments, argsSchema, errors) and completion/complete for prompts and templates.

const test = require('node:test')
const assert = require('node:assert/strict')
const z = require('zod')
const { McpServer, ResourceTemplate, McpError, ErrorCode } = require('..')
const { legacy, ERAS, bare } = require('./helpers')

const startingWith = (candidates) => (value) => candidates.filter((c) => c.startsWith(value))
const user = (t) => ({ role: 'user', content: { type: 'text', text: t } })

function server(calls = []) {
  const s = new McpServer({ name: 'prompts', version: '1.0.0' })
  s.registerPrompt(
    'greet',
    {
      title: 'Greet',
      description: 'A greeting',
      arguments: [
        { name: 'name', description: 'Who to greet', required: true },
        { name: 'style', description: 'How' },
      ],
      complete: {
        name: startingWith(['Ada', 'Alan', 'Grace']),
        style: (value, { arguments: context }) => [`${value}-for-${context.name || 'nobody'}`],
      },
    },
    (args, ctx) => {
      calls.push({ args, hasSignal: ctx.signal instanceof AbortSignal })
      return { description: 'A greeting', messages: [user(`Hello, ${args.name}${args.style ? ` (${args.style})` : ''}!`)] }
    },
  )
  s.registerPrompt(
    'zodded',
    { argsSchema: { topic: z.string().describe('The topic'), level: z.enum(['low', 'high']).optional() } },
    async ({ topic, level }) => ({ messages: [user(`${topic}/${level || 'none'}`)] }),
  )
  s.registerPrompt('refuses', {}, () => {
    throw new McpError(ErrorCode.InvalidParams, 'not today')
  })
  s.registerPrompt('breaks', {}, () => {
    throw new Error('prompt broke')
  })
  s.registerPrompt('malformed', {}, () => ({ messages: [{ role: 'system', content: { type: 'text', text: 'x' } }] }))
  s.registerResource(
    'item',
    new ResourceTemplate('test://items/{id}', { complete: { id: startingWith(['1', '12', '2']) } }),
    {},
    (uri, { id }) => ({ contents: [{ uri: uri.href, text: `item ${id}` }] }),
  )
  return s
}

const get = (client, name, args) => client.request('prompts/get', { name, arguments: args })

test('prompts/list shows the arguments, given as a list or as a zod shape', async () => {
  const client = await legacy(server())
  const { prompts } = (await client.request('prompts/list')).result
  assert.deepEqual(prompts[0], {
    name: 'greet',
    title: 'Greet',
    description: 'A greeting',
    arguments: [
      { name: 'name', description: 'Who to greet', required: true },
      { name: 'style', description: 'How', required: false },
    ],
  })
  assert.deepEqual(prompts[1], {
    name: 'zodded',
    arguments: [
      { name: 'topic', description: 'The topic', required: true },
      { name: 'level', required: false },
    ],
  })
  assert.deepEqual(client.initializeResult.capabilities.completions, {})
  await client.close()
})

for (const [era, open] of ERAS) {
  test(`${era}: prompts/get passes the arguments to the handler`, async () => {
    const calls = []
    const client = await open(server(calls))
    const reply = await get(client, 'greet', { name: 'Ada', style: 'warm' })
    assert.deepEqual(bare(reply.result), { description: 'A greeting', messages: [user('Hello, Ada (warm)!')] })
    assert.deepEqual(calls, [{ args: { name: 'Ada', style: 'warm' }, hasSignal: true }])
    await client.close()
  })

  test(`${era}: a missing required argument is -32602 from the core; the handler is not called`, async () => {
    const calls = []
    const client = await open(server(calls))
    const reply = await get(client, 'greet', { style: 'warm' })
    assert.deepEqual(reply.error, { code: -32602, message: 'Invalid params: missing required argument name' })
    assert.deepEqual(calls, [])
    await client.close()
  })

  test(`${era}: completion/complete asks the prompt's and the template's completers`, async () => {
    const client = await open(server())
    const complete = async (ref, name, value, context) => {
      const params = { ref, argument: { name, value } }
      if (context) params.context = { arguments: context }
      const reply = await client.request('completion/complete', params)
      assert.equal(reply.error, undefined, JSON.stringify(reply.error))
      return bare(reply.result)
    }
    const prompt = { type: 'ref/prompt', name: 'greet' }
    assert.deepEqual(await complete(prompt, 'name', 'A'), { completion: { values: ['Ada', 'Alan'] } })
    assert.deepEqual(await complete(prompt, 'name', ''), { completion: { values: ['Ada', 'Alan', 'Grace'] } })
    assert.deepEqual(await complete(prompt, 'style', 'warm', { name: 'Ada' }), {
      completion: { values: ['warm-for-Ada'] },
    })
    // No completer for that argument: an empty list.
    assert.deepEqual(await complete({ type: 'ref/prompt', name: 'zodded' }, 'topic', 'x'), {
      completion: { values: [] },
    })
    const template = { type: 'ref/resource', uri: 'test://items/{id}' }
    assert.deepEqual(await complete(template, 'id', '1'), { completion: { values: ['1', '12'] } })
    assert.deepEqual(await complete(template, 'id', '3'), { completion: { values: [] } })
    await client.close()
  })
}

test('a zod argsSchema is parsed: a value outside the enum is -32602 naming the argument', async () => {
  const client = await legacy(server())
  assert.deepEqual((await get(client, 'zodded', { topic: 'cats', level: 'high' })).result, {
    messages: [user('cats/high')],
  })
  const reply = await get(client, 'zodded', { topic: 'cats', level: 'medium' })
  assert.equal(reply.error.code, -32602)
  assert.match(reply.error.message, /^invalid arguments: level: /)
  await client.close()
})

test('a prompt handler throwing McpError, a plain Error, or returning a malformed result', async () => {
  const client = await legacy(server())
  assert.deepEqual((await get(client, 'refuses', {})).error, { code: -32602, message: 'not today' })
  assert.deepEqual((await get(client, 'breaks', {})).error, { code: -32603, message: 'prompt broke' })
  assert.deepEqual((await get(client, 'malformed', {})).error, {
    code: -32603,
    message: 'prompt result.messages[0].role: "system" is not "user" or "assistant"',
  })
  assert.deepEqual((await get(client, 'greet', { name: 'Grace' })).result, {
    description: 'A greeting',
    messages: [user('Hello, Grace!')],
  })
  await client.close()
})

test('a completer returning something other than strings, or throwing, is -32603', async () => {
  const s = new McpServer({ name: 'prompts', version: '1.0.0' })
  s.registerPrompt(
    'p',
    { arguments: [{ name: 'a' }, { name: 'b' }], complete: { a: () => [1, 2], b: () => Promise.reject(new Error('no idea')) } },
    () => ({ messages: [] }),
  )
  const client = await legacy(s)
  const complete = (name) =>
    client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'p' }, argument: { name, value: '' } })
  assert.deepEqual((await complete('a')).error, {
    code: -32603,
    message: 'invalid completion: expected an array of strings',
  })
  assert.deepEqual((await complete('b')).error, { code: -32603, message: 'no idea' })
  await client.close()
})
