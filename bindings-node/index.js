'use strict'
// picomcp for Node.js: an MCP server on picomcp's allocation-free Rust engine, with an API
// in the spirit of the official TypeScript SDK's McpServer. See index.d.ts and the README.

const { McpServer, ResourceTemplate } = require('./lib/server')
const { ErrorCode, McpError, PicomcpError, InsufficientScopeError } = require('./lib/errors')

module.exports = { McpServer, ResourceTemplate, McpError, ErrorCode, PicomcpError, InsufficientScopeError }
