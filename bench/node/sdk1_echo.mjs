// The Node table's row for the official TypeScript SDK 1.x (@modelcontextprotocol/sdk,
// pinned in package.json): one tool, `echo(text: string)`, returning one text block
// equal to `text`, written the way the SDK documents a stdio server: an McpServer,
// registerTool with a zod input shape, and a StdioServerTransport. The handler is a
// plain (sync) function, as in picomcp_echo.js.
//
//   node bench/node/sdk1_echo.mjs        serves MCP on stdin/stdout

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod/v4';

const server = new McpServer({ name: 'ts-sdk1-echo', version: '1.0.0' });
server.registerTool(
    'echo',
    { description: 'Echo the text back', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] })
);

// The transport closes when stdin ends; nothing else keeps the process alive.
await server.connect(new StdioServerTransport());
