// The official MCP TypeScript SDK clients against a demo server.
//
// Every check follows docs/demo-contract.md and mirrors tests/python/test_demo_stdio.py.
// Each session test runs once per client (harness.mjs CLIENTS): the 1.x client on the
// legacy revision 2025-11-25, the 2.x client pinned to 2026-07-28, and the 2.x client in
// its default legacy mode. Each test starts its own server (stdio) or session (http), so
// tests are independent. Exact codes and fields are read from the wire where an SDK
// reshapes them (the 2.x SDK, for one, reports a -32002 resource error as -32602).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ALL_CLIENTS,
  CLIENTS,
  LEGACY_VERSION,
  MODERN_VERSION,
  TRANSPORT,
  expectedServerInfo,
  setUp,
  tearDown,
  withSession,
} from '../harness.mjs';

const INVALID_PARAMS = -32602;
const RESOURCE_NOT_FOUND = -32002;

// Exercises JSON string escaping both ways: quotes, backslashes, newline, tab, other
// control characters, DEL, non-ASCII in the BMP, and a character beyond it.
const TRICKY_TEXT = 'say "hi" \\ back\\slash\nnew line\ttab \x01\x1f\x7f é ü 中文 😀 end';

const TOOL_NAMES = ['echo', 'add', 'fail', 'slow'];
const TOOL_TITLES = { echo: 'Echo', add: 'Add two numbers', fail: 'Always fails', slow: 'Wait a while' };
const RO_IDEMPOTENT = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
const RO = { readOnlyHint: true, openWorldHint: false };
const TOOL_ANNOTATIONS = { echo: RO_IDEMPOTENT, add: RO_IDEMPOTENT, fail: RO, slow: RO };
const TOOL_PARAMS = { echo: { text: 'string' }, add: { a: 'number', b: 'number' }, fail: {}, slow: { ms: 'integer' } };
const ADD_OUTPUT_SCHEMA = { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] };

const TEST_TIMEOUT_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now() / 1000;

before(setUp);
after(tearDown);

/** The text of a result that must hold exactly one text block. */
function onlyText(result) {
  const blocks = result.content ?? [];
  assert.equal(blocks.length, 1, `expected exactly one content block, got ${JSON.stringify(blocks)}`);
  assert.equal(blocks[0].type, 'text', JSON.stringify(blocks[0]));
  return blocks[0].text;
}

/** Whether an error message names parameter `name` (the Python suite's names_param). */
function namesParam(text, name) {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    new RegExp(`(['"\`‘“])${n}(['"\`’”])`, 'i'),
    new RegExp(`\\b(parameter|param|argument|arg|field|property|key)s?\\s+${n}\\b`, 'i'),
    new RegExp(`(^|[\\s(\\[])${n}\\s*:`, 'i'),
    new RegExp(`(^|\\s)/${n}\\b`, 'i'),
    new RegExp(`(^|\\n)[ \\t]*${n}[ \\t]*(\\n|$)`, 'i'),
  ];
  return patterns.some((p) => p.test(text));
}

/** Call a tool that must answer with a tool error (isError) and return its text. */
async function callErrorText(s, tool, args) {
  const result = await s.callTool(tool, args);
  assert.equal(result.isError, true, `${tool}(${JSON.stringify(args)}) should be a tool error, got ${JSON.stringify(result)}`);
  const text = onlyText(result);
  assert.ok(text.trim(), `${tool}(${JSON.stringify(args)}): empty error text`);
  return text;
}

/**
 * Run a request that must fail with a JSON-RPC error. Returns the error as the SDK threw
 * it (`sdk`, with `.code`/`.data`) and as the server sent it (`wire`: the `error` member of
 * the response to the one `method` request the call wrote).
 */
async function rpcError(s, method, request) {
  const mark = s.wire.events.length;
  let result;
  try {
    result = await request();
  } catch (sdk) {
    const sent = s.wire.events.slice(mark).filter((e) => e.direction === 'out' && e.message.method === method && 'id' in e.message);
    assert.equal(sent.length, 1, `expected one ${method} request on the wire, saw ${sent.length} (SDK error: ${sdk})`);
    const responses = s.wire.responsesTo(sent[0].message.id);
    assert.equal(responses.length, 1, `expected one response to ${method}, saw ${responses.length} (SDK error: ${sdk})`);
    const { error } = responses[0].message;
    assert.ok(error, `the ${method} response is not an error: ${JSON.stringify(responses[0].message)}`);
    assert.equal(typeof sdk?.code, 'number', `the SDK threw ${sdk} without a JSON-RPC code`);
    return { sdk, wire: error };
  }
  assert.fail(`expected a JSON-RPC error, got the result ${JSON.stringify(result)}`);
}

