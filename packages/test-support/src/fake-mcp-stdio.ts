/**
 * The fake MCP server (./fake-mcp.ts) over stdio: a child process a runner starts from its
 * operator's list. Run with `node --import tsx fake-mcp-stdio.ts` (see fakeMcpStdioCommand).
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { fakeMcpServer } from './fake-mcp.js';

await fakeMcpServer().connect(new StdioServerTransport());
