// The ES module entry: the same objects as the CommonJS one (index.js).
import picomcp from './index.js'

export const { McpServer, ResourceTemplate, McpError, ErrorCode, PicomcpError, InsufficientScopeError } = picomcp
export default picomcp