/** `test` once per client kind, each with a fresh session. */
function sessionTest(name, body, { only } = {}) {
  for (const kind of CLIENTS) {
    if (only && !only(kind)) continue;
    const { era } = ALL_CLIENTS[kind];
    test(`[${kind} ${era}] ${name}`, { timeout: TEST_TIMEOUT_MS }, () => withSession(kind, body));
  }
}

const isModernKind = (kind) => ALL_CLIENTS[kind].era === 'modern';
const isLegacyKind = (kind) => ALL_CLIENTS[kind].era === 'legacy';

// --------------------------------------------------------------------------- connection

describe('connection', () => {
  sessionTest('negotiated version, server info, capabilities, instructions', async (s) => {
    const { client, wire } = s;
    const expected = expectedServerInfo();
    const info = client.getServerVersion();
    assert.ok(info, 'no serverInfo');
    if (expected.name) assert.equal(info.name, expected.name);
    else assert.ok(typeof info.name === 'string' && info.name, JSON.stringify(info));
    if (expected.version) assert.equal(info.version, expected.version);
    else assert.ok(typeof info.version === 'string' && info.version, JSON.stringify(info));

    const instructions = client.getInstructions();
    assert.ok(typeof instructions === 'string' && instructions.trim(), `instructions: ${JSON.stringify(instructions)}`);

    const caps = client.getServerCapabilities();
    for (const capability of ['tools', 'resources', 'prompts', 'completions']) {
      assert.ok(caps?.[capability] && typeof caps[capability] === 'object', `capability ${capability} not advertised: ${JSON.stringify(caps)}`);
    }

    if (isModernKind(s.kind)) {
      // The 2.x client probes server/discover on a disposable sibling process (stdio) or
      // in place (http), then speaks 2026-07-28 with the per-request _meta envelope.
      assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
      assert.equal(client.getProtocolEra(), 'modern');
      const discover = client.getDiscoverResult();
      assert.ok(discover, 'no server/discover result');
      assert.ok(discover.supportedVersions.includes(MODERN_VERSION), JSON.stringify(discover.supportedVersions));
      assert.equal(discover.instructions, instructions);
      assert.deepEqual(wire.sent('initialize'), [], 'a modern connection must not send initialize');
      assert.deepEqual(wire.sent('notifications/initialized'), []);
      // Every request after the probe carries the modern envelope.
      const listed = await s.listTools();
      assert.ok(listed.tools.length);
      for (const request of wire.requestsSent().filter((m) => m.method !== 'server/discover')) {
        assert.equal(request.params?._meta?.['io.modelcontextprotocol/protocolVersion'], MODERN_VERSION, JSON.stringify(request));
      }
    } else {
      assert.equal(s.protocolVersion, LEGACY_VERSION);
      const first = wire.requestsSent()[0];
      assert.equal(first.method, 'initialize');
      assert.equal(first.params.protocolVersion, LEGACY_VERSION);
      assert.deepEqual(wire.sent('server/discover'), [], 'a legacy client must not probe');
      assert.equal(wire.sent('notifications/initialized').length, 1);
      const init = s.initializeResult();
      assert.equal(init.protocolVersion, LEGACY_VERSION);
      assert.deepEqual(init.serverInfo, info);
      assert.equal(init.instructions, instructions);
    }
  });

  if (CLIENTS.includes('v2')) {
    test('[v2 auto] auto negotiation settles on 2026-07-28 without initialize', { timeout: TEST_TIMEOUT_MS }, () =>
      withSession(
        'v2',
        async (s) => {
          assert.equal(s.client.getNegotiatedProtocolVersion(), MODERN_VERSION);
          assert.equal(s.client.getProtocolEra(), 'modern');
          assert.ok(s.client.getDiscoverResult()?.supportedVersions.includes(MODERN_VERSION));
          assert.deepEqual(s.wire.sent('initialize'), [], 'a modern server must not need the initialize fallback');
          assert.equal(onlyText(await s.callTool('echo', { text: 'auto' })), 'auto');
        },
        { mode: 'auto' },
      ),
    );
  }

  sessionTest(
    'server/discover on the session answers the same identity and capabilities',
    async (s) => {
      const probed = s.client.getDiscoverResult();
      const discover = await s.client.discover({ timeout: 10_000 });
      assert.ok(discover.supportedVersions.includes(MODERN_VERSION), JSON.stringify(discover));
      assert.deepEqual(discover.capabilities, probed.capabilities);
      assert.equal(discover.instructions, probed.instructions);
      const raw = s.wire.lastResponse('server/discover').result;
      assert.deepEqual(raw._meta?.['io.modelcontextprotocol/serverInfo'], s.client.getServerVersion());
    },
    { only: isModernKind },
  );

  sessionTest(
    'ping answers an empty result and logging/setLevel is accepted',
    async (s) => {
      assert.ok(s.client.getServerCapabilities()?.logging, 'logging/setLevel needs the logging capability');
      await s.ping();
      assert.deepEqual(s.wire.lastResponse('ping').result, {});
      for (const level of ['debug', 'info', 'error']) {
        await s.setLoggingLevel(level);
        assert.deepEqual(s.wire.lastResponse('logging/setLevel').result, {});
      }
      // The contract promises no log notifications; calls still work after setLevel.
      assert.equal(onlyText(await s.callTool('echo', { text: 'logged' })), 'logged');
    },
    { only: isLegacyKind },
  );
});

