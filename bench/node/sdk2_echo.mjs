// The Node table's row for the official TypeScript SDK 2.x (@modelcontextprotocol/server,
// pinned in package.json at the version of the @modelcontextprotocol/client that
// tests/ts uses): the same `echo(text: string)` tool as sdk1_echo.mjs, written the way
// the 2.x docs serve stdio: serveStdio() with a factory building the McpServer (it
// replaces v1's StdioServerTransport + connect, and serves the driver's 2025-11-25
// `initialize` from the same factory), registerTool with a z.object input schema.
// The handler is a plain (sync) function, as in picomcp_echo.js.
//
//   node bench/node/sdk2_echo.mjs        serves MCP on stdin/stdout

import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod/v4';

// The connection ends when stdin does; the process then exits on its own.
serveStdio(() => {
    const server = new McpServer({ name: 'ts-sdk2-echo', version: '1.0.0' });
    server.registerTool(
        'echo',
        { description: 'Echo the text back', inputSchema: z.object({ text: z.string() }) },
        ({ text }) => ({ content: [{ type: 'text', text }] })
    );
    return server;
});