// --------------------------------------------------------------------------- tools

describe('tools', () => {
  sessionTest('tools/list: the four tools with titles, annotations and schemas', async (s) => {
    const result = await s.listTools();
    assert.equal(s.wire.lastResponse('tools/list').result.nextCursor, undefined, 'tools/list must fit one page');
    const { tools } = result;
    assert.deepEqual(tools.map((t) => t.name), TOOL_NAMES);
    for (const tool of tools) {
      const { name } = tool;
      assert.equal(tool.title, TOOL_TITLES[name], name);
      assert.deepEqual(tool.annotations, TOOL_ANNOTATIONS[name], name);
      const schema = tool.inputSchema;
      assert.deepEqual(Object.keys(schema).sort(), ['properties', 'required', 'type'], `${name}: ${JSON.stringify(schema)}`);
      assert.equal(schema.type, 'object');
      const expected = TOOL_PARAMS[name];
      assert.deepEqual(Object.keys(schema.properties), Object.keys(expected), `${name}: ${JSON.stringify(schema)}`);
      for (const [param, type] of Object.entries(expected)) {
        assert.equal(schema.properties[param].type, type, `${name}.${param}: ${JSON.stringify(schema)}`);
      }
      assert.deepEqual([...schema.required].sort(), Object.keys(expected).sort(), `${name}: ${JSON.stringify(schema)}`);
      if (name === 'add') assert.deepEqual(tool.outputSchema, ADD_OUTPUT_SCHEMA);
      else assert.equal(tool.outputSchema, undefined, `${name} has no outputSchema in the contract`);
    }
    const ms = tools[3].inputSchema.properties.ms;
    assert.equal(ms.minimum ?? 0, 0, JSON.stringify(ms));
    assert.equal(ms.maximum ?? 600000, 600000, JSON.stringify(ms));
    // What the SDK handed back is what the server sent.
    assert.deepEqual(tools, s.wire.lastResponse('tools/list').result.tools);
  });

  for (const [label, text] of [
    ['escapes', TRICKY_TEXT],
    ['empty', ''],
    ['plain', 'plain'],
  ]) {
    sessionTest(`echo (${label}) returns exactly one text block equal to its input`, async (s) => {
      const result = await s.callTool('echo', { text });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.deepEqual(result.content, [{ type: 'text', text }]);
      assert.deepEqual(s.wire.lastResponse('tools/call').result.content, [{ type: 'text', text }]);
    });
  }

  const ADD_CASES = [
    [2, 3],
    [-7, 4],
    [-1.5, -2.25],
    [0.1, 0.2],
    [1e300, -2.5e299],
    [0, -0.0],
  ];

  sessionTest('add: structuredContent {sum: a + b} and the same object as text', async (s) => {
    for (const [a, b] of ADD_CASES) {
      const result = await s.callTool('add', { a, b });
      assert.ok(!result.isError, JSON.stringify(result));
      const structured = result.structuredContent;
      assert.deepEqual(Object.keys(structured ?? {}), ['sum'], `(${a}, ${b}): ${JSON.stringify(structured)}`);
      assert.ok(structured.sum === a + b, `(${a}, ${b}): sum ${structured.sum}, expected ${a + b}`);
      const parsed = JSON.parse(onlyText(result));
      assert.deepEqual(Object.keys(parsed), ['sum'], `(${a}, ${b}): text ${onlyText(result)}`);
      assert.ok(parsed.sum === a + b, `(${a}, ${b}): text ${onlyText(result)}`);
    }
  });

  sessionTest('fail: a tool error with one non-empty text block', async (s) => {
    await callErrorText(s, 'fail', {});
  });

  const BAD_ARGUMENTS = [
    ['echo', {}, 'text'],
    ['echo', { text: 5 }, 'text'],
    ['add', { a: '1', b: 2 }, 'a'],
    ['add', { a: 1 }, 'b'],
    ['add', { a: 1, b: true }, 'b'],
    ['slow', {}, 'ms'],
    ['slow', { ms: '10' }, 'ms'],
    ['slow', { ms: 1.5 }, 'ms'],
    ['slow', { ms: -1 }, 'ms'],
    ['slow', { ms: 600001 }, 'ms'],
  ];

  sessionTest('arguments that do not fit the inputSchema give a tool error naming the parameter', async (s) => {
    for (const [tool, args, param] of BAD_ARGUMENTS) {
      const started = now();
      const text = await callErrorText(s, tool, args);
      assert.ok(now() - started < 2, `${tool}(${JSON.stringify(args)}) took ${(now() - started).toFixed(2)} s: an invalid slow must not wait`);
      assert.ok(namesParam(text, param), `${tool}(${JSON.stringify(args)}): error text does not name ${param}: ${JSON.stringify(text)}`);
    }
  });

  sessionTest('an unknown tool is a JSON-RPC error -32602 and the server keeps serving', async (s) => {
    const { sdk, wire } = await rpcError(s, 'tools/call', () => s.callTool('no-such-tool', {}));
    assert.equal(wire.code, INVALID_PARAMS, JSON.stringify(wire));
    assert.equal(sdk.code, INVALID_PARAMS, String(sdk));
    assert.equal(onlyText(await s.callTool('echo', { text: 'still here' })), 'still here');
  });

  sessionTest('slow(300) with progress: strictly increasing, total 300, last 300 before the result', async (s) => {
    const seen = [];
    const started = now();
    const result = await s.callTool('slow', { ms: 300 }, { onprogress: (p) => seen.push([p.progress, p.total]) });
    const elapsed = now() - started;
    assert.equal(onlyText(result), 'waited 300 ms');
    assert.ok(!result.isError);
    assert.ok(elapsed >= 0.29, `slow(300) answered after ${elapsed.toFixed(3)} s`);

    const callId = s.wire.toolCallId('slow');
    assert.equal(s.wire.sent('tools/call').at(-1).message.params._meta.progressToken, callId);
    const notes = s.wire.progressFor(callId);
    const values = notes.map((n) => n.message.params.progress);
    assert.ok(values.length, 'no notifications/progress for a request with a progressToken');
    assert.ok(values.every((v, i) => i === 0 || v > values[i - 1]), `progress not strictly increasing: ${values}`);
    assert.ok(notes.every((n) => n.message.params.total === 300), JSON.stringify(notes.map((n) => n.message)));
    assert.equal(values.at(-1), 300, String(values));
    assert.ok(values[0] > 0, String(values));
    assert.ok(values.length >= 4 && values.length <= 8, `expected about one progress per 50 ms, got ${values}`);
    const [response] = s.wire.responsesTo(callId);
    assert.ok(notes.at(-1).t <= response.t, 'the last progress must come before the result');

    // The SDK's callback saw the same values, in order. Both SDK majors dispatch a
    // notification a microtask after the response that arrived in the same read, so the
    // final progress (written just before the result) can miss the callback.
    const expected = values.map((v) => [v, 300]);
    assert.ok(
      JSON.stringify(seen) === JSON.stringify(expected) || JSON.stringify(seen) === JSON.stringify(expected.slice(0, -1)),
      `the progress callback saw ${JSON.stringify(seen)}, the wire ${JSON.stringify(expected)}`,
    );
  });

  sessionTest('while slow(2000) runs, an echo call is answered at once', async (s) => {
    const slow = {};
    const echo = {};
    slow.started = now();
    const slowDone = s.callTool('slow', { ms: 2000 }).then((r) => {
      slow.result = r;
      slow.done = now();
    });
    await sleep(200); // let slow reach the server first
    echo.started = now();
    echo.result = await s.callTool('echo', { text: 'meanwhile' });
    echo.done = now();
    echo.slowWasDone = 'done' in slow;
    await slowDone;

    assert.equal(onlyText(echo.result), 'meanwhile');
    assert.equal(onlyText(slow.result), 'waited 2000 ms');
    assert.ok(!echo.slowWasDone, 'echo was answered only after slow(2000) ended: the server blocked');
    assert.ok(echo.done - echo.started < 1.0, `echo took ${(echo.done - echo.started).toFixed(3)} s while slow(2000) ran`);
    assert.ok(slow.done - slow.started >= 1.95);
    assert.ok(slow.done - echo.done > 0.5, 'echo did not finish well before slow');
  });

  sessionTest('cancelling slow(5000) through an AbortSignal: no result, no more progress, the server still answers', async (s) => {
    const controller = new AbortController();
    let firstProgress;
    const progressed = new Promise((resolve) => {
      firstProgress = resolve;
    });
    const call = s.callTool('slow', { ms: 5000 }, { signal: controller.signal, onprogress: () => firstProgress() });
    const outcome = call.then(
      (result) => ({ result }),
      (error) => ({ error }),
    );
    const first = await Promise.race([progressed.then(() => 'progress'), sleep(3000).then(() => 'timeout'), outcome.then(() => 'settled')]);
    assert.equal(first, 'progress', 'no progress from slow(5000) within 3 s');
    controller.abort('test cancels slow');
    const settled = await outcome;
    assert.ok(settled.error, `slow(5000) returned although it was cancelled: ${JSON.stringify(settled.result)}`);

    const callId = s.wire.toolCallId('slow');
    const cancels = s.wire.sent('notifications/cancelled').map((e) => e.message.params);
    // Over Streamable HTTP the 2026-07-28 client cancels by closing the request's stream
    // instead of sending notifications/cancelled.
    if (!(TRANSPORT === 'http' && s.modern)) {
      assert.deepEqual(cancels.map((c) => c.requestId), [callId], JSON.stringify(cancels));
    }

    const echo = await s.callTool('echo', { text: 'after cancel' });
    assert.equal(onlyText(echo), 'after cancel');
    const [echoResponse] = s.wire.responsesTo(s.wire.toolCallId('echo'));

    await sleep(500); // ten progress periods: anything still running would show
    assert.deepEqual(s.wire.responsesTo(callId), [], 'the server answered a cancelled request');
    const late = s.wire.progressFor(callId).filter((n) => n.t > echoResponse.t + 0.1);
    assert.deepEqual(late.map((n) => n.message), [], 'progress for the cancelled request after it was cancelled');
  });

  sessionTest('concurrent calls: many requests in flight at once, each answered with its own result', async (s) => {
    const texts = Array.from({ length: 12 }, (_, i) => `call ${i} ${'x'.repeat(i)}`);
    const sums = Array.from({ length: 8 }, (_, i) => [i, i / 4]);
    const started = now();
    const calls = [
      s.callTool('slow', { ms: 300 }),
      ...texts.map((text) => s.callTool('echo', { text })),
      ...sums.map(([a, b]) => s.callTool('add', { a, b })),
      s.callTool('slow', { ms: 100 }),
      s.readResource('demo://items/7'),
      s.getPrompt('greet', { name: 'Linus' }),
      s.complete({ type: 'ref/prompt', name: 'greet' }, { name: 'name', value: 'G' }),
    ];
    const results = await Promise.all(calls);
    const elapsed = now() - started;

    const [slow300, ...rest] = results;
    assert.equal(onlyText(slow300), 'waited 300 ms');
    texts.forEach((text, i) => assert.equal(onlyText(rest[i]), text));
    sums.forEach(([a, b], i) => assert.ok(rest[texts.length + i].structuredContent.sum === a + b, `add(${a}, ${b})`));
    const [slow100, item, prompt, completion] = rest.slice(texts.length + sums.length);
    assert.equal(onlyText(slow100), 'waited 100 ms');
    assert.equal(item.contents[0].text, 'Item 7');
    assert.equal(prompt.messages[0].content.text, 'Hello, Linus! Please greet Linus warmly.');
    assert.deepEqual(completion.completion.values, ['Grace']);
    assert.ok(elapsed < 1.5, `${calls.length} concurrent calls took ${elapsed.toFixed(2)} s: they did not overlap`);

    // On the wire: all requests were written before the first answer came, ids are
    // distinct, and each got exactly one response.
    const requests = s.wire.events.filter((e) => e.direction === 'out' && 'id' in e.message && e.message.method !== 'initialize' && e.message.method !== 'server/discover');
    assert.equal(requests.length, calls.length);
    const ids = requests.map((e) => e.message.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids ${ids}`);
    const firstAnswer = Math.min(...ids.map((id) => s.wire.responsesTo(id)[0]?.t ?? Infinity));
    assert.ok(requests.every((e) => e.t <= firstAnswer), 'the calls were not all in flight at once');
    for (const id of ids) assert.equal(s.wire.responsesTo(id).length, 1, `id ${id}`);
    // The slow(100) was answered before the slow(300) called ahead of it.
    const slowId = (ms) => requests.find((e) => e.message.method === 'tools/call' && e.message.params.name === 'slow' && e.message.params.arguments.ms === ms).message.id;
    const [slow300Id, slow100Id] = [slowId(300), slowId(100)];
    assert.ok(s.wire.responsesTo(slow100Id)[0].t < s.wire.responsesTo(slow300Id)[0].t, 'slow(100) waited for slow(300)');
  });
});

// --------------------------------------------------------------------------- resources

const pick = (item, ...keys) => Object.fromEntries(keys.filter((k) => k in item).map((k) => [k, item[k]]));

describe('resources', () => {
  sessionTest('resources/list: exactly demo://readme, named readme, text/plain', async (s) => {
    const result = await s.listResources();
    assert.equal(s.wire.lastResponse('resources/list').result.nextCursor, undefined);
    assert.deepEqual(
      result.resources.map((r) => pick(r, 'uri', 'name', 'mimeType')),
      [{ uri: 'demo://readme', name: 'readme', mimeType: 'text/plain' }],
    );
  });

  sessionTest('reading demo://readme gives one non-empty text content for that uri', async (s) => {
    const result = await s.readResource('demo://readme');
    assert.equal(result.contents.length, 1, JSON.stringify(result.contents));
    const [content] = result.contents;
    assert.equal(content.uri, 'demo://readme');
    assert.equal(content.mimeType ?? 'text/plain', 'text/plain');
    assert.ok(typeof content.text === 'string' && content.text.trim(), JSON.stringify(content));
    assert.ok(!('blob' in content));
  });

  sessionTest('resources/templates/list: exactly demo://items/{id}, named item, text/plain', async (s) => {
    const result = await s.listResourceTemplates();
    assert.equal(s.wire.lastResponse('resources/templates/list').result.nextCursor, undefined);
    assert.deepEqual(
      result.resourceTemplates.map((t) => pick(t, 'uriTemplate', 'name', 'mimeType')),
      [{ uriTemplate: 'demo://items/{id}', name: 'item', mimeType: 'text/plain' }],
    );
  });

  for (const id of ['42', 'abc-9']) {
    sessionTest(`reading demo://items/${id} through the template gives exactly "Item ${id}"`, async (s) => {
      const uri = `demo://items/${id}`;
      const result = await s.readResource(uri);
      const expected = [{ uri, mimeType: 'text/plain', text: `Item ${id}` }];
      assert.deepEqual(result.contents, expected);
      assert.deepEqual(s.wire.lastResponse('resources/read').result.contents, expected);
    });
  }

  sessionTest('reading any other URI: -32002 on 2025-11-25, -32602 on 2026-07-28, data {uri}', async (s) => {
    const expectedCode = s.modern ? INVALID_PARAMS : RESOURCE_NOT_FOUND;
    for (const uri of ['demo://nope', 'demo://items/', 'demo://items/1/2', 'file:///etc/passwd']) {
      const { sdk, wire } = await rpcError(s, 'resources/read', () => s.readResource(uri));
      assert.equal(wire.code, expectedCode, `${uri}: ${JSON.stringify(wire)}`);
      assert.deepEqual(wire.data, { uri }, `${uri}: ${JSON.stringify(wire)}`);
      assert.ok(typeof wire.message === 'string' && wire.message, JSON.stringify(wire));
      // The 1.x SDK passes the code through; the 2.x SDK turns either code carrying
      // data.uri into its ResourceNotFoundError, whose code is always -32602.
      assert.equal(sdk.code, s.kind === 'v1' ? expectedCode : INVALID_PARAMS, `${uri}: ${sdk}`);
      assert.deepEqual(sdk.data, { uri });
    }
  });
});

// --------------------------------------------------------------------------- prompts

describe('prompts', () => {
  sessionTest('prompts/list: exactly greet, with one required argument "name"', async (s) => {
    const result = await s.listPrompts();
    assert.equal(s.wire.lastResponse('prompts/list').result.nextCursor, undefined);
    assert.deepEqual(result.prompts.map((p) => p.name), ['greet']);
    assert.deepEqual((result.prompts[0].arguments ?? []).map((a) => pick(a, 'name', 'required')), [{ name: 'name', required: true }]);
  });

  sessionTest('greet with name "Ada": exactly one user message with the contract text', async (s) => {
    const result = await s.getPrompt('greet', { name: 'Ada' });
    const expected = [{ role: 'user', content: { type: 'text', text: 'Hello, Ada! Please greet Ada warmly.' } }];
    assert.deepEqual(result.messages, expected);
    assert.deepEqual(s.wire.lastResponse('prompts/get').result.messages, expected);
  });

  sessionTest('greet without name, and an unknown prompt, are JSON-RPC errors -32602', async (s) => {
    for (const [name, args] of [
      ['greet', {}],
      ['greet', undefined],
      ['no-such-prompt', { name: 'Ada' }],
    ]) {
      const { sdk, wire } = await rpcError(s, 'prompts/get', () => s.getPrompt(name, args));
      assert.equal(wire.code, INVALID_PARAMS, `${name} ${JSON.stringify(args)}: ${JSON.stringify(wire)}`);
      assert.equal(sdk.code, INVALID_PARAMS, `${name} ${JSON.stringify(args)}: ${sdk}`);
    }
  });
});

// --------------------------------------------------------------------------- completion

const GREET = { type: 'ref/prompt', name: 'greet' };
const ITEMS = { type: 'ref/resource', uri: 'demo://items/{id}' };
const COMPLETIONS = [
  [GREET, 'name', 'A', ['Ada', 'Alan']],
  [GREET, 'name', '', ['Ada', 'Alan', 'Grace', 'Linus']],
  [GREET, 'name', 'Gr', ['Grace']],
  [GREET, 'name', 'Z', []],
  [ITEMS, 'id', '', ['1', '2', '3']],
  [ITEMS, 'id', '2', ['2']],
  [GREET, 'other', '', []],
  [{ type: 'ref/prompt', name: 'no-such-prompt' }, 'name', '', []],
  [{ type: 'ref/resource', uri: 'demo://readme' }, 'id', '', []],
];

describe('completion', () => {
  sessionTest('completion/complete suggests the contract values starting with the typed text', async (s) => {
    for (const [ref, argument, value, expected] of COMPLETIONS) {
      const result = await s.complete(ref, { name: argument, value });
      assert.deepEqual(result.completion.values, expected, `${JSON.stringify(ref)} ${argument}=${JSON.stringify(value)}`);
      assert.deepEqual(s.wire.lastResponse('completion/complete').result.completion.values, expected);
    }
  });
});
